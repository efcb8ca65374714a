/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Subscribers are few; an event goes to each in turn through its own
 * reply queue, so a slow one only delays itself (or is dropped). */

#include "access.h"
#include "log.h"
#include "monitor.h"

struct subscriber {
        struct subscriber *next;
        struct client *client;
        uint32_t id;
};

#define MONITORS_PER_USER 4

struct monitor {
        struct subscriber *subscribers;
        const struct rundir *rd;
        uint8_t buf[NSK_MSG_MAX];
};

struct monitor *monitor_new(const struct rundir *rd)
{
        struct monitor *m = calloc(1, sizeof(*m));

        if (m)
                m->rd = rd;
        return m;
}

static int send_event(struct monitor *m, struct subscriber *sub, enum nsk_event e,
                      const struct set *s)
{
        struct nsk_writer w;
        int len;

        nsk_writer_init(&w, m->buf, sizeof(m->buf), NSK_CMD_MONITOR, sub->id,
                        NSK_F_REPLY | NSK_F_MORE);
        nsk_put_error(&w, 0, NULL);
        if (e != NSK_EVENT_NONE) {
                nsk_put_u32(&w, NSK_A_EVENT, (uint32_t) e);
                set_put(&w, s, m->rd, access_owns(client_cred(sub->client), s));
        }
        len = nsk_writer_finish(&w);
        if (len < 0)
                return len;
        return client_send(sub->client, m->buf, (size_t) len, NULL, 0);
}

int monitor_add(struct monitor *m, struct client *c, const struct nsk_request *req)
{
        struct subscriber *sub;
        int r;

        /* One subscription per connection: a second would only double
         * what it gets, and cost the daemon for each. */
        unsigned same = 0;

        for (sub = m->subscribers; sub; sub = sub->next) {
                if (sub->client == c)
                        return -EBUSY;
                same += client_account(sub->client) == client_account(c);
        }
        /* They never time out: a few per user, so that they cannot fill
         * the connections (root's are not counted). */
        if (client_account(c) != 0 && same >= MONITORS_PER_USER)
                return -EDQUOT;
        sub = calloc(1, sizeof(*sub));
        if (!sub)
                return -ENOMEM;
        sub->client = client_ref(c);
        sub->id = req->id;
        client_keep_open(c);
        r = send_event(m, sub, NSK_EVENT_NONE, NULL);
        if (r < 0) {
                client_unref(sub->client);
                free(sub);
                return r;
        }
        sub->next = m->subscribers;
        m->subscribers = sub;
        log_debug("client pid %d: monitoring", (int) client_cred(c)->pid);
        return 0;
}

void monitor_emit(struct monitor *m, enum nsk_event e, const struct set *s)
{
        for (struct subscriber **p = &m->subscribers; *p;) {
                struct subscriber *sub = *p;
                struct client *c = sub->client;
                int r;

                if (client_alive(c)) {
                        client_ref(c);
                        r = send_event(m, sub, e, s);
                        /* Dropped by the send (it does not read, or is
                         * gone): client_close() forgot it on the way, so
                         * sub is freed and *p is the next one already. */
                        if (!client_alive(c)) {
                                client_unref(c);
                                continue;
                        }
                        client_unref(c);
                        if (r >= 0) {
                                p = &sub->next;
                                continue;
                        }
                }
                *p = sub->next;
                client_unref(sub->client);
                free(sub);
        }
}

void monitor_forget(struct monitor *m, struct client *c)
{
        for (struct subscriber **p = &m->subscribers; *p; p = &(*p)->next)
                if ((*p)->client == c) {
                        struct subscriber *sub = *p;

                        *p = sub->next;
                        client_unref(sub->client);
                        free(sub);
                        return;
                }
}

struct monitor *monitor_free(struct monitor *m)
{
        if (!m)
                return NULL;
        while (m->subscribers) {
                struct subscriber *sub = m->subscribers;
                m->subscribers = sub->next;
                client_unref(sub->client);
                free(sub);
        }
        free(m);
        return NULL;
}
