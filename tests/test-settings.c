/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for common/settings.c: checking settings against a set's
 * types, their limits and copies, and their attributes on the wire. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "proto.h"
#include "settings-eq.h"
#include "util.h"

#define MSG_SIZE 512

/* --- nsk_settings_check() --- */

static void check_ok(const struct nsk_settings *s, nsk_type_mask_t types)
{
        char msg[MSG_SIZE] = "";
        int r = nsk_settings_check(s, types, msg, sizeof(msg));

        if (r != 0)
                fail_msg("refused: %d '%s'", r, msg);
}

/* Refused with error, and msg holds each of the (NULL-ended) parts. */
static void check_refused(const struct nsk_settings *s, nsk_type_mask_t types, int error, ...)
{
        char msg[MSG_SIZE] = "";
        const char *part;
        va_list ap;
        int r = nsk_settings_check(s, types, msg, sizeof(msg));

        if (r != error)
                fail_msg("%d '%s', expected %d", r, msg, error);
        va_start(ap, error);
        while ((part = va_arg(ap, const char *)))
                if (!strstr(msg, part))
                        fail_msg("'%s' does not say '%s'", msg, part);
        va_end(ap);
}

static void test_check_default(void **state)
{
        struct nsk_settings s = {};

        check_ok(&s, 0);
        check_ok(&s, NSK_TYPE_MASK_ALL);
}

/* Each setting needs a new namespace of its type, and the message
 * says which setting and which type. */
static void test_check_needs_type(void **state)
{
        static const struct {
                const char *what;
                enum nsk_type needs;
        } cases[] = {
                { "a hostname", NSK_TYPE_UTS },         { "a domainname", NSK_TYPE_UTS },
                { "a uid map", NSK_TYPE_USER },         { "a gid map", NSK_TYPE_USER },
                { "setgroups deny", NSK_TYPE_USER },    { "a monotonic offset", NSK_TYPE_TIME },
                { "a boottime offset", NSK_TYPE_TIME }, { "leaving loopback down", NSK_TYPE_NET },
                { "--ip-netns", NSK_TYPE_NET },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                struct nsk_settings s = {};
                char needs[64];

                switch (i) {
                case 0:
                        strcpy(s.hostname, "web");
                        break;
                case 1:
                        strcpy(s.domainname, "example.org");
                        break;
                case 2:
                        s.uid_map[0] = (struct nsk_idmap) { 0, 100000, 65536 };
                        s.n_uid_map = 1;
                        break;
                case 3:
                        s.gid_map[0] = (struct nsk_idmap) { 0, 100000, 65536 };
                        s.n_gid_map = 1;
                        break;
                case 4:
                        s.setgroups_deny = true;
                        break;
                case 5:
                        s.monotonic = -1;
                        break;
                case 6:
                        s.boottime = 1;
                        break;
                case 7:
                        s.no_loopback = true;
                        break;
                case 8:
                        s.ip_netns = true;
                        break;
                }
                snprintf(needs, sizeof(needs), "needs a new %s namespace",
                         nsk_type_name(cases[i].needs));

                check_refused(&s, 0, -EINVAL, cases[i].what, needs, NULL);
                check_refused(&s, NSK_TYPE_MASK_ALL & ~NSK_TYPE_BIT(cases[i].needs), -EINVAL,
                              cases[i].what, needs, NULL);
                check_ok(&s, NSK_TYPE_BIT(cases[i].needs));
                assert_false(nsk_settings_is_default(&s));
        }
}

static void test_check_hostname(void **state)
{
        static const char *const bad[] = { "-web", ".web", "we b", "we_b", "web/x", "wé" };
        struct nsk_settings s = {};

        /* The longest a uts namespace takes. */
        memset(s.hostname, 'h', NSK_HOSTNAME_MAX);
        check_ok(&s, NSK_TYPE_BIT(NSK_TYPE_UTS));
        strcpy(s.hostname, "web-1.example.org");
        check_ok(&s, NSK_TYPE_BIT(NSK_TYPE_UTS));

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                char quoted[32];

                strcpy(s.hostname, bad[i]);
                snprintf(quoted, sizeof(quoted), "'%s'", bad[i]);
                check_refused(&s, NSK_TYPE_BIT(NSK_TYPE_UTS), -EINVAL, "invalid hostname", quoted,
                              NULL);
        }

        s.hostname[0] = '\0';
        strcpy(s.domainname, "_bad");
        check_refused(&s, NSK_TYPE_BIT(NSK_TYPE_UTS), -EINVAL, "invalid domainname", "'_bad'",
                      NULL);
}

