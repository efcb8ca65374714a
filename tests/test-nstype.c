/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for common/nstype.c: the namespace-type table, type lists and
 * masks, and NS_GET_NSTYPE on real nsfs fds of this process. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <unistd.h>

#include "nstype.h"
#include "util.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif

/* What the kernel calls each type, independently of the table under test. */
static const struct {
        enum nsk_type type;
        const char *name;
        int flag;
        const char *proc;
} expected[] = {
        { NSK_TYPE_USER, "user", CLONE_NEWUSER, "user" },
        { NSK_TYPE_CGROUP, "cgroup", CLONE_NEWCGROUP, "cgroup" },
        { NSK_TYPE_IPC, "ipc", CLONE_NEWIPC, "ipc" },
        { NSK_TYPE_UTS, "uts", CLONE_NEWUTS, "uts" },
        { NSK_TYPE_NET, "net", CLONE_NEWNET, "net" },
        { NSK_TYPE_PID, "pid", CLONE_NEWPID, "pid_for_children" },
        { NSK_TYPE_MNT, "mnt", CLONE_NEWNS, "mnt" },
        { NSK_TYPE_TIME, "time", CLONE_NEWTIME, "time_for_children" },
};

static void test_table_round_trip(void **state)
{
        uint32_t all_flags = 0;

        assert_int_equal(ELEMENTSOF(expected), NSK_TYPE_MAX);
        for (size_t i = 0; i < ELEMENTSOF(expected); i++) {
                enum nsk_type t = expected[i].type;
                const struct nsk_type_info *info = nsk_type_info(t);

                assert_non_null(info);
                assert_string_equal(info->name, expected[i].name);
                assert_int_equal(info->clone_flag, expected[i].flag);
                assert_string_equal(info->proc, expected[i].proc);

                assert_string_equal(nsk_type_name(t), expected[i].name);
                assert_int_equal(nsk_type_clone_flag(t), expected[i].flag);
                assert_int_equal(nsk_type_from_name(expected[i].name), t);
                assert_int_equal(nsk_type_from_clone_flag(expected[i].flag), t);

                /* Every flag is one bit and no two types share one. */
                assert_int_equal(__builtin_popcount((unsigned) expected[i].flag), 1);
                assert_false(all_flags & (uint32_t) expected[i].flag);
                all_flags |= (uint32_t) expected[i].flag;
        }
}

static void test_table_out_of_range(void **state)
{
        assert_null(nsk_type_info(NSK_TYPE_MAX));
        assert_null(nsk_type_info(NSK_TYPE_INVALID));
        assert_null(nsk_type_info(-1));
        assert_null(nsk_type_name(NSK_TYPE_MAX));
        assert_null(nsk_type_name(NSK_TYPE_INVALID));
        assert_int_equal(nsk_type_clone_flag(NSK_TYPE_MAX), 0);
        assert_int_equal(nsk_type_clone_flag(NSK_TYPE_INVALID), 0);
}

static void test_from_name_unknown(void **state)
{
        static const char *const bad[] = {
                "",
                "NET",
                "Net",
                "network",
                "net ",
                " net",
                "all",
                "pid_for_children",
                "time_for_children",
                "mount",
                "ns",
                "net,uts",
        };

        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                assert_int_equal(nsk_type_from_name(bad[i]), NSK_TYPE_INVALID);
}

static void test_from_clone_flag_unknown(void **state)
{
        assert_int_equal(nsk_type_from_clone_flag(0), NSK_TYPE_INVALID);
        assert_int_equal(nsk_type_from_clone_flag(CLONE_NEWNET | CLONE_NEWUTS), NSK_TYPE_INVALID);
        assert_int_equal(nsk_type_from_clone_flag(CLONE_VM), NSK_TYPE_INVALID);
        assert_int_equal(nsk_type_from_clone_flag(CLONE_THREAD), NSK_TYPE_INVALID);
        assert_int_equal(nsk_type_from_clone_flag(-1), NSK_TYPE_INVALID);
}

