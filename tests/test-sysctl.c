/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for common/sysctl.c: "key=value" into a /proc/sys path and
 * the namespace type that owns it, and every assignment it refuses. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "sysctl.h"
#include "util.h"

#define PATH_SIZE 512

static void check_ok(const char *assignment, const char *path, enum nsk_type type,
                     const char *value)
{
        char buf[PATH_SIZE];
        const char *v = NULL;
        enum nsk_type t = NSK_TYPE_INVALID;
        int r;

        r = sysctl_parse(assignment, buf, sizeof(buf), &v, &t);
        if (r != 0)
                fail_msg("'%s': %d (%s)", assignment, r, strerror(-r));
        assert_string_equal(buf, path);
        assert_int_equal(t, type);
        assert_string_equal(v, value);
        /* A pointer into the assignment, not a copy. */
        assert_ptr_equal(v, strchr(assignment, '=') + 1);
}

static void check_error(const char *assignment, int error)
{
        char buf[PATH_SIZE];
        const char *v = (const char *) 0x1;
        enum nsk_type t = (enum nsk_type) 42;
        int r;

        r = sysctl_parse(assignment, buf, sizeof(buf), &v, &t);
        if (r != error)
                fail_msg("'%s': %d (%s), expected %d (%s)", assignment, r, strerror(-r), error,
                         strerror(-error));
        /* Nothing is returned on failure. */
        assert_ptr_equal(v, (const char *) 0x1);
        assert_int_equal(t, 42);
}

static void check_errors(const char *const *list, size_t n, int error)
{
        for (size_t i = 0; i < n; i++)
                check_error(list[i], error);
}

static void test_dot_form(void **state)
{
        check_ok("net.ipv4.ip_forward=1", "net/ipv4/ip_forward", NSK_TYPE_NET, "1");
        check_ok("net.ipv6.conf.all.disable_ipv6=1", "net/ipv6/conf/all/disable_ipv6", NSK_TYPE_NET,
                 "1");
        check_ok("net.core.somaxconn=4096", "net/core/somaxconn", NSK_TYPE_NET, "4096");
        check_ok("net.ipv4.ping_group_range=0 2147483647", "net/ipv4/ping_group_range",
                 NSK_TYPE_NET, "0 2147483647");
        /* Every character a key may hold. */
        check_ok("net.AZaz09_-:@+.x=y", "net/AZaz09_-:@+/x", NSK_TYPE_NET, "y");
}

static void test_slash_form(void **state)
{
        check_ok("net/ipv4/ip_forward=1", "net/ipv4/ip_forward", NSK_TYPE_NET, "1");
        check_ok("kernel/shmmax=1024", "kernel/shmmax", NSK_TYPE_IPC, "1024");
        check_ok("fs/mqueue/msg_max=20", "fs/mqueue/msg_max", NSK_TYPE_IPC, "20");
}

/* sysctl.d(5): the first separator decides, the other one is part of a
 * name (an interface "eth0.1" here). */
static void test_first_separator_decides(void **state)
{
        check_ok("net.ipv4.conf.eth0/1.forwarding=1", "net/ipv4/conf/eth0.1/forwarding",
                 NSK_TYPE_NET, "1");
        check_ok("net/ipv4/conf/eth0.1/forwarding=1", "net/ipv4/conf/eth0.1/forwarding",
                 NSK_TYPE_NET, "1");
        check_ok("net.ipv4.conf.a/b/c.rp_filter=2", "net/ipv4/conf/a.b.c/rp_filter", NSK_TYPE_NET,
                 "2");
        check_ok("net/ipv4/conf/a.b.c/rp_filter=2", "net/ipv4/conf/a.b.c/rp_filter", NSK_TYPE_NET,
                 "2");

        /* A separator in the value does not count. */
        check_ok("net/ipv4/conf/eth0.1/forwarding=1.5", "net/ipv4/conf/eth0.1/forwarding",
                 NSK_TYPE_NET, "1.5");
        check_error("net=a.b", -EOPNOTSUPP);
        check_error("net=a/b", -EOPNOTSUPP);
}