static void test_check_idmap(void **state)
{
        static const struct nsk_idmap good[] = {
                { 0, 0, 1 },
                { 0, 100000, 65536 },
                { 0, 0, UINT32_MAX },     /* 0 .. 4294967294 */
                { UINT32_MAX - 1, 0, 1 }, /* 4294967294 is the last id */
                { 0, UINT32_MAX - 1, 1 },
                { 1, 1, UINT32_MAX - 1 },
        };
        static const struct nsk_idmap bad[] = {
                { 0, 0, 0 },          { UINT32_MAX, 0, 1 }, /* (uid_t) -1 is no id */
                { 0, UINT32_MAX, 1 }, { 1, 0, UINT32_MAX },
                { 0, 1, UINT32_MAX }, { UINT32_MAX, UINT32_MAX, UINT32_MAX },
        };
        nsk_type_mask_t user = NSK_TYPE_BIT(NSK_TYPE_USER);

        for (size_t i = 0; i < ELEMENTSOF(good); i++) {
                struct nsk_settings s = { .n_uid_map = 1, .n_gid_map = 1 };

                s.uid_map[0] = good[i];
                s.gid_map[0] = good[i];
                check_ok(&s, user);
        }
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                struct nsk_settings s = { .n_uid_map = 2 };
                char line[64];

                s.uid_map[0] = good[1];
                s.uid_map[1] = bad[i];
                snprintf(line, sizeof(line), "uid map line '%u %u %u' is not a valid range",
                         bad[i].inside, bad[i].outside, bad[i].count);
                check_refused(&s, user, -EINVAL, line, NULL);

                s = (struct nsk_settings) { .n_gid_map = 1 };
                s.gid_map[0] = bad[i];
                snprintf(line, sizeof(line), "gid map line '%u %u %u' is not a valid range",
                         bad[i].inside, bad[i].outside, bad[i].count);
                check_refused(&s, user, -EINVAL, line, NULL);
        }
}

static void test_check_sysctl(void **state)
{
        nsk_type_mask_t net_ipc = NSK_TYPE_BIT(NSK_TYPE_NET) | NSK_TYPE_BIT(NSK_TYPE_IPC);
        struct nsk_settings s = {};

        assert_int_equal(nsk_settings_add_sysctl(&s, "net.ipv4.ip_forward=1"), 0);
        assert_int_equal(nsk_settings_add_sysctl(&s, "kernel.shmmax=1024"), 0);
        check_ok(&s, net_ipc);
        check_refused(&s, NSK_TYPE_BIT(NSK_TYPE_NET), -EINVAL,
                      "sysctl 'kernel.shmmax=1024' needs a new ipc namespace", NULL);
        check_refused(&s, NSK_TYPE_BIT(NSK_TYPE_IPC), -EINVAL,
                      "sysctl 'net.ipv4.ip_forward=1' needs a new net namespace", NULL);
        nsk_settings_done(&s);

        /* A key of no namespace nskeeper makes: -EINVAL, with the list. */
        assert_int_equal(nsk_settings_add_sysctl(&s, "vm.swappiness=10"), 0);
        check_refused(&s, NSK_TYPE_MASK_ALL, -EINVAL, "sysctl 'vm.swappiness=10'",
                      "belongs to no namespace nskeeper makes", "net.*", "kernel.shm*",
                      "fs.mqueue.*", NULL);
        nsk_settings_done(&s);

        /* A malformed one: -EINVAL and what a good one looks like. */
        assert_int_equal(nsk_settings_add_sysctl(&s, "net.ipv4.ip_forward=1"), 0);
        assert_int_equal(nsk_settings_add_sysctl(&s, "net/../x=1"), 0);
        check_refused(&s, NSK_TYPE_MASK_ALL, -EINVAL, "invalid sysctl 'net/../x=1'",
                      "expected KEY=VALUE", NULL);
        nsk_settings_done(&s);

        assert_int_equal(nsk_settings_add_sysctl(&s, "net.ipv4.ip_forward"), 0);
        check_refused(&s, NSK_TYPE_MASK_ALL, -EINVAL, "invalid sysctl 'net.ipv4.ip_forward'", NULL);
        nsk_settings_done(&s);

        /* Only 128 bytes of a long assignment are quoted. */
        {
                char a[300], quoted[140];

                memset(a, 'k', sizeof(a));
                memcpy(a, "vm.", 3);
                strcpy(a + sizeof(a) - 3, "=1");
                assert_int_equal(nsk_settings_add_sysctl(&s, a), 0);
                snprintf(quoted, sizeof(quoted), "'%.128s'", a);
                check_refused(&s, NSK_TYPE_MASK_ALL, -EINVAL, quoted, NULL);
                nsk_settings_done(&s);
        }
}

/* A sysctl array built by hand, longer than nsk_settings_add_sysctl()
 * allows: sysctl_parse()'s -ENAMETOOLONG comes through as it is (the
 * header promises -EINVAL), with the "invalid sysctl" message. */