static void test_mask_from_list(void **state)
{
        nsk_type_mask_t m = 0;
        int r;

        assert_int_equal(nsk_type_mask_from_list("net,uts", NSK_TYPE_MASK_ALL, &m, NULL, NULL), 0);
        assert_int_equal(m, NSK_TYPE_BIT(NSK_TYPE_NET) | NSK_TYPE_BIT(NSK_TYPE_UTS));

        assert_int_equal(nsk_type_mask_from_list("uts,net", NSK_TYPE_MASK_ALL, &m, NULL, NULL), 0);
        assert_int_equal(m, NSK_TYPE_BIT(NSK_TYPE_NET) | NSK_TYPE_BIT(NSK_TYPE_UTS));

        for (size_t i = 0; i < ELEMENTSOF(expected); i++) {
                assert_int_equal(nsk_type_mask_from_list(expected[i].name, 0, &m, NULL, NULL), 0);
                assert_int_equal(m, NSK_TYPE_BIT(expected[i].type));
        }

        /* Naming a type explicitly does not depend on 'supported'. */
        r = nsk_type_mask_from_list("user,cgroup,ipc,uts,net,pid,mnt,time", 0, &m, NULL, NULL);
        assert_int_equal(r, 0);
        assert_int_equal(m, NSK_TYPE_MASK_ALL);
}

static void test_mask_from_list_all(void **state)
{
        nsk_type_mask_t supported = nsk_type_mask_supported();
        nsk_type_mask_t some = NSK_TYPE_BIT(NSK_TYPE_NET) | NSK_TYPE_BIT(NSK_TYPE_UTS);
        const char *list, *bad = NULL;
        size_t bad_len = 0;
        nsk_type_mask_t m = 0;

        assert_int_equal(nsk_type_mask_from_list("all", supported, &m, NULL, NULL), 0);
        assert_int_equal(m, supported);

        assert_int_equal(nsk_type_mask_from_list("all", some, &m, NULL, NULL), 0);
        assert_int_equal(m, some);

        /* "all" together with one of its types names that type twice. */
        list = "all,net";
        assert_int_equal(nsk_type_mask_from_list(list, some, &m, &bad, &bad_len), -ENOTUNIQ);
        assert_ptr_equal(bad, list + 4);
        assert_int_equal(bad_len, 3);

        list = "net,all";
        assert_int_equal(nsk_type_mask_from_list(list, some, &m, &bad, &bad_len), -ENOTUNIQ);
        assert_ptr_equal(bad, list + 4);
        assert_int_equal(bad_len, 3);

        /* ... but not a type outside 'supported'. */
        assert_int_equal(nsk_type_mask_from_list("all,time", some, &m, NULL, NULL), 0);
        assert_int_equal(m, some | NSK_TYPE_BIT(NSK_TYPE_TIME));

        /* "ALL" is no keyword. */
        assert_int_equal(nsk_type_mask_from_list("ALL", some, &m, NULL, NULL), -EINVAL);
}

static void check_list_error(const char *list, int error, size_t bad_off, size_t bad_len)
{
        nsk_type_mask_t m = 0xdead;
        const char *bad = NULL;
        size_t len = 12345;

        assert_int_equal(nsk_type_mask_from_list(list, NSK_TYPE_MASK_ALL, &m, &bad, &len), error);
        assert_ptr_equal(bad, list + bad_off);
        assert_int_equal(len, bad_len);
        /* The result is left alone on failure. */
        assert_int_equal(m, 0xdead);

        /* ret_bad and ret_bad_len are optional. */
        assert_int_equal(nsk_type_mask_from_list(list, NSK_TYPE_MASK_ALL, &m, NULL, NULL), error);
}

static void test_mask_from_list_empty_item(void **state)
{
        check_list_error("", -EINVAL, 0, 0);
        check_list_error(",", -EINVAL, 0, 0);
        check_list_error(",net", -EINVAL, 0, 0);
        check_list_error("net,", -EINVAL, 4, 0);
        check_list_error("net,,uts", -EINVAL, 4, 0);
        check_list_error("net,uts,,", -EINVAL, 8, 0);
}

