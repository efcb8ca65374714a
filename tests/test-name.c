/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for common/name.c: which set names are accepted. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "name.h"
#include "util.h"

static void test_valid(void **state)
{
        static const char *const good[] = {
                "a",     "Z",           "0",    "_",  "web", "web-1",     "web_1",
                "a.b",   "a..b",        "a.",   "a-", "a--", "_hidden",   "0day",
                "9.9.9", "A-Z_a-z.0-9", "x...", "_.", "_-",  "CamelCase", "net.prod.eu-west-1",
        };

        for (size_t i = 0; i < ELEMENTSOF(good); i++) {
                if (!name_is_valid(good[i]))
                        fail_msg("'%s' refused", good[i]);
        }
}

static void check_invalid(const char *const *bad, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                if (name_is_valid(bad[i]))
                        fail_msg("'%s' (entry %zu) accepted", bad[i], i);
        }
}

static void test_empty_and_null(void **state)
{
        assert_false(name_is_valid(NULL));
        assert_false(name_is_valid(""));
}

/* Never a path component with a meaning of its own, never a hidden file
 * or something a command line takes for an option. */
static void test_leading_dot_or_dash(void **state)
{
        static const char *const bad[] = {
                ".", "..", "...", ".hidden", ".a.b", "-x", "-", "--", "--help", "-.",
        };

        check_invalid(bad, ELEMENTSOF(bad));
}

static void test_path_like(void **state)
{
        static const char *const bad[] = {
                "a/b", "/", "/a", "a/", "../x", "./x", "a/../b", "a\\b", "~a", "a~",
        };

        check_invalid(bad, ELEMENTSOF(bad));
}

static void test_whitespace_and_control(void **state)
{
        static const char *const bad[] = {
                "a b", " a", "a ", "a\n", "\n", "a\tb", "a\rb", "a\x7f", "a\x01", "\x1b[31m",
        };

        check_invalid(bad, ELEMENTSOF(bad));
}

/* UTF-8 e acute, a zero-width space, a fullwidth A, stray bytes. */
static void test_non_ascii(void **state)
{
        static const char *const bad[] = {
                "caf\xc3\xa9", "\xc3\xa9", "a\xe2\x80\x8b", "\xef\xbc\xa1", "\xff", "a\x80",
        };

        check_invalid(bad, ELEMENTSOF(bad));
}

static void test_punctuation(void **state)
{
        static const char *const bad[] = {
                "a:b", "a@b", "a*b", "a?b", "a,b", "$(x)", "a;b", "a'b", "a\"b", "a+b",
                "a=b", "a%b", "a#b", "[a]", "{a}", "a`b",  "a|b", "a&b", "a!b",  "a<b>",
        };

        check_invalid(bad, ELEMENTSOF(bad));
}

static void test_length(void **state)
{
        char s[NSK_NAME_MAX + 8];

        assert_int_equal(NSK_NAME_MAX, 64);

        memset(s, 'a', sizeof(s));
        s[64] = '\0';
        assert_true(name_is_valid(s));
        s[63] = '.';
        assert_true(name_is_valid(s));
        s[63] = 'a';

        memset(s, 'a', sizeof(s));
        s[65] = '\0';
        assert_false(name_is_valid(s));

        memset(s, 'a', sizeof(s));
        s[sizeof(s) - 1] = '\0';
        assert_false(name_is_valid(s));
}

static bool allowed(unsigned char c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '.' || c == '-';
}

/* Every byte, alone, first and later in a name; catches off-by-one range
 * checks ('@' '[' '`' '{' '/' ':' sit next to the allowed ranges) and
 * bytes >= 0x80 seen through a signed char. */
static void test_every_byte(void **state)
{
        for (unsigned c = 1; c < 256; c++) {
                char alone[2] = { (char) c, '\0' };
                char first[3] = { (char) c, 'a', '\0' };
                char later[4] = { 'a', (char) c, 'b', '\0' };
                bool ok = allowed((unsigned char) c);
                bool ok_first = ok && c != '.' && c != '-';

                if (name_is_valid(alone) != ok_first)
                        fail_msg("byte 0x%02x alone: %d", c, !ok_first);
                if (name_is_valid(first) != ok_first)
                        fail_msg("byte 0x%02x first: %d", c, !ok_first);
                if (name_is_valid(later) != ok)
                        fail_msg("byte 0x%02x inside: %d", c, !ok);
        }
}

/* UID/NAME: how root names another user's set. */
static void test_full_names(void **state)
{
        static const char *const good[] = { "web", "4242/web", "1/a", "4294967294/x.y-z" };
        static const char *const bad[] = {
                "0/web",     "04242/web", "4294967295/web", "4294967296/web", "/web",      "4242/",
                "4242/.web", "a/web",     "4242/web/x",     "-1/web",         "4242//web", "",
        };
        const char *name;
        uint32_t owner;

        for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
                if (!name_full_is_valid(good[i]))
                        fail_msg("'%s' should be a valid full name", good[i]);
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                if (name_full_is_valid(bad[i]))
                        fail_msg("'%s' should not be a valid full name", bad[i]);
        assert_false(name_full_is_valid(NULL));

        assert_false(name_split("web", &owner, &name));
        assert_string_equal(name, "web");
        assert_true(name_split("4242/web", &owner, &name));
        assert_int_equal(owner, 4242);
        assert_string_equal(name, "web");
}

/* Keys: NAME for root's sets, ~UID~NAME for others', never the same. */
static void test_keys(void **state)
{
        char key[NAME_KEY_MAX + 1], longest[NSK_NAME_MAX + 1];
        const char *name;
        uint32_t owner;

        assert_int_equal(name_key_make(0, "web", key, sizeof(key)), 0);
        assert_string_equal(key, "web");
        assert_int_equal(name_key_make(4242, "web", key, sizeof(key)), 0);
        assert_string_equal(key, "~4242~web");
        assert_true(name_key_parse(key, &owner, &name));
        assert_int_equal(owner, 4242);
        assert_string_equal(name, "web");
        assert_true(name_key_parse("web", &owner, &name));
        assert_int_equal(owner, 0);

        memset(longest, 'x', NSK_NAME_MAX);
        longest[NSK_NAME_MAX] = '\0';
        assert_int_equal(name_key_make(4294967294u, longest, key, sizeof(key)), 0);
        assert_true(name_key_parse(key, &owner, &name));
        assert_int_equal(owner, 4294967294u);
        assert_int_equal(name_key_make(4294967294u, longest, key, sizeof(key) - 1), -ENAMETOOLONG);

        assert_false(name_key_parse("~0~web", &owner, &name));
        assert_false(name_key_parse("~4242web", &owner, &name));
        assert_false(name_key_parse("~4242~", &owner, &name));
        assert_false(name_key_parse("~4242~.x", &owner, &name));
        assert_false(name_key_parse("~~web", &owner, &name));
        assert_false(name_key_parse("4242/web", &owner, &name));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_valid),
                cmocka_unit_test(test_empty_and_null),
                cmocka_unit_test(test_leading_dot_or_dash),
                cmocka_unit_test(test_path_like),
                cmocka_unit_test(test_whitespace_and_control),
                cmocka_unit_test(test_non_ascii),
                cmocka_unit_test(test_punctuation),
                cmocka_unit_test(test_length),
                cmocka_unit_test(test_every_byte),
                cmocka_unit_test(test_full_names),
                cmocka_unit_test(test_keys),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
