/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for common/proto.c: the request and reply messages, round
 * trips and every malformed message we can think of, built byte by byte.
 * The attribute layer under them has tests/test-attr.c. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <sched.h>
#include <string.h>

#include "mb.h"
#include "proto.h"
#include "settings-eq.h"
#include "util.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif

/* Headers of the two kinds of message under test. */
static void mb_request(struct mb *m, uint16_t cmd, uint32_t id)
{
        mb_hdr(m, NSK_PROTO_VERSION, cmd, id, 0);
}

static void mb_reply(struct mb *m, uint16_t cmd, uint32_t id)
{
        mb_hdr(m, NSK_PROTO_VERSION, cmd, id, NSK_F_REPLY);
}

/* --- pin names --- */

static void test_pin_names(void **state)
{
        assert_string_equal(nsk_pin_name(NSK_PIN_BIND), "bind");
        assert_string_equal(nsk_pin_name(NSK_PIN_FD), "fd");
        assert_null(nsk_pin_name(NSK_PIN_MAX));
        assert_null(nsk_pin_name(-1));

        assert_int_equal(nsk_pin_from_name("bind"), NSK_PIN_BIND);
        assert_int_equal(nsk_pin_from_name("fd"), NSK_PIN_FD);
        assert_int_equal(nsk_pin_from_name(""), -EINVAL);
        assert_int_equal(nsk_pin_from_name("BIND"), -EINVAL);
        assert_int_equal(nsk_pin_from_name("fd "), -EINVAL);
}

/* --- requests --- */

static void check_request_round_trip(const struct nsk_request *in)
{
        uint8_t buf[512];
        struct nsk_request out;
        int n;

        memset(buf, 0xAA, sizeof(buf));
        n = nsk_request_encode(in, buf, sizeof(buf));
        assert_true(n >= NSK_HDR_SIZE);
        assert_int_equal(n % 4, 0);

        memset(&out, 0x55, sizeof(out));
        assert_int_equal(nsk_request_decode(buf, (size_t) n, &out), 0);
        assert_int_equal(out.cmd, in->cmd);
        assert_int_equal(out.id, in->id);
        assert_int_equal(out.attrs, in->attrs);
        if (in->attrs & NSK_ATTR_BIT(NSK_A_NAME))
                assert_string_equal(out.name, in->name);
        else
                assert_string_equal(out.name, "");
        assert_int_equal(out.types, in->attrs & NSK_ATTR_BIT(NSK_A_TYPES) ? in->types : 0);
        assert_int_equal(out.pin, in->attrs & NSK_ATTR_BIT(NSK_A_PIN) ? in->pin : 0);

        /* One byte short: the header's len no longer matches. */
        assert_int_equal(nsk_request_decode(buf, (size_t) n - 1, &out), -EBADMSG);
}

static void test_request_round_trip(void **state)
{
        struct nsk_request create = {
                .cmd = NSK_CMD_CREATE,
                .id = 1,
                .attrs = NSK_ATTR_BIT(NSK_A_NAME) | NSK_ATTR_BIT(NSK_A_TYPES) |
                         NSK_ATTR_BIT(NSK_A_PIN),
                .name = "web",
                .types = NSK_TYPE_BIT(NSK_TYPE_NET) | NSK_TYPE_BIT(NSK_TYPE_UTS),
                .pin = NSK_PIN_FD,
        };
        struct nsk_request create_all = {
                .cmd = NSK_CMD_CREATE,
                .id = 0xffffffffu,
                .attrs = NSK_ATTR_BIT(NSK_A_NAME) | NSK_ATTR_BIT(NSK_A_TYPES),
                .name = "a",
                .types = NSK_TYPE_MASK_ALL,
        };
        struct nsk_request get = {
                .cmd = NSK_CMD_GET,
                .id = 2,
                .attrs = NSK_ATTR_BIT(NSK_A_NAME) | NSK_ATTR_BIT(NSK_A_TYPES),
                .name = "db.prod-1",
                .types = NSK_TYPE_BIT(NSK_TYPE_MNT),
        };
        struct nsk_request list = { .cmd = NSK_CMD_LIST, .id = 3 };
        struct nsk_request show = {
                .cmd = NSK_CMD_SHOW,
                .id = 4,
                .attrs = NSK_ATTR_BIT(NSK_A_NAME),
                .name = "web",
        };
        struct nsk_request release = {
                .cmd = NSK_CMD_RELEASE,
                .id = 0,
                .attrs = NSK_ATTR_BIT(NSK_A_NAME),
                .name = "web",
        };

        check_request_round_trip(&create);
        check_request_round_trip(&create_all);
        check_request_round_trip(&get);
        check_request_round_trip(&list);
        check_request_round_trip(&show);
        check_request_round_trip(&release);

        /* Zero is a value, not an absent attribute. */
        create.types = 0;
        create.pin = NSK_PIN_BIND;
        check_request_round_trip(&create);
}

static void test_request_name_max(void **state)
{
        struct nsk_request r = {
                .cmd = NSK_CMD_SHOW,
                .id = 9,
                .attrs = NSK_ATTR_BIT(NSK_A_NAME),
        };

        memset(r.name, 'n', NSK_NAME_MAX);
        r.name[NSK_NAME_MAX] = '\0';
        check_request_round_trip(&r);
}

/* The wire format, spelled out: host byte order, 16-byte header, 4-byte
 * attribute headers, payload padded with zeros to 4 bytes. */
static void test_request_layout(void **state)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        static const uint8_t expect[] = {
                0x01, 0x00, 0x01, 0x00, /* version 1, cmd CREATE */
                0x04, 0x03, 0x02, 0x01, /* id */
                0x00, 0x00, 0x00, 0x00, /* flags */
                0x28, 0x00, 0x00, 0x00, /* len 40 */
                0x01, 0x00, 0x03, 0x00, /* NAME, 3 bytes */
                'w',  'e',  'b',  0x00, /* + 1 byte padding */
                0x02, 0x00, 0x04, 0x00, /* TYPES */
                0x00, 0x00, 0x00, 0x44, /* CLONE_NEWNET|CLONE_NEWUTS */
                0x03, 0x00, 0x04, 0x00, /* PIN */
                0x01, 0x00, 0x00, 0x00, /* fd */
        };
        struct nsk_request r = {
                .cmd = NSK_CMD_CREATE,
                .id = 0x01020304,
                .attrs = NSK_ATTR_BIT(NSK_A_NAME) | NSK_ATTR_BIT(NSK_A_TYPES) |
                         NSK_ATTR_BIT(NSK_A_PIN),
                .name = "web",
                .types = NSK_TYPE_BIT(NSK_TYPE_NET) | NSK_TYPE_BIT(NSK_TYPE_UTS),
                .pin = NSK_PIN_FD,
        };
        uint8_t buf[128];

        memset(buf, 0xAA, sizeof(buf));
        assert_int_equal(nsk_request_encode(&r, buf, sizeof(buf)), sizeof(expect));
        assert_memory_equal(buf, expect, sizeof(expect));
        assert_int_equal(buf[sizeof(expect)], 0xAA);
#else
        skip();
#endif
}

/* The example in common/PROTOCOL.md, byte for byte. */
static void test_request_protocol_md_example(void **state)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        static const uint8_t example[] = {
                0x01, 0x00, 0x04, 0x00, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                0x18, 0x00, 0x00, 0x00, 0x01, 0x00, 0x03, 0x00, 0x77, 0x65, 0x62, 0x00,
        };
        struct nsk_request r = {
                .cmd = NSK_CMD_SHOW,
                .id = 7,
                .attrs = NSK_ATTR_BIT(NSK_A_NAME),
                .name = "web",
        };
        uint8_t buf[64];

        assert_int_equal(nsk_request_encode(&r, buf, sizeof(buf)), sizeof(example));
        assert_memory_equal(buf, example, sizeof(example));

        memset(&r, 0, sizeof(r));
        assert_int_equal(nsk_request_decode(example, sizeof(example), &r), 0);
        assert_int_equal(r.cmd, NSK_CMD_SHOW);
        assert_int_equal(r.id, 7);
        assert_string_equal(r.name, "web");
#else
        skip();
#endif
}

static void check_request_error(const struct mb *m, size_t len, int error)
{
        struct nsk_request r;

        assert_int_equal(nsk_request_decode(m->b, len, &r), error);
}

static void test_request_truncated_header(void **state)
{
        struct nsk_request r;
        struct mb m;

        mb_request(&m, NSK_CMD_LIST, 77);
        mb_done(&m);
        for (size_t len = 0; len < NSK_HDR_SIZE; len++) {
                memset(&r, 0x55, sizeof(r));
                assert_int_equal(nsk_request_decode(m.b, len, &r), -EBADMSG);
                /* Nothing to echo: no id or command. */
                assert_int_equal(r.cmd, 0);
                assert_int_equal(r.id, 0);
                assert_int_equal(r.attrs, 0);
        }
        check_request_error(&m, NSK_HDR_SIZE, 0);
}

static void test_request_len_mismatch(void **state)
{
        struct nsk_request r;
        struct mb m;

        mb_request(&m, NSK_CMD_SHOW, 78);
        mb_str(&m, NSK_A_NAME, "web");
        mb_done(&m);
        assert_int_equal(m.len, 24);

        /* len says 24, the datagram is shorter or longer. */
        assert_int_equal(nsk_request_decode(m.b, 20, &r), -EBADMSG);
        assert_int_equal(r.cmd, NSK_CMD_SHOW);
        assert_int_equal(r.id, 78);
        assert_int_equal(nsk_request_decode(m.b, 28, &r), -EBADMSG);
        assert_int_equal(r.id, 78);

        /* len says less than the datagram: trailing bytes are refused
         * rather than ignored. */
        mb_set32(&m, 12, 16);
        check_request_error(&m, 24, -EBADMSG);
        mb_set32(&m, 12, 0);
        check_request_error(&m, 24, -EBADMSG);
        mb_set32(&m, 12, 0xffffffffu);
        check_request_error(&m, 24, -EBADMSG);

        /* A datagram beyond the protocol's limit, even if len agrees. */
        memset(&m, 0, sizeof(m));
        mb_request(&m, NSK_CMD_LIST, 79);
        m.len = NSK_MSG_MAX + 4;
        mb_done(&m);
        check_request_error(&m, NSK_MSG_MAX + 4, -EBADMSG);
}