static void test_mask_from_list_unknown(void **state)
{
        check_list_error("foo", -EINVAL, 0, 3);
        check_list_error("net,foo,uts", -EINVAL, 4, 3);
        check_list_error("NET", -EINVAL, 0, 3);
        check_list_error("net ,uts", -EINVAL, 0, 4);
        check_list_error("net, uts", -EINVAL, 4, 4);
        check_list_error("net;uts", -EINVAL, 0, 7);
        check_list_error("pid_for_children", -EINVAL, 0, 16);
        /* Longer than any type name: must not overrun the item buffer. */
        check_list_error("net,networknetworknetworknetwork", -EINVAL, 4, 28);
        check_list_error("uts,123456789012345", -EINVAL, 4, 15);
}

static void test_mask_from_list_duplicate(void **state)
{
        check_list_error("net,net", -ENOTUNIQ, 4, 3);
        check_list_error("net,uts,net", -ENOTUNIQ, 8, 3);
        check_list_error("user,ipc,mnt,ipc,time", -ENOTUNIQ, 13, 3);
}

static void test_mask_format(void **state)
{
        nsk_type_mask_t m;
        char buf[128];

        assert_int_equal(nsk_type_mask_format(0, buf, sizeof(buf)), 0);
        assert_string_equal(buf, "");

        assert_int_equal(nsk_type_mask_format(NSK_TYPE_BIT(NSK_TYPE_NET), buf, sizeof(buf)), 3);
        assert_string_equal(buf, "net");

        /* Table order, not the order bits were named in. */
        m = NSK_TYPE_BIT(NSK_TYPE_NET) | NSK_TYPE_BIT(NSK_TYPE_UTS);
        assert_int_equal(nsk_type_mask_format(m, buf, sizeof(buf)), 7);
        assert_string_equal(buf, "uts,net");

        assert_int_equal(nsk_type_mask_format(NSK_TYPE_MASK_ALL, buf, sizeof(buf)),
                         strlen("user,cgroup,ipc,uts,net,pid,mnt,time"));
        assert_string_equal(buf, "user,cgroup,ipc,uts,net,pid,mnt,time");

        /* Bits beyond the table are no type and are not printed. */
        m = NSK_TYPE_BIT(NSK_TYPE_MAX) | NSK_TYPE_BIT(31) | NSK_TYPE_BIT(NSK_TYPE_PID);
        assert_int_equal(nsk_type_mask_format(m, buf, sizeof(buf)), 3);
        assert_string_equal(buf, "pid");
}

static void test_mask_format_truncation(void **state)
{
        nsk_type_mask_t m = NSK_TYPE_BIT(NSK_TYPE_NET) | NSK_TYPE_BIT(NSK_TYPE_UTS);
        char buf[16];

        /* Like snprintf: the return value is what the whole string needs. */
        assert_int_equal(nsk_type_mask_format(m, NULL, 0), 7);

        memset(buf, 'X', sizeof(buf));
        assert_int_equal(nsk_type_mask_format(m, buf, 1), 7);
        assert_string_equal(buf, "");
        assert_int_equal(buf[1], 'X');

        memset(buf, 'X', sizeof(buf));
        assert_int_equal(nsk_type_mask_format(m, buf, 4), 7);
        assert_string_equal(buf, "uts");
        assert_int_equal(buf[4], 'X');

        memset(buf, 'X', sizeof(buf));
        assert_int_equal(nsk_type_mask_format(m, buf, 5), 7);
        assert_string_equal(buf, "uts,");
        assert_int_equal(buf[5], 'X');

        memset(buf, 'X', sizeof(buf));
        assert_int_equal(nsk_type_mask_format(m, buf, 7), 7);
        assert_string_equal(buf, "uts,ne");
        assert_int_equal(buf[7], 'X');

        memset(buf, 'X', sizeof(buf));
        assert_int_equal(nsk_type_mask_format(m, buf, 8), 7);
        assert_string_equal(buf, "uts,net");
        assert_int_equal(buf[8], 'X');
}

