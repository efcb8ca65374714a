/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for daemon/state.c: parsing state files, every damage we
 * can think of, and write -> read -> parse in a scratch runtime
 * directory (no mounts: only rundir_open()). */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rundir.h"
#include "set.h"
#include "settings-eq.h"
#include "network.h"
#include "state.h"
#include "util.h"

/* The smallest valid file. */
#define MINIMAL "version 1\npin bind\nns net 4026532400\n"
/* With the types every setting needs: settings are checked against them. */
#define MINIMAL_ALL MINIMAL "ns uts 4026532401\nns user 4026532402\nns time 4026532403\n"

/* A set of the key name, parsed from text as recover.c does; *ret is
 * touched only on success. */
static int parse(const char *name, const char *text, struct set **ret, pid_t *ret_keeper)
{
        struct set *s = set_new(name, 0, NSK_PIN_BIND, 0);
        int r;

        assert_non_null(s);
        r = state_parse(text, s, ret_keeper);
        if (r < 0) {
                set_free(s);
                return r;
        }
        *ret = s;
        return 0;
}

static const char full[] = "version 1\n"
                           "pin bind\n"
                           "created 1764374400\n"
                           "owner 1000\n"
                           "ns user 4026532401\n"
                           "ns cgroup 4026532402\n"
                           "ns ipc 4026532403\n"
                           "ns uts 4026532404\n"
                           "ns net 4026532405\n"
                           "ns pid 4026532406\n"
                           "ns mnt 4026532407\n"
                           "ns time 4026532408\n"
                           "keeper 4242\n"
                           "hostname web-1\n"
                           "domainname example.org\n"
                           "sysctl net.ipv4.ping_group_range=0 2147483647\n"
                           "sysctl kernel.sem=250 32000 32 128\n"
                           "uid_map 0 100000 65536\n"
                           "uid_map 65536 1000 1\n"
                           "gid_map 0 100000 65536\n"
                           "monotonic -86400\n"
                           "boottime 3600\n"
                           "loopback off\n"
                           "setgroups deny\n";

static void test_parse_full(void **state)
{
        struct set *s = NULL;
        pid_t keeper = -1;

        /* A set of uid 1000 is filed as ~1000~NAME (name.h). */
        assert_int_equal(parse("~1000~web", full, &s, &keeper), 0);
        assert_non_null(s);
        assert_string_equal(s->name, "~1000~web");
        assert_int_equal(s->pin, NSK_PIN_BIND);
        assert_int_equal(s->state, SET_READY);
        assert_int_equal(s->created, 1764374400);
        assert_int_equal(s->owner, 1000);
        assert_int_equal(s->types, NSK_TYPE_MASK_ALL);
        for (int t = 0; t < NSK_TYPE_MAX; t++) {
                assert_int_equal(s->inode[NSK_TYPE_USER + t], 4026532401ull + (unsigned) t);
                assert_int_equal(s->fd[t], -EBADF);
        }
        assert_int_equal(keeper, 4242);
        /* Only the pid: reattaching is the caller's business. */
        assert_null(s->keeper);
        assert_null(s->dead_reason);

        assert_string_equal(s->settings.hostname, "web-1");
        assert_string_equal(s->settings.domainname, "example.org");
        assert_int_equal(s->settings.n_sysctls, 2);
        assert_string_equal(s->settings.sysctls[0], "net.ipv4.ping_group_range=0 2147483647");
        assert_string_equal(s->settings.sysctls[1], "kernel.sem=250 32000 32 128");
        assert_int_equal(s->settings.n_uid_map, 2);
        assert_int_equal(s->settings.uid_map[0].inside, 0);
        assert_int_equal(s->settings.uid_map[0].outside, 100000);
        assert_int_equal(s->settings.uid_map[0].count, 65536);
        assert_int_equal(s->settings.uid_map[1].inside, 65536);
        assert_int_equal(s->settings.uid_map[1].outside, 1000);
        assert_int_equal(s->settings.uid_map[1].count, 1);
        assert_int_equal(s->settings.n_gid_map, 1);
        assert_int_equal(s->settings.gid_map[0].inside, 0);
        assert_int_equal(s->settings.gid_map[0].outside, 100000);
        assert_int_equal(s->settings.gid_map[0].count, 65536);
        assert_true(s->settings.monotonic == -86400);
        assert_true(s->settings.boottime == 3600);
        assert_true(s->settings.no_loopback);
        assert_true(s->settings.setgroups_deny);
        set_free(s);
}

