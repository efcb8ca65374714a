/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The request table: one entry per command the daemon serves. */
#pragma once

#include <stddef.h>

#include "server.h"

/* Decodes one request of client c and runs it; every request gets a
 * reply (now, or when its helper is done), a malformed one included. */
void commands_dispatch(struct client *c, const void *buf, size_t len);
