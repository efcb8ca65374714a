/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers: forked children that unshare() the namespaces of a new set
 * and send them back as fds. The event loop never waits for one. */
#pragma once

#include <event2/event.h>

#include "nstype.h"

struct helper;

/* Called once per helper: error 0 and fds (indexed by type, each checked
 * with NS_GET_NSTYPE, now owned by the callee), or a -errno and a message
 * saying which step failed. */
typedef void (*helper_done_fn)(int error, const char *message, int fds[NSTYPE_MAX],
                               void *userdata);

int helper_start(struct event_base *base, nstype_mask_t types, helper_done_fn done,
                 void *userdata);

/* Kills every helper still at work and reports each as -ECANCELED. */
void helper_cancel_all(void);
unsigned helper_count(void);
