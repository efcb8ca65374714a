/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The STATUS= line: counted from the registry and the server, sent
 * shortly after a change, only when its text differs. */

#include <stdio.h>

#include "notify.h"
#include "status.h"

/* A burst of creates or connections makes one STATUS= message. */
#define STATUS_DELAY_USEC 50000

struct status {
        struct registry *reg;
        const struct server *srv;
        struct event *timer; /* NULL: no service manager to tell */
        char sent[256];
};

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
        struct status *st = userdata;
        struct counts c = {};
        char text[sizeof(st->sent)];
        unsigned clients = server_client_count(st->srv);

        (void) registry_foreach(st->reg, count_set, &c);
        snprintf(text, sizeof(text), "%zu set%s, %u namespace%s, %u client%s", c.sets,
                 c.sets == 1 ? "" : "s", c.namespaces, c.namespaces == 1 ? "" : "s", clients,
                 clients == 1 ? "" : "s");
        if (c.dead > 0)
                snprintf(text + strlen(text), sizeof(text) - strlen(text), " (%zu dead)", c.dead);
        /* The service manager keeps the last one; say only what changed. */
        if (streq(text, st->sent))
                return;
        snprintf(st->sent, sizeof(st->sent), "%s", text);
        notify_status("%s", text);
}

struct status *status_new(struct event_base *base, struct registry *reg, const struct server *srv)
{
        struct status *st = calloc(1, sizeof(*st));

        if (!st)
                return NULL;
        st->reg = reg;
        st->srv = srv;
        if (!notify_enabled())
                return st;
        st->timer = evtimer_new(base, on_status, st);
        if (!st->timer)
                return status_free(st);
        on_status(-1, 0, st);
        return st;
}

struct status *status_free(struct status *st)
{
        if (st) {
                if (st->timer)
                        event_free(st->timer);
                free(st);
        }
        return NULL;
}

void status_changed(struct status *st)
{
        const struct timeval tv = { .tv_usec = STATUS_DELAY_USEC };

        if (st && st->timer && !evtimer_pending(st->timer, NULL))
                (void) evtimer_add(st->timer, &tv);
}