static void test_request_wrong_version(void **state)
{
        static const uint16_t versions[] = { 0, NSK_PROTO_VERSION + 1, 0x0100, 0xffff };

        for (size_t i = 0; i < ELEMENTSOF(versions); i++) {
                struct nsk_request r;
                struct mb m;

                mb_hdr(&m, versions[i], NSK_CMD_CREATE, 4242, 0);
                mb_str(&m, NSK_A_NAME, "web");
                mb_done(&m);

                assert_int_equal(nsk_request_decode(m.b, m.len, &r), -EPROTO);
                /* ... so that the reply can say so to the right request. */
                assert_int_equal(r.cmd, NSK_CMD_CREATE);
                assert_int_equal(r.id, 4242);
        }
}

static void test_request_unknown_command(void **state)
{
        static const uint16_t cmds[] = { 0, NSK_CMD_MAX, 100, 0xffff };

        for (size_t i = 0; i < ELEMENTSOF(cmds); i++) {
                struct nsk_request r;
                struct mb m;

                mb_request(&m, cmds[i], 31337);
                mb_done(&m);
                assert_int_equal(nsk_request_decode(m.b, m.len, &r), -EOPNOTSUPP);
                assert_int_equal(r.cmd, cmds[i]);
                assert_int_equal(r.id, 31337);
        }
}

static void test_request_flags(void **state)
{
        static const uint32_t flags[] = { NSK_F_REPLY, NSK_F_MORE, 0x80000000u, 0xffffffffu };

        for (size_t i = 0; i < ELEMENTSOF(flags); i++) {
                struct mb m;

                mb_hdr(&m, NSK_PROTO_VERSION, NSK_CMD_LIST, 1, flags[i]);
                mb_done(&m);
                check_request_error(&m, m.len, -EBADMSG);
        }
}

static void test_request_unknown_attribute(void **state)
{
        /* Not ignored: a request the daemon does not fully understand is
         * not carried out. Reply-only attributes count as unknown. */
        static const uint16_t types[] = {
                0,         NSK_A_ERRNO, NSK_A_MESSAGE,
                NSK_A_SET, NSK_A_NS,    NSK_A_NS_TYPE,
                NSK_A_FDS, NSK_A_MAX,   32,
                99,        0xffff,
        };

        for (size_t i = 0; i < ELEMENTSOF(types); i++) {
                struct mb m;

                mb_request(&m, NSK_CMD_SHOW, 1);
                mb_str(&m, NSK_A_NAME, "web");
                mb_u32(&m, types[i], 0);
                mb_done(&m);
                check_request_error(&m, m.len, -EBADMSG);
        }
}

static void test_request_duplicate_attribute(void **state)
{
        struct mb m;

        mb_request(&m, NSK_CMD_SHOW, 1);
        mb_str(&m, NSK_A_NAME, "web");
        mb_str(&m, NSK_A_NAME, "db");
        mb_done(&m);
        check_request_error(&m, m.len, -EBADMSG);

        mb_request(&m, NSK_CMD_CREATE, 1);
        mb_u32(&m, NSK_A_TYPES, CLONE_NEWNET);
        mb_str(&m, NSK_A_NAME, "web");
        mb_u32(&m, NSK_A_TYPES, CLONE_NEWNET);
        mb_done(&m);
        check_request_error(&m, m.len, -EBADMSG);

        mb_request(&m, NSK_CMD_CREATE, 1);
        mb_u32(&m, NSK_A_PIN, NSK_PIN_FD);
        mb_u32(&m, NSK_A_PIN, NSK_PIN_BIND);
        mb_done(&m);
        check_request_error(&m, m.len, -EBADMSG);
}

static void test_request_attribute_overrun(void **state)
{
        struct nsk_request r;
        struct mb m;

        /* Length field 8, only 4 bytes follow. */
        mb_request(&m, NSK_CMD_SHOW, 1);
        mb_raw(&m, NSK_A_NAME, 8, "abcd", 4, true);
        mb_done(&m);
        check_request_error(&m, m.len, -EBADMSG);

        /* Length field 5: one byte into the padding that is not there. */
        mb_request(&m, NSK_CMD_SHOW, 1);
        mb_raw(&m, NSK_A_NAME, 5, "abcd", 4, false);
        mb_done(&m);
        check_request_error(&m, m.len, -EBADMSG);

        /* 0xFFFF never fits in a datagram, not even a full-size one. */
        mb_request(&m, NSK_CMD_SHOW, 1);
        mb_raw(&m, NSK_A_NAME, 0xffff, "abcd", 4, true);
        mb_done(&m);
        check_request_error(&m, m.len, -EBADMSG);
        memset(m.b + m.len, 'a', NSK_MSG_MAX - m.len);
        m.len = NSK_MSG_MAX;
        mb_done(&m);
        check_request_error(&m, m.len, -EBADMSG);

        /* A trailing fragment shorter than an attribute header. */
        for (size_t extra = 1; extra < 4; extra++) {
                mb_request(&m, NSK_CMD_SHOW, 1);
                mb_str(&m, NSK_A_NAME, "web");
                m.len += extra;
                mb_done(&m);
                check_request_error(&m, m.len, -EBADMSG);
        }

        /* The last attribute's padding is not optional. */
        mb_request(&m, NSK_CMD_SHOW, 1);
        mb_raw(&m, NSK_A_NAME, 3, "web", 3, false);
        mb_done(&m);
        assert_int_equal(m.len, 23);
        check_request_error(&m, m.len, -EBADMSG);

        /* Sanity: the same, padded, is fine. */
        mb_request(&m, NSK_CMD_SHOW, 1);
        mb_raw(&m, NSK_A_NAME, 3, "web", 3, true);
        mb_done(&m);
        assert_int_equal(nsk_request_decode(m.b, m.len, &r), 0);
        assert_string_equal(r.name, "web");
}

static void test_request_string_nul(void **state)
{
        struct mb m;

        /* Embedded NUL: "we" would be checked, "we\0b" used. */
        mb_request(&m, NSK_CMD_SHOW, 1);
        mb_attr(&m, NSK_A_NAME, "we\0b", 4);
        mb_done(&m);
        check_request_error(&m, m.len, -EBADMSG);

        /* Strings travel without their terminating NUL. */
        mb_request(&m, NSK_CMD_SHOW, 1);
        mb_attr(&m, NSK_A_NAME, "web", 4);
        mb_done(&m);
        check_request_error(&m, m.len, -EBADMSG);
}

static void test_request_name_length(void **state)
{
        char name[NSK_FULL_NAME_MAX + 2];
        struct nsk_request r;
        struct mb m;

        /* A request may carry UID/NAME, longer than a NAME. */
        memset(name, 'x', sizeof(name));
        name[NSK_FULL_NAME_MAX + 1] = '\0';
        mb_request(&m, NSK_CMD_SHOW, 1);
        mb_str(&m, NSK_A_NAME, name);
        mb_done(&m);
        check_request_error(&m, m.len, -ENAMETOOLONG);

        name[NSK_FULL_NAME_MAX] = '\0';
        mb_request(&m, NSK_CMD_SHOW, 1);
        mb_str(&m, NSK_A_NAME, name);
        mb_done(&m);
        assert_int_equal(nsk_request_decode(m.b, m.len, &r), 0);
        assert_string_equal(r.name, name);

        /* An empty name decodes; whether it is a valid name is the
         * daemon's question (name_is_valid()). */
        mb_request(&m, NSK_CMD_SHOW, 1);
        mb_str(&m, NSK_A_NAME, "");
        mb_done(&m);
        assert_int_equal(nsk_request_decode(m.b, m.len, &r), 0);
        assert_true(r.attrs & NSK_ATTR_BIT(NSK_A_NAME));
        assert_string_equal(r.name, "");
}

static void test_request_bad_types(void **state)
{
        static const uint32_t bad[] = {
                CLONE_VM, CLONE_NEWNET | CLONE_THREAD, 0x1, 0x80000000u, 0xffffffffu,
        };
        struct nsk_request r;
        struct mb m;

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                mb_request(&m, NSK_CMD_CREATE, 1);
                mb_str(&m, NSK_A_NAME, "web");
                mb_u32(&m, NSK_A_TYPES, bad[i]);
                mb_done(&m);
                check_request_error(&m, m.len, -EINVAL);
        }

        mb_request(&m, NSK_CMD_CREATE, 1);
        mb_u32(&m, NSK_A_TYPES,
               CLONE_NEWUSER | CLONE_NEWCGROUP | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET |
                       CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWTIME);
        mb_done(&m);
        assert_int_equal(nsk_request_decode(m.b, m.len, &r), 0);
        assert_int_equal(r.types, NSK_TYPE_MASK_ALL);
}

static void test_request_bad_pin(void **state)
{
        static const uint32_t bad[] = { NSK_PIN_MAX, 100, 0x80000000u, 0xffffffffu };
        struct mb m;

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                mb_request(&m, NSK_CMD_CREATE, 1);
                mb_u32(&m, NSK_A_PIN, bad[i]);
                mb_done(&m);
                check_request_error(&m, m.len, -EINVAL);
        }
}

