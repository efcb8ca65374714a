/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers: children of the daemon (cloned by the spawner, or forked)
 * that unshare() the namespaces of a new set, apply its settings and send
 * the namespaces back as fds, one process per set; root's sets of types
 * that need no process go to the maker instead (maker.h). The event loop
 * never waits for either. */
#pragma once

#include <event2/event.h>
#include <sys/types.h>

#include "launch.h"
#include "nstype.h"
#include "proto.h"
#include "rundir.h"

/* Every helper at work. */
struct helpers;
struct helpers *helpers_new(struct event_base *base);
/* Kills every helper still at work and reports each as -ECANCELED. */
struct helpers *helpers_free(struct helpers *hs);
unsigned helpers_count(const struct helpers *hs);
/* Is pid a helper at work (reaped through its pidfd)? */
bool helpers_tracks(const struct helpers *hs, pid_t pid);

/* --pool TYPES:N (maker_pool in maker.h). */
int helpers_pool(struct helpers *hs, const struct rundir *rd, nsk_type_mask_t types, unsigned n);

/* A uid other than 0: the helper becomes uid/gid before it makes the
 * user namespace, which that uid then owns (and may enter without
 * privileges). name (the set's key) goes on the helper's and its keeper's
 * command lines. */
int helper_start(struct helpers *hs, const char *name, nsk_type_mask_t types,
                 const struct nsk_settings *settings, uid_t uid, gid_t gid, helper_done_fn done,
                 void *userdata);
