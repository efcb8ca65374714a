/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Telling the service manager how we are (sd_notify(3)); nothing happens
 * when built without systemd or not started by it. */
#pragma once

#include "util.h"

void notify_ready(void);
void notify_stopping(void);
void notify_status(const char *fmt, ...) _printf_(1, 2);
