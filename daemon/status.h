/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The STATUS= line the service manager shows: sets, namespaces and
 * clients, kept fresh as they change. */
#pragma once

#include <event2/event.h>

#include "registry.h"
#include "server.h"

struct status;

/* Sends the line now and whenever status_changed() was called since
 * (a burst of changes makes one message). Nothing happens without a
 * service manager. NULL only when out of memory. */
struct status *status_new(struct event_base *base, struct registry *reg, const struct server *srv);
struct status *status_free(struct status *st);
void status_changed(struct status *st);
