/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reaping children nobody watches: the daemon is a subreaper (keepers
 * outlive their helpers), so a keeper whose helper died before handing
 * it over ends up its child too, and must not stay a zombie. */
#pragma once

#include <event2/event.h>

/* Watches SIGCHLD and reaps, shortly after, every zombie child nothing
 * else reaps. 0 or -ENOMEM. */
int reaper_start(struct event_base *base);
void reaper_stop(void);
