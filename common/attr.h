/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The attribute layer of the control protocol: the message header, the
 * TLV writer and reader, and the one table of attributes (kind, bounds,
 * places) that every decoder checks a peer's bytes against. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NSK_PROTO_VERSION 1
#define NSK_MSG_MAX 65536 /* one datagram, header included */
#define NSK_HDR_SIZE 16

enum nsk_attr_type {
        NSK_A_NAME = 1,     /* string: set name */
        NSK_A_TYPES = 2,    /* u32: CLONE_NEW* flags */
        NSK_A_PIN = 3,      /* u32: enum nsk_pin */
        NSK_A_ERRNO = 4,    /* u32: positive errno, 0 = success */
        NSK_A_MESSAGE = 5,  /* text: what went wrong */
        NSK_A_SET = 6,      /* nested: one set */
        NSK_A_NS = 7,       /* nested in SET: one namespace */
        NSK_A_NS_TYPE = 8,  /* u32 in NS: one CLONE_NEW* flag */
        NSK_A_NS_INODE = 9, /* u64 in NS: nsfs inode number */
        NSK_A_NS_PATH = 10, /* string in NS: the bind pin */
        NSK_A_CREATED = 11, /* u64 in SET: creation time, seconds since the epoch */
        NSK_A_OWNER = 12,   /* u32 in SET: uid that created it */
        NSK_A_FDS = 13,     /* u32 array: CLONE_NEW* of each attached fd, in order */
        /* Settings of a set: in CREATE requests and in SET. */
        NSK_A_HOSTNAME = 14,   /* string */
        NSK_A_DOMAINNAME = 15, /* string */
        NSK_A_SYSCTL = 16,     /* string "key=value"; repeatable */
        NSK_A_UID_MAP = 17,    /* u32 array: inside, outside, count; per map line */
        NSK_A_GID_MAP = 18,    /* u32 array, as UID_MAP */
        NSK_A_MONOTONIC = 19,  /* u64 (two's complement s64): CLOCK_MONOTONIC offset, seconds */
        NSK_A_BOOTTIME = 20,   /* u64 (s64): CLOCK_BOOTTIME offset, seconds */
        NSK_A_LOOPBACK = 21,   /* u32: 0 leaves lo down in a new net namespace (default 1) */
        NSK_A_SETGROUPS = 22,  /* u32: 0 writes "deny" to setgroups before gid_map */
        /* Health of a set: in SET. */
        NSK_A_STATE = 23,            /* u32: enum nsk_state */
        NSK_A_STATE_REASON = 24,     /* text: why it is not ready */
        NSK_A_KEEPER_PID = 25,       /* u32: host pid of the pid namespace's init */
        NSK_A_EVENT = 26,            /* u32: enum nsk_event, in MONITOR replies */
        NSK_A_ADOPT_PID = 27,        /* u32: ADOPT the namespaces of this process */
        NSK_A_ADOPT_PATH = 28,       /* string: ADOPT the namespace at this path; repeatable */
        NSK_A_IP_NETNS = 29,         /* u32: 1 also shows the net namespace in /run/netns */
        NSK_A_NS_MISSING = 30,       /* u32 in NS: 1 its bind pin was removed from outside */
        NSK_A_IP_NETNS_MISSING = 31, /* u32 in SET: 1 its ip netns entry was removed */
        /* A CNI network of a set: a setting (in CREATE and in SET). */
        NSK_A_NETWORK = 32,           /* nested; repeatable */
        NSK_A_NET_NAME = 33,          /* string in NETWORK: the network's name */
        NSK_A_NET_IFNAME = 34,        /* string in NETWORK: the interface in the namespace */
        NSK_A_NET_MAC = 35,           /* string in NETWORK (SET only): the interface's MAC */
        NSK_A_NET_ADDRESS = 36,       /* string in NETWORK (SET only): CIDR; repeatable */
        NSK_A_NET_GATEWAY = 37,       /* string in NETWORK (SET only); repeatable */
        NSK_A_NET_ROUTE = 38,         /* string in NETWORK (SET only): "DST[ via GW]"; repeatable */
        NSK_A_NET_NAMESERVER = 39,    /* string in NETWORK (SET only); repeatable */
        NSK_A_PIN_AT = 40,            /* string "TYPE:/PATH": a pin there too; repeatable */
        NSK_A_RELEASE_WITH_PINS = 41, /* u32: 1 releases the set once its PIN_ATs are gone */
        NSK_A_MAX,
};

#define NSK_ATTR_BIT(a) ((uint64_t) 1 << (a))

