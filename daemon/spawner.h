/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The spawner: a small process of our own (spawn-main.c) that makes
 * helpers, as children of the daemon, for less than the daemon's own
 * fork would cost, and ahead of time. Without one, helper.c forks them
 * itself. */
#pragma once

#include <event2/event.h>
#include <stdbool.h>
#include <sys/types.h>

/* A helper made by the spawner, waiting for its struct helper_start on
 * sock. Everything in it is owned by whoever holds it. */
struct spawned {
        pid_t pid;      /* in our pid namespace */
        pid_t proc_pid; /* in /proc's, which may not be ours (pidfd-util.h) */
        int pidfd;
        int sock;
};

/* Runs the spawner at path and waits (briefly) for it to say it is
 * ready. Returns 0 or -errno with the reason logged. */
int spawner_start(const char *path);

/* From now on, keep helpers waiting: replies are read on base's loop. */
int spawner_attach(struct event_base *base);

/* A waiting helper: 0, -ENOTCONN if there is no spawner (nothing was
 * started: the caller may fork one itself), or another -errno. Waits for
 * the spawner only when none is waiting already. A spawner that died is
 * started again once per call. */
int spawner_take(struct spawned *ret);

/* Ends the spawner and the helpers waiting, and reaps them. */
void spawner_stop(void);
