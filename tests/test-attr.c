/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for common/attr.c: the header, the attribute writer and
 * reader, the attribute table, and the table in common/PROTOCOL.md,
 * which must say what the code's table says. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
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
        a = (struct nsk_attr) { .type = NSK_A_SYSCTL, .len = 7 };
        a.data = (const uint8_t *) "net.a=1";
        for (int i = 0; i < 3; i++)
                assert_int_equal(nsk_attr_accept(&a, NSK_IN_SET, &seen), 1);
        assert_true(seen == (NSK_ATTR_BIT(NSK_A_ERRNO) | NSK_ATTR_BIT(NSK_A_SYSCTL)));

        /* Malformed: the check's word, and not seen, so nothing is taken. */
        a = (struct nsk_attr) { .type = NSK_A_PIN, .len = 2, .data = (const uint8_t *) &v };
        assert_int_equal(nsk_attr_accept(&a, NSK_IN_REQUEST, &seen), -EBADMSG);
        assert_false(seen & NSK_ATTR_BIT(NSK_A_PIN));
        a = (struct nsk_attr) { .type = NSK_A_NS_PATH, .len = 4 };
        a.data = (const uint8_t *) "/x\0y";
        assert_int_equal(nsk_attr_accept(&a, NSK_IN_NS, &seen), -EBADMSG);
}

/* --- common/PROTOCOL.md says what the table says --- */

static const char *const kind_words[NSK_KIND_MAX] = {
        [NSK_KIND_U32] = "u32",   [NSK_KIND_U64] = "u64",         [NSK_KIND_STRING] = "string",
        [NSK_KIND_TEXT] = "text", [NSK_KIND_U32_ARRAY] = "u32[]", [NSK_KIND_NESTED] = "nested",
};

static const struct {
        const char *word;
        unsigned bit;
} place_words[] = {
        { "request", NSK_IN_REQUEST }, { "reply", NSK_IN_REPLY },     { "SET", NSK_IN_SET },
        { "NS", NSK_IN_NS },           { "NETWORK", NSK_IN_NETWORK },
};

static const char *const columns[] = {
        "type", "name", "kind", "length", "where", "repeatable", "meaning",
};

/* The whole file, NUL-terminated; make check says where the sources are
 * (NSK_SRCDIR), and a hand-run test binary knows where it was built from. */
static char *read_protocol_md(void)
{
        const char *dir = getenv("NSK_SRCDIR") ?: NSK_SRCDIR_DEFAULT;
        char path[4096], *text;
        FILE *f;
        long n;

        snprintf(path, sizeof(path), "%s/common/PROTOCOL.md", dir);
        f = fopen(path, "re");
        if (!f)
                fail_msg("cannot open %s: %s", path, strerror(errno));
        assert_int_equal(fseek(f, 0, SEEK_END), 0);
        n = ftell(f);
        assert_true(n > 0);
        rewind(f);
        text = malloc((size_t) n + 1);
        assert_non_null(text);
        assert_int_equal(fread(text, 1, (size_t) n, f), (size_t) n);
        text[n] = '\0';
        fclose(f);
        return text;
}

static char *trim(char *s)
{
        char *end;

        while (*s == ' ')
                s++;
        end = s + strlen(s);
        while (end > s && end[-1] == ' ')
                *--end = '\0';
        return s;
}

/* Splits "| a | b \| c |" into its trimmed cells, in place ("\|" is a
 * '|' inside a cell); returns how many there are, at most max. */
static size_t split_row(char *line, char **cells, size_t max)
{
        size_t n = 0;
        char *start = line + 1;

        for (char *p = start; *p && n < max; p++) {
                if (*p == '\\' && p[1]) {
                        p++;
                        continue;
                }
                if (*p != '|')
                        continue;
                *p = '\0';
                cells[n++] = trim(start);
                start = p + 1;
        }
        return n;
}

/* "4", "0-75", "12-192, a multiple of 12" or "any" as min, max, item. */
static bool parse_length(const char *s, unsigned *min, unsigned *max, unsigned *item)
{
        int end = 0;

        *item = 0;
        if (streq(s, "any")) {
                *min = 0;
                *max = UINT16_MAX;
                return true;
        }
        if (sscanf(s, "%u-%u, a multiple of %u%n", min, max, item, &end) == 3 && !s[end])
                return true;
        *item = 0;
        if (sscanf(s, "%u-%u%n", min, max, &end) == 2 && !s[end])
                return true;
        if (sscanf(s, "%u%n", min, &end) == 1 && !s[end]) {
                *max = *min;
                return true;
        }
        return false;
}

