/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* MONITOR: clients that asked to hear of every change to the sets. */
#pragma once

#include "proto.h"
#include "rundir.h"
#include "server.h"
#include "set.h"

struct monitor;

struct monitor *monitor_new(const struct rundir *rd);
struct monitor *monitor_free(struct monitor *m);
/* Subscribes c; its request is answered now (ERRNO 0, MORE) and then
 * once per event, for as long as it stays connected. Once per
 * connection (-EBUSY). */
int monitor_add(struct monitor *m, struct client *c, const struct nsk_request *req);
/* Tells every subscriber; others' sets are described without details,
 * as list does. */
void monitor_emit(struct monitor *m, enum nsk_event e, const struct set *s);
/* A subscriber's connection closed: forget it now, not at the next event. */
void monitor_forget(struct monitor *m, struct client *c);