static void test_request_wrong_size_u32(void **state)
{
        static const uint8_t zeros[8];
        static const size_t sizes[] = { 0, 1, 2, 3, 5, 8 };

        for (size_t i = 0; i < ELEMENTSOF(sizes); i++) {
                struct mb m;

                mb_request(&m, NSK_CMD_CREATE, 1);
                mb_attr(&m, NSK_A_TYPES, zeros, sizes[i]);
                mb_done(&m);
                check_request_error(&m, m.len, -EBADMSG);

                mb_request(&m, NSK_CMD_CREATE, 1);
                mb_attr(&m, NSK_A_PIN, zeros, sizes[i]);
                mb_done(&m);
                check_request_error(&m, m.len, -EBADMSG);
        }
}

static void test_request_encode_too_small(void **state)
{
        struct nsk_request r = {
                .cmd = NSK_CMD_SHOW,
                .id = 1,
                .attrs = NSK_ATTR_BIT(NSK_A_NAME),
                .name = "web",
        };
        uint8_t buf[NSK_MSG_MAX];

        assert_int_equal(nsk_request_encode(&r, buf, 0), -EMSGSIZE);
        assert_int_equal(nsk_request_encode(&r, buf, NSK_HDR_SIZE - 1), -EMSGSIZE);
        assert_int_equal(nsk_request_encode(&r, buf, NSK_HDR_SIZE), -EMSGSIZE);
        assert_int_equal(nsk_request_encode(&r, buf, 23), -EMSGSIZE);
        assert_int_equal(nsk_request_encode(&r, buf, 24), 24);
        assert_int_equal(nsk_request_encode(&r, buf, sizeof(buf)), 24);
}

/* --- replies --- */

static int decode_reply(const uint8_t *buf, int n, struct nsk_reply *r)
{
        assert_true(n >= NSK_HDR_SIZE);
        memset(r, 0x55, sizeof(*r));
        return nsk_reply_decode(buf, (size_t) n, r);
}

static void test_reply_error(void **state)
{
        uint8_t buf[1024];
        struct nsk_writer w;
        struct nsk_reply r;

        nsk_writer_init(&w, buf, sizeof(buf), NSK_CMD_CREATE, 42, NSK_F_REPLY);
        nsk_put_error(&w, -EEXIST, "set 'web' exists");
        assert_int_equal(decode_reply(buf, nsk_writer_finish(&w), &r), 0);
        assert_int_equal(r.cmd, NSK_CMD_CREATE);
        assert_int_equal(r.id, 42);
        assert_int_equal(r.flags, NSK_F_REPLY);
        assert_int_equal(r.error, EEXIST);
        assert_string_equal(r.message, "set 'web' exists");
        assert_int_equal(r.n_fds, 0);
        assert_int_equal(r.n_sets, 0);
        assert_null(r.sets);
        nsk_reply_done(&r);

        /* A positive errno means the same. */
        nsk_writer_init(&w, buf, sizeof(buf), NSK_CMD_RELEASE, 43, NSK_F_REPLY);
        nsk_put_error(&w, ENOENT, NULL);
        assert_int_equal(decode_reply(buf, nsk_writer_finish(&w), &r), 0);
        assert_int_equal(r.error, ENOENT);
        assert_string_equal(r.message, "");
        nsk_reply_done(&r);

        nsk_writer_init(&w, buf, sizeof(buf), NSK_CMD_RELEASE, 44, NSK_F_REPLY);
        nsk_put_error(&w, 0, NULL);
        assert_int_equal(decode_reply(buf, nsk_writer_finish(&w), &r), 0);
        assert_int_equal(r.error, 0);
        assert_int_equal(r.id, 44);
        nsk_reply_done(&r);
        /* Done twice is harmless. */
        nsk_reply_done(&r);
}

static void test_reply_long_message(void **state)
{
        char msg[NSK_MESSAGE_MAX + 100];
        uint8_t buf[2048];
        struct nsk_writer w;
        struct nsk_reply r;

        memset(msg, 'm', sizeof(msg));
        msg[sizeof(msg) - 1] = '\0';
        nsk_writer_init(&w, buf, sizeof(buf), NSK_CMD_CREATE, 1, NSK_F_REPLY);
        nsk_put_error(&w, EINVAL, msg);
        assert_int_equal(decode_reply(buf, nsk_writer_finish(&w), &r), 0);
        assert_int_equal(strlen(r.message), NSK_MESSAGE_MAX - 1);
        assert_memory_equal(r.message, msg, NSK_MESSAGE_MAX - 1);
        nsk_reply_done(&r);
}

static void test_reply_fd_types(void **state)
{
        static const enum nsk_type types[] = { NSK_TYPE_USER, NSK_TYPE_NET, NSK_TYPE_MNT };
        enum nsk_type all[NSK_TYPE_MAX + 1];
        uint8_t buf[1024];
        struct nsk_writer w;
        struct nsk_reply r;

        nsk_writer_init(&w, buf, sizeof(buf), NSK_CMD_GET, 5, NSK_F_REPLY);
        nsk_put_error(&w, 0, NULL);
        nsk_put_fd_types(&w, types, ELEMENTSOF(types));
        assert_int_equal(decode_reply(buf, nsk_writer_finish(&w), &r), 0);
        assert_int_equal(r.n_fds, 3);
        assert_int_equal(r.fd_types[0], NSK_TYPE_USER);
        assert_int_equal(r.fd_types[1], NSK_TYPE_NET);
        assert_int_equal(r.fd_types[2], NSK_TYPE_MNT);
        nsk_reply_done(&r);

        for (int t = 0; t < NSK_TYPE_MAX; t++)
                all[t] = NSK_TYPE_MAX - 1 - t;
        nsk_writer_init(&w, buf, sizeof(buf), NSK_CMD_GET, 6, NSK_F_REPLY);
        nsk_put_error(&w, 0, NULL);
        nsk_put_fd_types(&w, all, NSK_TYPE_MAX);
        assert_int_equal(decode_reply(buf, nsk_writer_finish(&w), &r), 0);
        assert_int_equal(r.n_fds, NSK_TYPE_MAX);
        assert_memory_equal(r.fd_types, all, sizeof(r.fd_types));
        nsk_reply_done(&r);

        nsk_writer_init(&w, buf, sizeof(buf), NSK_CMD_GET, 7, NSK_F_REPLY);
        nsk_put_error(&w, 0, NULL);
        nsk_put_fd_types(&w, types, 0);
        assert_int_equal(decode_reply(buf, nsk_writer_finish(&w), &r), 0);
        assert_int_equal(r.n_fds, 0);
        nsk_reply_done(&r);

        /* More fds than types exist is refused by the writer. */
        all[NSK_TYPE_MAX] = NSK_TYPE_NET;
        nsk_writer_init(&w, buf, sizeof(buf), NSK_CMD_GET, 8, NSK_F_REPLY);
        nsk_put_error(&w, 0, NULL);
        nsk_put_fd_types(&w, all, NSK_TYPE_MAX + 1);
        assert_int_equal(nsk_writer_finish(&w), -EMSGSIZE);
}

static char path_net[] = "/run/nskeeper/sets/web/net";
static char path_mnt[] = "/run/nskeeper/mnt/web/mnt";

static void fill_set(struct nsk_set_info *s, const char *name, bool paths)
{
        *s = (struct nsk_set_info) {
                .pin = paths ? NSK_PIN_BIND : NSK_PIN_FD,
                .created = 1700000000ull + strlen(name),
                .owner = 1000,
                .n_ns = 3,
                .ns = {
                        { NSK_TYPE_UTS, 4026531838ull, NULL },
                        { NSK_TYPE_NET, 4026531833ull, paths ? path_net : NULL },
                        { NSK_TYPE_MNT, 0xffffffffffffffffull, paths ? path_mnt : NULL },
                },
        };
        strcpy(s->name, name);
}

static void check_set(const struct nsk_set_info *got, const struct nsk_set_info *want)
{
        assert_string_equal(got->name, want->name);
        assert_int_equal(got->pin, want->pin);
        assert_int_equal(got->created, want->created);
        assert_int_equal(got->owner, want->owner);
        assert_int_equal(got->n_ns, want->n_ns);
        for (unsigned i = 0; i < want->n_ns; i++) {
                assert_int_equal(got->ns[i].type, want->ns[i].type);
                assert_int_equal(got->ns[i].inode, want->ns[i].inode);
                if (want->ns[i].path) {
                        assert_non_null(got->ns[i].path);
                        assert_string_equal(got->ns[i].path, want->ns[i].path);
                        /* A copy, owned by the reply. */
                        assert_ptr_not_equal(got->ns[i].path, want->ns[i].path);
                } else
                        assert_null(got->ns[i].path);
        }
}

static void test_reply_set(void **state)
{
        struct nsk_set_info with, without;
        uint8_t buf[2048];
        struct nsk_writer w;
        struct nsk_reply r;

        fill_set(&with, "web", true);
        fill_set(&without, "db.prod-1", false);

        nsk_writer_init(&w, buf, sizeof(buf), NSK_CMD_SHOW, 10, NSK_F_REPLY);
        nsk_put_error(&w, 0, NULL);
        nsk_put_set(&w, &with);
        assert_int_equal(decode_reply(buf, nsk_writer_finish(&w), &r), 0);
        assert_int_equal(r.n_sets, 1);
        check_set(&r.sets[0], &with);
        nsk_reply_done(&r);
        assert_null(r.sets);
        assert_int_equal(r.n_sets, 0);

        nsk_writer_init(&w, buf, sizeof(buf), NSK_CMD_SHOW, 11, NSK_F_REPLY);
        nsk_put_error(&w, 0, NULL);
        nsk_put_set(&w, &without);
        assert_int_equal(decode_reply(buf, nsk_writer_finish(&w), &r), 0);
        assert_int_equal(r.n_sets, 1);
        check_set(&r.sets[0], &without);
        nsk_reply_done(&r);
}

