/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer harness for nsk_reply_decode(), what every client runs on
 * the daemon's bytes: refused cleanly, or decoded into a reply that
 * encodes back to the same reply. */

#include "fuzz.h"
#include "util.h"

static void check_ns(const struct nsk_ns_info *a, const struct nsk_ns_info *b)
{
        fuzz_assert(a->type == b->type);
        fuzz_assert(a->inode == b->inode);
        fuzz_assert(!a->path == !b->path);
        fuzz_assert(!a->path || strcmp(a->path, b->path) == 0);
}

static void check_set(const struct nsk_set_info *a, const struct nsk_set_info *b)
{
        fuzz_assert(strcmp(a->name, b->name) == 0);
        fuzz_assert(a->pin == b->pin);
        fuzz_assert(a->state == b->state);
        fuzz_assert(strcmp(a->state_reason, b->state_reason) == 0);
        fuzz_assert(a->keeper_pid == b->keeper_pid);
        fuzz_assert(a->created == b->created);
        fuzz_assert(a->owner == b->owner);
        fuzz_assert(settings_diff(&a->settings, &b->settings) == NULL);
        fuzz_assert(a->n_ns == b->n_ns);
        for (unsigned i = 0; i < a->n_ns; i++)
                check_ns(&a->ns[i], &b->ns[i]);
}

static void check_valid(const struct nsk_reply *rep)
{
        nsk_type_mask_t seen = 0;

        fuzz_assert(rep->flags & NSK_F_REPLY);
        fuzz_assert(rep->error >= 0 && rep->error <= 4095);
        fuzz_assert(rep->event >= 0 && rep->event < NSK_EVENT_MAX);
        fuzz_assert_terminated(rep->message);
        fuzz_assert(rep->n_fds <= NSK_TYPE_MAX);
        for (unsigned i = 0; i < rep->n_fds; i++) {
                fuzz_assert(rep->fd_types[i] >= 0 && rep->fd_types[i] < NSK_TYPE_MAX);
                fuzz_assert(!(seen & NSK_TYPE_BIT(rep->fd_types[i])));
                seen |= NSK_TYPE_BIT(rep->fd_types[i]);
        }
        fuzz_assert(rep->n_sets == 0 || rep->sets);
        for (size_t i = 0; i < rep->n_sets; i++) {
                const struct nsk_set_info *s = &rep->sets[i];

                seen = 0;
                fuzz_assert(name_is_valid(s->name));
                fuzz_assert(s->pin >= 0 && s->pin < NSK_PIN_MAX);
                fuzz_assert(s->state >= 0 && s->state < NSK_STATE_MAX);
                fuzz_assert_terminated(s->state_reason);
                fuzz_assert(s->n_ns <= NSK_TYPE_MAX);
                for (unsigned k = 0; k < s->n_ns; k++) {
                        fuzz_assert(s->ns[k].type >= 0 && s->ns[k].type < NSK_TYPE_MAX);
                        fuzz_assert(!(seen & NSK_TYPE_BIT(s->ns[k].type)));
                        seen |= NSK_TYPE_BIT(s->ns[k].type);
                        fuzz_assert(!s->ns[k].path || strlen(s->ns[k].path) < NSK_PATH_MAX);
                }
        }
}

/* The reply as the daemon would write it; -EMSGSIZE is possible, since
 * the writer always puts fields a peer may leave out. */
static int encode(const struct nsk_reply *rep, uint8_t *buf, size_t cap)
{
        struct nsk_writer w;

        nsk_writer_init(&w, buf, cap, rep->cmd, rep->id, rep->flags);
        nsk_put_error(&w, rep->error, rep->message[0] ? rep->message : NULL);
        if (rep->event != NSK_EVENT_NONE)
                nsk_put_u32(&w, NSK_A_EVENT, (uint32_t) rep->event);
        for (size_t i = 0; i < rep->n_sets; i++)
                nsk_put_set(&w, &rep->sets[i]);
        if (rep->n_fds > 0)
                nsk_put_fd_types(&w, rep->fd_types, rep->n_fds);
        return nsk_writer_finish(&w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static uint8_t buf[NSK_MSG_MAX], buf2[NSK_MSG_MAX];
        struct nsk_reply rep, again, third;
        int r, len, len2;

        r = nsk_reply_decode(data, size, &rep);
        if (r < 0) {
                fuzz_assert(rep.sets == NULL && rep.n_sets == 0);
                nsk_reply_done(&rep);
                return 0;
        }
        check_valid(&rep);

        len = encode(&rep, buf, sizeof(buf));
        if (len == -EMSGSIZE) {
                nsk_reply_done(&rep);
                return 0;
        }
        fuzz_assert(len >= NSK_HDR_SIZE);
        r = nsk_reply_decode(buf, (size_t) len, &again);
        fuzz_assert(r >= 0);
        check_valid(&again);
        fuzz_assert(again.cmd == rep.cmd && again.id == rep.id && again.flags == rep.flags);
        fuzz_assert(again.error == rep.error);
        fuzz_assert(again.event == rep.event);
        fuzz_assert(strcmp(again.message, rep.message) == 0);
        fuzz_assert(again.n_fds == rep.n_fds);
        fuzz_assert(memcmp(again.fd_types, rep.fd_types, rep.n_fds * sizeof(rep.fd_types[0])) == 0);
        fuzz_assert(again.n_sets == rep.n_sets);
        for (size_t i = 0; i < rep.n_sets; i++)
                check_set(&rep.sets[i], &again.sets[i]);

        len2 = encode(&again, buf2, sizeof(buf2));
        fuzz_assert(len2 == len && memcmp(buf, buf2, (size_t) len) == 0);
        r = nsk_reply_decode(buf2, (size_t) len2, &third);
        fuzz_assert(r >= 0);

        nsk_reply_done(&third);
        nsk_reply_done(&again);
        nsk_reply_done(&rep);
        return 0;
}
