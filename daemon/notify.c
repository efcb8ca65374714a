/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sd_notify wrappers, the watchdog timer and the STATUS= line. */

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "log.h"
#include "notify.h"
#include "registry.h"
#include "server.h"

/* A burst of creates or connections makes one STATUS= message. */
#define STATUS_DELAY_USEC 50000

static struct event *watchdog_ev, *status_ev;
static struct registry *status_reg;
static struct server *status_srv;
static char status_sent[256];

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

struct counts {
        size_t sets, dead;
        unsigned namespaces;
};

static int count_set(struct set *s, void *userdata)
{
        struct counts *c = userdata;

        if (s->state == SET_CREATING)
                return 0;
        c->sets++;
        if (s->state == SET_DEAD)
                c->dead++;
        c->namespaces += nsk_type_mask_count(s->types);
        return 0;
}

static void on_status(evutil_socket_t fd, short what, void *userdata)
{
        struct counts c = {};
        char text[sizeof(status_sent)];
        unsigned clients = status_srv ? server_client_count(status_srv) : 0;

        (void) registry_foreach(status_reg, count_set, &c);
        snprintf(text, sizeof(text), "%zu set%s, %u namespace%s, %u client%s", c.sets,
                 c.sets == 1 ? "" : "s", c.namespaces, c.namespaces == 1 ? "" : "s", clients,
                 clients == 1 ? "" : "s");
        if (c.dead > 0)
                snprintf(text + strlen(text), sizeof(text) - strlen(text), " (%zu dead)", c.dead);
        /* The service manager keeps the last one; say only what changed. */
        if (streq(text, status_sent))
                return;
        snprintf(status_sent, sizeof(status_sent), "%s", text);
        notify_status("%s", text);
}

static void on_watchdog(evutil_socket_t fd, short what, void *userdata)
{
        /* Sent from the event loop, so a loop that hangs stops the pings. */
        send_state("WATCHDOG=1");
}

void notify_status_changed(void)
{
        const struct timeval tv = { .tv_usec = STATUS_DELAY_USEC };

        if (status_ev && !evtimer_pending(status_ev, NULL))
                (void) evtimer_add(status_ev, &tv);
}

int notify_start(struct event_base *base, struct registry *reg, struct server *srv)
{
        uint64_t usec;

        if (!notify_enabled())
                return 0;
        status_reg = reg;
        status_srv = srv;
        status_ev = evtimer_new(base, on_status, NULL);
        if (!status_ev)
                return -ENOMEM;
        on_status(-1, 0, NULL);

        usec = watchdog_usec();
        if (usec > 0) {
                const struct timeval tv = { .tv_sec = (time_t) (usec / 2 / 1000000),
                                            .tv_usec = (suseconds_t) (usec / 2 % 1000000) };

                watchdog_ev = event_new(base, -1, EV_PERSIST, on_watchdog, NULL);
                if (!watchdog_ev || event_add(watchdog_ev, &tv) < 0)
                        return -ENOMEM;
                log_info("pinging the service manager's watchdog every %llu ms",
                         (unsigned long long) (usec / 2 / 1000));
                on_watchdog(-1, 0, NULL);
        }
        return 0;
}

void notify_stop(void)
{
        if (watchdog_ev)
                event_free(watchdog_ev);
        if (status_ev)
                event_free(status_ev);
        watchdog_ev = status_ev = NULL;
        status_reg = NULL;
        status_srv = NULL;
}