static void test_parse_minimal(void **state)
{
        struct set *s = NULL;
        pid_t keeper = -1;

        assert_int_equal(parse("db.prod-1", MINIMAL, &s, &keeper), 0);
        assert_string_equal(s->name, "db.prod-1");
        assert_int_equal(s->pin, NSK_PIN_BIND);
        assert_int_equal(s->types, NSK_TYPE_BIT(NSK_TYPE_NET));
        assert_int_equal(s->inode[NSK_TYPE_NET], 4026532400ull);
        /* Not given: 0, not the time of reading. */
        assert_int_equal(s->created, 0);
        assert_int_equal(s->owner, 0);
        assert_int_equal(keeper, 0);
        assert_true(nsk_settings_is_default(&s->settings));
        set_free(s);

        /* Any order; pin fd. */
        assert_int_equal(parse("web", "ns uts 7\npin fd\nversion 1\n", &s, &keeper), 0);
        assert_int_equal(s->pin, NSK_PIN_FD);
        assert_int_equal(s->types, NSK_TYPE_BIT(NSK_TYPE_UTS));
        assert_int_equal(s->inode[NSK_TYPE_UTS], 7);
        set_free(s);
}

static void check_bad(const char *name, const char *text, int error)
{
        struct set *s = (struct set *) 0x1;
        pid_t keeper = 12345;
        int r = parse(name, text, &s, &keeper);

        if (r != error)
                fail_msg("'%s' %d (%s), expected %d:\n%s", name, r, strerror(-r), error, text);
        /* Nothing handed out (and valgrind sees nothing leak). */
        assert_ptr_equal(s, (struct set *) 0x1);
        assert_int_equal(keeper, 12345);
}

/* MINIMAL plus one more line. */
static void check_bad_line(const char *line, int error)
{
        char text[4096];

        assert_true((size_t) snprintf(text, sizeof(text), "%s%s\n", MINIMAL_ALL, line) <
                    sizeof(text));
        check_bad("web", text, error);
}

static void test_parse_version(void **state)
{
        check_bad("web", "pin bind\nns net 1\n", -EINVAL);
        check_bad("web", "version 2\npin bind\nns net 1\n", -EPROTONOSUPPORT);
        check_bad("web", "version 0\npin bind\nns net 1\n", -EPROTONOSUPPORT);
        check_bad("web", "version x\npin bind\nns net 1\n", -EINVAL);
        check_bad("web", "version \npin bind\nns net 1\n", -EINVAL);
        check_bad("web", "version -1\npin bind\nns net 1\n", -EINVAL);
        check_bad("web", "version 1 \npin bind\nns net 1\n", -EINVAL);
        check_bad("web", "version 18446744073709551617\npin bind\nns net 1\n", -EINVAL);
        /* A second version line, of any version: each key but ns, sysctl and
         * the maps may come once. */
        check_bad_line("version 2", -EINVAL);
        check_bad_line("version 1", -EINVAL);
}

static void test_parse_pin(void **state)
{
        check_bad("web", "version 1\nns net 1\n", -EINVAL);
        check_bad("web", "version 1\npin\nns net 1\n", -EINVAL);
        check_bad("web", "version 1\npin \nns net 1\n", -EINVAL);
        check_bad("web", "version 1\npin mount\nns net 1\n", -EINVAL);
        check_bad("web", "version 1\npin BIND\nns net 1\n", -EINVAL);
        check_bad("web", "version 1\npin bind \nns net 1\n", -EINVAL);
}

