/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a helper of one set (helper-child.c) and the maker, which makes
 * many in place (maker-child.c), both do: check a request, leave the
 * daemon's things behind, apply a new set's settings. Only system calls,
 * as in the rest of their code. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "helper-proto.h"

/* Checks what the daemon asks for (len bytes came), terminates every
 * string in it and points the settings at the sysctl texts (room for
 * NSK_SYSCTL_MAX). False if it is not a request this build understands. */
bool steps_request_fix(struct helper_start *st, size_t len, char **sysctls);

/* Shows "WHAT NAME" in ps (WHAT alone without room, or name NULL), and
 * keeps nothing of the daemon's: not dumpable (though root: the
 * namespaces it makes may soon hold processes with capabilities over
 * them, ptrace(2)), no new privileges (it never execs), cwd "/" (not
 * the daemon's), 0-2 on /dev/null (not the daemon's log). False if cwd
 * cannot be changed. */
bool steps_detach(const char *what, const char *name);

/* Applies the settings of a set whose namespaces (types) this process
 * has just made and is in: mount propagation, hostname, domainname, lo,
 * sysctls. 0, or -1 with errno set, the step that failed in *ret_step
 * and the nstype or sysctl index concerned (or -1) in *ret_detail. */
int steps_apply_settings(nsk_type_mask_t types, const struct nsk_settings *s, int *ret_step,
                         int *ret_detail);

/* The number the kernel gave this process's mount namespace
 * (NS_GET_MNTNS_ID), 0 where it does not tell. */
uint64_t steps_mntns_id(void);

/* Linux 6.18 numbers mount namespaces from per-CPU batches, so one made
 * on another CPU may get a lower number than an older one; and it refuses
 * to bind-mount a mount namespace whose number is not above that of the
 * mount namespace doing the mount (ELOOP: to it, a possible loop). Called
 * right after this process made its mount namespace: while its number is
 * not above 'above' (the daemon's, which pins it; read before the
 * unshare), makes it again from itself, a copy, CPU after CPU. 0, or -1
 * with errno (ELOOP if no CPU gave a higher number in time). */
int steps_mntns_above(uint64_t above);
