/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* MONITOR: clients that asked to hear of every change to the sets. */
#pragma once

#include "proto.h"
#include "rundir.h"
#include "server.h"
#include "set.h"

void monitor_init(const struct rundir *rd);
/* Subscribes c; its request is answered now (ERRNO 0, MORE) and then
 * once per event, for as long as it stays connected. Once per
 * connection (-EBUSY). */
int monitor_add(struct client *c, const struct nsk_request *req);
/* Tells every subscriber; others' sets are described without details,
 * as list does. */
void monitor_emit(enum nsk_event e, const struct set *s);
/* A subscriber's connection closed: forget it now, not at the next event. */
void monitor_forget(struct client *c);
void monitor_free_all(void);