static void test_parse_ns(void **state)
{
        /* No namespace at all. */
        check_bad("web", "version 1\npin bind\n", -EINVAL);
        check_bad("web", "version 1\npin bind\ncreated 1\nowner 0\n", -EINVAL);
        /* Filed under another owner than it names, or under no key. */
        check_bad("web", "version 1\npin bind\nowner 1000\nns net 1\n", -EINVAL);
        check_bad("~1000~web", "version 1\npin bind\nowner 1001\nns net 1\n", -EINVAL);
        check_bad("~0~web", "version 1\npin bind\nowner 0\nns net 1\n", -EINVAL);
        check_bad("~1000web", "version 1\npin bind\nowner 1000\nns net 1\n", -EINVAL);

        check_bad_line("ns net 4026532401", -EINVAL);
        check_bad_line("ns foo 1", -EINVAL);
        check_bad_line("ns NET 1", -EINVAL);
        check_bad_line("ns pid_for_children 1", -EINVAL);
        check_bad_line("ns uts abc", -EINVAL);
        check_bad_line("ns uts -1", -EINVAL);
        check_bad_line("ns uts +1", -EINVAL);
        check_bad_line("ns uts 1x", -EINVAL);
        check_bad_line("ns uts 0x10", -EINVAL);
        check_bad_line("ns uts  1", -EINVAL);
        check_bad_line("ns uts 1 ", -EINVAL);
        check_bad_line("ns uts ", -EINVAL);
        check_bad_line("ns uts", -EINVAL);
        check_bad_line("ns  uts 1", -EINVAL);
        check_bad_line("ns uts 18446744073709551616", -EINVAL);
        check_bad_line("ns", -EINVAL);
        check_bad_line("ns ", -EINVAL);
        check_bad_line("ns averyveryverylongtypename 1", -EINVAL);
}

static void test_parse_numbers(void **state)
{
        struct set *s;
        pid_t keeper;

        check_bad_line("created", -EINVAL);
        check_bad_line("created ", -EINVAL);
        check_bad_line("created -1", -EINVAL);
        check_bad_line("created 1.5", -EINVAL);
        check_bad_line("owner x", -EINVAL);
        /* (uid_t) -1 is no owner. */
        check_bad_line("owner 4294967295", -EINVAL);
        check_bad_line("owner 4294967296", -EINVAL);
        check_bad_line("monotonic", -EINVAL);
        check_bad_line("monotonic ", -EINVAL);
        check_bad_line("monotonic +5", -EINVAL);
        check_bad_line("monotonic 5s", -EINVAL);
        check_bad_line("monotonic 9223372036854775808", -EINVAL);
        check_bad_line("boottime -9223372036854775809", -EINVAL);
        check_bad_line("boottime one", -EINVAL);

        assert_int_equal(parse("~4294967294~web",
                               MINIMAL_ALL "created 18446744073709551615\nowner 4294967294\n"
                                           "monotonic -9223372036854775808\n"
                                           "boottime 9223372036854775807\n",
                               &s, &keeper),
                         0);
        assert_true(s->created == UINT64_MAX);
        assert_int_equal(s->owner, 4294967294u);
        assert_true(s->settings.monotonic == INT64_MIN);
        assert_true(s->settings.boottime == INT64_MAX);
        set_free(s);
}

static void test_parse_keeper(void **state)
{
        struct set *s;
        pid_t keeper;

        /* A keeper only with a pid namespace; an adopted one has none. */
        check_bad_line("keeper 42", -EINVAL);
        assert_int_equal(parse("web", MINIMAL "ns pid 5\n", &s, &keeper), 0);
        assert_int_equal(keeper, 0);
        set_free(s);
        check_bad_line("ns pid 5\nkeeper 0", -EINVAL);
        check_bad_line("ns pid 5\nkeeper -1", -EINVAL);
        check_bad_line("ns pid 5\nkeeper 2147483648", -EINVAL);
        check_bad_line("ns pid 5\nkeeper x", -EINVAL);

        assert_int_equal(parse("web", MINIMAL "ns pid 5\nkeeper 2147483647\n", &s, &keeper), 0);
        assert_int_equal(keeper, 2147483647);
        assert_int_equal(s->types, NSK_TYPE_BIT(NSK_TYPE_NET) | NSK_TYPE_BIT(NSK_TYPE_PID));
        assert_int_equal(s->inode[NSK_TYPE_PID], 5);
        set_free(s);
}

