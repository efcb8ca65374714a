/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Writing and reading state files (recover.c reads them back at start).
 * A state file is text, one "key value" per line; set names and types are from closed
 * alphabets, so nothing a client chooses can add a line or a field:
 *
 *     version 1
 *     pin bind
 *     created 1764374400
 *     owner 0
 *     ns net 4026532400
 *     ns uts 4026532401
 *     sysctl net.ipv4.ip_forward=1
 *
 * Values are checked when a set is created and again when the file is
 * read; none may hold a newline. */

#include <fcntl.h>
#include <stdio.h>

#include "log.h"
#include "network.h"
#include "parse.h"
#include "settings.h"
#include "state.h"

#define STATE_VERSION 1

/* What a file is written into: once full, ok stays false. */
struct text {
        char *buf;
        size_t len;
        bool ok;
};

/* Plain appends, not printf: a create writes a state file, and this is
 * on its path. */
static void put_mem(struct text *x, const char *s, size_t n)
{
        if (!x->ok || n > STATE_SIZE_MAX - x->len) {
                x->ok = false;
                return;
        }
        memcpy(x->buf + x->len, s, n);
        x->len += n;
}

static void put_str(struct text *x, const char *s)
{
        put_mem(x, s, strlen(s));
}

static void put_u64(struct text *x, uint64_t v)
{
        char digits[20];
        size_t n = sizeof(digits);

        do
                digits[--n] = (char) ('0' + v % 10);
        while ((v /= 10) > 0);
        put_mem(x, digits + n, sizeof(digits) - n);
}

static void put_s64(struct text *x, int64_t v)
{
        if (v < 0) {
                put_mem(x, "-", 1);
                put_u64(x, -(uint64_t) v);
        } else
                put_u64(x, (uint64_t) v);
}

/* "key " to start a line, "\n" to end it. */
static void line_start(struct text *x, const char *key)
{
        put_str(x, key);
        put_mem(x, " ", 1);
}

static void line_end(struct text *x)
{
        put_mem(x, "\n", 1);
}

static void line_str(struct text *x, const char *key, const char *value)
{
        line_start(x, key);
        put_str(x, value);
        line_end(x);
}

static void line_u64(struct text *x, const char *key, uint64_t v)
{
        line_start(x, key);
        put_u64(x, v);
        line_end(x);
}

static void line_s64(struct text *x, const char *key, int64_t v)
{
        line_start(x, key);
        put_s64(x, v);
        line_end(x);
}

/* What reading a file has found besides the set itself. */
struct found {
        uint64_t keeper;
};

/* One key of the file: how its value is read into a set, and how the
 * set's lines of it are written (none for a default). Writing follows
 * the table's order. A new key is a parse_KEY()/format_KEY() pair and
 * one KEY() row. */
struct state_key {
        const char *key;
        bool repeats;
        int (*parse)(struct set *s, const char *value, struct found *f);
        void (*format)(const struct set *s, const char *key, struct text *x);
};

static int parse_version(struct set *s, const char *value, struct found *f)
{
        uint64_t v;
        int r = parse_u64(value, &v);

        return r == 0 && v != STATE_VERSION ? -EPROTONOSUPPORT : r;
}

static void format_version(const struct set *s, const char *key, struct text *x)
{
        line_u64(x, key, STATE_VERSION);
}

static int parse_pin(struct set *s, const char *value, struct found *f)
{
        int r = nsk_pin_from_name(value);

        if (r < 0)
                return r;
        s->pin = r;
        return 0;
}

static void format_pin(const struct set *s, const char *key, struct text *x)
{
        line_str(x, key, nsk_pin_name(s->pin));
}

static int parse_created(struct set *s, const char *value, struct found *f)
{
        return parse_u64(value, &s->created);
}

static void format_created(const struct set *s, const char *key, struct text *x)
{
        line_u64(x, key, s->created);
}

static int parse_owner(struct set *s, const char *value, struct found *f)
{
        uint64_t v = 0;
        int r = parse_u64(value, &v);

        if (r == 0 && v > UINT32_MAX - 1)
                r = -EINVAL;
        s->owner = (uid_t) v;
        return r;
}

static void format_owner(const struct set *s, const char *key, struct text *x)
{
        line_u64(x, key, s->owner);
}