static void test_check_sysctl_too_long(void **state)
{
        static char a[NSK_SYSCTL_LEN + 8];
        char *list[] = { a };
        struct nsk_settings s = { .n_sysctls = 1, .sysctls = list };

        memset(a, 'k', sizeof(a));
        memcpy(a, "net.", 4);
        strcpy(a + sizeof(a) - 3, "=1");
        check_refused(&s, NSK_TYPE_MASK_ALL, -ENAMETOOLONG, "invalid sysctl", NULL);
}

/* The type comes first: a hostname without uts is about uts, however bad
 * the name. */
static void test_check_order(void **state)
{
        struct nsk_settings s = {};

        strcpy(s.hostname, "-bad");
        check_refused(&s, 0, -EINVAL, "a hostname needs a new uts namespace", NULL);
        check_refused(&s, NSK_TYPE_BIT(NSK_TYPE_UTS), -EINVAL, "invalid hostname", NULL);
}

static void test_check_small_message(void **state)
{
        struct nsk_settings s = { .no_loopback = true };
        char msg[8];

        memset(msg, 'X', sizeof(msg));
        assert_int_equal(nsk_settings_check(&s, 0, msg, 5), -EINVAL);
        assert_string_equal(msg, "leav");
        assert_int_equal(msg[5], 'X');
}

/* --- limits, copies, defaults --- */

static void test_add_sysctl_limits(void **state)
{
        struct nsk_settings s = {};
        char a[NSK_SYSCTL_LEN + 1];

        /* NUL included: NSK_SYSCTL_LEN - 1 characters fit. */
        memset(a, 'k', sizeof(a));
        memcpy(a, "net.", 4);
        a[NSK_SYSCTL_LEN - 3] = '=';
        a[NSK_SYSCTL_LEN - 2] = '1';
        a[NSK_SYSCTL_LEN - 1] = '\0';
        assert_int_equal(nsk_settings_add_sysctl(&s, a), 0);
        assert_int_equal(s.n_sysctls, 1);
        assert_string_equal(s.sysctls[0], a);
        assert_ptr_not_equal(s.sysctls[0], a);

        a[NSK_SYSCTL_LEN - 1] = '1';
        a[NSK_SYSCTL_LEN] = '\0';
        assert_int_equal(nsk_settings_add_sysctl(&s, a), -ENAMETOOLONG);
        assert_int_equal(s.n_sysctls, 1);

        for (unsigned i = 1; i < NSK_SYSCTL_MAX; i++) {
                char b[32];

                snprintf(b, sizeof(b), "net.x%u=%u", i, i);
                assert_int_equal(nsk_settings_add_sysctl(&s, b), 0);
        }
        assert_int_equal(s.n_sysctls, NSK_SYSCTL_MAX);
        assert_int_equal(nsk_settings_add_sysctl(&s, "net.y=1"), -E2BIG);
        assert_int_equal(s.n_sysctls, NSK_SYSCTL_MAX);
        assert_string_equal(s.sysctls[NSK_SYSCTL_MAX - 1], "net.x31=31");

        /* Kept as given: checking is nsk_settings_check()'s job. */
        nsk_settings_done(&s);
        assert_int_equal(s.n_sysctls, 0);
        assert_null(s.sysctls);
        assert_int_equal(nsk_settings_add_sysctl(&s, "anything at all"), 0);
        assert_string_equal(s.sysctls[0], "anything at all");
        nsk_settings_done(&s);
        /* Done twice is harmless. */
        nsk_settings_done(&s);
}

static void fill_all(struct nsk_settings *s)
{
        *s = (struct nsk_settings) {
                .hostname = "web",
                .domainname = "example.org",
                .n_uid_map = 2,
                .uid_map = { { 0, 100000, 1000 }, { 1000, 1000, 1 } },
                .n_gid_map = NSK_IDMAP_MAX,
                .monotonic = -86400,
                .boottime = INT64_MAX,
                .no_loopback = true,
                .setgroups_deny = true,
                .ip_netns = true,
        };
        for (unsigned i = 0; i < NSK_IDMAP_MAX; i++)
                s->gid_map[i] = (struct nsk_idmap) { i * 10, 200000 + i * 10, 10 };
        assert_int_equal(nsk_settings_add_sysctl(s, "net.ipv4.ip_forward=1"), 0);
        assert_int_equal(nsk_settings_add_sysctl(s, "net/ipv4/conf/eth0.1/forwarding=0"), 0);
        assert_int_equal(nsk_settings_add_sysctl(s, "kernel.sem=250 32000 32 128"), 0);
        assert_int_equal(nsk_settings_add_pin_at(s, NSK_TYPE_NET, "/crio/netns/p1"), 0);
        s->release_with_pins = true;
        /* A network as a request names it, and one as a SET describes it. */
        assert_int_equal(nsk_settings_add_network(s, "lab", NULL), 0);
        assert_int_equal(nsk_settings_add_network(s, "wan.2", "uplink0"), 0);
        strcpy(s->networks[1].mac, "02:00:00:00:00:01");
        assert_int_equal(nsk_network_add_item(&s->networks[1], NSK_NETWORK_ADDRESS, "192.0.2.5/24"),
                         0);
        assert_int_equal(nsk_network_add_item(&s->networks[1], NSK_NETWORK_ADDRESS,
                                              "2001:db8::5/64"),
                         0);
        assert_int_equal(nsk_network_add_item(&s->networks[1], NSK_NETWORK_GATEWAY, "192.0.2.1"),
                         0);
        assert_int_equal(nsk_network_add_item(&s->networks[1], NSK_NETWORK_ROUTE,
                                              "0.0.0.0/0 via 192.0.2.1"),
                         0);
        assert_int_equal(nsk_network_add_item(&s->networks[1], NSK_NETWORK_NAMESERVER,
                                              "192.0.2.53"),
                         0);
}

