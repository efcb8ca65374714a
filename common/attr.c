/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The TLV layer under every message (see PROTOCOL.md): writing and
 * reading attributes, and the table each decoder checks them against.
 * Every length a peer sends is checked before it is used. */

#include <string.h>

#include "attr.h"
#include "nskeeper.h"
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

/* --- the attribute table --- */

_Static_assert(NSK_A_MAX <= 64, "a request's attrs and the decoders' seen are 64-bit masks");

#define ONCE false
#define REPEATABLE true
#define SETTING (NSK_IN_REQUEST | NSK_IN_SET) /* in CREATE, and in each SET of a reply */

/* A kind a line: clang-format would spread each over four. */
/* clang-format off */
#define U32(name, where) { name, NSK_KIND_U32, 4, 4, 0, ONCE, where }
#define U64(name, where) { name, NSK_KIND_U64, 8, 8, 0, ONCE, where }
#define STRING(name, max, rep, where) { name, NSK_KIND_STRING, 0, max, 0, rep, where }
#define TEXT(name, max, where) { name, NSK_KIND_TEXT, 0, max, 0, ONCE, where }
#define NESTED(name, rep, where) { name, NSK_KIND_NESTED, 0, UINT16_MAX, 0, rep, where }
/* min to max items of item bytes each */
#define U32_ARRAY(name, item, min, max, where) \
        { name, NSK_KIND_U32_ARRAY, (item) * (min), (item) * (max), item, ONCE, where }
/* clang-format on */

static const struct nsk_attr_policy policies[NSK_A_MAX] = {
        [NSK_A_NAME] = STRING("NAME", NSK_FULL_NAME_MAX, ONCE, NSK_IN_REQUEST | NSK_IN_SET),
        [NSK_A_TYPES] = U32("TYPES", NSK_IN_REQUEST),
        [NSK_A_PIN] = U32("PIN", NSK_IN_REQUEST | NSK_IN_SET),
        [NSK_A_ERRNO] = U32("ERRNO", NSK_IN_REPLY),
        [NSK_A_MESSAGE] = TEXT("MESSAGE", NSK_MESSAGE_MAX - 1, NSK_IN_REPLY),
        [NSK_A_SET] = NESTED("SET", REPEATABLE, NSK_IN_REPLY),
        [NSK_A_NS] = NESTED("NS", REPEATABLE, NSK_IN_SET),
        [NSK_A_NS_TYPE] = U32("NS_TYPE", NSK_IN_NS),
        [NSK_A_NS_INODE] = U64("NS_INODE", NSK_IN_NS),
        [NSK_A_NS_PATH] = STRING("NS_PATH", NSK_PATH_MAX - 1, ONCE, NSK_IN_NS),
        [NSK_A_CREATED] = U64("CREATED", NSK_IN_SET),
        [NSK_A_OWNER] = U32("OWNER", NSK_IN_SET),
        [NSK_A_FDS] = U32_ARRAY("FDS", 4, 0, NSK_TYPE_MAX, NSK_IN_REPLY),
        [NSK_A_HOSTNAME] = STRING("HOSTNAME", NSK_HOSTNAME_MAX, ONCE, SETTING),
        [NSK_A_DOMAINNAME] = STRING("DOMAINNAME", NSK_HOSTNAME_MAX, ONCE, SETTING),
        [NSK_A_SYSCTL] = STRING("SYSCTL", NSK_SYSCTL_LEN - 1, REPEATABLE, SETTING),
        [NSK_A_UID_MAP] = U32_ARRAY("UID_MAP", 12, 1, NSK_IDMAP_MAX, SETTING),
        [NSK_A_GID_MAP] = U32_ARRAY("GID_MAP", 12, 1, NSK_IDMAP_MAX, SETTING),
        [NSK_A_MONOTONIC] = U64("MONOTONIC", SETTING),
        [NSK_A_BOOTTIME] = U64("BOOTTIME", SETTING),
        [NSK_A_LOOPBACK] = U32("LOOPBACK", SETTING),
        [NSK_A_SETGROUPS] = U32("SETGROUPS", SETTING),
        [NSK_A_STATE] = U32("STATE", NSK_IN_SET),
        [NSK_A_STATE_REASON] = TEXT("STATE_REASON", NSK_MESSAGE_MAX - 1, NSK_IN_SET),
        [NSK_A_KEEPER_PID] = U32("KEEPER_PID", NSK_IN_SET),
        [NSK_A_EVENT] = U32("EVENT", NSK_IN_REPLY),
        [NSK_A_ADOPT_PID] = U32("ADOPT_PID", NSK_IN_REQUEST),
        [NSK_A_ADOPT_PATH] = STRING("ADOPT_PATH", NSK_PATH_MAX - 1, REPEATABLE, NSK_IN_REQUEST),
        [NSK_A_IP_NETNS] = U32("IP_NETNS", SETTING),
        [NSK_A_NS_MISSING] = U32("NS_MISSING", NSK_IN_NS),
        [NSK_A_IP_NETNS_MISSING] = U32("IP_NETNS_MISSING", NSK_IN_SET),
        [NSK_A_NETWORK] = NESTED("NETWORK", REPEATABLE, SETTING),
        [NSK_A_NET_NAME] = STRING("NET_NAME", NSK_NETWORK_NAME_MAX, ONCE, NSK_IN_NETWORK),
        [NSK_A_NET_IFNAME] = STRING("NET_IFNAME", NSK_IFNAME_MAX, ONCE, NSK_IN_NETWORK),
        [NSK_A_NET_MAC] = STRING("NET_MAC", 17, ONCE, NSK_IN_NETWORK),
        [NSK_A_NET_ADDRESS] =
                STRING("NET_ADDRESS", NSK_NET_ITEM_LEN - 1, REPEATABLE, NSK_IN_NETWORK),
        [NSK_A_NET_GATEWAY] =
                STRING("NET_GATEWAY", NSK_NET_ITEM_LEN - 1, REPEATABLE, NSK_IN_NETWORK),
        [NSK_A_NET_ROUTE] = STRING("NET_ROUTE", NSK_NET_ITEM_LEN - 1, REPEATABLE, NSK_IN_NETWORK),
        [NSK_A_NET_NAMESERVER] =
                STRING("NET_NAMESERVER", NSK_NET_ITEM_LEN - 1, REPEATABLE, NSK_IN_NETWORK),
        [NSK_A_PIN_AT] = STRING("PIN_AT", NSK_PATH_MAX + 7, REPEATABLE, SETTING),
        [NSK_A_RELEASE_WITH_PINS] = U32("RELEASE_WITH_PINS", SETTING),
};