/* "TYPE INODE", one line per namespace. */
static int parse_ns(struct set *s, const char *value, struct found *f)
{
        const char *num = strchr(value, ' ');
        char type[16];
        enum nsk_type t;

        if (!num || (size_t) (num - value) >= sizeof(type))
                return -EINVAL;
        memcpy(type, value, (size_t) (num - value));
        type[num - value] = '\0';
        t = nsk_type_from_name(type);
        if (t < 0 || (s->types & NSK_TYPE_BIT(t)))
                return -EINVAL;
        s->types |= NSK_TYPE_BIT(t);
        return parse_u64(num + 1, &s->inode[t]);
}

static void format_ns(const struct set *s, const char *key, struct text *x)
{
        for (int t = 0; t < NSK_TYPE_MAX; t++)
                if (s->types & NSK_TYPE_BIT(t)) {
                        line_start(x, key);
                        put_str(x, nsk_type_name(t));
                        put_mem(x, " ", 1);
                        put_u64(x, s->inode[t]);
                        line_end(x);
                }
}

static int parse_keeper(struct set *s, const char *value, struct found *f)
{
        int r = parse_u64(value, &f->keeper);

        return r == 0 && (f->keeper == 0 || f->keeper > INT32_MAX) ? -EINVAL : r;
}

static void format_keeper(const struct set *s, const char *key, struct text *x)
{
        if (s->keeper_pid > 0)
                line_u64(x, key, (uint64_t) s->keeper_pid);
}

static int parse_hostname(struct set *s, const char *value, struct found *f)
{
        if (!name_is_valid_hostname(value))
                return -EINVAL;
        snprintf(s->settings.hostname, sizeof(s->settings.hostname), "%s", value);
        return 0;
}

static void format_hostname(const struct set *s, const char *key, struct text *x)
{
        if (s->settings.hostname[0])
                line_str(x, key, s->settings.hostname);
}

static int parse_domainname(struct set *s, const char *value, struct found *f)
{
        if (!name_is_valid_hostname(value))
                return -EINVAL;
        snprintf(s->settings.domainname, sizeof(s->settings.domainname), "%s", value);
        return 0;
}

static void format_domainname(const struct set *s, const char *key, struct text *x)
{
        if (s->settings.domainname[0])
                line_str(x, key, s->settings.domainname);
}

static int parse_sysctl(struct set *s, const char *value, struct found *f)
{
        return nsk_settings_add_sysctl(&s->settings, value);
}

static void format_sysctl(const struct set *s, const char *key, struct text *x)
{
        for (unsigned i = 0; i < s->settings.n_sysctls; i++)
                line_str(x, key, s->settings.sysctls[i]);
}

/* "INSIDE OUTSIDE COUNT", each strictly a decimal u32, one space apart. */
static int parse_idmap(const char *s, struct nsk_idmap *m, unsigned *n)
{
        uint64_t v[3];
        char num[16];

        if (*n >= NSK_IDMAP_MAX)
                return -EINVAL;
        for (int i = 0; i < 3; i++) {
                size_t k = strcspn(s, " ");

                if (k == 0 || k >= sizeof(num) || (i < 2) != (s[k] == ' '))
                        return -EINVAL;
                memcpy(num, s, k);
                num[k] = '\0';
                if (parse_u64(num, &v[i]) < 0 || v[i] > UINT32_MAX)
                        return -EINVAL;
                s += k + (i < 2);
        }
        if (v[2] == 0)
                return -EINVAL;
        m[(*n)++] = (struct nsk_idmap) { .inside = (uint32_t) v[0],
                                         .outside = (uint32_t) v[1],
                                         .count = (uint32_t) v[2] };
        return 0;
}

static void format_idmap(const struct nsk_idmap *m, unsigned n, const char *key, struct text *x)
{
        for (unsigned i = 0; i < n; i++) {
                line_start(x, key);
                put_u64(x, m[i].inside);
                put_mem(x, " ", 1);
                put_u64(x, m[i].outside);
                put_mem(x, " ", 1);
                put_u64(x, m[i].count);
                line_end(x);
        }
}

static int parse_uid_map(struct set *s, const char *value, struct found *f)
{
        return parse_idmap(value, s->settings.uid_map, &s->settings.n_uid_map);
}

static void format_uid_map(const struct set *s, const char *key, struct text *x)
{
        format_idmap(s->settings.uid_map, s->settings.n_uid_map, key, x);
}

