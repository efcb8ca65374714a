/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for daemon/access.c: what a uid other than root may create
 * (its own ids, its subordinate ranges, its quota counted with its
 * subordinate uids'), whose sets it owns, who is a member of --group.
 * The user database is a fake one (getpwuid_r/getgrgid_r wrapped, see
 * Makefile.am) but for the test that asks the real one about root. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "access.h"
#include "registry.h"
#include "set.h"
#include "util.h"

/* Users: alice has subordinate ranges by name, bob by number, carol
 * none; dave is a member of the large groups only; no user has uid
 * NOBODY. The entry of group BIG needs more than access.c's first
 * buffer, that of HUGE more than it ever offers. */
#define ALICE 4242
#define BOB 4343
#define CAROL 4444
#define DAVE 4545
#define NOBODY 4646
#define NSK_GID 5000
#define BIG_GID 5001
#define HUGE_GID 5002

/* --- a fake user database: on while fake_nss is set --- */

struct fake_user {
        uid_t uid;
        gid_t gid;
        const char *name;
};

static const struct fake_user fake_users[] = {
        { ALICE, NSK_GID, "alice" },
        { BOB, BOB, "bob" },
        { CAROL, CAROL, "carol" },
        { DAVE, DAVE, "dave" },
};

struct fake_group {
        gid_t gid;
        const char *name;
        unsigned fillers; /* members "filler-N" listed before the others */
        const char *members[3];
};

static const struct fake_group fake_groups[] = {
        { NSK_GID, "nsk", 0, { "bob", "carolx", NULL } },
        { BIG_GID, "big", 5000, { "dave", NULL } },
        { HUGE_GID, "huge", 60000, { "dave", NULL } },
};

static bool fake_nss;
static unsigned erange_count; /* ERANGE answers so far */

int __real_getpwuid_r(uid_t uid, struct passwd *pw, char *buf, size_t size, struct passwd **ret);
int __real_getgrgid_r(gid_t gid, struct group *gr, char *buf, size_t size, struct group **ret);
int __wrap_getpwuid_r(uid_t uid, struct passwd *pw, char *buf, size_t size, struct passwd **ret);
int __wrap_getgrgid_r(gid_t gid, struct group *gr, char *buf, size_t size, struct group **ret);

/* Strings go into the caller's buffer, as glibc puts them: a caller that
 * keeps one across a second lookup in the same buffer sees it change. */
static char *put(char **p, const char *s)
{
        size_t n = strlen(s) + 1;
        char *d = memcpy(*p, s, n);

        *p += n;
        return d;
}

int __wrap_getpwuid_r(uid_t uid, struct passwd *pw, char *buf, size_t size, struct passwd **ret)
{
        const struct fake_user *u = NULL;
        char *p = buf;

        if (!fake_nss)
                return __real_getpwuid_r(uid, pw, buf, size, ret);
        *ret = NULL;
        for (size_t i = 0; i < ELEMENTSOF(fake_users); i++)
                if (fake_users[i].uid == uid)
                        u = &fake_users[i];
        if (!u)
                return 0;
        if (strlen(u->name) + sizeof("x") + sizeof("") + sizeof("/") + sizeof("/bin/sh") > size) {
                erange_count++;
                return ERANGE;
        }
        *pw = (struct passwd) { .pw_uid = u->uid, .pw_gid = u->gid };
        pw->pw_name = put(&p, u->name);
        pw->pw_passwd = put(&p, "x");
        pw->pw_gecos = put(&p, "");
        pw->pw_dir = put(&p, "/");
        pw->pw_shell = put(&p, "/bin/sh");
        *ret = pw;
        return 0;
}

int __wrap_getgrgid_r(gid_t gid, struct group *gr, char *buf, size_t size, struct group **ret)
{
        const struct fake_group *g = NULL;
        size_t n = 0, need, pad;
        char **mem, *p;

        if (!fake_nss)
                return __real_getgrgid_r(gid, gr, buf, size, ret);
        *ret = NULL;
        for (size_t i = 0; i < ELEMENTSOF(fake_groups); i++)
                if (fake_groups[i].gid == gid)
                        g = &fake_groups[i];
        if (!g)
                return 0;
        while (g->members[n])
                n++;
        /* The member array (aligned) first, then the strings. */
        need = sizeof(char *) + (g->fillers + n + 1) * sizeof(char *) + strlen(g->name) + 1 +
               sizeof("x") + g->fillers * sizeof("filler-000000");
        for (size_t i = 0; i < n; i++)
                need += strlen(g->members[i]) + 1;
        if (need > size) {
                erange_count++;
                return ERANGE;
        }
        pad = (sizeof(char *) - (uintptr_t) buf % sizeof(char *)) % sizeof(char *);
        mem = (char **) (void *) (buf + pad);
        p = (char *) (mem + g->fillers + n + 1);
        *gr = (struct group) { .gr_gid = g->gid, .gr_mem = mem };
        gr->gr_name = put(&p, g->name);
        gr->gr_passwd = put(&p, "x");
        for (unsigned i = 0; i < g->fillers; i++) {
                char filler[sizeof("filler-000000")];

                snprintf(filler, sizeof(filler), "filler-%06u", i % 1000000);
                *mem++ = put(&p, filler);
        }
        for (size_t i = 0; i < n; i++)
                *mem++ = put(&p, g->members[i]);
        *mem = NULL;
        *ret = gr;
        return 0;
}

/* --- the subordinate id files, written for the test --- */

static const char subuid_text[] = "alice:100000:65536\n"
                                  "4343:200000:10\n";
static const char subgid_text[] = "alice:300000:65536\n"
                                  "4343:400000:10\n";

static char subuid_path[4096], subgid_path[4096];

static int write_temp(char *path, size_t size, const char *text)
{
        const char *dir = getenv("TMPDIR");
        _cleanup_close_ int fd = -EBADF;
        size_t n = strlen(text);

        snprintf(path, size, "%s/test-access.XXXXXX", dir && *dir ? dir : "/tmp");
        fd = mkstemp(path);
        if (fd < 0)
                return -1;
        return write(fd, text, n) == (ssize_t) n ? 0 : -1;
}

static int setup(void **state)
{
        fake_nss = true;
        if (write_temp(subuid_path, sizeof(subuid_path), subuid_text) < 0 ||
            write_temp(subgid_path, sizeof(subgid_path), subgid_text) < 0)
                return -1;
        return 0;
}

static int teardown(void **state)
{
        (void) unlink(subuid_path);
        (void) unlink(subgid_path);
        return 0;
}

/* --- helpers --- */

#define USER_NET (NSK_TYPE_BIT(NSK_TYPE_USER) | NSK_TYPE_BIT(NSK_TYPE_NET))

static struct config test_config(void)
{
        struct config cfg = CONFIG_DEFAULTS;

        cfg.subuid_path = subuid_path;
        cfg.subgid_path = subgid_path;
        return cfg;
}

static struct ucred cred_of(uid_t uid, gid_t gid)
{
        return (struct ucred) { .pid = 1234, .uid = uid, .gid = gid };
}

static void add_map(struct nsk_idmap *map, unsigned *n, uint32_t inside, uint32_t outside,
                    uint32_t count)
{
        assert_true(*n < NSK_IDMAP_MAX);
        map[(*n)++] = (struct nsk_idmap) { inside, outside, count };
}

static void uid_line(struct nsk_settings *s, uint32_t inside, uint32_t outside, uint32_t count)
{
        add_map(s->uid_map, &s->n_uid_map, inside, outside, count);
}

static void gid_line(struct nsk_settings *s, uint32_t inside, uint32_t outside, uint32_t count)
{
        add_map(s->gid_map, &s->n_gid_map, inside, outside, count);
}

static void assert_has(const char *msg, const char *want)
{
        if (!strstr(msg, want))
                fail_msg("message '%s' does not say '%s'", msg, want);
}

/* access_check_create for uid (gid the same) with an empty registry
 * unless reg is given; the message in msg. */
static int check(const struct config *cfg, struct registry *reg, uid_t uid, nsk_type_mask_t types,
                 const struct nsk_settings *s, char *msg, size_t size)
{
        struct ucred cred = cred_of(uid, uid);
        struct registry *empty = NULL;
        int r;

        if (!reg)
                reg = empty = registry_new();
        assert_non_null(reg);
        msg[0] = '\0';
        r = access_check_create(cfg, reg, &cred, uid, types, s, msg, size);
        registry_free(empty);
        return r;
}

static void add_set(struct registry *reg, const char *name, uid_t owner, nsk_type_mask_t types)
{
        struct set *s = set_new(name, types, NSK_PIN_FD, owner);

        assert_non_null(s);
        assert_int_equal(registry_add(reg, s), 0);
}

/* As a release does: out of the registry, then freed. */
static void remove_set(struct registry *reg, const char *name)
{
        struct set *s = registry_get(reg, name);

        assert_non_null(s);
        registry_remove(reg, s);
        set_free(s);
}

/* --- access_check_create --- */

static void test_root_may_do_anything(void **state)
{
        struct config cfg = test_config();
        struct nsk_settings s = { .ip_netns = true };
        struct registry *reg = registry_new();
        struct ucred root = cred_of(0, 0);
        nsk_type_mask_t types = NSK_TYPE_BIT(NSK_TYPE_NET) | NSK_TYPE_BIT(NSK_TYPE_PID);
        char msg[256] = "";

        /* No user namespace, ip netns, any ids, far over any quota. */
        uid_line(&s, 0, 0, UINT32_MAX);
        gid_line(&s, 0, 0, UINT32_MAX);
        cfg.max_sets_per_user = 1;
        cfg.max_namespaces_per_user = 1;
        add_set(reg, "a", 0, NSK_TYPES_DEFAULT);
        add_set(reg, "b", 0, NSK_TYPES_DEFAULT);
        assert_int_equal(access_check_create(&cfg, reg, &root, 0, types, &s, msg, sizeof(msg)), 0);
        assert_string_equal(msg, "");
        registry_free(reg);
}

static void test_needs_user_namespace(void **state)
{
        struct config cfg = test_config();
        struct nsk_settings s = {};
        char msg[256];

        assert_int_equal(check(&cfg, NULL, ALICE, NSK_TYPE_BIT(NSK_TYPE_NET), &s, msg, sizeof(msg)),
                         -EPERM);
        assert_has(msg, "only root may create a set without a user namespace");
        assert_has(msg, "add user to the types");
        assert_int_equal(check(&cfg, NULL, ALICE, NSK_TYPES_DEFAULT, &s, msg, sizeof(msg)), -EPERM);

        /* With one, and no map at all, it may. */
        assert_int_equal(check(&cfg, NULL, ALICE, USER_NET, &s, msg, sizeof(msg)), 0);
        assert_int_equal(check(&cfg, NULL, ALICE, NSK_TYPE_BIT(NSK_TYPE_USER), &s, msg,
                               sizeof(msg)),
                         0);
}

static void test_ip_netns_is_roots(void **state)
{
        struct config cfg = test_config();
        struct nsk_settings s = { .ip_netns = true };
        char msg[256];

        assert_int_equal(check(&cfg, NULL, ALICE, USER_NET, &s, msg, sizeof(msg)), -EPERM);
        assert_has(msg, "only root may add sets to ip netns");
}

static void test_own_uid(void **state)
{
        struct config cfg = test_config();
        char msg[256];

        {
                struct nsk_settings s = {};

                uid_line(&s, 0, ALICE, 1);
                assert_int_equal(check(&cfg, NULL, ALICE, USER_NET, &s, msg, sizeof(msg)), 0);
                /* Inside as any id. */
                s.uid_map[0].inside = 1000;
                assert_int_equal(check(&cfg, NULL, ALICE, USER_NET, &s, msg, sizeof(msg)), 0);
        }
        {
                struct nsk_settings s = {};

                /* Another user's uid. */
                uid_line(&s, 0, BOB, 1);
                assert_int_equal(check(&cfg, NULL, ALICE, USER_NET, &s, msg, sizeof(msg)), -EPERM);
                assert_has(msg, "uid map line '0 4343 1' maps ids that are not yours");
                assert_has(msg, subuid_path);
        }
        {
                struct nsk_settings s = {};

                /* One more than its own. */
                uid_line(&s, 0, ALICE, 2);
                assert_int_equal(check(&cfg, NULL, ALICE, USER_NET, &s, msg, sizeof(msg)), -EPERM);
                assert_has(msg, "uid map line '0 4242 2'");
        }
        {
                struct nsk_settings s = {};

                /* Root's, after a line of its own: each line counts. */
                uid_line(&s, 1, ALICE, 1);
                uid_line(&s, 0, 0, 1);
                assert_int_equal(check(&cfg, NULL, ALICE, USER_NET, &s, msg, sizeof(msg)), -EPERM);
                assert_has(msg, "uid map line '0 0 1'");
        }
}

static void test_own_gid_needs_setgroups_deny(void **state)
{
        struct config cfg = test_config();
        struct nsk_settings s = {};
        char msg[256];

        gid_line(&s, 0, ALICE, 1);
        assert_int_equal(check(&cfg, NULL, ALICE, USER_NET, &s, msg, sizeof(msg)), -EPERM);
        assert_has(msg, "mapping your own gid needs setgroups deny");
        s.setgroups_deny = true;
        assert_int_equal(check(&cfg, NULL, ALICE, USER_NET, &s, msg, sizeof(msg)), 0);

        /* Own is the caller's gid, not a gid equal to its uid. */
        {
                struct ucred cred = cred_of(ALICE, NSK_GID);
                struct registry *reg = registry_new();

                assert_int_equal(access_check_create(&cfg, reg, &cred, ALICE, USER_NET, &s, msg,
                                                     sizeof(msg)),
                                 -EPERM);
                assert_has(msg, "gid map line '0 4242 1' maps ids that are not yours");
                s.gid_map[0].outside = NSK_GID;
                assert_int_equal(access_check_create(&cfg, reg, &cred, ALICE, USER_NET, &s, msg,
                                                     sizeof(msg)),
                                 0);
                registry_free(reg);
        }

        /* Setgroups deny makes no other gid its own. */
        s.gid_map[0].outside = 0;
        assert_int_equal(check(&cfg, NULL, ALICE, USER_NET, &s, msg, sizeof(msg)), -EPERM);
        assert_has(msg, "gid map line '0 0 1' maps ids that are not yours");
        assert_has(msg, subgid_path);
}

static void test_subordinate_ranges(void **state)
{
        struct config cfg = test_config();
        char msg[256];

        {
                /* alice's by name, with her own uid. */
                struct nsk_settings s = {};

                uid_line(&s, 0, ALICE, 1);
                uid_line(&s, 1, 100000, 65536);
                assert_int_equal(check(&cfg, NULL, ALICE, USER_NET, &s, msg, sizeof(msg)), 0);
                s.uid_map[1].count = 65537;
                assert_int_equal(check(&cfg, NULL, ALICE, USER_NET, &s, msg, sizeof(msg)), -EPERM);
                assert_has(msg, "uid map line '1 100000 65537'");
                s.uid_map[1] = (struct nsk_idmap) { 1, 99999, 2 };
                assert_int_equal(check(&cfg, NULL, ALICE, USER_NET, &s, msg, sizeof(msg)), -EPERM);
                /* Not bob's, not carol's. */
                s.uid_map[1] = (struct nsk_idmap) { 1, 100000, 1 };
                assert_int_equal(check(&cfg, NULL, BOB, USER_NET, &s, msg, sizeof(msg)), -EPERM);
                assert_has(msg, "uid map line '0 4242 1'");
                s.uid_map[0].outside = CAROL;
                assert_int_equal(check(&cfg, NULL, CAROL, USER_NET, &s, msg, sizeof(msg)), -EPERM);
                assert_has(msg, "uid map line '1 100000 1'");
        }
        {
                /* bob's by number. */
                struct nsk_settings s = {};

                uid_line(&s, 0, 200000, 10);
                assert_int_equal(check(&cfg, NULL, BOB, USER_NET, &s, msg, sizeof(msg)), 0);
                assert_int_equal(check(&cfg, NULL, ALICE, USER_NET, &s, msg, sizeof(msg)), -EPERM);
        }
        {
                /* gids from the subgid file, without setgroups deny. */
                struct nsk_settings s = {};

                gid_line(&s, 0, 300000, 65536);
                assert_int_equal(check(&cfg, NULL, ALICE, USER_NET, &s, msg, sizeof(msg)), 0);
                s.gid_map[0] = (struct nsk_idmap) { 0, 400000, 10 };
                assert_int_equal(check(&cfg, NULL, BOB, USER_NET, &s, msg, sizeof(msg)), 0);
                /* Not from the subuid file. */
                s.gid_map[0] = (struct nsk_idmap) { 0, 100000, 1 };
                assert_int_equal(check(&cfg, NULL, ALICE, USER_NET, &s, msg, sizeof(msg)), -EPERM);
                assert_has(msg, "gid map line '0 100000 1'");
                assert_has(msg, subgid_path);
        }
        {
                /* Nor is a uid range taken from the subgid file. */
                struct nsk_settings s = {};

                uid_line(&s, 0, 300000, 1);
                assert_int_equal(check(&cfg, NULL, ALICE, USER_NET, &s, msg, sizeof(msg)), -EPERM);
        }
}

static void test_missing_subid_files(void **state)
{
        struct config cfg = test_config();
        struct nsk_settings s = {};
        char msg[256];

        cfg.subuid_path = "/nonexistent/subuid";
        cfg.subgid_path = "/nonexistent/subgid";
        uid_line(&s, 0, ALICE, 1);
        gid_line(&s, 0, ALICE, 1);
        s.setgroups_deny = true;
        assert_int_equal(check(&cfg, NULL, ALICE, USER_NET, &s, msg, sizeof(msg)), 0);
        uid_line(&s, 1, 100000, 1);
        assert_int_equal(check(&cfg, NULL, ALICE, USER_NET, &s, msg, sizeof(msg)), -EPERM);
        assert_has(msg, "/nonexistent/subuid");
}

static void test_quota_sets(void **state)
{
        struct config cfg = test_config();
        struct registry *reg = registry_new();
        struct nsk_settings s = {};
        char msg[256];

        cfg.max_sets_per_user = 2;
        cfg.max_namespaces_per_user = 100;
        add_set(reg, "a1", ALICE, USER_NET);
        /* Others' sets count for them, not for alice. */
        add_set(reg, "r1", 0, USER_NET);
        add_set(reg, "b1", BOB, USER_NET);
        add_set(reg, "b2", BOB, USER_NET);
        add_set(reg, "c1", CAROL, USER_NET);
        assert_int_equal(check(&cfg, reg, ALICE, USER_NET, &s, msg, sizeof(msg)), 0);

        add_set(reg, "a2", ALICE, NSK_TYPE_BIT(NSK_TYPE_USER));
        assert_int_equal(check(&cfg, reg, ALICE, USER_NET, &s, msg, sizeof(msg)), -EDQUOT);
        assert_has(msg, "quota exceeded: uid 4242 has 2 sets and 3 namespaces");
        assert_has(msg, "at most 2 and 100");
        assert_int_equal(check(&cfg, reg, BOB, USER_NET, &s, msg, sizeof(msg)), -EDQUOT);
        assert_has(msg, "uid 4343 has 2 sets");
        assert_int_equal(check(&cfg, reg, CAROL, USER_NET, &s, msg, sizeof(msg)), 0);

        /* A set released is a set less. */
        remove_set(reg, "a1");
        assert_int_equal(check(&cfg, reg, ALICE, USER_NET, &s, msg, sizeof(msg)), 0);
        registry_free(reg);
}

static void test_quota_namespaces(void **state)
{
        struct config cfg = test_config();
        struct registry *reg = registry_new();
        struct nsk_settings s = {};
        nsk_type_mask_t three = USER_NET | NSK_TYPE_BIT(NSK_TYPE_UTS);
        char msg[256];

        cfg.max_namespaces_per_user = 5;
        add_set(reg, "a1", ALICE, three);
        add_set(reg, "b1", BOB, three);
        /* 3 + 2 = 5: just within. */
        assert_int_equal(check(&cfg, reg, ALICE, USER_NET, &s, msg, sizeof(msg)), 0);
        assert_int_equal(check(&cfg, reg, ALICE, three, &s, msg, sizeof(msg)), -EDQUOT);
        assert_has(msg, "uid 4242 has 1 sets and 3 namespaces (at most 64 and 5)");
        registry_free(reg);
}

/* A subordinate uid's sets count for the user whose range holds it, and
 * a create by it for that user. */
static void test_quota_subordinate_uids(void **state)
{
        struct config cfg = test_config();
        struct registry *reg = registry_new();
        struct nsk_settings s = {}, none = {};
        struct ucred sub = cred_of(100005, 100005);
        char msg[256];

        cfg.max_sets_per_user = 3;
        add_set(reg, "a1", ALICE, USER_NET);
        add_set(reg, "s1", 100000, USER_NET);
        /* Just outside alice's range, and in bob's: not hers. */
        add_set(reg, "x1", 165536, USER_NET);
        add_set(reg, "x2", 99999, USER_NET);
        add_set(reg, "x3", 200005, USER_NET);
        assert_int_equal(check(&cfg, reg, ALICE, USER_NET, &s, msg, sizeof(msg)), 0);

        add_set(reg, "s2", 165535, USER_NET);
        assert_int_equal(check(&cfg, reg, ALICE, USER_NET, &s, msg, sizeof(msg)), -EDQUOT);
        assert_has(msg, "uid 4242 has 3 sets and 6 namespaces");

        /* The subordinate uid itself, mapping only itself. */
        uid_line(&s, 0, 100005, 1);
        msg[0] = '\0';
        assert_int_equal(access_check_create(&cfg, reg, &sub, ALICE, USER_NET, &s, msg,
                                             sizeof(msg)),
                         -EDQUOT);
        assert_has(msg, "uid 4242 (whose subordinate uid 100005 is) has 3 sets");
        /* bob's: two of his own and x3, of his subordinate uid. */
        add_set(reg, "b1", BOB, USER_NET);
        add_set(reg, "b2", BOB, USER_NET);
        assert_int_equal(check(&cfg, reg, BOB, USER_NET, &none, msg, sizeof(msg)), -EDQUOT);
        assert_has(msg, "uid 4343 has 3 sets");

        remove_set(reg, "s2");
        assert_int_equal(access_check_create(&cfg, reg, &sub, ALICE, USER_NET, &s, msg,
                                             sizeof(msg)),
                         0);
        /* It may map no range of its owner's. */
        uid_line(&s, 1, 100000, 1);
        assert_int_equal(access_check_create(&cfg, reg, &sub, ALICE, USER_NET, &s, msg,
                                             sizeof(msg)),
                         -EPERM);
        assert_has(msg, "uid map line '1 100000 1'");
        registry_free(reg);
}

/* --- access_owns --- */

static void test_owns(void **state)
{
        struct set *s = set_new("web", USER_NET, NSK_PIN_FD, ALICE);
        struct set *r = set_new("db", NSK_TYPES_DEFAULT, NSK_PIN_BIND, 0);
        struct ucred root = cred_of(0, 0), alice = cred_of(ALICE, ALICE), bob = cred_of(BOB, BOB);
        struct ucred sub = cred_of(100005, 100005), alice_gid0 = cred_of(ALICE, 0);

        assert_non_null(s);
        assert_non_null(r);
        assert_true(access_owns(&root, s));
        assert_true(access_owns(&root, r));
        assert_true(access_owns(&alice, s));
        assert_false(access_owns(&alice, r));
        assert_false(access_owns(&bob, s));
        /* By uid alone: not by gid, not for a subordinate uid. */
        assert_false(access_owns(&alice_gid0, r));
        assert_false(access_owns(&sub, s));
        set_free(s);
        set_free(r);
}

/* --- access_is_member --- */

static void test_member(void **state)
{
        struct config cfg = test_config();

        /* Without --group nobody is, root neither, nor one in the group. */
        cfg.group = NSK_GID;
        assert_false(access_is_member(&cfg, ALICE));
        assert_false(access_is_member(&cfg, BOB));
        assert_false(access_is_member(&cfg, 0));

        cfg.have_group = true;
        /* By primary group, by the member list, whole names only. */
        assert_true(access_is_member(&cfg, ALICE));
        assert_true(access_is_member(&cfg, BOB));
        assert_false(access_is_member(&cfg, CAROL));
        assert_false(access_is_member(&cfg, DAVE));
        /* No user of that uid; the group of another gid. */
        assert_false(access_is_member(&cfg, NOBODY));
        cfg.group = CAROL;
        assert_true(access_is_member(&cfg, CAROL));
        assert_false(access_is_member(&cfg, ALICE));
        /* A group that does not exist. */
        cfg.group = 5999;
        assert_false(access_is_member(&cfg, ALICE));
}

static void test_member_of_large_group(void **state)
{
        struct config cfg = test_config();

        cfg.have_group = true;
        cfg.group = BIG_GID;
        erange_count = 0;
        assert_true(access_is_member(&cfg, DAVE));
        /* The first buffer was too small: it grew and asked again. */
        assert_true(erange_count >= 1);
        erange_count = 0;
        assert_false(access_is_member(&cfg, ALICE));
        assert_true(erange_count >= 1);

        /* Larger than access.c offers (1 MiB): not a member, no hang. */
        cfg.group = HUGE_GID;
        erange_count = 0;
        assert_false(access_is_member(&cfg, DAVE));
        assert_true(erange_count >= 2);
}

/* The real user database: root's primary group is gid 0. */
static void test_member_real_nss(void **state)
{
        struct config cfg = test_config();
        struct passwd pw, *res = NULL;
        char buf[4096];

        fake_nss = false;
        if (getpwuid_r(0, &pw, buf, sizeof(buf), &res) != 0 || !res || pw.pw_gid != 0) {
                fake_nss = true;
                skip();
        }
        cfg.have_group = true;
        cfg.group = 0;
        assert_true(access_is_member(&cfg, 0));
        cfg.have_group = false;
        assert_false(access_is_member(&cfg, 0));
        fake_nss = true;
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_root_may_do_anything),
                cmocka_unit_test(test_needs_user_namespace),
                cmocka_unit_test(test_ip_netns_is_roots),
                cmocka_unit_test(test_own_uid),
                cmocka_unit_test(test_own_gid_needs_setgroups_deny),
                cmocka_unit_test(test_subordinate_ranges),
                cmocka_unit_test(test_missing_subid_files),
                cmocka_unit_test(test_quota_sets),
                cmocka_unit_test(test_quota_namespaces),
                cmocka_unit_test(test_quota_subordinate_uids),
                cmocka_unit_test(test_owns),
                cmocka_unit_test(test_member),
                cmocka_unit_test(test_member_of_large_group),
                cmocka_unit_test(test_member_real_nss),
        };

        return cmocka_run_group_tests(tests, setup, teardown);
}
