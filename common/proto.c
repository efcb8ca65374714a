/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The messages of the control socket (see PROTOCOL.md): requests,
 * replies and the sets in them, encoded and decoded over attr.c, whose
 * table says where each attribute may stand and what it may hold. */

#include <string.h>

#include "proto.h"
#include "util.h"

static const char *const pin_names[NSK_PIN_MAX] = {
        [NSK_PIN_BIND] = "bind",
        [NSK_PIN_FD] = "fd",
};

const char *nsk_pin_name(enum nsk_pin p)
{
        return p >= 0 && p < NSK_PIN_MAX ? pin_names[p] : NULL;
}

static const char *const state_names[NSK_STATE_MAX] = {
        [NSK_STATE_READY] = "ready",
        [NSK_STATE_DEAD] = "dead",
        [NSK_STATE_DAMAGED] = "damaged",
};

static const char *const event_names[NSK_EVENT_MAX] = {
        [NSK_EVENT_NONE] = "none",         [NSK_EVENT_CREATED] = "created",
        [NSK_EVENT_RELEASED] = "released", [NSK_EVENT_ADOPTED] = "adopted",
        [NSK_EVENT_DEAD] = "dead",         [NSK_EVENT_PIN_MISSING] = "pin-missing",
};

const char *nsk_event_name(enum nsk_event e)
{
        return e >= 0 && e < NSK_EVENT_MAX ? event_names[e] : NULL;
}

const char *nsk_state_name(enum nsk_state s)
{
        return s >= 0 && s < NSK_STATE_MAX ? state_names[s] : NULL;
}

int nsk_pin_from_name(const char *s)
{
        for (int p = 0; p < NSK_PIN_MAX; p++)
                if (streq(s, pin_names[p]))
                        return p;
        return -EINVAL;
}

int nsk_request_encode(const struct nsk_request *r, void *buf, size_t cap)
{
        struct nsk_writer w;

        nsk_writer_init(&w, buf, cap, r->cmd, r->id, 0);
        if (r->attrs & NSK_ATTR_BIT(NSK_A_NAME))
                nsk_put_str(&w, NSK_A_NAME, r->name);
        if (r->attrs & NSK_ATTR_BIT(NSK_A_TYPES))
                nsk_put_u32(&w, NSK_A_TYPES, nsk_type_mask_to_clone_flags(r->types));
        if (r->attrs & NSK_ATTR_BIT(NSK_A_PIN))
                nsk_put_u32(&w, NSK_A_PIN, (uint32_t) r->pin);
        nsk_put_settings(&w, &r->settings);
        if (r->attrs & NSK_ATTR_BIT(NSK_A_ADOPT_PID))
                nsk_put_u32(&w, NSK_A_ADOPT_PID, r->adopt_pid);
        for (unsigned i = 0; i < r->n_adopt_paths; i++)
                nsk_put_str(&w, NSK_A_ADOPT_PATH, r->adopt_paths[i]);
        return nsk_writer_finish(&w);
}

void nsk_request_done(struct nsk_request *r)
{
        nsk_settings_done(&r->settings);
        for (unsigned i = 0; i < r->n_adopt_paths; i++)
                r->adopt_paths[i] = mfree(r->adopt_paths[i]);
        r->n_adopt_paths = 0;
}