static int parse_gid_map(struct set *s, const char *value, struct found *f)
{
        return parse_idmap(value, s->settings.gid_map, &s->settings.n_gid_map);
}

static void format_gid_map(const struct set *s, const char *key, struct text *x)
{
        format_idmap(s->settings.gid_map, s->settings.n_gid_map, key, x);
}

static int parse_monotonic(struct set *s, const char *value, struct found *f)
{
        return parse_s64(value, &s->settings.monotonic);
}

static void format_monotonic(const struct set *s, const char *key, struct text *x)
{
        if (s->settings.monotonic != 0)
                line_s64(x, key, s->settings.monotonic);
}

static int parse_boottime(struct set *s, const char *value, struct found *f)
{
        return parse_s64(value, &s->settings.boottime);
}

static void format_boottime(const struct set *s, const char *key, struct text *x)
{
        if (s->settings.boottime != 0)
                line_s64(x, key, s->settings.boottime);
}

/* Flags are written only when they differ from the default, as one word. */
static int parse_flag(const char *value, const char *word, bool *ret)
{
        if (!streq(value, word))
                return -EINVAL;
        *ret = true;
        return 0;
}

static int parse_loopback(struct set *s, const char *value, struct found *f)
{
        return parse_flag(value, "off", &s->settings.no_loopback);
}

static void format_loopback(const struct set *s, const char *key, struct text *x)
{
        if (s->settings.no_loopback)
                line_str(x, key, "off");
}

static int parse_setgroups(struct set *s, const char *value, struct found *f)
{
        return parse_flag(value, "deny", &s->settings.setgroups_deny);
}

static void format_setgroups(const struct set *s, const char *key, struct text *x)
{
        if (s->settings.setgroups_deny)
                line_str(x, key, "deny");
}

static int parse_ip_netns(struct set *s, const char *value, struct found *f)
{
        return parse_flag(value, "on", &s->settings.ip_netns);
}

static void format_ip_netns(const struct set *s, const char *key, struct text *x)
{
        if (s->settings.ip_netns)
                line_str(x, key, "on");
}

/* "NAME IFNAME RESULT": a CNI network, RESULT the JSON of its ADD
 * (compact: one line), or "-" while it is not attached (a create cut
 * short; recover.c). Names and interface names hold no space. */
static int parse_network(struct set *s, const char *value, struct found *f)
{
        char name[NSK_NETWORK_NAME_MAX + 1], ifname[NSK_IFNAME_MAX + 1];
        const char *p = value;
        char **v, *result = NULL;
        size_t k;
        int r;

        k = strcspn(p, " ");
        if (p[k] != ' ' || k >= sizeof(name))
                return -EINVAL;
        memcpy(name, p, k);
        name[k] = '\0';
        p += k + 1;
        k = strcspn(p, " ");
        if (p[k] != ' ' || k >= sizeof(ifname) || !p[k + 1])
                return -EINVAL;
        memcpy(ifname, p, k);
        ifname[k] = '\0';
        p += k + 1;
        if (!nsk_ifname_is_valid(ifname))
                return -EINVAL;
        /* The configurations (network_config) follow every network: one
         * before this network would leave it without a slot. */
        if (s->net_configs)
                return -EINVAL;
        if (!streq(p, "-") && !(result = strdup(p)))
                return -ENOMEM;
        v = reallocarray(s->net_results, s->settings.n_networks + 1, sizeof(char *));
        if (!v) {
                free(result);
                return -ENOMEM;
        }
        s->net_results = v;
        r = nsk_settings_add_network(&s->settings, name, ifname);
        if (r < 0) {
                free(result);
                return r;
        }
        v[s->settings.n_networks - 1] = result;
        if (result && network_fill(&s->settings.networks[s->settings.n_networks - 1], result) < 0)
                return -EINVAL;
        return 0;
}

static void format_network(const struct set *s, const char *key, struct text *x)
{
        for (unsigned i = 0; i < s->settings.n_networks; i++) {
                const char *result = s->net_results ? s->net_results[i] : NULL;

                line_start(x, key);
                put_str(x, s->settings.networks[i].name);
                put_mem(x, " ", 1);
                put_str(x, s->settings.networks[i].ifname);
                put_mem(x, " ", 1);
                /* jansson's compact JSON escapes every control character. */
                if (result && !strchr(result, '\n'))
                        put_str(x, result);
                else
                        put_mem(x, "-", 1);
                line_end(x);
        }
}