static void test_parse_unknown(void **state)
{
        check_bad_line("colour blue", -EINVAL);
        check_bad_line("Version 1", -EINVAL);
        check_bad_line("loopback on", -EINVAL);
        check_bad_line("loopback off ", -EINVAL);
        check_bad_line("setgroups allow", -EINVAL);
        check_bad_line("setgroups", -EINVAL);
        /* No space, no value. */
        check_bad_line("version", -EINVAL);
        check_bad_line("loopback", -EINVAL);
        check_bad_line("", -EINVAL);
        check_bad_line(" ", -EINVAL);
        check_bad_line(" version 1", -EINVAL);
        check_bad_line("version\t1", -EINVAL);
        check_bad("web", "", -EINVAL);
        check_bad("web", "\n", -EINVAL);
}

static void test_parse_lines(void **state)
{
        static char text[8192];
        struct set *s;
        pid_t keeper;
        size_t n;

        /* The last line, like every line, ends in a newline. */
        check_bad("web", "version 1\npin bind\nns net 1", -EINVAL);
        check_bad("web", "version 1\npin bind\nns net 1\nowner 0", -EINVAL);
        check_bad("web", "version 1", -EINVAL);
        check_bad("web", "version 1\r\npin bind\r\nns net 1\r\n", -EINVAL);

        /* A line is bounded by the file alone (a network's result is
         * long): a created line made long with leading zeros. */
        n = (size_t) snprintf(text, sizeof(text), MINIMAL "created ");
        memset(text + n, '0', 4000);
        strcpy(text + n + 4000, "7\n");
        assert_int_equal(parse("web", text, &s, &keeper), 0);
        assert_int_equal(s->created, 7);
        set_free(s);
}

static void test_parse_name(void **state)
{
        static const char *const bad[] = { "", ".", "..", "../x", "a/b", ".hidden", "-x", "a b" };
        char long_name[NSK_NAME_MAX + 2];

        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                check_bad(bad[i], full, -EINVAL);
        memset(long_name, 'n', sizeof(long_name));
        long_name[NSK_NAME_MAX + 1] = '\0';
        check_bad(long_name, full, -EINVAL);
}

static void test_parse_settings(void **state)
{
        char text[4096];
        struct set *s;
        pid_t keeper;
        size_t n;

        check_bad_line("hostname -web", -EINVAL);
        check_bad_line("hostname we_b", -EINVAL);
        check_bad_line("hostname web ", -EINVAL);
        check_bad_line("hostname ", -EINVAL);
        /* HOST_NAME_MAX characters, then one more. */
        n = (size_t) snprintf(text, sizeof(text), MINIMAL_ALL "hostname ");
        memset(text + n, 'h', NSK_HOSTNAME_MAX);
        strcpy(text + n + NSK_HOSTNAME_MAX, "\n");
        assert_int_equal(parse("web", text, &s, &keeper), 0);
        assert_int_equal(strlen(s->settings.hostname), NSK_HOSTNAME_MAX);
        set_free(s);
        strcpy(text + n + NSK_HOSTNAME_MAX, "h\n");
        check_bad("web", text, -EINVAL);
        check_bad_line("domainname .org", -EINVAL);

        check_bad_line("uid_map 0 100000 0", -EINVAL);
        check_bad_line("uid_map 0 100000", -EINVAL);
        check_bad_line("uid_map 0 100000 1 2", -EINVAL);
        check_bad_line("uid_map 0 100000 1 ", -EINVAL);
        check_bad_line("uid_map a b c", -EINVAL);
        check_bad_line("gid_map 0 0 0", -EINVAL);
        check_bad_line("gid_map", -EINVAL);

        /* NSK_IDMAP_MAX lines of each map, then one more. */
        n = (size_t) snprintf(text, sizeof(text), "%s", MINIMAL_ALL);
        for (unsigned i = 0; i < NSK_IDMAP_MAX; i++)
                n += (size_t) snprintf(text + n, sizeof(text) - n,
                                       "uid_map %u %u 1\ngid_map %u %u 1\n", i, 1000 + i, i,
                                       2000 + i);
        assert_int_equal(parse("web", text, &s, &keeper), 0);
        assert_int_equal(s->settings.n_uid_map, NSK_IDMAP_MAX);
        assert_int_equal(s->settings.n_gid_map, NSK_IDMAP_MAX);
        assert_int_equal(s->settings.gid_map[NSK_IDMAP_MAX - 1].outside, 2000 + NSK_IDMAP_MAX - 1);
        set_free(s);
        snprintf(text + n, sizeof(text) - n, "uid_map 99 99 1\n");
        check_bad("web", text, -EINVAL);
        snprintf(text + n, sizeof(text) - n, "gid_map 99 99 1\n");
        check_bad("web", text, -EINVAL);

        /* More sysctls than a set may have; one too long. */
        n = (size_t) snprintf(text, sizeof(text), "%s", MINIMAL);
        for (unsigned i = 0; i <= NSK_SYSCTL_MAX; i++)
                n += (size_t) snprintf(text + n, sizeof(text) - n, "sysctl net.x%u=1\n", i);
        assert_true(n < sizeof(text));
        check_bad("web", text, -E2BIG);

        n = (size_t) snprintf(text, sizeof(text), "%s", MINIMAL "sysctl net.x=");
        memset(text + n, '1', NSK_SYSCTL_LEN - strlen("net.x="));
        strcpy(text + n + NSK_SYSCTL_LEN - strlen("net.x="), "\n");
        check_bad("web", text, -ENAMETOOLONG);
}

