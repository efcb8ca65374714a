/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The request table: one entry per command the daemon serves. */
#pragma once

#include <stddef.h>
#include <event2/event.h>

#include "config.h"
#include "helper.h"
#include "lifecycle.h"
#include "monitor.h"
#include "network.h"
#include "registry.h"
#include "rundir.h"
#include "server.h"

/* What the commands work on; main.c fills it. */
struct commands {
        struct helpers *helpers;
        const struct config *cfg;
        const struct rundir *rd;
        struct registry *reg;
        struct lifecycle *lc;
        struct monitor *mon;
        struct networks *networks;
};

/* Decodes one request of client c and runs it; every request gets a
 * reply (now, or when its helper is done), a malformed one included. */
void commands_dispatch(struct commands *cx, struct client *c, const void *buf, size_t len);