/* "TYPE:/PATH", as a client gave it (settings.c checks it). */
static int parse_pin_at(struct set *s, const char *value, struct found *f)
{
        enum nsk_type t;
        const char *path;

        if (nsk_pin_at_parse(value, &t, &path) < 0)
                return -EINVAL;
        return nsk_settings_add_pin_at(&s->settings, t, path);
}

static void format_pin_at(const struct set *s, const char *key, struct text *x)
{
        for (unsigned i = 0; i < s->settings.n_pins_at; i++)
                line_str(x, key, s->settings.pins_at[i]);
}

static int parse_release_with_pins(struct set *s, const char *value, struct found *f)
{
        return parse_flag(value, "on", &s->settings.release_with_pins);
}

static void format_release_with_pins(const struct set *s, const char *key, struct text *x)
{
        if (s->settings.release_with_pins)
                line_str(x, key, "on");
}

/* "IFNAME JSON": the configuration list the network on IFNAME (a network
 * line before it) was ADDed with. */
static int parse_network_config(struct set *s, const char *value, struct found *f)
{
        size_t k = strcspn(value, " ");
        char **v;

        if (value[k] != ' ' || !value[k + 1])
                return -EINVAL;
        for (unsigned i = 0; i < s->settings.n_networks; i++) {
                if (strlen(s->settings.networks[i].ifname) != k ||
                    strncmp(s->settings.networks[i].ifname, value, k) != 0)
                        continue;
                if (!s->net_configs) {
                        v = calloc(s->settings.n_networks, sizeof(char *));
                        if (!v)
                                return -ENOMEM;
                        s->net_configs = v;
                }
                if (s->net_configs[i])
                        return -EINVAL;
                s->net_configs[i] = strdup(value + k + 1);
                return s->net_configs[i] ? 0 : -ENOMEM;
        }
        return -EINVAL;
}

static void format_network_config(const struct set *s, const char *key, struct text *x)
{
        for (unsigned i = 0; s->net_configs && i < s->settings.n_networks; i++) {
                const char *config = s->net_configs[i];

                if (!config || strchr(config, '\n'))
                        continue;
                line_start(x, key);
                put_str(x, s->settings.networks[i].ifname);
                put_mem(x, " ", 1);
                put_str(x, config);
                line_end(x);
        }
}

#define KEY(k, rep)                            \
        {                                      \
#k, rep, parse_##k, format_##k \
        }
static const struct state_key keys[] = {
        KEY(version, false),   KEY(pin, false),
        KEY(created, false),   KEY(owner, false),
        KEY(ns, true),         KEY(keeper, false),
        KEY(hostname, false),  KEY(domainname, false),
        KEY(sysctl, true),     KEY(uid_map, true),
        KEY(gid_map, true),    KEY(monotonic, false),
        KEY(boottime, false),  KEY(loopback, false),
        KEY(setgroups, false), KEY(ip_netns, false),
        KEY(network, true),    KEY(network_config, true),
        KEY(pin_at, true),     KEY(release_with_pins, false),
};
#undef KEY
_Static_assert(ELEMENTSOF(keys) <= 32, "seen is a 32-bit mask");

static void tmp_name(const char *name, char *buf, size_t size)
{
        /* Set names never start with '.', so this cannot hit a set. */
        snprintf(buf, size, ".%s.tmp", name);
}

/* The text of s's state file (-E2BIG if it would not fit). */
static int state_format(const struct set *s, char text[static STATE_SIZE_MAX], size_t *ret_len)
{
        struct text x = { .buf = text, .ok = true };

        for (size_t i = 0; i < ELEMENTSOF(keys); i++)
                keys[i].format(s, keys[i].key, &x);
        if (!x.ok)
                return -E2BIG;
        *ret_len = x.len;
        return 0;
}