const struct nsk_attr_policy *nsk_attr_policy(uint16_t type)
{
        return type < NSK_A_MAX && policies[type].name ? &policies[type] : NULL;
}

int nsk_attr_check(const struct nsk_attr *a)
{
        const struct nsk_attr_policy *p = nsk_attr_policy(a->type);

        if (!p)
                return -EBADMSG;
        switch (p->kind) {
        case NSK_KIND_STRING:
        case NSK_KIND_TEXT:
                /* "web\0/etc" would be checked as one string and used as another. */
                if (a->len > 0 && memchr(a->data, '\0', a->len))
                        return -EBADMSG;
                if (a->len > p->max_len)
                        return p->kind == NSK_KIND_STRING ? -ENAMETOOLONG : -EBADMSG;
                return 0;
        case NSK_KIND_U32_ARRAY:
                if (a->len % p->item != 0)
                        return -EBADMSG;
                break;
        default:
                break;
        }
        return a->len < p->min_len || a->len > p->max_len ? -EBADMSG : 0;
}

int nsk_attr_accept(const struct nsk_attr *a, unsigned place, uint64_t *seen)
{
        const struct nsk_attr_policy *p = nsk_attr_policy(a->type);
        int r;

        if (!p || !(p->where & place))
                return 0;
        if ((*seen & NSK_ATTR_BIT(a->type)) && !p->repeatable)
                return -EBADMSG;
        r = nsk_attr_check(a);
        if (r < 0)
                return r;
        *seen |= NSK_ATTR_BIT(a->type);
        return 1;
}
