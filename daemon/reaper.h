/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reaping children nobody watches: the daemon is a subreaper (keepers
 * outlive their helpers), so a keeper whose helper died before handing
 * it over ends up its child too, and must not stay a zombie. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>
#include <event2/event.h>

struct reaper;

/* Does someone else reap pid (through its pidfd)? */
typedef bool (*reaper_watched_fn)(pid_t pid, void *userdata);

/* Watches SIGCHLD and reaps, shortly after, every zombie child for which
 * is_watched() says no. NULL when out of memory. */
struct reaper *reaper_new(struct event_base *base, reaper_watched_fn is_watched, void *userdata);
struct reaper *reaper_free(struct reaper *rp);