static int request_decode(const void *buf, size_t len, struct nsk_request *ret)
{
        struct nsk_attr_iter it;
        struct nsk_attr a;
        struct nsk_hdr h;
        int r;

        *ret = (struct nsk_request) {};
        if (len >= NSK_HDR_SIZE) {
                memcpy(&h, buf, sizeof(h));
                ret->cmd = h.cmd;
                ret->id = h.id;
        }
        r = nsk_hdr_parse(buf, len, &h);
        if (r < 0)
                return r;
        if (h.flags != 0)
                return -EBADMSG;
        if (h.cmd == 0 || h.cmd >= NSK_CMD_MAX)
                return -EOPNOTSUPP;

        nsk_attr_iter_init(&it, (const uint8_t *) buf + NSK_HDR_SIZE, len - NSK_HDR_SIZE);
        while ((r = nsk_attr_next(&it, &a)) > 0) {
                uint32_t v;

                /* Not skipped: a request the daemon does not fully
                 * understand is not carried out. */
                r = nsk_attr_accept(&a, NSK_IN_REQUEST, &ret->attrs);
                if (r == 0)
                        return -EBADMSG;
                if (r < 0)
                        return r;

                r = nsk_settings_take_attr(&ret->settings, &a, true);
                if (r < 0)
                        return r;
                if (r > 0)
                        continue;

                switch (a.type) {
                case NSK_A_NAME:
                        r = nsk_attr_str(&a, ret->name, sizeof(ret->name));
                        break;
                case NSK_A_TYPES:
                        r = nsk_attr_u32(&a, &v);
                        if (r >= 0)
                                r = nsk_type_mask_from_clone_flags(v, &ret->types);
                        break;
                case NSK_A_PIN:
                        r = nsk_attr_u32(&a, &v);
                        if (r >= 0 && v >= NSK_PIN_MAX)
                                r = -EINVAL;
                        if (r >= 0)
                                ret->pin = (enum nsk_pin) v;
                        break;
                case NSK_A_ADOPT_PID:
                        r = nsk_attr_u32(&a, &ret->adopt_pid);
                        if (r >= 0 && (ret->adopt_pid == 0 || ret->adopt_pid > INT32_MAX))
                                r = -EINVAL;
                        break;
                case NSK_A_ADOPT_PATH: {
                        char path[NSK_PATH_MAX];

                        if (ret->n_adopt_paths >= NSK_TYPE_MAX) {
                                r = -E2BIG;
                                break;
                        }
                        r = nsk_attr_str(&a, path, sizeof(path));
                        if (r >= 0 && path[0] != '/')
                                r = -EINVAL;
                        if (r >= 0) {
                                ret->adopt_paths[ret->n_adopt_paths] = strdup(path);
                                if (!ret->adopt_paths[ret->n_adopt_paths])
                                        r = -ENOMEM;
                                else
                                        ret->n_adopt_paths++;
                        }
                        break;
                }
                }
                if (r < 0)
                        return r;
        }
        return r;
}

int nsk_request_decode(const void *buf, size_t len, struct nsk_request *ret)
{
        int r = request_decode(buf, len, ret);

        if (r < 0)
                nsk_request_done(ret);
        return r;
}

void nsk_set_info_done(struct nsk_set_info *s)
{
        for (unsigned i = 0; i < s->n_ns; i++)
                s->ns[i].path = mfree(s->ns[i].path);
        s->n_ns = 0;
        nsk_settings_done(&s->settings);
}

void nsk_put_set(struct nsk_writer *w, const struct nsk_set_info *s)
{
        size_t set = nsk_nest_begin(w, NSK_A_SET);

        nsk_put_str(w, NSK_A_NAME, s->name);
        nsk_put_u32(w, NSK_A_PIN, (uint32_t) s->pin);
        nsk_put_u64(w, NSK_A_CREATED, s->created);
        nsk_put_u32(w, NSK_A_OWNER, s->owner);
        nsk_put_u32(w, NSK_A_STATE, (uint32_t) s->state);
        if (s->state_reason[0])
                nsk_put_str(w, NSK_A_STATE_REASON, s->state_reason);
        if (s->keeper_pid > 0)
                nsk_put_u32(w, NSK_A_KEEPER_PID, s->keeper_pid);
        if (s->ip_netns_missing)
                nsk_put_u32(w, NSK_A_IP_NETNS_MISSING, 1);
        nsk_put_settings(w, &s->settings);
        for (unsigned i = 0; i < s->n_ns; i++) {
                size_t ns = nsk_nest_begin(w, NSK_A_NS);
                nsk_put_u32(w, NSK_A_NS_TYPE, (uint32_t) nsk_type_clone_flag(s->ns[i].type));
                nsk_put_u64(w, NSK_A_NS_INODE, s->ns[i].inode);
                if (s->ns[i].path)
                        nsk_put_str(w, NSK_A_NS_PATH, s->ns[i].path);
                if (s->ns[i].missing)
                        nsk_put_u32(w, NSK_A_NS_MISSING, 1);
                nsk_nest_end(w, ns);
        }
        nsk_nest_end(w, set);
}

void nsk_put_error(struct nsk_writer *w, int error, const char *message)
{
        nsk_put_u32(w, NSK_A_ERRNO, (uint32_t) (error < 0 ? -error : error));
        if (message) {
                size_t n = strnlen(message, NSK_MESSAGE_MAX - 1);
                nsk_put(w, NSK_A_MESSAGE, message, n);
        }
}