struct nsk_hdr {
        uint16_t version;
        uint16_t cmd;
        uint32_t id;
        uint32_t flags;
        uint32_t len; /* whole message, header included */
};

/* --- writing --- */

struct nsk_writer {
        uint8_t *buf;
        size_t cap;
        size_t len;
        int err; /* sticky: -EMSGSIZE once something did not fit */
};

void nsk_writer_init(struct nsk_writer *w, void *buf, size_t cap, uint16_t cmd, uint32_t id,
                     uint32_t flags);
void nsk_put(struct nsk_writer *w, uint16_t type, const void *data, size_t len);
void nsk_put_u32(struct nsk_writer *w, uint16_t type, uint32_t v);
void nsk_put_u64(struct nsk_writer *w, uint16_t type, uint64_t v);
void nsk_put_str(struct nsk_writer *w, uint16_t type, const char *s);
size_t nsk_nest_begin(struct nsk_writer *w, uint16_t type);
void nsk_nest_end(struct nsk_writer *w, size_t start);
/* Fills in the header length; returns the message size or -EMSGSIZE. */
int nsk_writer_finish(struct nsk_writer *w);

/* --- reading --- */

struct nsk_attr {
        uint16_t type;
        uint16_t len;
        const uint8_t *data;
};

struct nsk_attr_iter {
        const uint8_t *p;
        size_t left;
};

/* Checks the header against the datagram: at least NSK_HDR_SIZE bytes,
 * len equal to the datagram size, version NSK_PROTO_VERSION (-EPROTO
 * otherwise; the header is still filled in so a reply can echo the id). */
int nsk_hdr_parse(const void *buf, size_t len, struct nsk_hdr *ret);

void nsk_attr_iter_init(struct nsk_attr_iter *it, const void *data, size_t len);
/* 1 and *ret filled, 0 at the end, -EBADMSG on a malformed attribute. */
int nsk_attr_next(struct nsk_attr_iter *it, struct nsk_attr *ret);
int nsk_attr_u32(const struct nsk_attr *a, uint32_t *ret);
int nsk_attr_u64(const struct nsk_attr *a, uint64_t *ret);
/* Copies a string attribute: no NUL inside it, shorter than size
 * (-ENAMETOOLONG otherwise). */
int nsk_attr_str(const struct nsk_attr *a, char *buf, size_t size);

/* --- the attribute table (common/PROTOCOL.md, "Attributes") --- */

enum nsk_attr_kind {
        NSK_KIND_U32,
        NSK_KIND_U64,
        NSK_KIND_STRING, /* a name, key or path: one too long is -ENAMETOOLONG */
        NSK_KIND_TEXT,   /* words for people: one too long is a malformed message */
        NSK_KIND_U32_ARRAY,
        NSK_KIND_NESTED,
        NSK_KIND_MAX,
};

/* The places an attribute may stand in. */
enum {
        NSK_IN_REQUEST = 1u << 0, /* a request's top level */
        NSK_IN_REPLY = 1u << 1,   /* a reply's top level */
        NSK_IN_SET = 1u << 2,     /* inside a SET */
        NSK_IN_NS = 1u << 3,      /* inside an NS */
        NSK_IN_NETWORK = 1u << 4, /* inside a NETWORK */
};

struct nsk_attr_policy {
        const char *name; /* as PROTOCOL.md spells it */
        enum nsk_attr_kind kind;
        uint16_t min_len, max_len; /* of the value, in bytes; strings carry no NUL */
        uint16_t item;             /* U32_ARRAY: the value is whole items of this many bytes */
        bool repeatable;           /* else at most once in the message or nest holding it */
        unsigned where;            /* NSK_IN_* */
};

/* The row of an attribute type, or NULL if the protocol has no such type. */
const struct nsk_attr_policy *nsk_attr_policy(uint16_t type);

/* Checks a's value against its row: its length, and for strings that no
 * NUL hides a tail. 0; -ENAMETOOLONG for a string over its bound;
 * -EBADMSG for anything else amiss, or a type the table does not have. */
int nsk_attr_check(const struct nsk_attr *a);

/* The first step of every decoder for an attribute found at 'place'
 * (one NSK_IN_*) of a message or nest whose attributes so far are in
 * *seen (NSK_ATTR_BIT()s): 0 if it has no place there (a request then
 * refuses it, a reply skips it, so that later daemons may add some);
 * -EBADMSG if it is there already and is not repeatable; else what
 * nsk_attr_check() says, and on success 1 with a's bit added to *seen. */
int nsk_attr_accept(const struct nsk_attr *a, unsigned place, uint64_t *seen);