/* --- write, read back, parse --- */

struct scratch {
        char path[64];
        struct rundir *rd;
};

static int scratch_setup(void **state)
{
        struct scratch *x = calloc(1, sizeof(*x));

        if (!x)
                return -1;
        strcpy(x->path, "/tmp/nsk-test-state-XXXXXX");
        if (!mkdtemp(x->path) || rundir_open(x->path, &x->rd) < 0) {
                free(x);
                return -1;
        }
        *state = x;
        return 0;
}

/* Removes what rundir_open() and state_write() made, whatever a test
 * left; fails if anything else is in the way. */
static int scratch_teardown(void **state)
{
        static const char *const dirs[] = { "state", "ns", "mnt" };
        struct scratch *x = *state;
        int r = 0;

        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                static const char *const files[] = { "web",
                                                     ".web.tmp",
                                                     "~1000~web",
                                                     ".~1000~web.tmp",
                                                     "~4294967294~big",
                                                     ".~4294967294~big.tmp" };
                int fd = openat(x->rd->fd, dirs[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);

                if (fd >= 0) {
                        for (size_t j = 0; j < ELEMENTSOF(files); j++)
                                (void) unlinkat(fd, files[j], 0);
                        safe_close(fd);
                }
                if (unlinkat(x->rd->fd, dirs[i], AT_REMOVEDIR) < 0)
                        r = -1;
        }
        if (unlinkat(x->rd->fd, "lock", 0) < 0)
                r = -1;
        x->rd = rundir_free(x->rd);
        if (rmdir(x->path) < 0)
                r = -1;
        free(x);
        return r;
}

