/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Telling the service manager how we are (sd_notify(3)): readiness,
 * status, reloads, watchdog pings. Nothing happens when built without
 * systemd or not started by it (NOTIFY_SOCKET unset). A leaf: what the
 * status says is built above it (status.c). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <event2/event.h>

#include "util.h"

/* Built with systemd and NOTIFY_SOCKET set. */
bool notify_enabled(void);

void notify_ready(void);
void notify_reloading(void);
void notify_stopping(void);
void notify_status(const char *fmt, ...) _printf_(1, 2);

/* Sends state (one or more "KEY=VALUE" lines) with fds attached, as the
 * fd store wants them. 0 when notifications are off, > 0 when sent. */
int notify_with_fds(const char *state, const int *fds, size_t n_fds);

/* On the event loop: pings the watchdog at half its interval when
 * WATCHDOG_USEC asks for it. *ret gets the timer (event_free() it at the
 * end), or NULL when there is no watchdog. */
int notify_watchdog_start(struct event_base *base, struct event **ret);