static void test_copy(void **state)
{
        struct nsk_settings a, b;

        fill_all(&a);
        assert_int_equal(nsk_settings_copy(&b, &a), 0);
        assert_settings_equal(&b, &a);
        /* Deep: the strings are b's own. */
        assert_ptr_not_equal(b.sysctls, a.sysctls);
        for (unsigned i = 0; i < a.n_sysctls; i++)
                assert_ptr_not_equal(b.sysctls[i], a.sysctls[i]);

        /* b outlives a (valgrind would see a use after free). */
        memset(a.sysctls[0], 'Z', 3);
        nsk_settings_done(&a);
        memset(&a, 0xAA, sizeof(a));
        assert_string_equal(b.sysctls[0], "net.ipv4.ip_forward=1");
        assert_string_equal(b.sysctls[2], "kernel.sem=250 32000 32 128");
        assert_string_equal(b.hostname, "web");
        assert_int_equal(b.gid_map[NSK_IDMAP_MAX - 1].outside, 200150);
        nsk_settings_done(&b);

        /* No sysctls: nothing allocated. */
        a = (struct nsk_settings) { .hostname = "x" };
        memset(&b, 0xAA, sizeof(b));
        assert_int_equal(nsk_settings_copy(&b, &a), 0);
        assert_null(b.sysctls);
        assert_int_equal(b.n_sysctls, 0);
        assert_string_equal(b.hostname, "x");
        nsk_settings_done(&b);
}

static void test_networks(void **state)
{
        nsk_type_mask_t net = NSK_TYPE_BIT(NSK_TYPE_NET);
        struct nsk_settings s = {};
        char name[NSK_NETWORK_NAME_MAX + 2];

        assert_true(nsk_network_name_is_valid("lab"));
        assert_true(nsk_network_name_is_valid("0lab_1.x-y"));
        assert_false(nsk_network_name_is_valid(""));
        assert_false(nsk_network_name_is_valid("-lab"));
        assert_false(nsk_network_name_is_valid(".lab"));
        assert_false(nsk_network_name_is_valid("la b"));
        assert_false(nsk_network_name_is_valid("la/b"));
        memset(name, 'n', NSK_NETWORK_NAME_MAX);
        name[NSK_NETWORK_NAME_MAX] = '\0';
        assert_true(nsk_network_name_is_valid(name));
        strcat(name, "n");
        assert_false(nsk_network_name_is_valid(name));

        assert_true(nsk_ifname_is_valid("eth0"));
        assert_true(nsk_ifname_is_valid("a-very-long-nam"));
        assert_false(nsk_ifname_is_valid("a-very-long-name"));
        assert_false(nsk_ifname_is_valid(""));
        assert_false(nsk_ifname_is_valid("."));
        assert_false(nsk_ifname_is_valid(".."));
        assert_false(nsk_ifname_is_valid("a/b"));
        assert_false(nsk_ifname_is_valid("a:b"));
        assert_false(nsk_ifname_is_valid("a b"));
        assert_false(nsk_ifname_is_valid("a\tb"));

        assert_int_equal(nsk_settings_add_network(&s, "-lab", NULL), -EINVAL);
        assert_int_equal(nsk_settings_add_network(&s, "lab", "a/b"), -EINVAL);
        for (unsigned i = 0; i < NSK_NETWORK_MAX; i++)
                assert_int_equal(nsk_settings_add_network(&s, "lab", ""), 0);
        assert_int_equal(nsk_settings_add_network(&s, "lab", ""), -E2BIG);
        assert_false(nsk_settings_is_default(&s));
        check_ok(&s, net);
        check_refused(&s, NSK_TYPE_BIT(NSK_TYPE_UTS), -EINVAL, "a network needs a new net", NULL);
        nsk_settings_done(&s);
        assert_int_equal(s.n_networks, 0);
        assert_null(s.networks);

        /* Interface names: each at most once. */
        assert_int_equal(nsk_settings_add_network(&s, "lab", "eth0"), 0);
        assert_int_equal(nsk_settings_add_network(&s, "wan", NULL), 0);
        check_ok(&s, net);
        assert_int_equal(nsk_settings_add_network(&s, "wan", "eth0"), 0);
        check_refused(&s, net, -EINVAL, "networks lab and wan both name interface eth0", NULL);
        nsk_settings_done(&s);
}

