/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for common/attr.c: the header, the attribute writer and
 * reader, and the attribute table the decoders check messages against. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "attr.h"
#include "mb.h"
#include "nskeeper.h"
#include "util.h"

#define CMD 3 /* any command: this layer does not read it */

/* --- the writer --- */

static void test_writer_overflow_sticky(void **state)
{
        uint8_t buf[NSK_HDR_SIZE + 8 + 64];
        struct nsk_writer w;
        size_t len;

        /* Exactly full is fine. */
        nsk_writer_init(&w, buf, NSK_HDR_SIZE + 8, CMD, 1, 0);
        nsk_put_u32(&w, NSK_A_PIN, 1);
        assert_int_equal(nsk_writer_finish(&w), NSK_HDR_SIZE + 8);

        /* One more byte than fits; later small attributes that would fit
         * are not written either, so no message has a hole. */
        nsk_writer_init(&w, buf, sizeof(buf), CMD, 1, 0);
        nsk_put_u32(&w, NSK_A_PIN, 1);
        len = w.len;
        nsk_put(&w, NSK_A_NAME, "0123456789012345678901234567890123456789012345678901234567890",
                61);
        assert_int_equal(w.err, -EMSGSIZE);
        assert_int_equal(w.len, len);
        nsk_put_u32(&w, NSK_A_PIN, 1);
        nsk_put_str(&w, NSK_A_NAME, "");
        nsk_nest_end(&w, nsk_nest_begin(&w, NSK_A_SET));
        assert_int_equal(w.len, len);
        assert_int_equal(nsk_writer_finish(&w), -EMSGSIZE);
        assert_int_equal(nsk_writer_finish(&w), -EMSGSIZE);

        /* An attribute longer than its 16-bit length field can say. */
        {
                static uint8_t big[NSK_MSG_MAX];
                static uint8_t data[UINT16_MAX];

                nsk_writer_init(&w, big, sizeof(big), CMD, 1, 0);
                nsk_put(&w, NSK_A_MESSAGE, data, UINT16_MAX - 3);
                assert_int_equal(nsk_writer_finish(&w), -EMSGSIZE);

                nsk_writer_init(&w, big, sizeof(big), CMD, 1, 0);
                nsk_put(&w, NSK_A_MESSAGE, data, NSK_MSG_MAX - NSK_HDR_SIZE - 4);
                assert_int_equal(nsk_writer_finish(&w), NSK_MSG_MAX);
        }

        /* A buffer too small for the header. */
        nsk_writer_init(&w, buf, NSK_HDR_SIZE - 1, CMD, 1, 0);
        nsk_put_u32(&w, NSK_A_PIN, 1);
        assert_int_equal(nsk_writer_finish(&w), -EMSGSIZE);
}

static void test_writer_padding(void **state)
{
        uint8_t buf[64];
        struct nsk_writer w;

        memset(buf, 0xAA, sizeof(buf));
        nsk_writer_init(&w, buf, sizeof(buf), CMD, 1, 0);
        nsk_put_str(&w, NSK_A_NAME, "a");
        nsk_put_str(&w, NSK_A_NAME, "ab");
        nsk_put_str(&w, NSK_A_NAME, "abc");
        nsk_put_str(&w, NSK_A_NAME, "abcd");
        assert_int_equal(nsk_writer_finish(&w), NSK_HDR_SIZE + 4 * 8);
        assert_memory_equal(buf + NSK_HDR_SIZE + 4, "a\0\0\0", 4);
        assert_memory_equal(buf + NSK_HDR_SIZE + 12, "ab\0\0", 4);
        assert_memory_equal(buf + NSK_HDR_SIZE + 20, "abc\0", 4);
        assert_memory_equal(buf + NSK_HDR_SIZE + 28, "abcd", 4);
        assert_int_equal(buf[NSK_HDR_SIZE + 32], 0xAA);
}