static void test_reply_set_every_type(void **state)
{
        struct nsk_set_info s = { .name = "everything", .pin = NSK_PIN_FD, .n_ns = NSK_TYPE_MAX };
        uint8_t buf[2048];
        struct nsk_writer w;
        struct nsk_reply r;

        for (int t = 0; t < NSK_TYPE_MAX; t++)
                s.ns[t] = (struct nsk_ns_info) { .type = t, .inode = 4026531832ull + (unsigned) t };

        nsk_writer_init(&w, buf, sizeof(buf), NSK_CMD_SHOW, 12, NSK_F_REPLY);
        nsk_put_error(&w, 0, NULL);
        nsk_put_set(&w, &s);
        assert_int_equal(decode_reply(buf, nsk_writer_finish(&w), &r), 0);
        assert_int_equal(r.n_sets, 1);
        check_set(&r.sets[0], &s);
        nsk_reply_done(&r);

        /* A set with no namespaces at all still has a name. */
        s.n_ns = 0;
        nsk_writer_init(&w, buf, sizeof(buf), NSK_CMD_SHOW, 13, NSK_F_REPLY);
        nsk_put_error(&w, 0, NULL);
        nsk_put_set(&w, &s);
        assert_int_equal(decode_reply(buf, nsk_writer_finish(&w), &r), 0);
        assert_int_equal(r.n_sets, 1);
        check_set(&r.sets[0], &s);
        nsk_reply_done(&r);
}

static void test_reply_multiple_sets_more(void **state)
{
        static const char *const names[] = { "a", "b", "c", "d", "e" };
        struct nsk_set_info sets[ELEMENTSOF(names)];
        uint8_t buf[4096];
        struct nsk_writer w;
        struct nsk_reply r;

        nsk_writer_init(&w, buf, sizeof(buf), NSK_CMD_LIST, 20, NSK_F_REPLY | NSK_F_MORE);
        nsk_put_error(&w, 0, NULL);
        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                fill_set(&sets[i], names[i], i % 2 == 0);
                nsk_put_set(&w, &sets[i]);
        }
        assert_int_equal(decode_reply(buf, nsk_writer_finish(&w), &r), 0);
        assert_int_equal(r.flags, NSK_F_REPLY | NSK_F_MORE);
        assert_int_equal(r.cmd, NSK_CMD_LIST);
        assert_int_equal(r.id, 20);
        assert_int_equal(r.n_sets, ELEMENTSOF(names));
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                check_set(&r.sets[i], &sets[i]);
        nsk_reply_done(&r);

        /* The last one of a series: no MORE, no sets. */
        nsk_writer_init(&w, buf, sizeof(buf), NSK_CMD_LIST, 20, NSK_F_REPLY);
        nsk_put_error(&w, 0, NULL);
        assert_int_equal(decode_reply(buf, nsk_writer_finish(&w), &r), 0);
        assert_int_equal(r.flags, NSK_F_REPLY);
        assert_int_equal(r.n_sets, 0);
        nsk_reply_done(&r);
}

/* Sets until the datagram is full: the writer says so instead of sending
 * a cut-off list, and a message just under the limit decodes. */
static void test_reply_sets_overflow(void **state)
{
        static uint8_t buf[NSK_MSG_MAX];
        struct nsk_set_info s;
        struct nsk_writer w;
        struct nsk_reply r;
        size_t n = 0, last_len = 0;

        fill_set(&s, "a-rather-long-set-name-to-fill-the-datagram-sooner-0123456789", true);
        nsk_writer_init(&w, buf, sizeof(buf), NSK_CMD_LIST, 21, NSK_F_REPLY | NSK_F_MORE);
        nsk_put_error(&w, 0, NULL);
        while (w.err == 0) {
                last_len = w.len;
                nsk_put_set(&w, &s);
                n++;
        }
        assert_true(n > 100);
        assert_int_equal(nsk_writer_finish(&w), -EMSGSIZE);

        /* Again, one set fewer. */
        nsk_writer_init(&w, buf, sizeof(buf), NSK_CMD_LIST, 21, NSK_F_REPLY | NSK_F_MORE);
        nsk_put_error(&w, 0, NULL);
        for (size_t i = 0; i + 1 < n; i++)
                nsk_put_set(&w, &s);
        assert_int_equal(nsk_writer_finish(&w), last_len);
        assert_int_equal(decode_reply(buf, (int) last_len, &r), 0);
        assert_int_equal(r.n_sets, n - 1);
        check_set(&r.sets[n - 2], &s);
        nsk_reply_done(&r);
}

static void check_reply_error(const struct mb *m, int error)
{
        struct nsk_reply r;

        memset(&r, 0x55, sizeof(r));
        assert_int_equal(nsk_reply_decode(m->b, m->len, &r), error);
        /* Nothing is left to free. */
        assert_null(r.sets);
        assert_int_equal(r.n_sets, 0);
}

static void test_reply_missing_errno(void **state)
{
        struct mb m;
        size_t set;

        mb_reply(&m, NSK_CMD_SHOW, 1);
        mb_done(&m);
        check_reply_error(&m, -EBADMSG);

        mb_reply(&m, NSK_CMD_SHOW, 1);
        mb_str(&m, NSK_A_MESSAGE, "all fine, trust me");
        set = mb_nest(&m, NSK_A_SET);
        mb_str(&m, NSK_A_NAME, "web");
        mb_nest_end(&m, set);
        mb_done(&m);
        check_reply_error(&m, -EBADMSG);
}

static void test_reply_bad_errno(void **state)
{
        struct mb m;

        mb_reply(&m, NSK_CMD_SHOW, 1);
        mb_u32(&m, NSK_A_ERRNO, 0);
        mb_u32(&m, NSK_A_ERRNO, EPERM);
        mb_done(&m);
        check_reply_error(&m, -EBADMSG);

        mb_reply(&m, NSK_CMD_SHOW, 1);
        mb_u32(&m, NSK_A_ERRNO, 4096);
        mb_done(&m);
        check_reply_error(&m, -EBADMSG);

        mb_reply(&m, NSK_CMD_SHOW, 1);
        mb_u32(&m, NSK_A_ERRNO, (uint32_t) -EPERM);
        mb_done(&m);
        check_reply_error(&m, -EBADMSG);

        mb_reply(&m, NSK_CMD_SHOW, 1);
        mb_u64(&m, NSK_A_ERRNO, 0);
        mb_done(&m);
        check_reply_error(&m, -EBADMSG);
}

static void test_reply_flag_missing(void **state)
{
        struct nsk_request req = { .cmd = NSK_CMD_LIST, .id = 1 };
        uint8_t buf[64];
        struct nsk_reply r;
        struct mb m;
        int n;

        mb_hdr(&m, NSK_PROTO_VERSION, NSK_CMD_SHOW, 1, 0);
        mb_u32(&m, NSK_A_ERRNO, 0);
        mb_done(&m);
        check_reply_error(&m, -EBADMSG);

        mb_hdr(&m, NSK_PROTO_VERSION, NSK_CMD_SHOW, 1, NSK_F_MORE);
        mb_u32(&m, NSK_A_ERRNO, 0);
        mb_done(&m);
        check_reply_error(&m, -EBADMSG);

        /* A request is not a reply. */
        n = nsk_request_encode(&req, buf, sizeof(buf));
        assert_int_equal(decode_reply(buf, n, &r), -EBADMSG);
}

static void test_reply_bad_header(void **state)
{
        struct nsk_reply r;
        struct mb m;

        mb_hdr(&m, NSK_PROTO_VERSION + 1, NSK_CMD_SHOW, 1, NSK_F_REPLY);
        mb_u32(&m, NSK_A_ERRNO, 0);
        mb_done(&m);
        check_reply_error(&m, -EPROTO);

        mb_reply(&m, NSK_CMD_SHOW, 1);
        mb_u32(&m, NSK_A_ERRNO, 0);
        mb_done(&m);
        assert_int_equal(nsk_reply_decode(m.b, m.len - 4, &r), -EBADMSG);
        assert_int_equal(nsk_reply_decode(m.b, NSK_HDR_SIZE - 1, &r), -EBADMSG);
        assert_int_equal(nsk_reply_decode(m.b, 0, &r), -EBADMSG);
}

static void test_reply_bad_fds(void **state)
{
        static const uint32_t two[] = { CLONE_NEWNET, CLONE_NEWUTS };
        uint32_t nine[NSK_TYPE_MAX + 1] = { 0 };
        struct mb m;

        /* Not a whole number of u32s. */
        for (size_t len = 1; len < 8; len++) {
                if (len == 4)
                        continue;
                mb_reply(&m, NSK_CMD_GET, 1);
                mb_u32(&m, NSK_A_ERRNO, 0);
                mb_attr(&m, NSK_A_FDS, two, len);
                mb_done(&m);
                check_reply_error(&m, -EBADMSG);
        }

        /* More fds than there are types. */
        mb_reply(&m, NSK_CMD_GET, 1);
        mb_u32(&m, NSK_A_ERRNO, 0);
        for (size_t i = 0; i < ELEMENTSOF(nine); i++)
                nine[i] = CLONE_NEWNET;
        mb_attr(&m, NSK_A_FDS, nine, sizeof(nine));
        mb_done(&m);
        check_reply_error(&m, -EBADMSG);

        /* Bogus types. */
        {
                static const uint32_t bogus[] = { 0, CLONE_VM, CLONE_NEWNET | CLONE_NEWUTS,
                                                  0xffffffffu };

                for (size_t i = 0; i < ELEMENTSOF(bogus); i++) {
                        uint32_t v[2] = { CLONE_NEWNET, bogus[i] };

                        mb_reply(&m, NSK_CMD_GET, 1);
                        mb_u32(&m, NSK_A_ERRNO, 0);
                        mb_attr(&m, NSK_A_FDS, v, sizeof(v));
                        mb_done(&m);
                        check_reply_error(&m, -EBADMSG);
                }
        }

        /* Said twice. */
        mb_reply(&m, NSK_CMD_GET, 1);
        mb_u32(&m, NSK_A_ERRNO, 0);
        mb_attr(&m, NSK_A_FDS, two, sizeof(two));
        mb_attr(&m, NSK_A_FDS, two, sizeof(two));
        mb_done(&m);
        check_reply_error(&m, -EBADMSG);
}

