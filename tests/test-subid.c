/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for daemon/subid.c: what a subid file grants, and whose a
 * subordinate id is. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "subid.h"
#include "util.h"

static const char file[] = "alice:100000:65536\n"
                           "# not a range\n"
                           "4343:200000:10\n"
                           "bob:300000:5\n"
                           "bob:300005:5\n"
                           "broken:x:1\n"
                           "carol:400000:0\n";

static void test_covers(void **state)
{
        assert_true(subid_text_covers(file, "alice", 4242, 100000, 65536));
        assert_true(subid_text_covers(file, "alice", 4242, 165535, 1));
        assert_false(subid_text_covers(file, "alice", 4242, 165536, 1));
        assert_false(subid_text_covers(file, "alice", 4242, 99999, 2));
        /* By number too, and ranges of two lines joined. */
        assert_true(subid_text_covers(file, NULL, 4343, 200000, 10));
        assert_true(subid_text_covers(file, "bob", 4444, 300000, 10));
        assert_false(subid_text_covers(file, "bob", 4444, 300000, 11));
        /* Someone else's range, a count of 0, and nothing at all. */
        assert_false(subid_text_covers(file, "eve", 4545, 100000, 1));
        assert_false(subid_text_covers(file, "carol", 4646, 400000, 1));
        assert_false(subid_text_covers(file, "alice", 4242, 100000, 0));
}

static void test_owner(void **state)
{
        char user[64];

        assert_true(subid_text_owner(file, 100000, user, sizeof(user)));
        assert_string_equal(user, "alice");
        assert_true(subid_text_owner(file, 165535, user, sizeof(user)));
        assert_string_equal(user, "alice");
        assert_true(subid_text_owner(file, 200009, user, sizeof(user)));
        assert_string_equal(user, "4343");
        assert_true(subid_text_owner(file, 300007, user, sizeof(user)));
        assert_string_equal(user, "bob");
        /* In no range, in a range of 0, on a broken line. */
        assert_false(subid_text_owner(file, 165536, user, sizeof(user)));
        assert_false(subid_text_owner(file, 400000, user, sizeof(user)));
        assert_false(subid_text_owner(file, 4242, user, sizeof(user)));
        /* A name that does not fit is no answer. */
        assert_false(subid_text_owner(file, 100000, user, 5));
        assert_true(subid_text_owner(file, 100000, user, 6));
        assert_false(subid_text_owner("", 1, user, sizeof(user)));
        assert_false(subid_text_owner(":1:1\n", 1, user, sizeof(user)));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_covers),
                cmocka_unit_test(test_owner),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