/* The header as the writer puts it, and the length finish() fills in. */
static void test_writer_header(void **state)
{
        uint8_t buf[64];
        struct nsk_writer w;
        struct nsk_hdr h;

        memset(buf, 0xAA, sizeof(buf));
        nsk_writer_init(&w, buf, sizeof(buf), 0x1234, 0xdeadbeef, 0x3);
        nsk_put_u32(&w, 7, 42);
        assert_int_equal(nsk_writer_finish(&w), NSK_HDR_SIZE + 8);
        memcpy(&h, buf, sizeof(h));
        assert_int_equal(h.version, NSK_PROTO_VERSION);
        assert_int_equal(h.cmd, 0x1234);
        assert_int_equal(h.id, 0xdeadbeef);
        assert_int_equal(h.flags, 0x3);
        assert_int_equal(h.len, NSK_HDR_SIZE + 8);

        /* A buffer larger than a message could be is refused too: the
         * message would not fit in one datagram. */
        {
                static uint8_t big[NSK_MSG_MAX + 1];

                nsk_writer_init(&w, big, sizeof(big), CMD, 1, 0);
                assert_int_equal(nsk_writer_finish(&w), -EMSGSIZE);
        }
}

/* Nests: the outer length covers the inner attributes and their padding. */
static void test_writer_nest(void **state)
{
        uint8_t buf[128];
        struct nsk_writer w;
        struct nsk_attr_iter it;
        struct nsk_attr a, inner;
        size_t outer, mid;
        uint32_t v;
        int n;

        nsk_writer_init(&w, buf, sizeof(buf), CMD, 1, 0);
        outer = nsk_nest_begin(&w, 6);
        nsk_put_str(&w, 1, "web");
        mid = nsk_nest_begin(&w, 7);
        nsk_put_u32(&w, 8, 0x40000000);
        nsk_nest_end(&w, mid);
        nsk_nest_end(&w, outer);
        nsk_put_u32(&w, 4, 0);
        n = nsk_writer_finish(&w);
        assert_int_equal(n, NSK_HDR_SIZE + 4 + 8 + 4 + 8 + 8);

        nsk_attr_iter_init(&it, buf + NSK_HDR_SIZE, (size_t) n - NSK_HDR_SIZE);
        assert_int_equal(nsk_attr_next(&it, &a), 1);
        assert_int_equal(a.type, 6);
        assert_int_equal(a.len, 8 + 4 + 8);
        nsk_attr_iter_init(&it, a.data, a.len);
        assert_int_equal(nsk_attr_next(&it, &inner), 1);
        assert_int_equal(inner.type, 1);
        assert_int_equal(nsk_attr_next(&it, &inner), 1);
        assert_int_equal(inner.type, 7);
        assert_int_equal(inner.len, 8);
        assert_int_equal(nsk_attr_next(&it, &inner), 0);

        /* An empty nest is an attribute of length 0. */
        nsk_writer_init(&w, buf, sizeof(buf), CMD, 1, 0);
        nsk_nest_end(&w, nsk_nest_begin(&w, 6));
        n = nsk_writer_finish(&w);
        assert_int_equal(n, NSK_HDR_SIZE + 4);
        nsk_attr_iter_init(&it, buf + NSK_HDR_SIZE, 4);
        assert_int_equal(nsk_attr_next(&it, &a), 1);
        assert_int_equal(a.len, 0);
        assert_int_equal(nsk_attr_u32(&a, &v), -EBADMSG);
}

/* --- the header --- */