static void test_reply_bad_message(void **state)
{
        char big[NSK_MESSAGE_MAX];
        struct mb m;

        mb_reply(&m, NSK_CMD_GET, 1);
        mb_u32(&m, NSK_A_ERRNO, EPERM);
        mb_attr(&m, NSK_A_MESSAGE, "no\0pe", 5);
        mb_done(&m);
        check_reply_error(&m, -EBADMSG);

        memset(big, 'x', sizeof(big));
        mb_reply(&m, NSK_CMD_GET, 1);
        mb_u32(&m, NSK_A_ERRNO, EPERM);
        mb_attr(&m, NSK_A_MESSAGE, big, NSK_MESSAGE_MAX);
        mb_done(&m);
        check_reply_error(&m, -EBADMSG);
}

/* A SET with one NS per entry of types[]. */
static void mb_set(struct mb *m, const char *name, const uint32_t *types, size_t n)
{
        size_t set = mb_nest(m, NSK_A_SET);

        if (name)
                mb_str(m, NSK_A_NAME, name);
        for (size_t i = 0; i < n; i++) {
                size_t ns = mb_nest(m, NSK_A_NS);

                mb_u32(m, NSK_A_NS_TYPE, types[i]);
                mb_u64(m, NSK_A_NS_INODE, 4026531833ull + i);
                mb_nest_end(m, ns);
        }
        mb_nest_end(m, set);
}

static void test_reply_bad_set(void **state)
{
        static const uint32_t dup[] = { CLONE_NEWNET, CLONE_NEWUTS, CLONE_NEWNET };
        static const uint32_t bogus[] = { CLONE_NEWNET, CLONE_VM };
        static const uint32_t ok[] = { CLONE_NEWNET };
        uint32_t nine[NSK_TYPE_MAX + 1];
        struct mb m;
        size_t set, ns;

        /* The same namespace type twice. */
        mb_reply(&m, NSK_CMD_SHOW, 1);
        mb_u32(&m, NSK_A_ERRNO, 0);
        mb_set(&m, "web", dup, ELEMENTSOF(dup));
        mb_done(&m);
        check_reply_error(&m, -EBADMSG);

        /* More namespaces than types. */
        for (size_t i = 0; i < ELEMENTSOF(nine); i++)
                nine[i] = CLONE_NEWNET;
        mb_reply(&m, NSK_CMD_SHOW, 1);
        mb_u32(&m, NSK_A_ERRNO, 0);
        mb_set(&m, "web", nine, ELEMENTSOF(nine));
        mb_done(&m);
        check_reply_error(&m, -EBADMSG);

        mb_reply(&m, NSK_CMD_SHOW, 1);
        mb_u32(&m, NSK_A_ERRNO, 0);
        mb_set(&m, "web", bogus, ELEMENTSOF(bogus));
        mb_done(&m);
        check_reply_error(&m, -EBADMSG);

        /* No name; an empty one; one too long. */
        mb_reply(&m, NSK_CMD_SHOW, 1);
        mb_u32(&m, NSK_A_ERRNO, 0);
        mb_set(&m, NULL, ok, ELEMENTSOF(ok));
        mb_done(&m);
        check_reply_error(&m, -EBADMSG);

        mb_reply(&m, NSK_CMD_SHOW, 1);
        mb_u32(&m, NSK_A_ERRNO, 0);
        mb_set(&m, "", ok, ELEMENTSOF(ok));
        mb_done(&m);
        check_reply_error(&m, -EBADMSG);

        {
                char name[NSK_NAME_MAX + 2];

                memset(name, 'n', sizeof(name));
                name[NSK_NAME_MAX + 1] = '\0';
                mb_reply(&m, NSK_CMD_SHOW, 1);
                mb_u32(&m, NSK_A_ERRNO, 0);
                mb_set(&m, name, ok, ELEMENTSOF(ok));
                mb_done(&m);
                check_reply_error(&m, -ENAMETOOLONG);
        }

        /* An NS without a type. */
        mb_reply(&m, NSK_CMD_SHOW, 1);
        mb_u32(&m, NSK_A_ERRNO, 0);
        set = mb_nest(&m, NSK_A_SET);
        mb_str(&m, NSK_A_NAME, "web");
        ns = mb_nest(&m, NSK_A_NS);
        mb_u64(&m, NSK_A_NS_INODE, 1);
        mb_nest_end(&m, ns);
        mb_nest_end(&m, set);
        mb_done(&m);
        check_reply_error(&m, -EBADMSG);

        /* A bad pin; a wrong-size owner. */
        mb_reply(&m, NSK_CMD_SHOW, 1);
        mb_u32(&m, NSK_A_ERRNO, 0);
        set = mb_nest(&m, NSK_A_SET);
        mb_str(&m, NSK_A_NAME, "web");
        mb_u32(&m, NSK_A_PIN, NSK_PIN_MAX);
        mb_nest_end(&m, set);
        mb_done(&m);
        check_reply_error(&m, -EBADMSG);

        mb_reply(&m, NSK_CMD_SHOW, 1);
        mb_u32(&m, NSK_A_ERRNO, 0);
        set = mb_nest(&m, NSK_A_SET);
        mb_str(&m, NSK_A_NAME, "web");
        mb_u64(&m, NSK_A_OWNER, 0);
        mb_nest_end(&m, set);
        mb_done(&m);
        check_reply_error(&m, -EBADMSG);

        /* The second of two sets is bad: the first one is freed too. */
        mb_reply(&m, NSK_CMD_LIST, 1);
        mb_u32(&m, NSK_A_ERRNO, 0);
        mb_set(&m, "good", ok, ELEMENTSOF(ok));
        mb_set(&m, "bad", dup, ELEMENTSOF(dup));
        mb_done(&m);
        check_reply_error(&m, -EBADMSG);
}

static void test_reply_bad_path(void **state)
{
        struct mb m;
        size_t set, ns;

        /* Embedded NUL. */
        mb_reply(&m, NSK_CMD_SHOW, 1);
        mb_u32(&m, NSK_A_ERRNO, 0);
        set = mb_nest(&m, NSK_A_SET);
        mb_str(&m, NSK_A_NAME, "web");
        ns = mb_nest(&m, NSK_A_NS);
        mb_u32(&m, NSK_A_NS_TYPE, CLONE_NEWNET);
        mb_attr(&m, NSK_A_NS_PATH, "/run/x\0/etc/y", 13);
        mb_nest_end(&m, ns);
        mb_nest_end(&m, set);
        mb_done(&m);
        check_reply_error(&m, -EBADMSG);

        /* Twice (the first copy must not leak: run under valgrind). */
        mb_reply(&m, NSK_CMD_SHOW, 1);
        mb_u32(&m, NSK_A_ERRNO, 0);
        set = mb_nest(&m, NSK_A_SET);
        mb_str(&m, NSK_A_NAME, "web");
        ns = mb_nest(&m, NSK_A_NS);
        mb_str(&m, NSK_A_NS_PATH, "/run/x");
        mb_u32(&m, NSK_A_NS_TYPE, CLONE_NEWNET);
        mb_str(&m, NSK_A_NS_PATH, "/run/y");
        mb_nest_end(&m, ns);
        mb_nest_end(&m, set);
        mb_done(&m);
        check_reply_error(&m, -EBADMSG);

        /* Valid NS with a path, followed by an NS without a type. */
        mb_reply(&m, NSK_CMD_SHOW, 1);
        mb_u32(&m, NSK_A_ERRNO, 0);
        set = mb_nest(&m, NSK_A_SET);
        mb_str(&m, NSK_A_NAME, "web");
        ns = mb_nest(&m, NSK_A_NS);
        mb_u32(&m, NSK_A_NS_TYPE, CLONE_NEWNET);
        mb_str(&m, NSK_A_NS_PATH, "/run/x");
        mb_nest_end(&m, ns);
        ns = mb_nest(&m, NSK_A_NS);
        mb_str(&m, NSK_A_NS_PATH, "/run/y");
        mb_nest_end(&m, ns);
        mb_nest_end(&m, set);
        mb_done(&m);
        check_reply_error(&m, -EBADMSG);
}

/* NS_PATH is less than NSK_PATH_MAX (4096) bytes. */
static void test_reply_path_length(void **state)
{
        static char path[NSK_PATH_MAX + 1];
        struct nsk_reply r;
        struct mb m;
        size_t set, ns;

        memset(path, 'p', sizeof(path));
        path[0] = '/';
        for (size_t len = NSK_PATH_MAX - 1; len <= NSK_PATH_MAX; len++) {
                path[len] = '\0';
                mb_reply(&m, NSK_CMD_SHOW, 1);
                mb_u32(&m, NSK_A_ERRNO, 0);
                set = mb_nest(&m, NSK_A_SET);
                mb_str(&m, NSK_A_NAME, "web");
                ns = mb_nest(&m, NSK_A_NS);
                mb_u32(&m, NSK_A_NS_TYPE, CLONE_NEWNET);
                mb_str(&m, NSK_A_NS_PATH, path);
                mb_nest_end(&m, ns);
                mb_nest_end(&m, set);
                mb_done(&m);
                path[len] = 'p';

                if (len < NSK_PATH_MAX) {
                        assert_int_equal(nsk_reply_decode(m.b, m.len, &r), 0);
                        assert_int_equal(strlen(r.sets[0].ns[0].path), len);
                        nsk_reply_done(&r);
                } else
                        check_reply_error(&m, -ENAMETOOLONG);
        }
}

