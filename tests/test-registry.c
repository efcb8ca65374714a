/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for daemon/registry.c: sets by name, a duplicate refused,
 * removal of exactly the set given, iteration in name order. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry.h"
#include "set.h"
#include "util.h"

static struct set *new_set(const char *name)
{
        struct set *s = set_new(name, NSK_TYPE_BIT(NSK_TYPE_NET), NSK_PIN_FD, 1000);

        assert_non_null(s);
        return s;
}

static void test_empty(void **state)
{
        struct registry *reg = registry_new();

        assert_non_null(reg);
        assert_int_equal(registry_count(reg), 0);
        assert_null(registry_get(reg, "web"));
        assert_null(registry_get(reg, ""));
        assert_null(registry_free(reg));
        /* Freeing NULL is fine. */
        assert_null(registry_free(NULL));
}

static void test_add_get_remove(void **state)
{
        struct registry *reg = registry_new();
        struct set *web = new_set("web"), *db = new_set("db"), *we = new_set("we");

        assert_int_equal(registry_add(reg, web), 0);
        assert_int_equal(registry_add(reg, db), 0);
        assert_int_equal(registry_add(reg, we), 0);
        assert_int_equal(registry_count(reg), 3);

        assert_ptr_equal(registry_get(reg, "web"), web);
        assert_ptr_equal(registry_get(reg, "db"), db);
        assert_ptr_equal(registry_get(reg, "we"), we);
        /* Whole names only. */
        assert_null(registry_get(reg, "w"));
        assert_null(registry_get(reg, "webx"));
        assert_null(registry_get(reg, "WEB"));
        assert_null(registry_get(reg, ""));

        registry_remove(reg, web);
        assert_int_equal(registry_count(reg), 2);
        assert_null(registry_get(reg, "web"));
        assert_ptr_equal(registry_get(reg, "we"), we);
        /* Not the registry's any more: the caller frees it. */
        set_free(web);

        registry_remove(reg, db);
        registry_remove(reg, we);
        assert_int_equal(registry_count(reg), 0);
        assert_null(registry_get(reg, "db"));
        set_free(db);

        /* A set can come back after it was removed. */
        assert_int_equal(registry_add(reg, we), 0);
        assert_ptr_equal(registry_get(reg, "we"), we);
        assert_int_equal(registry_count(reg), 1);
        registry_free(reg);
}

static void test_duplicate(void **state)
{
        struct registry *reg = registry_new();
        struct set *a = new_set("web"), *b = new_set("web");

        assert_int_equal(registry_add(reg, a), 0);
        assert_int_equal(registry_add(reg, b), -EEXIST);
        assert_int_equal(registry_count(reg), 1);
        assert_ptr_equal(registry_get(reg, "web"), a);

        /* The same set twice is a duplicate too. */
        assert_int_equal(registry_add(reg, a), -EEXIST);
        assert_int_equal(registry_count(reg), 1);

        /* The registry did not take b; freeing it leaves a alone. */
        set_free(b);
        assert_ptr_equal(registry_get(reg, "web"), a);
        registry_free(reg);
}

/* Removing a set that has the name of a registered one, but is another
 * set (say one whose create failed), leaves the registered one. */
static void test_remove_other_set(void **state)
{
        struct registry *reg = registry_new();
        struct set *a = new_set("web"), *b = new_set("web"), *c = new_set("db");

        assert_int_equal(registry_add(reg, a), 0);
        registry_remove(reg, b);
        assert_int_equal(registry_count(reg), 1);
        assert_ptr_equal(registry_get(reg, "web"), a);

        /* A set of a name nobody has. */
        registry_remove(reg, c);
        assert_int_equal(registry_count(reg), 1);

        /* Removing twice is harmless. */
        registry_remove(reg, a);
        registry_remove(reg, a);
        assert_int_equal(registry_count(reg), 0);
        assert_null(registry_get(reg, "web"));

        set_free(a);
        set_free(b);
        set_free(c);
        registry_free(reg);
}