static void test_hdr_parse(void **state)
{
        struct nsk_hdr h;
        struct mb m;

        mb_hdr(&m, NSK_PROTO_VERSION, CMD, 77, 0x2);
        mb_u32(&m, 4, 0);
        mb_done(&m);
        assert_int_equal(nsk_hdr_parse(m.b, m.len, &h), 0);
        assert_int_equal(h.cmd, CMD);
        assert_int_equal(h.id, 77);
        assert_int_equal(h.flags, 0x2);
        assert_int_equal(h.len, m.len);

        for (size_t len = 0; len < NSK_HDR_SIZE; len++)
                assert_int_equal(nsk_hdr_parse(m.b, len, &h), -EBADMSG);
        /* The datagram must be exactly as long as the header says. */
        assert_int_equal(nsk_hdr_parse(m.b, m.len - 4, &h), -EBADMSG);
        assert_int_equal(nsk_hdr_parse(m.b, m.len + 4, &h), -EBADMSG);

        /* Another version: said so, with the header read, so that the
         * answer can carry the id. */
        mb_set16(&m, 0, NSK_PROTO_VERSION + 1);
        assert_int_equal(nsk_hdr_parse(m.b, m.len, &h), -EPROTO);
        assert_int_equal(h.id, 77);

        /* Beyond the limit, even if the header agrees. */
        mb_hdr(&m, NSK_PROTO_VERSION, CMD, 78, 0);
        m.len = NSK_MSG_MAX + 4;
        mb_done(&m);
        assert_int_equal(nsk_hdr_parse(m.b, m.len, &h), -EBADMSG);
        m.len = NSK_MSG_MAX;
        mb_done(&m);
        assert_int_equal(nsk_hdr_parse(m.b, m.len, &h), 0);
}

/* --- the reader --- */

/* Every attribute of the message in m after its header: 1 each, then
 * the iterator's last word. */
static int iter_all(const struct mb *m, unsigned *ret_n)
{
        struct nsk_attr_iter it;
        struct nsk_attr a;
        int r;

        *ret_n = 0;
        nsk_attr_iter_init(&it, m->b + NSK_HDR_SIZE, m->len - NSK_HDR_SIZE);
        while ((r = nsk_attr_next(&it, &a)) > 0)
                (*ret_n)++;
        return r;
}

static void test_iter(void **state)
{
        struct nsk_attr_iter it;
        struct nsk_attr a;
        struct mb m;
        unsigned n;

        /* None at all. */
        mb_hdr(&m, NSK_PROTO_VERSION, CMD, 1, 0);
        assert_int_equal(iter_all(&m, &n), 0);
        assert_int_equal(n, 0);

        /* Empty values, odd lengths, each padded. */
        mb_attr(&m, 1, NULL, 0);
        mb_attr(&m, 2, "a", 1);
        mb_attr(&m, 3, "abcde", 5);
        mb_attr(&m, 0xffff, "abcd", 4);
        assert_int_equal(m.len, NSK_HDR_SIZE + 4 + 8 + 12 + 8);
        assert_int_equal(iter_all(&m, &n), 0);
        assert_int_equal(n, 4);
        nsk_attr_iter_init(&it, m.b + NSK_HDR_SIZE + 12, 12);
        assert_int_equal(nsk_attr_next(&it, &a), 1);
        assert_int_equal(a.type, 3);
        assert_int_equal(a.len, 5);
        assert_memory_equal(a.data, "abcde", 5);
        assert_int_equal(nsk_attr_next(&it, &a), 0);

        /* A length beyond what is left. */
        mb_hdr(&m, NSK_PROTO_VERSION, CMD, 1, 0);
        mb_u32(&m, 4, 0);
        mb_raw(&m, 1, 8, "abcd", 4, true);
        assert_int_equal(iter_all(&m, &n), -EBADMSG);
        assert_int_equal(n, 1);

        /* The last attribute's padding is not optional. */
        mb_hdr(&m, NSK_PROTO_VERSION, CMD, 1, 0);
        mb_raw(&m, 1, 3, "web", 3, false);
        assert_int_equal(iter_all(&m, &n), -EBADMSG);
        assert_int_equal(n, 0);

        /* A trailing fragment shorter than an attribute header. */
        for (size_t extra = 1; extra < 4; extra++) {
                mb_hdr(&m, NSK_PROTO_VERSION, CMD, 1, 0);
                mb_u32(&m, 4, 0);
                m.len += extra;
                assert_int_equal(iter_all(&m, &n), -EBADMSG);
                assert_int_equal(n, 1);
        }
}

