/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sd_notify wrappers. */

#include <stdarg.h>
#include <stdio.h>

#include "notify.h"

#if HAVE_SYSTEMD
#include <systemd/sd-daemon.h>

static void send_state(const char *state)
{
        (void) sd_notify(0, state);
}
#else
static void send_state(const char *state)
{
}
#endif

void notify_ready(void)
{
        send_state("READY=1");
}

void notify_stopping(void)
{
        send_state("STOPPING=1");
}

void notify_status(const char *fmt, ...)
{
        char buf[256];
        va_list ap;
        int n;

        n = snprintf(buf, sizeof(buf), "STATUS=");
        va_start(ap, fmt);
        vsnprintf(buf + n, sizeof(buf) - (size_t) n, fmt, ap);
        va_end(ap);
        /* One line only: a newline would start another assignment. */
        buf[n + strcspn(buf + n, "\n")] = '\0';
        send_state(buf);
}