static void test_types(void **state)
{
        /* The ipc namespace's sysctls (ipc_namespaces(7), mq_overview(7)). */
        check_ok("kernel.shmmax=1", "kernel/shmmax", NSK_TYPE_IPC, "1");
        check_ok("kernel.shmall=1", "kernel/shmall", NSK_TYPE_IPC, "1");
        check_ok("kernel.shmmni=1", "kernel/shmmni", NSK_TYPE_IPC, "1");
        check_ok("kernel.shm_rmid_forced=1", "kernel/shm_rmid_forced", NSK_TYPE_IPC, "1");
        check_ok("kernel.msgmax=1", "kernel/msgmax", NSK_TYPE_IPC, "1");
        check_ok("kernel.msgmnb=1", "kernel/msgmnb", NSK_TYPE_IPC, "1");
        check_ok("kernel.msgmni=1", "kernel/msgmni", NSK_TYPE_IPC, "1");
        check_ok("kernel.sem=250 32000 32 128", "kernel/sem", NSK_TYPE_IPC, "250 32000 32 128");
        check_ok("kernel.sem_next_id=-1", "kernel/sem_next_id", NSK_TYPE_IPC, "-1");
        check_ok("fs.mqueue.queues_max=256", "fs/mqueue/queues_max", NSK_TYPE_IPC, "256");

        /* A plain prefix match: names the kernel does not have still pass
         * (writing them fails later, with ENOENT). */
        check_ok("kernel.shmmaxx=1", "kernel/shmmaxx", NSK_TYPE_IPC, "1");
        check_ok("kernel.shm=1", "kernel/shm", NSK_TYPE_IPC, "1");
        check_ok("kernel.msg.x=1", "kernel/msg/x", NSK_TYPE_IPC, "1");
}

static void test_value(void **state)
{
        /* Anything but a newline, the empty value too. */
        check_ok("net.ipv4.ip_forward=", "net/ipv4/ip_forward", NSK_TYPE_NET, "");
        check_ok("net.x=a=b", "net/x", NSK_TYPE_NET, "a=b");
        check_ok("net.x= spaced  out ", "net/x", NSK_TYPE_NET, " spaced  out ");
        check_ok("net.x=*/..", "net/x", NSK_TYPE_NET, "*/..");
        check_ok("net.x=\t\r", "net/x", NSK_TYPE_NET, "\t\r");

        check_error("net.x=1\n", -EINVAL);
        check_error("net.x=\n", -EINVAL);
        check_error("net.x=1\nkernel.hostname=evil", -EINVAL);
}

static void test_no_key(void **state)
{
        static const char *const bad[] = {
                "", "net.ipv4.ip_forward", "net", "=", "=1", "==",
        };

        check_errors(bad, ELEMENTSOF(bad), -EINVAL);
}

static void test_empty_component(void **state)
{
        static const char *const bad[] = {
                "net..x=1", "net.=1",   "net.x.=1", ".net.x=1", "net//x=1",
                "net/=1",   "net/x/=1", "/net/x=1", ".=1",      "/=1",
        };

        check_errors(bad, ELEMENTSOF(bad), -EINVAL);
        /* In the dot form a trailing '/' is part of the last name. */
        check_ok("net.x/=1", "net/x.", NSK_TYPE_NET, "1");
        check_ok("net.x/.y=1", "net/x./y", NSK_TYPE_NET, "1");
}

/* The path stays below /proc/sys, whichever form spells the traversal. */
static void test_dot_components(void **state)
{
        static const char *const bad[] = {
                /* slash form: '.' is literal */
                "net/./x=1",
                "net/../x=1",
                "net/ipv4/..=1",
                "net/ipv4/.=1",
                "net/../../etc/passwd=1",
                /* dot form: '/' is a literal '.' */
                "net./.x=1",
                "net.//.x=1",
                "net.ipv4.//=1",
                "net.ipv4./=1",
                "net.//.//.etc.passwd=1",
        };

        check_errors(bad, ELEMENTSOF(bad), -EINVAL);

        /* Dots inside a name are no traversal. */
        check_ok("net/.../x=1", "net/.../x", NSK_TYPE_NET, "1");
        check_ok("net/..x/x.=1", "net/..x/x.", NSK_TYPE_NET, "1");
        check_ok("net.///.x=1", "net/.../x", NSK_TYPE_NET, "1");
}