static void test_accessors(void **state)
{
        static const uint8_t bytes[9] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
        struct nsk_attr a = { .type = 1, .data = bytes };
        uint32_t v32 = 0;
        uint64_t v64 = 0;
        char buf[4];

        for (a.len = 0; a.len <= 9; a.len++) {
                assert_int_equal(nsk_attr_u32(&a, &v32), a.len == 4 ? 0 : -EBADMSG);
                assert_int_equal(nsk_attr_u64(&a, &v64), a.len == 8 ? 0 : -EBADMSG);
        }
        assert_int_equal(v32, 0x04030201u);
        assert_true(v64 == 0x0807060504030201ull);

        a = (struct nsk_attr) { .type = 1, .len = 3, .data = (const uint8_t *) "abc" };
        assert_int_equal(nsk_attr_str(&a, buf, sizeof(buf)), 0);
        assert_string_equal(buf, "abc");
        /* No room for the NUL. */
        assert_int_equal(nsk_attr_str(&a, buf, 3), -ENAMETOOLONG);
        a.len = 0;
        assert_int_equal(nsk_attr_str(&a, buf, sizeof(buf)), 0);
        assert_string_equal(buf, "");
        /* "a" would be checked and "a\0b" used. */
        a = (struct nsk_attr) { .type = 1, .len = 3, .data = (const uint8_t *) "a\0b" };
        assert_int_equal(nsk_attr_str(&a, buf, sizeof(buf)), -EBADMSG);
}

/* --- the attribute table --- */

static void test_table_rows(void **state)
{
        static const uint16_t none[] = { 0, NSK_A_MAX, 64, 0xffff };

        for (size_t i = 0; i < ELEMENTSOF(none); i++)
                assert_null(nsk_attr_policy(none[i]));

        /* No gap: every number below NSK_A_MAX is an attribute. */
        for (uint16_t t = 1; t < NSK_A_MAX; t++) {
                const struct nsk_attr_policy *p = nsk_attr_policy(t);

                assert_non_null(p);
                assert_true(p->kind >= 0 && p->kind < NSK_KIND_MAX);
                assert_true(p->where != 0);
                assert_true(p->min_len <= p->max_len);
                switch (p->kind) {
                case NSK_KIND_U32:
                        assert_true(p->min_len == 4 && p->max_len == 4);
                        break;
                case NSK_KIND_U64:
                        assert_true(p->min_len == 8 && p->max_len == 8);
                        break;
                case NSK_KIND_U32_ARRAY:
                        assert_true(p->item > 0 && p->item % 4 == 0);
                        assert_int_equal(p->min_len % p->item, 0);
                        assert_int_equal(p->max_len % p->item, 0);
                        break;
                case NSK_KIND_STRING:
                case NSK_KIND_TEXT:
                        assert_int_equal(p->min_len, 0);
                        break;
                default:
                        break;
                }
                for (uint16_t u = 1; u < t; u++)
                        if (streq(nsk_attr_policy(u)->name, p->name))
                                fail_msg("%s is the name of %u and %u", p->name, u, t);
        }
}

static int check(uint16_t type, const void *data, size_t len)
{
        struct nsk_attr a = { .type = type, .len = (uint16_t) len, .data = data };

        return nsk_attr_check(&a);
}