/* Every mask survives format -> parse and mask -> clone flags -> mask. */
static void test_mask_round_trips(void **state)
{
        for (nsk_type_mask_t m = 0; m <= NSK_TYPE_MASK_ALL; m++) {
                char buf[64];
                nsk_type_mask_t back = 0xdead;
                size_t n = nsk_type_mask_format(m, buf, sizeof(buf));

                assert_int_equal(n, strlen(buf));
                if (m == 0)
                        assert_int_equal(n, 0);
                else {
                        assert_int_equal(nsk_type_mask_from_list(buf, 0, &back, NULL, NULL), 0);
                        assert_int_equal(back, m);
                }

                back = 0xdead;
                assert_int_equal(nsk_type_mask_from_clone_flags(nsk_type_mask_to_clone_flags(m),
                                                                &back),
                                 0);
                assert_int_equal(back, m);
                assert_int_equal(nsk_type_mask_count(m), __builtin_popcount(m));
        }
}

static void test_clone_flags(void **state)
{
        uint32_t all = 0;
        nsk_type_mask_t m = 0xdead;

        for (size_t i = 0; i < ELEMENTSOF(expected); i++)
                all |= (uint32_t) expected[i].flag;

        assert_int_equal(nsk_type_mask_to_clone_flags(0), 0);
        m = NSK_TYPE_BIT(NSK_TYPE_NET) | NSK_TYPE_BIT(NSK_TYPE_UTS);
        assert_int_equal(nsk_type_mask_to_clone_flags(m), CLONE_NEWNET | CLONE_NEWUTS);
        assert_int_equal(nsk_type_mask_to_clone_flags(NSK_TYPE_MASK_ALL), all);
        /* Bits beyond the table are ignored. */
        assert_int_equal(nsk_type_mask_to_clone_flags(NSK_TYPE_BIT(NSK_TYPE_MAX) |
                                                      NSK_TYPE_BIT(31)),
                         0);

        m = 0xdead;
        assert_int_equal(nsk_type_mask_from_clone_flags(0, &m), 0);
        assert_int_equal(m, 0);
        assert_int_equal(nsk_type_mask_from_clone_flags(CLONE_NEWNS, &m), 0);
        assert_int_equal(m, NSK_TYPE_BIT(NSK_TYPE_MNT));
        assert_int_equal(nsk_type_mask_from_clone_flags(all, &m), 0);
        assert_int_equal(m, NSK_TYPE_MASK_ALL);
}

static void test_clone_flags_bogus(void **state)
{
        static const uint32_t bogus[] = {
                CLONE_VM,
                CLONE_NEWNET | CLONE_VM,
                CLONE_NEWUSER | CLONE_THREAD,
                0x1,                  /* exit signal bits share a byte with CLONE_NEWTIME */
                CLONE_NEWTIME | 0x40, /* ... next to it */
                0x80000000u,
                0xffffffffu,
        };

        for (size_t i = 0; i < ELEMENTSOF(bogus); i++) {
                nsk_type_mask_t m = 0xdead;

                assert_int_equal(nsk_type_mask_from_clone_flags(bogus[i], &m), -EINVAL);
                assert_int_equal(m, 0xdead);
        }
}

static void test_mask_count(void **state)
{
        assert_int_equal(nsk_type_mask_count(0), 0);
        assert_int_equal(nsk_type_mask_count(NSK_TYPE_BIT(NSK_TYPE_TIME)), 1);
        assert_int_equal(nsk_type_mask_count(NSK_TYPE_MASK_ALL), NSK_TYPE_MAX);
        assert_int_equal(nsk_type_mask_count(NSK_TYPE_BIT(NSK_TYPE_MAX) | NSK_TYPE_BIT(31)), 0);
}

static void test_mask_supported(void **state)
{
        nsk_type_mask_t supported = nsk_type_mask_supported();

        assert_int_equal(supported & ~NSK_TYPE_MASK_ALL, 0);
        for (size_t i = 0; i < ELEMENTSOF(expected); i++) {
                char path[64];

                snprintf(path, sizeof(path), "/proc/self/ns/%s", expected[i].name);
                assert_int_equal(!!(supported & NSK_TYPE_BIT(expected[i].type)),
                                 access(path, F_OK) == 0);
        }
        /* Every kernel this runs on has these (and NS_GET_NSTYPE, 4.11). */
        assert_true(supported & NSK_TYPE_BIT(NSK_TYPE_NET));
        assert_true(supported & NSK_TYPE_BIT(NSK_TYPE_UTS));
        assert_true(supported & NSK_TYPE_BIT(NSK_TYPE_MNT));
}