static void test_bad_characters(void **state)
{
        static const char *const bad[] = {
                "net.ipv4.ip forward=1",
                " net.x=1",
                "net.x =1",
                "net.*.x=1",
                "net.x\n=1",
                "net.x\ny=1",
                "net.x\t=1",
                "net.x\\y=1",
                "net.x%y=1",
                "net.\xc3\xa9=1",
                "net.x~=1",
                "net.x$=1",
                "net.x,y=1",
        };

        check_errors(bad, ELEMENTSOF(bad), -EINVAL);
}

static void test_no_namespace(void **state)
{
        static const char *const bad[] = {
                "kernel.hostname=x", /* uts: a setting of its own */
                "kernel.domainname=x",
                "kernel.ns_last_pid=1",
                "kernel.pid_max=1",
                "vm.swappiness=10",
                "fs.file-max=1",
                "fs.mqueue=1",
                "fs.mqueuex.a=1",
                "user.max_user_namespaces=0",
                "netx.a=1",
                "net=1",
                "Net.x=1",
                "kernel.sh=1",
                "kernel=1",
                "-net.x=1",
        };

        check_errors(bad, ELEMENTSOF(bad), -EOPNOTSUPP);
}

/* An invalid key is -EINVAL even where it would also belong to no
 * namespace: the syntax is checked first. */
static void test_error_order(void **state)
{
        check_error("vm..x=1", -EINVAL);
        check_error("vm/../net=1", -EINVAL);
        check_error("vm.x*=1", -EINVAL);
        check_error("vm.x=1\n", -EINVAL);
}

static void test_buffer_size(void **state)
{
        const char *a = "net.ipv4.ip_forward=1";
        size_t n = strlen("net/ipv4/ip_forward");
        char buf[64];
        const char *v;
        enum nsk_type t;

        /* The key and its NUL fit exactly. */
        memset(buf, 'X', sizeof(buf));
        assert_int_equal(sysctl_parse(a, buf, n + 1, &v, &t), 0);
        assert_string_equal(buf, "net/ipv4/ip_forward");
        assert_string_equal(v, "1");
        assert_int_equal(t, NSK_TYPE_NET);

        memset(buf, 'X', sizeof(buf));
        assert_int_equal(sysctl_parse(a, buf, n, &v, &t), -ENAMETOOLONG);
        /* Not a byte is written. */
        assert_int_equal(buf[0], 'X');
        assert_int_equal(sysctl_parse(a, buf, 1, &v, &t), -ENAMETOOLONG);
        assert_int_equal(sysctl_parse(a, NULL, 0, &v, &t), -ENAMETOOLONG);

        /* Length is checked before the characters. */
        assert_int_equal(sysctl_parse("net.a b=1", buf, 4, &v, &t), -ENAMETOOLONG);
        /* ... but after the '='. */
        assert_int_equal(sysctl_parse("net.x", buf, 2, &v, &t), -EINVAL);
}

static void test_long_key(void **state)
{
        char a[PATH_SIZE + 16], buf[PATH_SIZE];
        const char *v;
        enum nsk_type t;

        /* "net." and PATH_SIZE - 5 more key bytes: the longest that fits. */
        memset(a, 'k', sizeof(a));
        memcpy(a, "net.", 4);
        memcpy(a + PATH_SIZE - 1, "=1", 3);
        assert_int_equal(sysctl_parse(a, buf, sizeof(buf), &v, &t), 0);
        assert_int_equal(strlen(buf), PATH_SIZE - 1);
        assert_string_equal(v, "1");

        memcpy(a + PATH_SIZE - 1, "k=1", 4);
        assert_int_equal(sysctl_parse(a, buf, sizeof(buf), &v, &t), -ENAMETOOLONG);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_dot_form),
                cmocka_unit_test(test_slash_form),
                cmocka_unit_test(test_first_separator_decides),
                cmocka_unit_test(test_types),
                cmocka_unit_test(test_value),
                cmocka_unit_test(test_no_key),
                cmocka_unit_test(test_empty_component),
                cmocka_unit_test(test_dot_components),
                cmocka_unit_test(test_bad_characters),
                cmocka_unit_test(test_no_namespace),
                cmocka_unit_test(test_error_order),
                cmocka_unit_test(test_buffer_size),
                cmocka_unit_test(test_long_key),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