/* At and just beyond the bounds of each row, as each kind reads them. */
static void test_table_check(void **state)
{
        static uint8_t zeros[UINT16_MAX];
        static char text[UINT16_MAX];

        memset(text, 't', sizeof(text));
        for (uint16_t t = 1; t < NSK_A_MAX; t++) {
                const struct nsk_attr_policy *p = nsk_attr_policy(t);
                size_t max = p->max_len;

                switch (p->kind) {
                case NSK_KIND_U32:
                case NSK_KIND_U64:
                        assert_int_equal(check(t, zeros, max), 0);
                        assert_int_equal(check(t, zeros, max - 1), -EBADMSG);
                        assert_int_equal(check(t, zeros, max + 1), -EBADMSG);
                        assert_int_equal(check(t, zeros, 0), -EBADMSG);
                        break;
                case NSK_KIND_STRING:
                case NSK_KIND_TEXT:
                        assert_int_equal(check(t, text, 0), 0);
                        assert_int_equal(check(t, text, max), 0);
                        assert_int_equal(check(t, text, max + 1),
                                         p->kind == NSK_KIND_STRING ? -ENAMETOOLONG : -EBADMSG);
                        /* A NUL is malformed, whatever the length. */
                        assert_int_equal(check(t, "a\0b", 3), -EBADMSG);
                        assert_int_equal(check(t, zeros, max + 1), -EBADMSG);
                        break;
                case NSK_KIND_U32_ARRAY:
                        assert_int_equal(check(t, zeros, p->min_len), 0);
                        assert_int_equal(check(t, zeros, max), 0);
                        assert_int_equal(check(t, zeros, max + p->item), -EBADMSG);
                        assert_int_equal(check(t, zeros, p->min_len + p->item + 1), -EBADMSG);
                        if (p->min_len > 0)
                                assert_int_equal(check(t, zeros, p->min_len - p->item), -EBADMSG);
                        break;
                case NSK_KIND_NESTED:
                        /* What is inside is the nest's decoder's to read. */
                        assert_int_equal(check(t, zeros, 0), 0);
                        assert_int_equal(check(t, zeros, 3), 0);
                        assert_int_equal(check(t, zeros, UINT16_MAX), 0);
                        break;
                default:
                        fail_msg("%s: kind %d", p->name, p->kind);
                }
        }
        assert_int_equal(check(0, zeros, 4), -EBADMSG);
        assert_int_equal(check(NSK_A_MAX, zeros, 4), -EBADMSG);
}

static void test_table_accept(void **state)
{
        uint32_t v = 0;
        struct nsk_attr a = { .len = sizeof(v), .data = (const uint8_t *) &v };
        uint64_t seen = 0;

        /* Unknown, or not at home here: 0, and not counted as seen. */
        a.type = 0;
        assert_int_equal(nsk_attr_accept(&a, NSK_IN_REQUEST, &seen), 0);
        a.type = NSK_A_MAX;
        assert_int_equal(nsk_attr_accept(&a, NSK_IN_REPLY, &seen), 0);
        a.type = NSK_A_ERRNO;
        assert_int_equal(nsk_attr_accept(&a, NSK_IN_REQUEST, &seen), 0);
        assert_int_equal(nsk_attr_accept(&a, NSK_IN_SET, &seen), 0);
        assert_true(seen == 0);

        /* Once; twice is refused. */
        assert_int_equal(nsk_attr_accept(&a, NSK_IN_REPLY, &seen), 1);
        assert_true(seen == NSK_ATTR_BIT(NSK_A_ERRNO));
        assert_int_equal(nsk_attr_accept(&a, NSK_IN_REPLY, &seen), -EBADMSG);

        /* Repeatable: as often as it comes. */
        a = (struct nsk_attr) { .type = NSK_A_SYSCTL, .len = 7, .data = (const uint8_t *) "net.a=1" };
        for (int i = 0; i < 3; i++)
                assert_int_equal(nsk_attr_accept(&a, NSK_IN_SET, &seen), 1);
        assert_true(seen == (NSK_ATTR_BIT(NSK_A_ERRNO) | NSK_ATTR_BIT(NSK_A_SYSCTL)));

        /* Malformed: the check's word, and not seen, so nothing is taken. */
        a = (struct nsk_attr) { .type = NSK_A_PIN, .len = 2, .data = (const uint8_t *) &v };
        assert_int_equal(nsk_attr_accept(&a, NSK_IN_REQUEST, &seen), -EBADMSG);
        assert_false(seen & NSK_ATTR_BIT(NSK_A_PIN));
        a = (struct nsk_attr) { .type = NSK_A_NS_PATH, .len = 4, .data = (const uint8_t *) "/x\0y" };
        assert_int_equal(nsk_attr_accept(&a, NSK_IN_NS, &seen), -EBADMSG);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_writer_overflow_sticky),
                cmocka_unit_test(test_writer_padding),
                cmocka_unit_test(test_writer_header),
                cmocka_unit_test(test_writer_nest),
                cmocka_unit_test(test_hdr_parse),
                cmocka_unit_test(test_iter),
                cmocka_unit_test(test_accessors),
                cmocka_unit_test(test_table_rows),
                cmocka_unit_test(test_table_check),
                cmocka_unit_test(test_table_accept),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