void nsk_put_fd_types(struct nsk_writer *w, const enum nsk_type *types, unsigned n)
{
        uint32_t flags[NSK_TYPE_MAX];

        if (n > NSK_TYPE_MAX) {
                w->err = -EMSGSIZE;
                return;
        }
        for (unsigned i = 0; i < n; i++)
                flags[i] = (uint32_t) nsk_type_clone_flag(types[i]);
        nsk_put(w, NSK_A_FDS, flags, n * sizeof(uint32_t));
}

static int decode_ns(const struct nsk_attr *outer, struct nsk_ns_info *ret)
{
        struct nsk_attr_iter it;
        struct nsk_attr a;
        uint64_t seen = 0;
        char path[NSK_PATH_MAX];
        int r;

        *ret = (struct nsk_ns_info) {};
        nsk_attr_iter_init(&it, outer->data, outer->len);
        while ((r = nsk_attr_next(&it, &a)) > 0) {
                uint32_t v;

                r = nsk_attr_accept(&a, NSK_IN_NS, &seen);
                if (r < 0)
                        break;
                if (r == 0)
                        continue;

                switch (a.type) {
                case NSK_A_NS_TYPE:
                        r = nsk_attr_u32(&a, &v);
                        if (r < 0)
                                break;
                        ret->type = nsk_type_from_clone_flag((int) v);
                        if (ret->type < 0)
                                r = -EBADMSG;
                        break;
                case NSK_A_NS_INODE:
                        r = nsk_attr_u64(&a, &ret->inode);
                        break;
                case NSK_A_NS_PATH:
                        r = nsk_attr_str(&a, path, sizeof(path));
                        if (r < 0)
                                break;
                        ret->path = strdup(path);
                        if (!ret->path)
                                r = -ENOMEM;
                        break;
                case NSK_A_NS_MISSING:
                        r = nsk_attr_u32(&a, &v);
                        ret->missing = r == 0 && v != 0;
                        break;
                }
                if (r < 0)
                        break;
        }
        if (r == 0 && !(seen & NSK_ATTR_BIT(NSK_A_NS_TYPE)))
                r = -EBADMSG;
        if (r < 0)
                ret->path = mfree(ret->path);
        return r;
}

static int decode_set(const struct nsk_attr *outer, struct nsk_set_info *ret)
{
        struct nsk_attr_iter it;
        struct nsk_attr a;
        nsk_type_mask_t types = 0;
        uint64_t seen = 0;
        int r;

        *ret = (struct nsk_set_info) {};
        nsk_attr_iter_init(&it, outer->data, outer->len);
        while ((r = nsk_attr_next(&it, &a)) > 0) {
                uint32_t v;

                r = nsk_attr_accept(&a, NSK_IN_SET, &seen);
                if (r < 0)
                        break;
                if (r == 0)
                        continue;

                r = nsk_settings_take_attr(&ret->settings, &a, false);
                if (r < 0)
                        break;
                if (r > 0)
                        continue;

                switch (a.type) {
                case NSK_A_NAME:
                        r = nsk_attr_str(&a, ret->name, sizeof(ret->name));
                        break;
                case NSK_A_STATE:
                        r = nsk_attr_u32(&a, &v);
                        /* A state this client does not know is not "ready". */
                        if (r >= 0)
                                ret->state =
                                        v < NSK_STATE_MAX ? (enum nsk_state) v : NSK_STATE_DEAD;
                        break;
                case NSK_A_STATE_REASON:
                        r = nsk_attr_str(&a, ret->state_reason, sizeof(ret->state_reason));
                        break;
                case NSK_A_KEEPER_PID:
                        r = nsk_attr_u32(&a, &ret->keeper_pid);
                        break;
                case NSK_A_IP_NETNS_MISSING:
                        r = nsk_attr_u32(&a, &v);
                        ret->ip_netns_missing = r == 0 && v != 0;
                        break;
                case NSK_A_PIN:
                        r = nsk_attr_u32(&a, &v);
                        if (r >= 0 && v >= NSK_PIN_MAX)
                                r = -EBADMSG;
                        if (r >= 0)
                                ret->pin = (enum nsk_pin) v;
                        break;
                case NSK_A_CREATED:
                        r = nsk_attr_u64(&a, &ret->created);
                        break;
                case NSK_A_OWNER:
                        r = nsk_attr_u32(&a, &ret->owner);
                        break;
                case NSK_A_NS: {
                        struct nsk_ns_info ns;

                        if (ret->n_ns >= NSK_TYPE_MAX) {
                                r = -EBADMSG;
                                break;
                        }
                        r = decode_ns(&a, &ns);
                        if (r < 0)
                                break;
                        if (types & NSK_TYPE_BIT(ns.type)) {
                                free(ns.path);
                                r = -EBADMSG;
                                break;
                        }
                        types |= NSK_TYPE_BIT(ns.type);
                        ret->ns[ret->n_ns++] = ns;
                        break;
                }
                }
                if (r < 0)
                        break;
        }
        if (r == 0 && !name_is_valid(ret->name))
                r = -EBADMSG;
        if (r < 0)
                nsk_set_info_done(ret);
        return r;
}