static void test_reply_nested_overrun(void **state)
{
        struct mb m;
        size_t set;

        /* The SET's length is right, the NAME inside claims more. */
        mb_reply(&m, NSK_CMD_SHOW, 1);
        mb_u32(&m, NSK_A_ERRNO, 0);
        set = mb_nest(&m, NSK_A_SET);
        mb_raw(&m, NSK_A_NAME, 12, "web", 3, true);
        mb_nest_end(&m, set);
        mb_u32(&m, NSK_A_ERRNO, 0); /* would be read as the NAME's rest */
        mb_done(&m);
        check_reply_error(&m, -EBADMSG);

        /* The SET claims more than the message has. */
        mb_reply(&m, NSK_CMD_SHOW, 1);
        mb_u32(&m, NSK_A_ERRNO, 0);
        set = mb_nest(&m, NSK_A_SET);
        mb_str(&m, NSK_A_NAME, "web");
        mb_nest_end(&m, set);
        mb_set16(&m, set + 2, (uint16_t) (m.len - set));
        mb_done(&m);
        check_reply_error(&m, -EBADMSG);
}

/* Newer daemons may add attributes anywhere; older clients skip them. */
static void test_reply_unknown_skipped(void **state)
{
        struct nsk_reply r;
        struct mb m;
        size_t set, ns;

        mb_reply(&m, NSK_CMD_SHOW, 99);
        mb_attr(&m, 200, "hello", 5);
        mb_u32(&m, NSK_A_ERRNO, 0);
        mb_attr(&m, 0, NULL, 0);
        set = mb_nest(&m, NSK_A_SET);
        mb_attr(&m, 201, "x", 1);
        mb_str(&m, NSK_A_NAME, "web");
        ns = mb_nest(&m, NSK_A_NS);
        mb_u64(&m, 202, 7);
        mb_u32(&m, NSK_A_NS_TYPE, CLONE_NEWNET);
        mb_attr(&m, 0xffff, "abcdefg", 7);
        mb_u64(&m, NSK_A_NS_INODE, 4026531833ull);
        mb_nest_end(&m, ns);
        mb_u32(&m, NSK_A_OWNER, 1000);
        mb_nest_end(&m, set);
        mb_attr(&m, NSK_A_MAX, "zz", 2);
        mb_done(&m);

        assert_int_equal(nsk_reply_decode(m.b, m.len, &r), 0);
        assert_int_equal(r.id, 99);
        assert_int_equal(r.error, 0);
        assert_int_equal(r.n_sets, 1);
        assert_string_equal(r.sets[0].name, "web");
        assert_int_equal(r.sets[0].owner, 1000);
        assert_int_equal(r.sets[0].n_ns, 1);
        assert_int_equal(r.sets[0].ns[0].type, NSK_TYPE_NET);
        assert_int_equal(r.sets[0].ns[0].inode, 4026531833ull);
        assert_null(r.sets[0].ns[0].path);
        nsk_reply_done(&r);
}

/* --- settings, state and keeper --- */

static void fill_settings(struct nsk_settings *s)
{
        *s = (struct nsk_settings) {
                .hostname = "web-1",
                .domainname = "example.org",
                .n_uid_map = 2,
                .uid_map = { { 0, 100000, 65536 }, { 65536, 1000, 1 } },
                .n_gid_map = 1,
                .gid_map = { { 0, 100000, 65536 } },
                .monotonic = -86400,
                .boottime = INT64_MIN,
                .no_loopback = true,
                .setgroups_deny = true,
                .ip_netns = true,
        };
        assert_int_equal(nsk_settings_add_sysctl(s, "net.ipv4.ip_forward=1"), 0);
        assert_int_equal(nsk_settings_add_sysctl(s, "kernel.sem=250 32000 32 128"), 0);
}

#define SETTINGS_ATTRS                                                                            \
        (NSK_ATTR_BIT(NSK_A_HOSTNAME) | NSK_ATTR_BIT(NSK_A_DOMAINNAME) |                          \
         NSK_ATTR_BIT(NSK_A_SYSCTL) | NSK_ATTR_BIT(NSK_A_UID_MAP) | NSK_ATTR_BIT(NSK_A_GID_MAP) | \
         NSK_ATTR_BIT(NSK_A_MONOTONIC) | NSK_ATTR_BIT(NSK_A_BOOTTIME) |                           \
         NSK_ATTR_BIT(NSK_A_LOOPBACK) | NSK_ATTR_BIT(NSK_A_SETGROUPS) |                           \
         NSK_ATTR_BIT(NSK_A_IP_NETNS))

static void test_request_settings_round_trip(void **state)
{
        static uint8_t buf[NSK_MSG_MAX];
        struct nsk_request in = {
                .cmd = NSK_CMD_CREATE,
                .id = 30,
                .attrs = NSK_ATTR_BIT(NSK_A_NAME) | NSK_ATTR_BIT(NSK_A_TYPES) |
                         NSK_ATTR_BIT(NSK_A_PIN),
                .name = "web",
                .types = NSK_TYPE_MASK_ALL,
                .pin = NSK_PIN_BIND,
        };
        struct nsk_request out;
        int n;

        fill_settings(&in.settings);
        n = nsk_request_encode(&in, buf, sizeof(buf));
        assert_true(n > NSK_HDR_SIZE);

        memset(&out, 0x55, sizeof(out));
        assert_int_equal(nsk_request_decode(buf, (size_t) n, &out), 0);
        assert_int_equal(out.cmd, NSK_CMD_CREATE);
        assert_int_equal(out.id, 30);
        /* Settings are sent when they are not the default, whatever attrs
         * says, and then are seen as attributes. */
        assert_int_equal(out.attrs, in.attrs | SETTINGS_ATTRS);
        assert_string_equal(out.name, "web");
        assert_int_equal(out.types, NSK_TYPE_MASK_ALL);
        assert_int_equal(out.pin, NSK_PIN_BIND);
        assert_settings_equal(&out.settings, &in.settings);
        assert_ptr_not_equal(out.settings.sysctls, in.settings.sysctls);
        nsk_request_done(&out);
        assert_null(out.settings.sysctls);
        assert_int_equal(out.settings.n_sysctls, 0);

        /* Default settings add no attribute. */
        nsk_request_done(&in);
        in.settings = (struct nsk_settings) {};
        n = nsk_request_encode(&in, buf, sizeof(buf));
        assert_int_equal(nsk_request_decode(buf, (size_t) n, &out), 0);
        assert_int_equal(out.attrs, in.attrs);
        assert_true(nsk_settings_is_default(&out.settings));
        nsk_request_done(&out);
}

static void test_request_repeated_settings(void **state)
{
        static const uint16_t once[] = {
                NSK_A_HOSTNAME,  NSK_A_DOMAINNAME, NSK_A_UID_MAP,  NSK_A_GID_MAP,
                NSK_A_MONOTONIC, NSK_A_BOOTTIME,   NSK_A_LOOPBACK, NSK_A_SETGROUPS,
        };
        static const uint32_t map[] = { 0, 100000, 1 };
        struct nsk_request r;
        struct mb m;

        /* SYSCTL may come again and again, in order. */
        mb_request(&m, NSK_CMD_CREATE, 1);
        mb_str(&m, NSK_A_SYSCTL, "net.a=1");
        mb_str(&m, NSK_A_NAME, "web");
        mb_str(&m, NSK_A_SYSCTL, "net.b=2");
        mb_str(&m, NSK_A_SYSCTL, "net.a=3");
        mb_done(&m);
        assert_int_equal(nsk_request_decode(m.b, m.len, &r), 0);
        assert_int_equal(r.settings.n_sysctls, 3);
        assert_string_equal(r.settings.sysctls[0], "net.a=1");
        assert_string_equal(r.settings.sysctls[1], "net.b=2");
        assert_string_equal(r.settings.sysctls[2], "net.a=3");
        nsk_request_done(&r);

        /* ... up to NSK_SYSCTL_MAX; the sysctls taken so far are freed
         * (valgrind). */
        mb_request(&m, NSK_CMD_CREATE, 1);
        for (unsigned i = 0; i <= NSK_SYSCTL_MAX; i++)
                mb_str(&m, NSK_A_SYSCTL, "net.x=1");
        mb_done(&m);
        check_request_error(&m, m.len, -E2BIG);

        /* Every other setting only once. */
        for (size_t i = 0; i < ELEMENTSOF(once); i++) {
                mb_request(&m, NSK_CMD_CREATE, 1);
                mb_str(&m, NSK_A_SYSCTL, "net.a=1");
                for (int k = 0; k < 2; k++) {
                        switch (once[i]) {
                        case NSK_A_HOSTNAME:
                        case NSK_A_DOMAINNAME:
                                mb_str(&m, once[i], "web");
                                break;
                        case NSK_A_UID_MAP:
                        case NSK_A_GID_MAP:
                                mb_attr(&m, once[i], map, sizeof(map));
                                break;
                        case NSK_A_MONOTONIC:
                        case NSK_A_BOOTTIME:
                                mb_u64(&m, once[i], 5);
                                break;
                        default:
                                mb_u32(&m, once[i], 0);
                        }
                        mb_done(&m);
                        if (k == 0) {
                                assert_int_equal(nsk_request_decode(m.b, m.len, &r), 0);
                                assert_false(nsk_settings_is_default(&r.settings));
                                nsk_request_done(&r);
                        } else
                                check_request_error(&m, m.len, -EBADMSG);
                }
        }
}

static void test_request_bad_settings(void **state)
{
        static const uint32_t zero_count[] = { 0, 100000, 0 };
        struct mb m;

        mb_request(&m, NSK_CMD_CREATE, 1);
        mb_str(&m, NSK_A_SYSCTL, "net.a=1");
        mb_attr(&m, NSK_A_UID_MAP, zero_count, sizeof(zero_count));
        mb_done(&m);
        check_request_error(&m, m.len, -EINVAL);

        mb_request(&m, NSK_CMD_CREATE, 1);
        mb_str(&m, NSK_A_SYSCTL, "net.a=1");
        mb_u32(&m, NSK_A_LOOPBACK, 2);
        mb_done(&m);
        check_request_error(&m, m.len, -EINVAL);

        mb_request(&m, NSK_CMD_CREATE, 1);
        mb_u32(&m, NSK_A_MONOTONIC, 5);
        mb_done(&m);
        check_request_error(&m, m.len, -EBADMSG);
}

