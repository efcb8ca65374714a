/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The child side of a helper (helper-child.c). */
#pragma once

#include <sys/types.h>

#include "proto.h"

/* Runs in the forked helper, talking to the daemon (pid daemon) on sock;
 * never returns. uid other than 0: become uid/gid before unsharing. */
_Noreturn void helper_child_main(int sock, nsk_type_mask_t types, const struct nsk_settings *s,
                                 uid_t uid, gid_t gid, pid_t daemon);
