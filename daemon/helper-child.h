/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The child side of a helper (helper-child.c). */
#pragma once

#include <stddef.h>
#include <sys/types.h>

#include "helper-proto.h"

/* Runs in the new helper, talking to the daemon (pid daemon) on sock:
 * checks st (len bytes of it came, from wherever), then makes what it
 * asks for. Never returns; exits 0 at once if st is not a request this
 * build understands. uid other than 0: become uid/gid before unsharing.
 * With a user namespace, it becomes that namespace's root once the maps
 * are written; a keeper it starts holds no capability, is not dumpable
 * and, without a user namespace, runs as the overflow ids. */
_Noreturn void helper_child_start(int sock, struct helper_start *st, size_t len, pid_t daemon);
