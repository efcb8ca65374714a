/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers: children of the daemon (cloned by the spawner, or forked)
 * that unshare() the namespaces of a new set, apply its settings and send
 * the namespaces back as fds. The event loop never waits for one. */
#pragma once

#include <event2/event.h>
#include <sys/types.h>

#include "nstype.h"
#include "proto.h"

/* What a helper hands over; every fd is owned by whoever holds this. */
struct helper_result {
        int fds[NSK_TYPE_MAX]; /* one per type made, checked with NS_GET_NSTYPE */
        pid_t keeper_pid;      /* pid: the init kept in the new pid namespace */
        int keeper_pidfd;
        int keeper_lifeline; /* the keeper exits when this closes, unless made permanent */
};

/* Empty: no fds, no keeper. */
void helper_result_init(struct helper_result *r);
void helper_result_close(struct helper_result *r);

/* Called once per helper: error 0 and a result, or a -errno and a
 * message saying which step failed (result empty). A keeper in the
 * result lives as long as the write end of its lifeline is open, until
 * keeper_make_permanent() (keeper.h). */
typedef int (*helper_done_fn)(int error, const char *message, struct helper_result *result,
                              void *userdata);

/* Marks where the heap stands at the start of main(): what the daemon
 * allocates from then on is not copied into helpers (see helper.c). */
void helper_init(void);

/* Every helper at work. */
struct helpers;
struct helpers *helpers_new(struct event_base *base);
/* Kills every helper still at work and reports each as -ECANCELED. */
struct helpers *helpers_free(struct helpers *hs);
unsigned helpers_count(const struct helpers *hs);
/* Is pid a helper at work (reaped through its pidfd)? */
bool helpers_tracks(const struct helpers *hs, pid_t pid);

/* A uid other than 0: the helper becomes uid/gid before it makes the
 * user namespace, which that uid then owns (and may enter without
 * privileges). name (the set's key) goes on the helper's and its keeper's
 * command lines. */
int helper_start(struct helpers *hs, const char *name, nsk_type_mask_t types,
                 const struct nsk_settings *settings, uid_t uid, gid_t gid, helper_done_fn done,
                 void *userdata);