int nsk_reply_decode(const void *buf, size_t len, struct nsk_reply *ret)
{
        struct nsk_attr_iter it;
        struct nsk_attr a;
        struct nsk_hdr h;
        uint64_t seen = 0;
        int r;

        *ret = (struct nsk_reply) {};
        r = nsk_hdr_parse(buf, len, &h);
        if (r < 0)
                return r;
        if (!(h.flags & NSK_F_REPLY))
                return -EBADMSG;
        ret->cmd = h.cmd;
        ret->id = h.id;
        ret->flags = h.flags;

        nsk_attr_iter_init(&it, (const uint8_t *) buf + NSK_HDR_SIZE, len - NSK_HDR_SIZE);
        while ((r = nsk_attr_next(&it, &a)) > 0) {
                uint32_t v;

                /* Skipped if it has no place here: newer daemons may add
                 * attributes. */
                r = nsk_attr_accept(&a, NSK_IN_REPLY, &seen);
                if (r < 0)
                        break;
                if (r == 0)
                        continue;

                switch (a.type) {
                case NSK_A_ERRNO:
                        r = nsk_attr_u32(&a, &v);
                        if (r >= 0 && v > 4095)
                                r = -EBADMSG;
                        if (r >= 0)
                                ret->error = (int) v;
                        break;
                case NSK_A_EVENT:
                        r = nsk_attr_u32(&a, &v);
                        /* An event this client does not know is still an event. */
                        if (r >= 0)
                                ret->event =
                                        v < NSK_EVENT_MAX ? (enum nsk_event) v : NSK_EVENT_NONE;
                        break;
                case NSK_A_MESSAGE:
                        r = nsk_attr_str(&a, ret->message, sizeof(ret->message));
                        break;
                case NSK_A_FDS: {
                        nsk_type_mask_t types = 0;

                        /* One fd per type at most, each a type we know. */
                        for (unsigned i = 0; i < a.len / sizeof(uint32_t); i++) {
                                memcpy(&v, a.data + i * sizeof(uint32_t), sizeof(v));
                                enum nsk_type t = nsk_type_from_clone_flag((int) v);

                                if (t < 0 || (types & NSK_TYPE_BIT(t))) {
                                        r = -EBADMSG;
                                        break;
                                }
                                ret->fd_types[i] = t;
                                types |= NSK_TYPE_BIT(t);
                        }
                        if (r >= 0)
                                ret->n_fds = a.len / sizeof(uint32_t);
                        break;
                }
                case NSK_A_SET: {
                        struct nsk_set_info *sets;

                        sets = reallocarray(ret->sets, ret->n_sets + 1, sizeof(*sets));
                        if (!sets) {
                                r = -ENOMEM;
                                break;
                        }
                        ret->sets = sets;
                        r = decode_set(&a, &ret->sets[ret->n_sets]);
                        if (r >= 0)
                                ret->n_sets++;
                        break;
                }
                }
                if (r < 0)
                        break;
        }
        if (r == 0 && !(seen & NSK_ATTR_BIT(NSK_A_ERRNO)))
                r = -EBADMSG;
        if (r < 0)
                nsk_reply_done(ret);
        return r;
}

void nsk_reply_done(struct nsk_reply *r)
{
        for (size_t i = 0; i < r->n_sets; i++)
                nsk_set_info_done(&r->sets[i]);
        r->sets = mfree(r->sets);
        r->n_sets = 0;
}