static void test_pins_at(void **state)
{
        nsk_type_mask_t types = NSK_TYPE_BIT(NSK_TYPE_NET) | NSK_TYPE_BIT(NSK_TYPE_UTS);
        struct nsk_settings s = {};
        enum nsk_type t;
        const char *path;

        assert_int_equal(nsk_pin_at_parse("net:/run/netns/x", &t, &path), 0);
        assert_int_equal(t, NSK_TYPE_NET);
        assert_string_equal(path, "/run/netns/x");
        static const char *const bad[] = {
                "net",        "net:",      "net:run/x", "net:/",     "foo:/x", "net:/a/../b",
                "net:/a/./b", "net:/a//b", "net:/a/",   "net:/a\tb", ":/x",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                if (nsk_pin_at_parse(bad[i], &t, &path) == 0)
                        fail_msg("'%s' taken", bad[i]);

        assert_int_equal(nsk_settings_add_pin_at(&s, NSK_TYPE_NET, "relative"), -EINVAL);
        assert_int_equal(nsk_settings_add_pin_at(&s, NSK_TYPE_NET, "/a/../b"), -EINVAL);
        assert_int_equal(nsk_settings_add_pin_at(&s, NSK_TYPE_NET, "/crio/netns/p1"), 0);
        assert_false(nsk_settings_is_default(&s));
        check_ok(&s, types);
        check_refused(&s, NSK_TYPE_BIT(NSK_TYPE_UTS), -EINVAL, "needs a new net namespace", NULL);
        assert_int_equal(nsk_settings_add_pin_at(&s, NSK_TYPE_NET, "/other"), 0);
        check_refused(&s, types, -EINVAL, "more than one pin of the net namespace", NULL);
        nsk_settings_done(&s);

        s = (struct nsk_settings) { .release_with_pins = true };
        check_refused(&s, types, -EINVAL, "needs pins", NULL);
        assert_int_equal(nsk_settings_add_pin_at(&s, NSK_TYPE_UTS, "/crio/utsns/p1"), 0);
        check_ok(&s, types);
        assert_int_equal(nsk_settings_add_network(&s, "lab", NULL), 0);
        check_refused(&s, types, -EINVAL, "can have no networks", NULL);
        nsk_settings_done(&s);
}

static void test_take_network(void **state)
{
        static uint8_t buf[256];
        struct nsk_settings s = {};
        struct nsk_writer w;
        struct nsk_attr_iter it;
        struct nsk_attr a;
        size_t nest;
        int n;

        /* A NETWORK with something it has no place for: a request refuses
         * it, a reply skips it. */
        nsk_writer_init(&w, buf, sizeof(buf), NSK_CMD_CREATE, 1, 0);
        nest = nsk_nest_begin(&w, NSK_A_NETWORK);
        nsk_put_str(&w, NSK_A_NET_NAME, "lab");
        nsk_put_str(&w, NSK_A_HOSTNAME, "web");
        nsk_nest_end(&w, nest);
        n = nsk_writer_finish(&w);
        assert_true(n > NSK_HDR_SIZE);
        nsk_attr_iter_init(&it, buf + NSK_HDR_SIZE, (size_t) n - NSK_HDR_SIZE);
        assert_int_equal(nsk_attr_next(&it, &a), 1);
        assert_int_equal(nsk_settings_take_attr(&s, &a, true), -EBADMSG);
        nsk_settings_done(&s);
        assert_int_equal(nsk_settings_take_attr(&s, &a, false), 1);
        assert_int_equal(s.n_networks, 1);
        assert_string_equal(s.networks[0].name, "lab");
        nsk_settings_done(&s);

        /* Without a name, or with a bad one: malformed. */
        nsk_writer_init(&w, buf, sizeof(buf), NSK_CMD_CREATE, 1, 0);
        nest = nsk_nest_begin(&w, NSK_A_NETWORK);
        nsk_put_str(&w, NSK_A_NET_IFNAME, "eth0");
        nsk_nest_end(&w, nest);
        nest = nsk_nest_begin(&w, NSK_A_NETWORK);
        nsk_put_str(&w, NSK_A_NET_NAME, "-lab");
        nsk_nest_end(&w, nest);
        n = nsk_writer_finish(&w);
        assert_true(n > NSK_HDR_SIZE);
        nsk_attr_iter_init(&it, buf + NSK_HDR_SIZE, (size_t) n - NSK_HDR_SIZE);
        assert_int_equal(nsk_attr_next(&it, &a), 1);
        assert_int_equal(nsk_settings_take_attr(&s, &a, false), -EBADMSG);
        nsk_settings_done(&s);
        assert_int_equal(nsk_attr_next(&it, &a), 1);
        assert_int_equal(nsk_settings_take_attr(&s, &a, true), -EINVAL);
        nsk_settings_done(&s);
}

static void test_is_default(void **state)
{
        struct nsk_settings s = {};

        assert_true(nsk_settings_is_default(&s));
        /* A map with n_uid_map 0 is not there. */
        s.uid_map[0] = (struct nsk_idmap) { 0, 0, 1 };
        assert_true(nsk_settings_is_default(&s));

        for (int i = 0; i < 10; i++) {
                s = (struct nsk_settings) {};
                switch (i) {
                case 0:
                        strcpy(s.hostname, "h");
                        break;
                case 1:
                        strcpy(s.domainname, "d");
                        break;
                case 2:
                        assert_int_equal(nsk_settings_add_sysctl(&s, "net.x=1"), 0);
                        break;
                case 3:
                        s.n_uid_map = 1;
                        break;
                case 4:
                        s.n_gid_map = 1;
                        break;
                case 5:
                        s.monotonic = INT64_MIN;
                        break;
                case 6:
                        s.boottime = -1;
                        break;
                case 7:
                        s.no_loopback = true;
                        break;
                case 8:
                        s.setgroups_deny = true;
                        break;
                case 9:
                        s.ip_netns = true;
                        break;
                }
                if (nsk_settings_is_default(&s))
                        fail_msg("case %d is taken for the default", i);
                nsk_settings_done(&s);
        }
}

/* --- on the wire --- */

/* Writes s as attributes of a message in buf; returns the message size. */
static int put(uint8_t *buf, size_t size, const struct nsk_settings *s)
{
        struct nsk_writer w;

        nsk_writer_init(&w, buf, size, NSK_CMD_CREATE, 1, 0);
        nsk_put_settings(&w, s);
        return nsk_writer_finish(&w);
}

/* Takes every attribute of the message; returns how many there were. */
static unsigned take_all(const uint8_t *buf, int n, struct nsk_settings *s)
{
        struct nsk_attr_iter it;
        struct nsk_attr a;
        unsigned count = 0;
        int r;

        assert_true(n >= NSK_HDR_SIZE);
        nsk_attr_iter_init(&it, buf + NSK_HDR_SIZE, (size_t) n - NSK_HDR_SIZE);
        while ((r = nsk_attr_next(&it, &a)) > 0) {
                r = nsk_settings_take_attr(s, &a, true);
                if (r != 1)
                        fail_msg("attribute %u: %d", a.type, r);
                count++;
        }
        assert_int_equal(r, 0);
        return count;
}

static void test_wire_round_trip(void **state)
{
        static uint8_t buf[4096];
        struct nsk_settings in, out = {};
        int n;

        fill_all(&in);
        n = put(buf, sizeof(buf), &in);
        assert_true(n > NSK_HDR_SIZE);
        /* hostname, domainname, 3 sysctls, 2 maps, 2 offsets, 3 flags, 2 networks,
         * a pin and its flag */
        assert_int_equal(take_all(buf, n, &out), 16);
        assert_settings_equal(&out, &in);
        nsk_settings_done(&out);
        out = (struct nsk_settings) {};

        /* The other extreme of the offsets; one-line maps. */
        in.monotonic = INT64_MIN;
        in.boottime = -1;
        in.n_uid_map = 1;
        in.n_gid_map = 1;
        in.uid_map[0] = (struct nsk_idmap) { UINT32_MAX, UINT32_MAX, UINT32_MAX };
        memset(in.hostname, 'h', NSK_HOSTNAME_MAX);
        n = put(buf, sizeof(buf), &in);
        assert_int_equal(take_all(buf, n, &out), 16);
        assert_settings_equal(&out, &in);
        nsk_settings_done(&out);
        nsk_settings_done(&in);

        /* Defaults put nothing. */
        in = (struct nsk_settings) {};
        assert_int_equal(put(buf, sizeof(buf), &in), NSK_HDR_SIZE);

        /* One alone. */
        in = (struct nsk_settings) { .setgroups_deny = true };
        out = (struct nsk_settings) {};
        n = put(buf, sizeof(buf), &in);
        assert_int_equal(n, NSK_HDR_SIZE + 8);
        assert_int_equal(take_all(buf, n, &out), 1);
        assert_settings_equal(&out, &in);

        /* ip_netns alone: the one flag whose attribute says 1, not 0. */
        in = (struct nsk_settings) { .ip_netns = true };
        out = (struct nsk_settings) {};
        n = put(buf, sizeof(buf), &in);
        assert_int_equal(n, NSK_HDR_SIZE + 8);
        assert_int_equal(take_all(buf, n, &out), 1);
        assert_true(out.ip_netns);
        assert_settings_equal(&out, &in);
}

static void test_wire_overflow(void **state)
{
        uint8_t buf[64];
        struct nsk_settings s;

        /* A gid map of 16 lines is 196 bytes: the writer says so. */
        fill_all(&s);
        assert_int_equal(put(buf, sizeof(buf), &s), -EMSGSIZE);
        nsk_settings_done(&s);
}

/* take_attr on one attribute made up here. */
static int take(struct nsk_settings *s, uint16_t type, const void *data, size_t len)
{
        struct nsk_attr a = { .type = type, .len = (uint16_t) len, .data = data };

        return nsk_settings_take_attr(s, &a, true);
}

static void test_take_not_settings(void **state)
{
        static const uint16_t others[] = {
                0,        NSK_A_NAME,  NSK_A_TYPES,        NSK_A_PIN,        NSK_A_ERRNO, NSK_A_SET,
                NSK_A_NS, NSK_A_STATE, NSK_A_STATE_REASON, NSK_A_KEEPER_PID, NSK_A_MAX,   0xffff,
        };
        struct nsk_settings s = {};
        uint32_t v = 0;

        for (size_t i = 0; i < ELEMENTSOF(others); i++)
                assert_int_equal(take(&s, others[i], &v, sizeof(v)), 0);
        assert_true(nsk_settings_is_default(&s));
}

static void test_take_idmap_bad(void **state)
{
        static const size_t lens[] = { 0, 4, 8, 11, 13, 16, 20, 25 };
        uint32_t v[(NSK_IDMAP_MAX + 1) * 3];
        struct nsk_settings s = {};

        for (size_t i = 0; i < ELEMENTSOF(v); i++)
                v[i] = (i % 3 == 2) ? 1 : (uint32_t) i;

        /* Not whole lines. */
        for (size_t i = 0; i < ELEMENTSOF(lens); i++) {
                assert_int_equal(take(&s, NSK_A_UID_MAP, v, lens[i]), -EBADMSG);
                assert_int_equal(take(&s, NSK_A_GID_MAP, v, lens[i]), -EBADMSG);
        }
        assert_int_equal(s.n_uid_map, 0);
        assert_int_equal(s.n_gid_map, 0);

        /* NSK_IDMAP_MAX lines fit, one more does not. */
        assert_int_equal(take(&s, NSK_A_UID_MAP, v, sizeof(v)), -EBADMSG);
        assert_int_equal(s.n_uid_map, 0);
        assert_int_equal(take(&s, NSK_A_UID_MAP, v, sizeof(v) - 12), 1);
        assert_int_equal(s.n_uid_map, NSK_IDMAP_MAX);
        assert_int_equal(s.uid_map[NSK_IDMAP_MAX - 1].inside, 45);
        assert_int_equal(s.uid_map[NSK_IDMAP_MAX - 1].outside, 46);
        assert_int_equal(s.uid_map[NSK_IDMAP_MAX - 1].count, 1);

        /* A second UID_MAP, even a good one. */
        assert_int_equal(take(&s, NSK_A_UID_MAP, v, 12), -EBADMSG);
        assert_int_equal(s.n_uid_map, NSK_IDMAP_MAX);
        /* ... but one GID_MAP is still welcome. */
        assert_int_equal(take(&s, NSK_A_GID_MAP, v, 12), 1);
        assert_int_equal(take(&s, NSK_A_GID_MAP, v, 12), -EBADMSG);
        assert_int_equal(s.n_gid_map, 1);

        /* A count of 0, in any line. */
        s = (struct nsk_settings) {};
        v[2] = 0;
        assert_int_equal(take(&s, NSK_A_UID_MAP, v, 12), -EINVAL);
        assert_int_equal(s.n_uid_map, 0);
        v[2] = 1;
        v[3 * 3 + 2] = 0;
        assert_int_equal(take(&s, NSK_A_GID_MAP, v, 5 * 12), -EINVAL);
        assert_int_equal(s.n_gid_map, 0);
}

static void test_take_bool(void **state)
{
        static const uint16_t types[] = { NSK_A_LOOPBACK, NSK_A_SETGROUPS };
        static const uint8_t zeros[8];

        for (size_t i = 0; i < ELEMENTSOF(types); i++) {
                struct nsk_settings s = {};
                bool *flag = types[i] == NSK_A_LOOPBACK ? &s.no_loopback : &s.setgroups_deny;
                uint32_t v;

                v = 0;
                assert_int_equal(take(&s, types[i], &v, sizeof(v)), 1);
                assert_true(*flag);
                /* 1 says the default out loud. */
                v = 1;
                assert_int_equal(take(&s, types[i], &v, sizeof(v)), 1);
                assert_false(*flag);

                *flag = true;
                v = 2;
                assert_int_equal(take(&s, types[i], &v, sizeof(v)), -EINVAL);
                v = 0xffffffffu;
                assert_int_equal(take(&s, types[i], &v, sizeof(v)), -EINVAL);
                assert_true(*flag);

                assert_int_equal(take(&s, types[i], zeros, 0), -EBADMSG);
                assert_int_equal(take(&s, types[i], zeros, 1), -EBADMSG);
                assert_int_equal(take(&s, types[i], zeros, 8), -EBADMSG);
                assert_true(*flag);
        }
}

static void test_take_offsets(void **state)
{
        static const size_t lens[] = { 0, 4, 7, 9, 16 };
        static const uint8_t zeros[16];
        struct nsk_settings s = {};
        uint64_t v = (uint64_t) -5;

        assert_int_equal(take(&s, NSK_A_MONOTONIC, &v, sizeof(v)), 1);
        assert_true(s.monotonic == -5);
        v = (uint64_t) INT64_MIN;
        assert_int_equal(take(&s, NSK_A_BOOTTIME, &v, sizeof(v)), 1);
        assert_true(s.boottime == INT64_MIN);

        /* The wrong size is refused and leaves the value alone. */
        for (size_t i = 0; i < ELEMENTSOF(lens); i++) {
                assert_int_equal(take(&s, NSK_A_MONOTONIC, zeros, lens[i]), -EBADMSG);
                assert_int_equal(take(&s, NSK_A_BOOTTIME, zeros, lens[i]), -EBADMSG);
                assert_true(s.monotonic == -5);
                assert_true(s.boottime == INT64_MIN);
        }
}

static void test_take_strings(void **state)
{
        char long_name[NSK_HOSTNAME_MAX + 1], long_sysctl[NSK_SYSCTL_LEN];
        struct nsk_settings s = {};

        memset(long_name, 'h', sizeof(long_name));
        assert_int_equal(take(&s, NSK_A_HOSTNAME, long_name, NSK_HOSTNAME_MAX), 1);
        assert_int_equal(strlen(s.hostname), NSK_HOSTNAME_MAX);
        assert_int_equal(take(&s, NSK_A_HOSTNAME, long_name, NSK_HOSTNAME_MAX + 1), -ENAMETOOLONG);
        assert_int_equal(take(&s, NSK_A_DOMAINNAME, long_name, NSK_HOSTNAME_MAX + 1),
                         -ENAMETOOLONG);
        assert_int_equal(take(&s, NSK_A_HOSTNAME, "we\0b", 4), -EBADMSG);
        assert_int_equal(take(&s, NSK_A_DOMAINNAME, "x\0", 2), -EBADMSG);
        assert_int_equal(take(&s, NSK_A_SYSCTL, "net.x=1\0net.y=2", 15), -EBADMSG);
        assert_int_equal(s.n_sysctls, 0);

        /* Validity is nsk_settings_check()'s question, not the codec's. */
        assert_int_equal(take(&s, NSK_A_HOSTNAME, "-x", 2), 1);
        assert_string_equal(s.hostname, "-x");
        assert_int_equal(take(&s, NSK_A_HOSTNAME, "", 0), 1);
        assert_string_equal(s.hostname, "");

        memset(long_sysctl, 'k', sizeof(long_sysctl));
        assert_int_equal(take(&s, NSK_A_SYSCTL, long_sysctl, NSK_SYSCTL_LEN - 1), 1);
        assert_int_equal(take(&s, NSK_A_SYSCTL, long_sysctl, NSK_SYSCTL_LEN), -ENAMETOOLONG);
        assert_int_equal(s.n_sysctls, 1);
        for (unsigned i = 1; i < NSK_SYSCTL_MAX; i++)
                assert_int_equal(take(&s, NSK_A_SYSCTL, "net.x=1", 7), 1);
        assert_int_equal(take(&s, NSK_A_SYSCTL, "net.x=1", 7), -E2BIG);
        assert_int_equal(s.n_sysctls, NSK_SYSCTL_MAX);
        nsk_settings_done(&s);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_check_default),
                cmocka_unit_test(test_check_needs_type),
                cmocka_unit_test(test_check_hostname),
                cmocka_unit_test(test_check_idmap),
                cmocka_unit_test(test_check_sysctl),
                cmocka_unit_test(test_check_sysctl_too_long),
                cmocka_unit_test(test_check_order),
                cmocka_unit_test(test_check_small_message),
                cmocka_unit_test(test_add_sysctl_limits),
                cmocka_unit_test(test_copy),
                cmocka_unit_test(test_is_default),
                cmocka_unit_test(test_wire_round_trip),
                cmocka_unit_test(test_wire_overflow),
                cmocka_unit_test(test_take_not_settings),
                cmocka_unit_test(test_take_idmap_bad),
                cmocka_unit_test(test_take_bool),
                cmocka_unit_test(test_take_offsets),
                cmocka_unit_test(test_take_strings),
                cmocka_unit_test(test_networks),
                cmocka_unit_test(test_take_network),
                cmocka_unit_test(test_pins_at),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
