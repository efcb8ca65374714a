/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The spawner: a small process of our own (spawn-main.c) that forks
 * the helpers, as children of the daemon, for less than the daemon's
 * own fork would cost. Without one, helper.c forks them itself. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "nskeeper.h"

/* Runs the spawner at path and waits (briefly) for it to say it is
 * ready. Returns 0 or -errno with the reason logged. */
int spawner_start(const char *path);

/* Is there a spawner to ask? */
bool spawner_running(void);

/* Asks the spawner for a helper that talks on sock (not closed here).
 * Returns 0 with the helper's pid and a pidfd of it, -ENOTCONN if there
 * is no spawner (nothing was started: the caller may fork one itself),
 * or another -errno: no helper. A spawner that died is started again
 * once per call. */
int spawner_spawn(int sock, nsk_type_mask_t types, const struct nsk_settings *s, uid_t uid,
                  gid_t gid, pid_t *ret_pid, int *ret_pidfd);

/* Ends the spawner and reaps it. */
void spawner_stop(void);