static void check_ns_file(const char *file, enum nsk_type t)
{
        char path[64];
        enum nsk_type got = NSK_TYPE_INVALID;
        int fd;

        snprintf(path, sizeof(path), "/proc/self/ns/%s", file);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        assert_return_code(fd, errno);

        assert_int_equal(nsk_type_of_fd(fd, &got), 0);
        assert_int_equal(got, t);
        assert_int_equal(nsk_type_check_fd(fd, t), 0);
        for (int u = 0; u < NSK_TYPE_MAX; u++)
                if (u != (int) t)
                        assert_int_equal(nsk_type_check_fd(fd, u), -EINVAL);

        safe_close(fd);
}

static void test_check_fd_real(void **state)
{
        nsk_type_mask_t supported = nsk_type_mask_supported();
        unsigned checked = 0;

        for (size_t i = 0; i < ELEMENTSOF(expected); i++) {
                enum nsk_type t = expected[i].type;

                if (!(supported & NSK_TYPE_BIT(t)))
                        continue;
                /* Both /proc/self/ns/NAME and the file the table names
                 * (pid_for_children, time_for_children) are of type t. */
                check_ns_file(expected[i].name, t);
                check_ns_file(nsk_type_info(t)->proc, t);
                checked++;
        }
        assert_int_equal(checked, nsk_type_mask_count(supported));
}

static void test_check_fd_not_ns(void **state)
{
        enum nsk_type got = NSK_TYPE_INVALID;
        int fd, pipefd[2];

        fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        assert_return_code(fd, errno);
        assert_int_equal(nsk_type_of_fd(fd, &got), -ENOTTY);
        assert_int_equal(got, NSK_TYPE_INVALID);
        assert_int_equal(nsk_type_check_fd(fd, NSK_TYPE_NET), -ENOTTY);
        fd = safe_close(fd);

        /* A directory in nsfs' neighbourhood is no namespace either. */
        fd = open("/proc/self/ns", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_return_code(fd, errno);
        assert_int_equal(nsk_type_check_fd(fd, NSK_TYPE_NET), -ENOTTY);
        fd = safe_close(fd);

        assert_return_code(pipe2(pipefd, O_CLOEXEC), errno);
        assert_int_equal(nsk_type_check_fd(pipefd[0], NSK_TYPE_NET), -ENOTTY);
        close_many(pipefd, 2);

        /* Not an fd at all. */
        assert_int_equal(nsk_type_of_fd(-1, &got), -EBADF);
        assert_int_equal(nsk_type_check_fd(-EBADF, NSK_TYPE_NET), -EBADF);
        assert_int_equal(got, NSK_TYPE_INVALID);
}

static void test_check_fd_o_path(void **state)
{
        /* An O_PATH fd names the namespace but cannot be ioctl()ed: such an
         * fd fails the check rather than passing it unverified. */
        int fd = open("/proc/self/ns/net", O_PATH | O_CLOEXEC);

        assert_return_code(fd, errno);
        assert_int_equal(nsk_type_check_fd(fd, NSK_TYPE_NET), -EBADF);
        safe_close(fd);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_table_round_trip),
                cmocka_unit_test(test_table_out_of_range),
                cmocka_unit_test(test_from_name_unknown),
                cmocka_unit_test(test_from_clone_flag_unknown),
                cmocka_unit_test(test_mask_from_list),
                cmocka_unit_test(test_mask_from_list_all),
                cmocka_unit_test(test_mask_from_list_empty_item),
                cmocka_unit_test(test_mask_from_list_unknown),
                cmocka_unit_test(test_mask_from_list_duplicate),
                cmocka_unit_test(test_mask_format),
                cmocka_unit_test(test_mask_format_truncation),
                cmocka_unit_test(test_mask_round_trips),
                cmocka_unit_test(test_clone_flags),
                cmocka_unit_test(test_clone_flags_bogus),
                cmocka_unit_test(test_mask_count),
                cmocka_unit_test(test_mask_supported),
                cmocka_unit_test(test_check_fd_real),
                cmocka_unit_test(test_check_fd_not_ns),
                cmocka_unit_test(test_check_fd_o_path),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