static void test_reply_set_state_settings(void **state)
{
        struct nsk_set_info in;
        uint8_t buf[4096];
        struct nsk_writer w;
        struct nsk_reply r;

        fill_set(&in, "web", true);
        in.state = NSK_STATE_DEAD;
        strcpy(in.state_reason, "the pid namespace's init (pid 4242) exited with status 1");
        in.keeper_pid = 4242;
        fill_settings(&in.settings);

        nsk_writer_init(&w, buf, sizeof(buf), NSK_CMD_SHOW, 31, NSK_F_REPLY);
        nsk_put_error(&w, 0, NULL);
        nsk_put_set(&w, &in);
        assert_int_equal(decode_reply(buf, nsk_writer_finish(&w), &r), 0);
        assert_int_equal(r.n_sets, 1);
        check_set(&r.sets[0], &in);
        assert_int_equal(r.sets[0].state, NSK_STATE_DEAD);
        assert_string_equal(r.sets[0].state_reason, in.state_reason);
        assert_int_equal(r.sets[0].keeper_pid, 4242);
        assert_settings_equal(&r.sets[0].settings, &in.settings);
        nsk_reply_done(&r);
        nsk_settings_done(&in.settings);

        /* Ready, no reason, no keeper, default settings: all absent or
         * zero on the other side. */
        fill_set(&in, "db", false);
        nsk_writer_init(&w, buf, sizeof(buf), NSK_CMD_SHOW, 32, NSK_F_REPLY);
        nsk_put_error(&w, 0, NULL);
        nsk_put_set(&w, &in);
        assert_int_equal(decode_reply(buf, nsk_writer_finish(&w), &r), 0);
        assert_int_equal(r.sets[0].state, NSK_STATE_READY);
        assert_string_equal(r.sets[0].state_reason, "");
        assert_int_equal(r.sets[0].keeper_pid, 0);
        assert_true(nsk_settings_is_default(&r.sets[0].settings));
        assert_false(r.sets[0].ip_netns_missing);
        for (unsigned i = 0; i < r.sets[0].n_ns; i++)
                assert_false(r.sets[0].ns[i].missing);
        nsk_reply_done(&r);
}

/* Damaged: which pin and the ip netns entry, both ways. */
static void test_reply_set_damaged(void **state)
{
        struct nsk_set_info in;
        uint8_t buf[4096];
        struct nsk_writer w;
        struct nsk_reply r;

        fill_set(&in, "web", true);
        assert_true(in.n_ns >= 2);
        in.state = NSK_STATE_DAMAGED;
        in.ns[1].missing = true;
        in.ip_netns_missing = true;
        nsk_writer_init(&w, buf, sizeof(buf), NSK_CMD_SHOW, 33, NSK_F_REPLY);
        nsk_put_error(&w, 0, NULL);
        nsk_put_set(&w, &in);
        assert_int_equal(decode_reply(buf, nsk_writer_finish(&w), &r), 0);
        assert_int_equal(r.sets[0].state, NSK_STATE_DAMAGED);
        assert_string_equal(nsk_state_name(r.sets[0].state), "damaged");
        assert_false(r.sets[0].ns[0].missing);
        assert_true(r.sets[0].ns[1].missing);
        assert_true(r.sets[0].ip_netns_missing);
        nsk_reply_done(&r);
}

/* A state this client does not know is not "ready". */
static void test_reply_unknown_state(void **state)
{
        static const uint32_t states[] = { NSK_STATE_MAX, 7, 0x80000000u, 0xffffffffu };
        struct nsk_reply r;
        struct mb m;
        size_t set;

        for (size_t i = 0; i < ELEMENTSOF(states); i++) {
                mb_reply(&m, NSK_CMD_SHOW, 1);
                mb_u32(&m, NSK_A_ERRNO, 0);
                set = mb_nest(&m, NSK_A_SET);
                mb_str(&m, NSK_A_NAME, "web");
                mb_u32(&m, NSK_A_STATE, states[i]);
                mb_nest_end(&m, set);
                mb_done(&m);
                assert_int_equal(nsk_reply_decode(m.b, m.len, &r), 0);
                assert_int_equal(r.sets[0].state, NSK_STATE_DEAD);
                nsk_reply_done(&r);
        }

        mb_reply(&m, NSK_CMD_SHOW, 1);
        mb_u32(&m, NSK_A_ERRNO, 0);
        set = mb_nest(&m, NSK_A_SET);
        mb_str(&m, NSK_A_NAME, "web");
        mb_u64(&m, NSK_A_STATE, NSK_STATE_READY);
        mb_nest_end(&m, set);
        mb_done(&m);
        check_reply_error(&m, -EBADMSG);
}

/* A SET names a set the daemon could have made; anything else could
 * become a path on the client's side. */
static void test_reply_set_bad_name(void **state)
{
        static const char *const bad[] = { "../x", "..", ".", "a/b", ".hidden", "-x", "a b" };
        struct mb m;
        size_t set;

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                mb_reply(&m, NSK_CMD_SHOW, 1);
                mb_u32(&m, NSK_A_ERRNO, 0);
                set = mb_nest(&m, NSK_A_SET);
                mb_str(&m, NSK_A_NAME, bad[i]);
                mb_str(&m, NSK_A_SYSCTL, "net.a=1"); /* freed on the way out */
                mb_nest_end(&m, set);
                mb_done(&m);
                check_reply_error(&m, -EBADMSG);
        }
}

/* --- requests of ADOPT --- */

static void test_request_adopt(void **state)
{
        static char net[] = "/proc/1/ns/net", uts[] = "/run/x/uts";
        struct nsk_request in = {
                .cmd = NSK_CMD_ADOPT,
                .id = 40,
                .attrs = NSK_ATTR_BIT(NSK_A_NAME) | NSK_ATTR_BIT(NSK_A_ADOPT_PID) |
                         NSK_ATTR_BIT(NSK_A_ADOPT_PATH),
                .name = "adopted",
                .adopt_pid = 4242,
                .n_adopt_paths = 2,
                .adopt_paths = { net, uts },
        };
        struct nsk_request out;
        uint8_t buf[256];
        int n;

        n = nsk_request_encode(&in, buf, sizeof(buf));
        assert_true(n > NSK_HDR_SIZE);
        assert_int_equal(nsk_request_decode(buf, (size_t) n, &out), 0);
        assert_int_equal(out.attrs, in.attrs);
        assert_int_equal(out.adopt_pid, 4242);
        assert_int_equal(out.n_adopt_paths, 2);
        assert_string_equal(out.adopt_paths[0], net);
        assert_string_equal(out.adopt_paths[1], uts);
        assert_ptr_not_equal(out.adopt_paths[0], net);
        nsk_request_done(&out);
        assert_int_equal(out.n_adopt_paths, 0);
}

static void test_request_adopt_bad(void **state)
{
        static const uint32_t pids[] = { 0, (uint32_t) INT32_MAX + 1, 0xffffffffu };
        static char path[NSK_PATH_MAX + 1];
        struct nsk_request r;
        struct mb m;

        for (size_t i = 0; i < ELEMENTSOF(pids); i++) {
                mb_request(&m, NSK_CMD_ADOPT, 1);
                mb_u32(&m, NSK_A_ADOPT_PID, pids[i]);
                mb_done(&m);
                check_request_error(&m, m.len, -EINVAL);
        }

        /* Paths are absolute ... */
        mb_request(&m, NSK_CMD_ADOPT, 1);
        mb_str(&m, NSK_A_ADOPT_PATH, "proc/1/ns/net");
        mb_done(&m);
        check_request_error(&m, m.len, -EINVAL);

        /* ... less than NSK_PATH_MAX bytes ... */
        memset(path, 'p', sizeof(path) - 1);
        path[0] = '/';
        mb_request(&m, NSK_CMD_ADOPT, 1);
        mb_str(&m, NSK_A_ADOPT_PATH, path);
        mb_done(&m);
        check_request_error(&m, m.len, -ENAMETOOLONG);
        path[NSK_PATH_MAX - 1] = '\0';
        mb_request(&m, NSK_CMD_ADOPT, 1);
        mb_str(&m, NSK_A_ADOPT_PATH, path);
        mb_done(&m);
        assert_int_equal(nsk_request_decode(m.b, m.len, &r), 0);
        assert_int_equal(strlen(r.adopt_paths[0]), NSK_PATH_MAX - 1);
        nsk_request_done(&r);

        /* ... and one per type at most; those taken so far are freed
         * (valgrind). */
        mb_request(&m, NSK_CMD_ADOPT, 1);
        for (unsigned i = 0; i <= NSK_TYPE_MAX; i++)
                mb_str(&m, NSK_A_ADOPT_PATH, "/x");
        mb_done(&m);
        check_request_error(&m, m.len, -E2BIG);
}

/* --- the attribute table (attr.c) drives the decoders --- */

enum place {
        PLACE_REQUEST,
        PLACE_REPLY,
        PLACE_SET,
        PLACE_NS,
        PLACE_REQUEST_NETWORK, /* a NETWORK of a CREATE */
        PLACE_SET_NETWORK,     /* a NETWORK of a SET */
        PLACE_MAX,
};

static const unsigned place_bits[PLACE_MAX] = {
        [PLACE_REQUEST] = NSK_IN_REQUEST,
        [PLACE_REPLY] = NSK_IN_REPLY,
        [PLACE_SET] = NSK_IN_SET,
        [PLACE_NS] = NSK_IN_NS,
        [PLACE_REQUEST_NETWORK] = NSK_IN_NETWORK,
        [PLACE_SET_NETWORK] = NSK_IN_NETWORK,
};

