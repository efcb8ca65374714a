/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a pidfd says of its process. */
#pragma once

#include <sys/types.h>

/* The process's pid as /proc numbers it (the pid namespace /proc was
 * mounted in, which need not be ours: a daemon started with
 * `unshare --pid --fork` sees the host's /proc) and as our own pid
 * namespace does (what fork, waitid and clone return), from the pidfd's
 * fdinfo (proc(5): Pid, NSpid). 0 or -errno (-ESRCH: it is gone, or is
 * in no namespace we see). Either pointer may be NULL. */
int pidfd_pids(int pidfd, pid_t *ret_proc_pid, pid_t *ret_own_pid);

/* Our own pid as /proc numbers it; 0 if /proc cannot say. */
pid_t proc_self_pid(void);