static unsigned parse_where(const char *s)
{
        unsigned where = 0;
        char buf[128], *save = NULL;

        snprintf(buf, sizeof(buf), "%s", s);
        for (char *w = strtok_r(buf, ", ", &save); w; w = strtok_r(NULL, ", ", &save)) {
                size_t i;

                for (i = 0; i < ELEMENTSOF(place_words); i++)
                        if (streq(w, place_words[i].word))
                                break;
                if (i == ELEMENTSOF(place_words))
                        return 0;
                where |= place_words[i].bit;
        }
        return where;
}

/* The places in where as PROTOCOL.md names them. */
static const char *where_words(unsigned where, char *buf, size_t size)
{
        size_t len = 0;

        buf[0] = '\0';
        for (size_t i = 0; i < ELEMENTSOF(place_words); i++)
                if (where & place_words[i].bit)
                        len += (size_t) snprintf(buf + len, size - len, "%s%s", len ? ", " : "",
                                                 place_words[i].word);
        return buf;
}

/* One row of the table: number, name, kind, length, where, repeatable. */
static void check_row(char **cells)
{
        const struct nsk_attr_policy *p;
        unsigned long type;
        unsigned min, max, item, where;
        char *end;

        type = strtoul(cells[0], &end, 10);
        p = *end || type > UINT16_MAX ? NULL : nsk_attr_policy((uint16_t) type);
        if (!p)
                fail_msg("PROTOCOL.md: type '%s' is no attribute of common/attr.c", cells[0]);
        if (!streq(cells[1], p->name))
                fail_msg("PROTOCOL.md: type %lu is called %s, attr.c calls it %s", type, cells[1],
                         p->name);
        if (!streq(cells[2], kind_words[p->kind]))
                fail_msg("PROTOCOL.md: %s is of kind '%s', attr.c says %s", p->name, cells[2],
                         kind_words[p->kind]);
        if (!parse_length(cells[3], &min, &max, &item))
                fail_msg("PROTOCOL.md: %s: cannot read the length '%s'", p->name, cells[3]);
        if (min != p->min_len || max != p->max_len || item != p->item)
                fail_msg("PROTOCOL.md: %s is %s bytes long; attr.c says %u-%u (items of %u)",
                         p->name, cells[3], p->min_len, p->max_len, p->item);
        where = parse_where(cells[4]);
        if (where != p->where) {
                char words[64];

                fail_msg("PROTOCOL.md: %s stands in '%s'; attr.c says %s", p->name, cells[4],
                         where_words(p->where, words, sizeof(words)));
        }
        if (!streq(cells[5], p->repeatable ? "yes" : "no"))
                fail_msg("PROTOCOL.md: %s repeatable '%s'; attr.c says %s", p->name, cells[5],
                         p->repeatable ? "yes" : "no");
}

static void test_protocol_md(void **state)
{
        char *text = read_protocol_md(), *save = NULL;
        unsigned long last = 0;
        uint64_t documented = 0;
        bool in_section = false, header = false;

        for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char *cells[ELEMENTSOF(columns) + 1] = { NULL };
                size_t n;

                if (strncmp(line, "## ", 3) == 0) {
                        in_section = streq(line, "## Attributes");
                        continue;
                }
                if (!in_section || line[0] != '|')
                        continue;
                n = split_row(line, cells, ELEMENTSOF(cells));
                if (n == 0)
                        fail_msg("PROTOCOL.md: not a table row: %s", line);
                if (streq(cells[0], "type")) {
                        /* The columns the rows are read by. */
                        assert_int_equal(n, ELEMENTSOF(columns));
                        for (size_t i = 0; i < n; i++)
                                assert_string_equal(cells[i], columns[i]);
                        header = true;
                        continue;
                }
                if (cells[0][0] == '-' || cells[0][0] == ':')
                        continue; /* the line under the header */
                if (!header)
                        fail_msg("PROTOCOL.md: a row before the attribute table's header: %s",
                                 cells[0]);
                if (n != ELEMENTSOF(columns))
                        fail_msg("PROTOCOL.md: the row of type %s has %zu cells", cells[0], n);
                check_row(cells);
                /* Each type once, in order. */
                if (strtoul(cells[0], NULL, 10) <= last)
                        fail_msg("PROTOCOL.md: type %s comes after %lu", cells[0], last);
                last = strtoul(cells[0], NULL, 10);
                documented |= NSK_ATTR_BIT(last);
        }
        assert_true(header);
        for (uint16_t t = 1; t < NSK_A_MAX; t++)
                if (!(documented & NSK_ATTR_BIT(t)))
                        fail_msg("PROTOCOL.md: %s (type %u) is not in the attribute table",
                                 nsk_attr_policy(t)->name, t);
        free(text);
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
                cmocka_unit_test(test_protocol_md),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