static void read_state(const struct rundir *rd, const char *name, char *buf, size_t size)
{
        struct stat st;
        ssize_t n;
        int fd;

        fd = openat(rd->state_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        assert_true(fd >= 0);
        assert_int_equal(fstat(fd, &st), 0);
        /* Only root reads where a set's pins are. */
        assert_int_equal(st.st_mode & 07777, 0600);
        n = read(fd, buf, size - 1);
        safe_close(fd);
        assert_true(n >= 0 && (size_t) n < size - 1);
        buf[n] = '\0';
}

static void check_same(const struct set *got, const struct set *want)
{
        assert_string_equal(got->name, want->name);
        assert_int_equal(got->pin, want->pin);
        assert_int_equal(got->state, SET_READY);
        assert_true(got->created == want->created);
        assert_int_equal(got->owner, want->owner);
        assert_int_equal(got->types, want->types);
        for (int t = 0; t < NSK_TYPE_MAX; t++)
                if (want->types & NSK_TYPE_BIT(t))
                        assert_true(got->inode[t] == want->inode[t]);

        assert_settings_equal(&got->settings, &want->settings);
}

static void round_trip(const struct rundir *rd, const struct set *s)
{
        static char text[65536];
        struct set *back = NULL;
        pid_t keeper = -1;
        char tmp[NAME_KEY_MAX + 8];
        int r;

        assert_int_equal(state_write(rd, s), 0);
        read_state(rd, s->name, text, sizeof(text));
        assert_int_equal(parse(s->name, text, &back, &keeper), 0);
        check_same(back, s);
        assert_int_equal(keeper, 0);
        set_free(back);

        /* The temporary file was renamed into place. */
        snprintf(tmp, sizeof(tmp), ".%s.tmp", s->name);
        r = faccessat(rd->state_fd, tmp, F_OK, AT_SYMLINK_NOFOLLOW);
        assert_true(r < 0 && errno == ENOENT);
}

static void test_round_trip(void **state)
{
        struct scratch *x = *state;
        static char text[65536];
        char want[128];
        struct set *s;

        /* Defaults and a single namespace. */
        s = set_new("web", NSK_TYPE_BIT(NSK_TYPE_NET), NSK_PIN_BIND, 0);
        assert_non_null(s);
        round_trip(x->rd, s);
        read_state(x->rd, "web", text, sizeof(text));
        snprintf(want, sizeof(want), "version 1\npin bind\ncreated %llu\nowner 0\nns net 0\n",
                 (unsigned long long) s->created);
        assert_string_equal(text, want);

        /* Every type but pid (a keeper line needs a live keeper), every
         * setting. Written over the previous file. */
        s->types = NSK_TYPE_MASK_ALL & ~NSK_TYPE_BIT(NSK_TYPE_PID);
        assert_int_equal(state_remove(x->rd, "web"), 0);
        s->owner = 1000;
        strcpy(s->name, "~1000~web");
        s->created = 1764374400;
        for (int t = 0; t < NSK_TYPE_MAX; t++)
                s->inode[t] = 4026531840ull + (unsigned) t;
        strcpy(s->settings.hostname, "web-1");
        strcpy(s->settings.domainname, "example.org");
        assert_int_equal(nsk_settings_add_sysctl(&s->settings, "net.ipv4.ip_forward=1"), 0);
        assert_int_equal(nsk_settings_add_sysctl(&s->settings,
                                                 "net.ipv4.ping_group_range=0 2147483647"),
                         0);
        assert_int_equal(nsk_settings_add_sysctl(&s->settings, "kernel.shmmax=  spaced "), 0);
        s->settings.uid_map[0] = (struct nsk_idmap) { 0, 100000, 65536 };
        s->settings.uid_map[1] = (struct nsk_idmap) { 65536, 1000, 1 };
        s->settings.n_uid_map = 2;
        s->settings.gid_map[0] = (struct nsk_idmap) { 0, 100000, 65536 };
        s->settings.n_gid_map = 1;
        s->settings.monotonic = -86400;
        s->settings.boottime = 3600;
        s->settings.no_loopback = true;
        s->settings.setgroups_deny = true;
        assert_int_equal(nsk_settings_add_pin_at(&s->settings, NSK_TYPE_NET, "/crio/netns/p 1"), 0);
        s->settings.release_with_pins = true;
        round_trip(x->rd, s);

        s->pin = NSK_PIN_FD;
        round_trip(x->rd, s);

        /* state_remove() takes it away, and a missing file is no error. */
        assert_int_equal(state_remove(x->rd, "~1000~web"), 0);
        assert_int_equal(faccessat(x->rd->state_fd, "~1000~web", F_OK, AT_SYMLINK_NOFOLLOW), -1);
        assert_int_equal(state_remove(x->rd, "~1000~web"), 0);
        set_free(s);
}

/* Networks: name, interface and the ADD's result (one line of JSON, or
 * "-" while not attached); what show says is read back from the result. */
static void test_networks(void **state)
{
        struct scratch *x = *state;
        static const char result[] =
                "{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"br0\"},{\"name\":\"eth0\","
                "\"mac\":\"02:00:00:00:00:01\",\"sandbox\":\"/x\"}],\"ips\":[{\"interface\":1,"
                "\"address\":\"192.0.2.5/24\",\"gateway\":\"192.0.2.1\"}],\"routes\":[{\"dst\":"
                "\"0.0.0.0/0\",\"gw\":\"192.0.2.1\"}],\"dns\":{\"nameservers\":[\"192.0.2.53\"]}}";
        static char text[16384];
        struct set *s, *back;
        pid_t keeper;

        snprintf(text, sizeof(text), "%snetwork lab eth0 %s\nnetwork wan eth1 -\n", MINIMAL_ALL,
                 result);
        assert_int_equal(parse("web", text, &s, &keeper), 0);
        assert_int_equal(s->settings.n_networks, 2);
        assert_string_equal(s->settings.networks[0].name, "lab");
        assert_string_equal(s->settings.networks[0].ifname, "eth0");
        assert_string_equal(s->net_results[0], result);
        assert_string_equal(s->settings.networks[0].mac, "02:00:00:00:00:01");
        assert_int_equal(s->settings.networks[0].n_addresses, 1);
        assert_string_equal(s->settings.networks[0].addresses[0], "192.0.2.5/24");
        assert_string_equal(s->settings.networks[0].gateways[0], "192.0.2.1");
        assert_string_equal(s->settings.networks[0].routes[0], "0.0.0.0/0 via 192.0.2.1");
        assert_string_equal(s->settings.networks[0].nameservers[0], "192.0.2.53");
        /* Not attached: a create cut short (recover.c makes it dead). */
        assert_null(s->net_results[1]);
        assert_int_equal(s->settings.networks[1].n_addresses, 0);

        /* Written and read back the same, results included. */
        round_trip(x->rd, s);
        read_state(x->rd, "web", text, sizeof(text));
        assert_int_equal(parse("web", text, &back, &keeper), 0);
        assert_string_equal(back->net_results[0], result);
        assert_null(back->net_results[1]);
        set_free(back);
        assert_int_equal(state_remove(x->rd, "web"), 0);
        set_free(s);

        /* A result longer than any other line: a line may be as long as
         * the file (a daemon that wrote it must read it back). */
        {
                static char big[8192];
                size_t n =
                        (size_t) snprintf(big, sizeof(big),
                                          "{\"cniVersion\":\"1.0.0\",\"dns\":{\"nameservers\":[");

                for (int k = 0; k < 400; k++)
                        n += (size_t) snprintf(big + n, sizeof(big) - n, "%s\"192.0.2.%d\"",
                                               k ? "," : "", k % 250);
                snprintf(big + n, sizeof(big) - n, "]}}");
                assert_true(strlen(big) > 4096);
                s = set_new("web", NSK_TYPE_BIT(NSK_TYPE_NET), NSK_PIN_BIND, 0);
                assert_non_null(s);
                assert_int_equal(nsk_settings_add_network(&s->settings, "lab", "eth0"), 0);
                assert_int_equal(set_networks_init(s), 0);
                s->net_results[0] = strdup(big);
                assert_int_equal(network_fill(&s->settings.networks[0], big), 0);
                round_trip(x->rd, s);
                read_state(x->rd, "web", text, sizeof(text));
                assert_int_equal(parse("web", text, &back, &keeper), 0);
                assert_string_equal(back->net_results[0], big);
                assert_int_equal(back->settings.networks[0].n_nameservers, NSK_NETWORK_ITEMS_MAX);
                set_free(back);
                assert_int_equal(state_remove(x->rd, "web"), 0);
                set_free(s);
        }

        check_bad_line("network lab", -EINVAL);
        check_bad_line("network lab eth0", -EINVAL);
        check_bad_line("network lab eth0 ", -EINVAL);
        check_bad_line("network -lab eth0 -", -EINVAL);
        check_bad_line("network lab a/b -", -EINVAL);
        check_bad_line("network lab eth0 {not json", -EINVAL);
        check_bad_line("network lab eth0 []", -EINVAL);
        /* What is not an address is not kept (it would reach terminals). */
        check_bad_line("network lab eth0 {\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":"
                       "\"10.0.0.2/24\\n2099 released victim\"}]}",
                       -EINVAL);
        check_bad_line("network lab eth0 {\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":"
                       "\"10.0.0.2/33\"}]}",
                       -EINVAL);
        /* Two networks on one interface cannot be. */
        snprintf(text, sizeof(text), "%snetwork lab eth0 -\nnetwork wan eth0 -\n", MINIMAL_ALL);
        check_bad("web", text, -EINVAL);
        /* The configurations come after every network (as written), each
         * for an interface of one; a network after them is refused, not
         * left without a configuration's slot. */
        snprintf(text, sizeof(text),
                 "%snetwork lab eth0 -\nnetwork wan eth1 -\nnetwork_config eth0 {}\n"
                 "network_config eth1 {}\n",
                 MINIMAL_ALL);
        assert_int_equal(parse("web", text, &s, &keeper), 0);
        assert_string_equal(s->net_configs[0], "{}");
        assert_string_equal(s->net_configs[1], "{}");
        set_free(s);
        snprintf(text, sizeof(text),
                 "%snetwork lab eth0 -\nnetwork_config eth0 {}\nnetwork wan eth1 -\n"
                 "network_config eth1 {}\n",
                 MINIMAL_ALL);
        check_bad("web", text, -EINVAL);
        snprintf(text, sizeof(text), "%snetwork lab eth0 -\nnetwork_config eth9 {}\n", MINIMAL_ALL);
        check_bad("web", text, -EINVAL);
}

/* The largest set there can be still fits a state file and its lines. */
static void test_round_trip_limits(void **state)
{
        struct scratch *x = *state;
        struct set *s;

        s = set_new("~4294967294~big", NSK_TYPE_MASK_ALL & ~NSK_TYPE_BIT(NSK_TYPE_PID),
                    NSK_PIN_BIND, 4294967294u);
        assert_non_null(s);
        s->created = UINT64_MAX;
        for (int t = 0; t < NSK_TYPE_MAX; t++)
                s->inode[t] = UINT64_MAX - (unsigned) t;
        memset(s->settings.hostname, 'h', NSK_HOSTNAME_MAX);
        memset(s->settings.domainname, 'd', NSK_HOSTNAME_MAX);
        for (unsigned i = 0; i < NSK_SYSCTL_MAX; i++) {
                char a[NSK_SYSCTL_LEN];

                memset(a, 'v', sizeof(a));
                snprintf(a, sizeof(a), "net.x%u=", i);
                a[strlen(a)] = 'v';
                a[NSK_SYSCTL_LEN - 1] = '\0';
                assert_int_equal(nsk_settings_add_sysctl(&s->settings, a), 0);
        }
        for (unsigned i = 0; i < NSK_IDMAP_MAX; i++) {
                /* The largest ranges that are still ranges of ids. */
                s->settings.uid_map[i] = (struct nsk_idmap) { 0, 0, UINT32_MAX };
                s->settings.gid_map[i] = (struct nsk_idmap) { i, UINT32_MAX - 1 - i, 1 };
        }
        s->settings.n_uid_map = s->settings.n_gid_map = NSK_IDMAP_MAX;
        s->settings.monotonic = INT64_MIN;
        s->settings.boottime = INT64_MAX;
        round_trip(x->rd, s);
        set_free(s);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_full),
                cmocka_unit_test(test_parse_minimal),
                cmocka_unit_test(test_parse_version),
                cmocka_unit_test(test_parse_pin),
                cmocka_unit_test(test_parse_ns),
                cmocka_unit_test(test_parse_numbers),
                cmocka_unit_test(test_parse_keeper),
                cmocka_unit_test(test_parse_unknown),
                cmocka_unit_test(test_parse_lines),
                cmocka_unit_test(test_parse_name),
                cmocka_unit_test(test_parse_settings),
                cmocka_unit_test_setup_teardown(test_round_trip, scratch_setup, scratch_teardown),
                cmocka_unit_test_setup_teardown(test_networks, scratch_setup, scratch_teardown),
                cmocka_unit_test_setup_teardown(test_round_trip_limits, scratch_setup,
                                                scratch_teardown),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