#define N_SETS 1000

struct collect {
        const char *names[N_SETS + 1];
        size_t n;
        size_t stop_after; /* 0: never */
};

static int collect(struct set *s, void *userdata)
{
        struct collect *c = userdata;

        assert_true(c->n < ELEMENTSOF(c->names));
        c->names[c->n++] = s->name;
        if (c->stop_after > 0 && c->n == c->stop_after)
                return -ECANCELED;
        return 0;
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* Names inserted in a random order come out sorted (strcmp order). */
static void test_foreach_order(void **state)
{
        static struct collect c;
        static char names[N_SETS][16];
        static const char *sorted[N_SETS];
        struct registry *reg = registry_new();
        size_t order[N_SETS];

        for (size_t i = 0; i < N_SETS; i++) {
                /* Mixed lengths and cases, so byte order is what counts. */
                snprintf(names[i], sizeof(names[i]), "%s%zu", i % 3 == 0 ? "S" : "s",
                         (i * 7919) % 100003);
                sorted[i] = names[i];
                order[i] = i;
        }
        srandom(12345);
        for (size_t i = N_SETS - 1; i > 0; i--) {
                size_t j = (size_t) random() % (i + 1), t = order[i];

                order[i] = order[j];
                order[j] = t;
        }
        for (size_t i = 0; i < N_SETS; i++)
                assert_int_equal(registry_add(reg, new_set(names[order[i]])), 0);
        assert_int_equal(registry_count(reg), N_SETS);
        qsort(sorted, N_SETS, sizeof(sorted[0]), cmp_str);

        memset(&c, 0, sizeof(c));
        assert_int_equal(registry_foreach(reg, collect, &c), 0);
        assert_int_equal(c.n, N_SETS);
        for (size_t i = 0; i < N_SETS; i++)
                assert_string_equal(c.names[i], sorted[i]);

        /* Every other one removed: still in order, the rest gone. */
        for (size_t i = 0; i < N_SETS; i += 2) {
                struct set *s = registry_get(reg, sorted[i]);

                assert_non_null(s);
                registry_remove(reg, s);
                set_free(s);
        }
        assert_int_equal(registry_count(reg), N_SETS / 2);
        memset(&c, 0, sizeof(c));
        assert_int_equal(registry_foreach(reg, collect, &c), 0);
        assert_int_equal(c.n, N_SETS / 2);
        for (size_t i = 0; i < c.n; i++)
                assert_string_equal(c.names[i], sorted[2 * i + 1]);

        registry_free(reg);
}

static void test_foreach_stop(void **state)
{
        static const char *const names[] = { "e", "b", "d", "a", "c" };
        static struct collect c;
        struct registry *reg = registry_new();

        /* Nothing to visit. */
        memset(&c, 0, sizeof(c));
        assert_int_equal(registry_foreach(reg, collect, &c), 0);
        assert_int_equal(c.n, 0);

        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                assert_int_equal(registry_add(reg, new_set(names[i])), 0);

        for (size_t stop = 1; stop <= ELEMENTSOF(names); stop++) {
                memset(&c, 0, sizeof(c));
                c.stop_after = stop;
                assert_int_equal(registry_foreach(reg, collect, &c), -ECANCELED);
                /* Not one call after the one that said stop. */
                assert_int_equal(c.n, stop);
                for (size_t i = 0; i < stop; i++) {
                        char want[2] = { (char) ('a' + i), '\0' };

                        assert_string_equal(c.names[i], want);
                }
        }

        /* The registry is unchanged by it. */
        assert_int_equal(registry_count(reg), ELEMENTSOF(names));
        registry_free(reg);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_empty),         cmocka_unit_test(test_add_get_remove),
                cmocka_unit_test(test_duplicate),     cmocka_unit_test(test_remove_other_set),
                cmocka_unit_test(test_foreach_order), cmocka_unit_test(test_foreach_stop),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
