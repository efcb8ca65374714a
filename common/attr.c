/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The TLV layer under every message (see PROTOCOL.md): writing and
 * reading attributes. Every length a peer sends is checked before it is
 * used. */

#include <string.h>

#include "attr.h"
#include "util.h"

#define NSK_ATTR_HDR 4
#define ALIGN4(n) (((n) + 3) & ~(size_t) 3)

void nsk_writer_init(struct nsk_writer *w, void *buf, size_t cap, uint16_t cmd, uint32_t id,
                     uint32_t flags)
{
        struct nsk_hdr h = {
                .version = NSK_PROTO_VERSION,
                .cmd = cmd,
                .id = id,
                .flags = flags,
        };

        *w = (struct nsk_writer) { .buf = buf, .cap = cap };
        if (cap < NSK_HDR_SIZE || cap > NSK_MSG_MAX) {
                w->err = -EMSGSIZE;
                return;
        }
        memcpy(w->buf, &h, sizeof(h));
        w->len = NSK_HDR_SIZE;
}

void nsk_put(struct nsk_writer *w, uint16_t type, const void *data, size_t len)
{
        size_t need = ALIGN4(NSK_ATTR_HDR + len);
        uint16_t hdr[2] = { type, (uint16_t) len };

        if (w->err < 0)
                return;
        if (len > UINT16_MAX - NSK_ATTR_HDR || need > w->cap - w->len) {
                w->err = -EMSGSIZE;
                return;
        }
        memcpy(w->buf + w->len, hdr, sizeof(hdr));
        if (len > 0)
                memcpy(w->buf + w->len + NSK_ATTR_HDR, data, len);
        memset(w->buf + w->len + NSK_ATTR_HDR + len, 0, need - NSK_ATTR_HDR - len);
        w->len += need;
}

void nsk_put_u32(struct nsk_writer *w, uint16_t type, uint32_t v)
{
        nsk_put(w, type, &v, sizeof(v));
}

void nsk_put_u64(struct nsk_writer *w, uint16_t type, uint64_t v)
{
        nsk_put(w, type, &v, sizeof(v));
}

void nsk_put_str(struct nsk_writer *w, uint16_t type, const char *s)
{
        nsk_put(w, type, s, strlen(s));
}

size_t nsk_nest_begin(struct nsk_writer *w, uint16_t type)
{
        size_t start = w->len;

        nsk_put(w, type, NULL, 0);
        return start;
}

void nsk_nest_end(struct nsk_writer *w, size_t start)
{
        size_t len;
        uint16_t l;

        if (w->err < 0)
                return;
        len = w->len - start - NSK_ATTR_HDR;
        if (len > UINT16_MAX - NSK_ATTR_HDR) {
                w->err = -EMSGSIZE;
                return;
        }
        l = (uint16_t) len;
        memcpy(w->buf + start + 2, &l, sizeof(l));
}

int nsk_writer_finish(struct nsk_writer *w)
{
        uint32_t len = (uint32_t) w->len;

        if (w->err < 0)
                return w->err;
        memcpy(w->buf + offsetof(struct nsk_hdr, len), &len, sizeof(len));
        return (int) w->len;
}

int nsk_hdr_parse(const void *buf, size_t len, struct nsk_hdr *ret)
{
        if (len < NSK_HDR_SIZE || len > NSK_MSG_MAX)
                return -EBADMSG;
        memcpy(ret, buf, sizeof(*ret));
        if (ret->version != NSK_PROTO_VERSION)
                return -EPROTO;
        if (ret->len != len)
                return -EBADMSG;
        return 0;
}

void nsk_attr_iter_init(struct nsk_attr_iter *it, const void *data, size_t len)
{
        it->p = data;
        it->left = len;
}

int nsk_attr_next(struct nsk_attr_iter *it, struct nsk_attr *ret)
{
        uint16_t hdr[2];
        size_t step;

        if (it->left == 0)
                return 0;
        if (it->left < NSK_ATTR_HDR)
                return -EBADMSG;
        memcpy(hdr, it->p, sizeof(hdr));
        if (hdr[1] > it->left - NSK_ATTR_HDR)
                return -EBADMSG;
        step = ALIGN4(NSK_ATTR_HDR + (size_t) hdr[1]);
        /* Every attribute is padded, the last one too (PROTOCOL.md). */
        if (step > it->left)
                return -EBADMSG;
        *ret = (struct nsk_attr) { .type = hdr[0], .len = hdr[1], .data = it->p + NSK_ATTR_HDR };
        it->p += step;
        it->left -= step;
        return 1;
}

int nsk_attr_u32(const struct nsk_attr *a, uint32_t *ret)
{
        if (a->len != sizeof(uint32_t))
                return -EBADMSG;
        memcpy(ret, a->data, sizeof(*ret));
        return 0;
}

int nsk_attr_u64(const struct nsk_attr *a, uint64_t *ret)
{
        if (a->len != sizeof(uint64_t))
                return -EBADMSG;
        memcpy(ret, a->data, sizeof(*ret));
        return 0;
}

int nsk_attr_str(const struct nsk_attr *a, char *buf, size_t size)
{
        if (memchr(a->data, '\0', a->len))
                return -EBADMSG;
        if ((size_t) a->len >= size)
                return -ENAMETOOLONG;
        memcpy(buf, a->data, a->len);
        buf[a->len] = '\0';
        return 0;
}
