/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sd_notify wrappers and the watchdog timer. */

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "log.h"
#include "notify.h"

#ifdef HAVE_SYSTEMD
#include <systemd/sd-daemon.h>

bool notify_enabled(void)
{
        return getenv("NOTIFY_SOCKET") != NULL;
}

static void send_state(const char *state)
{
        (void) sd_notify(0, state);
}

int notify_with_fds(const char *state, const int *fds, size_t n_fds)
{
        return sd_pid_notify_with_fds(0, 0, state, fds, (unsigned) n_fds);
}

static uint64_t watchdog_usec(void)
{
        uint64_t usec = 0;

        return sd_watchdog_enabled(0, &usec) > 0 ? usec : 0;
}
#else
bool notify_enabled(void)
{
        return false;
}

static void send_state(const char *state)
{
}

int notify_with_fds(const char *state, const int *fds, size_t n_fds)
{
        return 0;
}

static uint64_t watchdog_usec(void)
{
        return 0;
}
#endif

void notify_ready(void)
{
        send_state("READY=1");
}

void notify_reloading(void)
{
        struct timespec ts;
        char buf[64];

        /* MONOTONIC_USEC= is what newer systemd wants with RELOADING=1
         * (Type=notify-reload); older versions ignore it. */
        clock_gettime(CLOCK_MONOTONIC, &ts);
        snprintf(buf, sizeof(buf), "RELOADING=1\nMONOTONIC_USEC=%llu",
                 (unsigned long long) ts.tv_sec * 1000000ULL +
                         (unsigned long long) ts.tv_nsec / 1000);
        send_state(buf);
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

static void on_watchdog(evutil_socket_t fd, short what, void *userdata)
{
        /* Sent from the event loop, so a loop that hangs stops the pings. */
        send_state("WATCHDOG=1");
}

int notify_watchdog_start(struct event_base *base, struct event **ret)
{
        uint64_t usec = notify_enabled() ? watchdog_usec() : 0;
        struct timeval tv;
        struct event *ev;

        *ret = NULL;
        if (usec == 0)
                return 0;
        tv = (struct timeval) { .tv_sec = (time_t) (usec / 2 / 1000000),
                                .tv_usec = (suseconds_t) (usec / 2 % 1000000) };
        ev = event_new(base, -1, EV_PERSIST, on_watchdog, NULL);
        if (!ev || event_add(ev, &tv) < 0) {
                if (ev)
                        event_free(ev);
                return -ENOMEM;
        }
        log_info("pinging the service manager's watchdog every %llu ms",
                 (unsigned long long) (usec / 2 / 1000));
        on_watchdog(-1, 0, NULL);
        *ret = ev;
        return 0;
}