int state_prepare(const struct rundir *rd, const struct set *s)
{
        char text[STATE_SIZE_MAX], tmp[NAME_KEY_MAX + 8];
        _cleanup_close_ int fd = -EBADF;
        size_t len;
        int r;

        r = state_format(s, text, &len);
        if (r < 0)
                return r;
        tmp_name(s->name, tmp, sizeof(tmp));
        /* One left by a create cut short was dealt with at the start
         * (recover.c): if one is there, it is of a create that failed. */
        for (int i = 0; fd < 0 && i < 2; i++) {
                fd = openat(rd->state_fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                            0600);
                if (fd < 0 && (errno != EEXIST || i > 0))
                        return negative_errno();
                if (fd < 0)
                        (void) unlinkat(rd->state_fd, tmp, 0);
        }
        if (write(fd, text, len) != (ssize_t) len) {
                r = errno > 0 ? -errno : -EIO;
                (void) unlinkat(rd->state_fd, tmp, 0);
                return r;
        }
        return 0;
}

int state_commit(const struct rundir *rd, const char *name)
{
        char tmp[NAME_KEY_MAX + 8];
        int r;

        tmp_name(name, tmp, sizeof(tmp));
        if (renameat(rd->state_fd, tmp, rd->state_fd, name) < 0) {
                r = negative_errno();
                (void) unlinkat(rd->state_fd, tmp, 0);
                return r;
        }
        return 0;
}

int state_write(const struct rundir *rd, const struct set *s)
{
        int r = state_prepare(rd, s);

        return r < 0 ? r : state_commit(rd, s->name);
}

int state_remove(const struct rundir *rd, const char *name)
{
        if (unlinkat(rd->state_fd, name, 0) < 0 && errno != ENOENT)
                return negative_errno();
        return 0;
}

/* One "key value" line into s; seen has a bit per key met so far. */
static int parse_line(struct set *s, const char *key, const char *value, struct found *f,
                      uint32_t *seen)
{
        for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
                if (!streq(key, keys[i].key))
                        continue;
                if (!keys[i].repeats && (*seen & (1u << i)))
                        return -EINVAL;
                *seen |= 1u << i;
                return keys[i].parse(s, value, f);
        }
        return -EINVAL;
}

static bool have_key(uint32_t seen, const char *key)
{
        for (size_t i = 0; i < ELEMENTSOF(keys); i++)
                if (streq(keys[i].key, key))
                        return seen & (1u << i);
        return false;
}

int state_parse(const char *text, struct set *s, pid_t *ret_keeper)
{
        char msg[NSK_MESSAGE_MAX];
        struct found f = {};
        uint32_t key_owner, seen = 0;
        const char *p = text, *plain;
        int r = 0;

        /* A line may be as long as the file: a network's result is. */
        _cleanup_free_ char *line = malloc(STATE_SIZE_MAX + 1);

        if (!line)
                return -ENOMEM;
        if (!name_key_parse(s->name, &key_owner, &plain))
                return -EINVAL;
        s->created = 0;
        while (*p && r == 0) {
                size_t n = strcspn(p, "\n"), k;

                if (n > STATE_SIZE_MAX || p[n] != '\n')
                        return -EINVAL;
                memcpy(line, p, n);
                line[n] = '\0';
                p += n + 1;

                k = strcspn(line, " ");
                if (line[k] != ' ')
                        return -EINVAL;
                line[k] = '\0';
                r = parse_line(s, line, line + k + 1, &f, &seen);
        }
        if (r < 0)
                return r;
        if (!have_key(seen, "version") || !have_key(seen, "pin") || s->types == 0)
                return -EINVAL;
        /* A set is filed under its owner (name.h): a file that says
         * otherwise was not written by us. */
        if (s->owner != (uid_t) key_owner)
                return -EINVAL;
        /* An adopted pid namespace has no keeper; a created one has. */
        if (f.keeper > 0 && !(s->types & NSK_TYPE_BIT(NSK_TYPE_PID)))
                return -EINVAL;
        /* What a client could not have asked for cannot come from a file. */
        r = nsk_settings_check(&s->settings, s->types, msg, sizeof(msg));
        if (r < 0)
                return r;
        s->state = SET_READY;
        *ret_keeper = (pid_t) f.keeper;
        return 0;
}

int state_read(const struct rundir *rd, const char *file, char text[static STATE_SIZE_MAX + 1])
{
        _cleanup_close_ int fd = -EBADF;
        ssize_t n;

        fd = openat(rd->state_fd, file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
        if (fd < 0)
                return negative_errno();
        n = read(fd, text, STATE_SIZE_MAX + 1);
        if (n < 0)
                return negative_errno();
        if (n > STATE_SIZE_MAX || memchr(text, '\0', (size_t) n))
                return -EINVAL;
        text[n] = '\0';
        return 0;
}