/* A value of type that a decoder takes where the type belongs; copy k
 * of a repeatable one differs from copy k - 1 where it must (an NS of
 * another type). */
static void mb_valid(struct mb *m, uint16_t type, unsigned k)
{
        static const uint32_t ns_types[] = { CLONE_NEWNET, CLONE_NEWUTS };
        static const uint32_t line[] = { 0, 100000, 1 };
        size_t nest;

        switch (type) {
        case NSK_A_TYPES:
        case NSK_A_NS_TYPE:
        case NSK_A_FDS:
                mb_u32(m, type, ns_types[k % 2]);
                return;
        case NSK_A_ADOPT_PID:
                mb_u32(m, type, 1);
                return;
        case NSK_A_UID_MAP:
        case NSK_A_GID_MAP:
                mb_attr(m, type, line, sizeof(line));
                return;
        case NSK_A_SET:
                nest = mb_nest(m, type);
                mb_str(m, NSK_A_NAME, "web");
                mb_nest_end(m, nest);
                return;
        case NSK_A_NS:
                nest = mb_nest(m, type);
                mb_u32(m, NSK_A_NS_TYPE, ns_types[k % 2]);
                mb_nest_end(m, nest);
                return;
        case NSK_A_NETWORK:
                nest = mb_nest(m, type);
                mb_str(m, NSK_A_NET_NAME, "lab");
                mb_nest_end(m, nest);
                return;
        case NSK_A_NET_NAME:
                mb_str(m, type, "lab");
                return;
        case NSK_A_NET_IFNAME:
                mb_str(m, type, "eth0");
                return;
        }
        switch (nsk_attr_policy(type)->kind) {
        case NSK_KIND_U32:
                mb_u32(m, type, 0);
                break;
        case NSK_KIND_U64:
                mb_u64(m, type, 5);
                break;
        default:
                mb_str(m, type, type == NSK_A_NAME ? "web" : "/x");
        }
}

/* A message with what is needed around 'place', and n copies of type
 * there: valid ones, or 3 bytes that fit no type if !valid. */
static void mb_placed(struct mb *m, enum place place, uint16_t type, unsigned n, bool valid)
{
        size_t set = 0, ns = 0;

        if (place == PLACE_REQUEST || place == PLACE_REQUEST_NETWORK)
                mb_request(m, NSK_CMD_CREATE, 1);
        else {
                mb_reply(m, NSK_CMD_SHOW, 1);
                if (place != PLACE_REPLY || type != NSK_A_ERRNO)
                        mb_u32(m, NSK_A_ERRNO, 0);
        }
        if (place == PLACE_SET || place == PLACE_NS || place == PLACE_SET_NETWORK) {
                set = mb_nest(m, NSK_A_SET);
                if (place != PLACE_SET || type != NSK_A_NAME)
                        mb_str(m, NSK_A_NAME, "web");
        }
        if (place == PLACE_NS) {
                ns = mb_nest(m, NSK_A_NS);
                if (type != NSK_A_NS_TYPE)
                        mb_u32(m, NSK_A_NS_TYPE, CLONE_NEWIPC);
        }
        if (place == PLACE_REQUEST_NETWORK || place == PLACE_SET_NETWORK) {
                ns = mb_nest(m, NSK_A_NETWORK);
                if (type != NSK_A_NET_NAME)
                        mb_str(m, NSK_A_NET_NAME, "lab");
        }
        for (unsigned k = 0; k < n; k++)
                if (valid)
                        mb_valid(m, type, k);
                else
                        mb_attr(m, type, "abc", 3);
        if (ns)
                mb_nest_end(m, ns);
        if (set)
                mb_nest_end(m, set);
        mb_done(m);
}

static int decode_placed(const struct mb *m, enum place place)
{
        int r;

        if (place == PLACE_REQUEST || place == PLACE_REQUEST_NETWORK) {
                struct nsk_request req;

                r = nsk_request_decode(m->b, m->len, &req);
                nsk_request_done(&req);
        } else {
                struct nsk_reply rep;

                r = nsk_reply_decode(m->b, m->len, &rep);
                nsk_reply_done(&rep);
        }
        return r;
}

/* Where a type belongs, one copy decodes and a second one is refused
 * unless the type is repeatable, in requests and replies alike. */
static void test_table_repeats(void **state)
{
        for (uint16_t t = 0; t < NSK_A_MAX; t++) {
                const struct nsk_attr_policy *p = nsk_attr_policy(t);

                for (enum place pl = 0; p && pl < PLACE_MAX; pl++) {
                        struct mb m;
                        int r;

                        if (!(p->where & place_bits[pl]))
                                continue;
                        mb_placed(&m, pl, t, 1, true);
                        r = decode_placed(&m, pl);
                        if (r != 0)
                                fail_msg("%s in place %d: %d", p->name, pl, r);
                        mb_placed(&m, pl, t, 2, true);
                        r = decode_placed(&m, pl);
                        if (r != (p->repeatable ? 0 : -EBADMSG))
                                fail_msg("%s twice in place %d: %d", p->name, pl, r);
                }
        }
}

/* Where a type does not belong, a request refuses it and a reply skips
 * it, whatever it holds. */
static void test_table_places(void **state)
{
        for (uint16_t t = 0; t < NSK_A_MAX; t++) {
                const struct nsk_attr_policy *p = nsk_attr_policy(t);

                for (enum place pl = 0; p && pl < PLACE_MAX; pl++) {
                        int want =
                                pl == PLACE_REQUEST || pl == PLACE_REQUEST_NETWORK ? -EBADMSG : 0;
                        struct mb m;
                        int r;

                        if (p->where & place_bits[pl])
                                continue;
                        mb_placed(&m, pl, t, 1, true);
                        r = decode_placed(&m, pl);
                        if (r != want)
                                fail_msg("%s out of place %d: %d", p->name, pl, r);
                        mb_placed(&m, pl, t, 2, false);
                        r = decode_placed(&m, pl);
                        if (r != want)
                                fail_msg("%s malformed, twice, out of place %d: %d", p->name, pl,
                                         r);
                }
        }
}

/* Words for people have a bound too; over it, the reply is malformed. */
static void test_reply_long_state_reason(void **state)
{
        char reason[NSK_MESSAGE_MAX + 1];
        struct nsk_reply r;
        struct mb m;
        size_t set;

        memset(reason, 'r', sizeof(reason));
        for (size_t len = NSK_MESSAGE_MAX - 1; len <= NSK_MESSAGE_MAX; len++) {
                mb_reply(&m, NSK_CMD_SHOW, 1);
                mb_u32(&m, NSK_A_ERRNO, 0);
                set = mb_nest(&m, NSK_A_SET);
                mb_str(&m, NSK_A_NAME, "web");
                mb_attr(&m, NSK_A_STATE_REASON, reason, len);
                mb_nest_end(&m, set);
                mb_done(&m);
                if (len < NSK_MESSAGE_MAX) {
                        assert_int_equal(nsk_reply_decode(m.b, m.len, &r), 0);
                        assert_int_equal(strlen(r.sets[0].state_reason), len);
                        nsk_reply_done(&r);
                } else
                        check_reply_error(&m, -EBADMSG);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_pin_names),
                cmocka_unit_test(test_request_round_trip),
                cmocka_unit_test(test_request_name_max),
                cmocka_unit_test(test_request_layout),
                cmocka_unit_test(test_request_protocol_md_example),
                cmocka_unit_test(test_request_truncated_header),
                cmocka_unit_test(test_request_len_mismatch),
                cmocka_unit_test(test_request_wrong_version),
                cmocka_unit_test(test_request_unknown_command),
                cmocka_unit_test(test_request_flags),
                cmocka_unit_test(test_request_unknown_attribute),
                cmocka_unit_test(test_request_duplicate_attribute),
                cmocka_unit_test(test_request_attribute_overrun),
                cmocka_unit_test(test_request_string_nul),
                cmocka_unit_test(test_request_name_length),
                cmocka_unit_test(test_request_bad_types),
                cmocka_unit_test(test_request_bad_pin),
                cmocka_unit_test(test_request_wrong_size_u32),
                cmocka_unit_test(test_request_encode_too_small),
                cmocka_unit_test(test_reply_error),
                cmocka_unit_test(test_reply_long_message),
                cmocka_unit_test(test_reply_fd_types),
                cmocka_unit_test(test_reply_set),
                cmocka_unit_test(test_reply_set_every_type),
                cmocka_unit_test(test_reply_multiple_sets_more),
                cmocka_unit_test(test_reply_sets_overflow),
                cmocka_unit_test(test_reply_missing_errno),
                cmocka_unit_test(test_reply_bad_errno),
                cmocka_unit_test(test_reply_flag_missing),
                cmocka_unit_test(test_reply_bad_header),
                cmocka_unit_test(test_reply_bad_fds),
                cmocka_unit_test(test_reply_bad_message),
                cmocka_unit_test(test_reply_bad_set),
                cmocka_unit_test(test_reply_bad_path),
                cmocka_unit_test(test_reply_path_length),
                cmocka_unit_test(test_reply_nested_overrun),
                cmocka_unit_test(test_reply_unknown_skipped),
                cmocka_unit_test(test_request_settings_round_trip),
                cmocka_unit_test(test_request_repeated_settings),
                cmocka_unit_test(test_request_bad_settings),
                cmocka_unit_test(test_reply_set_state_settings),
                cmocka_unit_test(test_reply_unknown_state),
                cmocka_unit_test(test_reply_set_bad_name),
                cmocka_unit_test(test_request_adopt),
                cmocka_unit_test(test_request_adopt_bad),
                cmocka_unit_test(test_table_repeats),
                cmocka_unit_test(test_table_places),
                cmocka_unit_test(test_reply_long_state_reason),
                cmocka_unit_test(test_reply_set_damaged),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
