/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Writing, reading and recovering state files. A state file is text,
 * one "key value" per line; set names and types are from closed
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

#include <dirent.h>
#include <stdarg.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <sys/stat.h>

#include "fdstore.h"
#include "ipnetns.h"
#include "keeper.h"
#include "log.h"
#include "parse.h"
#include "pin.h"
#include "state.h"

#define STATE_VERSION 1
#define STATE_SIZE_MAX 32768

/* Appends to buf; false once it does not fit. */
_printf_(3, 4) static bool append(char *buf, size_t *len, const char *fmt, ...)
{
        va_list ap;
        int n;

        if (*len >= STATE_SIZE_MAX)
                return false;
        va_start(ap, fmt);
        n = vsnprintf(buf + *len, STATE_SIZE_MAX - *len, fmt, ap);
        va_end(ap);
        if (n < 0 || (size_t) n >= STATE_SIZE_MAX - *len) {
                *len = STATE_SIZE_MAX;
                return false;
        }
        *len += (size_t) n;
        return true;
}

static bool format_state(const struct set *s, uint64_t keeper, char *text, size_t *ret_len)
{
        const struct nsk_settings *c = &s->settings;
        size_t len = 0;
        bool ok;

        ok = append(text, &len, "version %d\npin %s\ncreated %" PRIu64 "\nowner %u\n",
                    STATE_VERSION, nsk_pin_name(s->pin), s->created, (unsigned) s->owner);
        for (int t = 0; t < NSK_TYPE_MAX; t++)
                if (s->types & NSK_TYPE_BIT(t))
                        ok = ok && append(text, &len, "ns %s %" PRIu64 "\n", nsk_type_name(t),
                                          s->inode[t]);
        if (keeper > 0)
                ok = ok && append(text, &len, "keeper %" PRIu64 "\n", keeper);
        if (c->hostname[0])
                ok = ok && append(text, &len, "hostname %s\n", c->hostname);
        if (c->domainname[0])
                ok = ok && append(text, &len, "domainname %s\n", c->domainname);
        for (unsigned i = 0; i < c->n_sysctls; i++)
                ok = ok && append(text, &len, "sysctl %s\n", c->sysctls[i]);
        for (unsigned i = 0; i < c->n_uid_map; i++)
                ok = ok && append(text, &len, "uid_map %u %u %u\n", c->uid_map[i].inside,
                                  c->uid_map[i].outside, c->uid_map[i].count);
        for (unsigned i = 0; i < c->n_gid_map; i++)
                ok = ok && append(text, &len, "gid_map %u %u %u\n", c->gid_map[i].inside,
                                  c->gid_map[i].outside, c->gid_map[i].count);
        if (c->monotonic != 0)
                ok = ok && append(text, &len, "monotonic %" PRId64 "\n", c->monotonic);
        if (c->boottime != 0)
                ok = ok && append(text, &len, "boottime %" PRId64 "\n", c->boottime);
        if (c->no_loopback)
                ok = ok && append(text, &len, "loopback off\n");
        if (c->setgroups_deny)
                ok = ok && append(text, &len, "setgroups deny\n");
        if (c->ip_netns)
                ok = ok && append(text, &len, "ip_netns on\n");
        *ret_len = len;
        return ok;
}

static void tmp_name(const char *name, char *buf, size_t size)
{
        /* Set names never start with '.', so this cannot hit a set. */
        snprintf(buf, size, ".%s.tmp", name);
}

int state_prepare(const struct rundir *rd, const struct set *s)
{
        char text[STATE_SIZE_MAX], tmp[NAME_KEY_MAX + 8];
        _cleanup_close_ int fd = -EBADF;
        size_t len;
        int r;

        if (!format_state(s, (uint64_t) keeper_pid(s->keeper), text, &len))
                return -E2BIG;
        tmp_name(s->name, tmp, sizeof(tmp));
        (void) unlinkat(rd->state_fd, tmp, 0);
        fd = openat(rd->state_fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return negative_errno();
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
        m[(*n)++] = (struct nsk_idmap) { .inside = (uint32_t) v[0], .outside = (uint32_t) v[1],
                                         .count = (uint32_t) v[2] };
        return 0;
}

/* Keys that may appear once only; the others (ns, sysctl, maps) repeat. */
static const char *const single_keys[] = {
        "version", "pin", "created", "owner", "keeper", "hostname", "domainname",
        "monotonic", "boottime", "loopback", "setgroups", "ip_netns",
};

/* One "key value" line into s; *keeper gets a keeper pid. */
static int parse_line(struct set *s, const char *key, const char *value, bool *have_version,
                      bool *have_pin, uint64_t *keeper, unsigned *seen)
{
        struct nsk_settings *c = &s->settings;
        uint64_t v = 0;
        int r;

        for (size_t i = 0; i < ELEMENTSOF(single_keys); i++)
                if (streq(key, single_keys[i])) {
                        if (*seen & (1u << i))
                                return -EINVAL;
                        *seen |= 1u << i;
                }

        if (streq(key, "version")) {
                r = parse_u64(value, &v);
                if (r == 0 && v != STATE_VERSION)
                        return -EPROTONOSUPPORT;
                *have_version = true;
                return r;
        }
        if (streq(key, "pin")) {
                r = nsk_pin_from_name(value);
                if (r < 0)
                        return r;
                s->pin = r;
                *have_pin = true;
                return 0;
        }
        if (streq(key, "created"))
                return parse_u64(value, &s->created);
        if (streq(key, "owner")) {
                r = parse_u64(value, &v);
                if (r == 0 && v > UINT32_MAX - 1)
                        r = -EINVAL;
                s->owner = (uid_t) v;
                return r;
        }
        if (streq(key, "ns")) {
                char type[16];
                const char *num = strchr(value, ' ');
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
        if (streq(key, "keeper")) {
                r = parse_u64(value, keeper);
                return r == 0 && (*keeper == 0 || *keeper > INT32_MAX) ? -EINVAL : r;
        }
        if (streq(key, "hostname") || streq(key, "domainname")) {
                char *dst = key[0] == 'h' ? c->hostname : c->domainname;
                if (!name_is_valid_hostname(value))
                        return -EINVAL;
                snprintf(dst, NSK_HOSTNAME_MAX + 1, "%s", value);
                return 0;
        }
        if (streq(key, "sysctl"))
                return nsk_settings_add_sysctl(c, value);
        if (streq(key, "uid_map"))
                return parse_idmap(value, c->uid_map, &c->n_uid_map);
        if (streq(key, "gid_map"))
                return parse_idmap(value, c->gid_map, &c->n_gid_map);
        if (streq(key, "monotonic"))
                return parse_s64(value, &c->monotonic);
        if (streq(key, "boottime"))
                return parse_s64(value, &c->boottime);
        if (streq(key, "loopback") && streq(value, "off")) {
                c->no_loopback = true;
                return 0;
        }
        if (streq(key, "setgroups") && streq(value, "deny")) {
                c->setgroups_deny = true;
                return 0;
        }
        if (streq(key, "ip_netns") && streq(value, "on")) {
                c->ip_netns = true;
                return 0;
        }
        return -EINVAL;
}

int state_parse(const char *name, const char *text, struct set **ret, pid_t *ret_keeper)
{
        bool have_version = false, have_pin = false;
        char msg[NSK_MESSAGE_MAX];
        unsigned seen = 0;
        uint32_t key_owner;
        const char *plain;
        uint64_t keeper = 0;
        const char *p = text;
        struct set *s;
        int r = 0;

        if (!name_key_parse(name, &key_owner, &plain))
                return -EINVAL;
        s = set_new(name, 0, NSK_PIN_BIND, 0);
        if (!s)
                return -ENOMEM;
        s->created = 0;

        while (*p && r == 0) {
                char line[NSK_SYSCTL_LEN + 16];
                size_t n = strcspn(p, "\n"), k;

                if (n >= sizeof(line) || p[n] != '\n') {
                        r = -EINVAL;
                        break;
                }
                memcpy(line, p, n);
                line[n] = '\0';
                p += n + 1;

                k = strcspn(line, " ");
                if (line[k] != ' ') {
                        r = -EINVAL;
                        break;
                }
                line[k] = '\0';
                r = parse_line(s, line, line + k + 1, &have_version, &have_pin, &keeper, &seen);
        }
        if (r == 0 && (!have_version || !have_pin || s->types == 0))
                r = -EINVAL;
        /* A set is filed under its owner (name.h): a file that says
         * otherwise was not written by us. */
        if (r == 0 && s->owner != (uid_t) key_owner)
                r = -EINVAL;
        /* An adopted pid namespace has no keeper; a created one has. */
        if (r == 0 && keeper > 0 && !(s->types & NSK_TYPE_BIT(NSK_TYPE_PID)))
                r = -EINVAL;
        /* What a client could not have asked for cannot come from a file. */
        if (r == 0)
                r = nsk_settings_check(&s->settings, s->types, msg, sizeof(msg));
        if (r < 0) {
                set_free(s);
                return r;
        }
        s->state = SET_READY;
        *ret = s;
        *ret_keeper = (pid_t) keeper;
        return 0;
}

static int state_read(const struct rundir *rd, const char *name, struct set **ret,
                      pid_t *ret_keeper)
{
        char text[STATE_SIZE_MAX + 1];
        _cleanup_close_ int fd = -EBADF;
        ssize_t n;

        fd = openat(rd->state_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
        if (fd < 0)
                return negative_errno();
        n = read(fd, text, sizeof(text));
        if (n < 0)
                return negative_errno();
        if (n > STATE_SIZE_MAX || memchr(text, '\0', (size_t) n))
                return -EINVAL;
        text[n] = '\0';
        return state_parse(name, text, ret, ret_keeper);
}

/* Every pin of the set is there and is still the namespace recorded. */
static int verify_pins(const struct rundir *rd, const struct set *s)
{
        for (int t = 0; t < NSK_TYPE_MAX; t++) {
                _cleanup_close_ int fd = -EBADF;
                int r;

                if (!(s->types & NSK_TYPE_BIT(t)))
                        continue;
                r = set_open(s, rd, t, &fd);
                if (r < 0) {
                        log_error("set '%s': %s pin is missing or was replaced; not adopting it",
                                  s->name, nsk_type_name(t));
                        return r;
                }
        }
        return 0;
}

static void adopt(const struct rundir *rd, struct registry *reg, struct event_base *base,
                  const char *name)
{
        struct set *s;
        pid_t keeper;
        int lifeline = -EBADF, r;

        /* Known already (a reload, SIGHUP): never touched again. */
        if (registry_get(reg, name))
                return;
        r = state_read(rd, name, &s, &keeper);
        if (r < 0) {
                log_error("state file %s/state/%s is damaged (%s); skipping it", rd->path, name,
                          strerror(-r));
                return;
        }
        if (s->pin != NSK_PIN_BIND && fdstore_claim(s, &lifeline) < 0) {
                /* Its fds ended with the daemon that held them, unless
                 * systemd's fd store kept them for us. */
                log_info("set '%s': was pinned by fd and its fds did not come back from the fd "
                         "store, so it ended with the last daemon", name);
                /* Its ip netns entry would keep the network namespace. */
                if (s->settings.ip_netns)
                        (void) ipnetns_remove(rd->netns_dir, name, s->inode[NSK_TYPE_NET]);
                (void) state_remove(rd, name);
                set_free(s);
                return;
        }
        if ((s->pin == NSK_PIN_BIND && verify_pins(rd, s) < 0) || registry_add(reg, s) < 0) {
                safe_close(lifeline);
                set_free(s);
                return;
        }
        if (keeper > 0)
                (void) keeper_reattach(s, base, keeper, s->inode[NSK_TYPE_PID], TAKE_FD(lifeline));
        safe_close(lifeline);
        log_debug("set '%s': adopted%s", name, s->pin == NSK_PIN_FD ? " from the fd store" : "");
}

/* Removes the pins of a set that has no state file. */
static void remove_orphan(const struct rundir *rd, const char *name)
{
        struct set *s = set_new(name, 0, NSK_PIN_BIND, 0);

        if (!s)
                return;
        s->types = NSK_TYPE_MASK_ALL;
        log_notice("set '%s': removing pins left without state by an interrupted create or "
                   "release", name);
        (void) set_unpin(s, rd);
        set_free(s);
}

/* ".NAME.tmp": a create cut short before its state file was renamed into
 * place. Its keeper may have been made permanent already (that comes
 * between the write and the rename, see set.c): end it, as its lifeline
 * would have, then the file. Its pins go as an orphan's. */
static void cut_short(const struct rundir *rd, const char *file)
{
        char text[STATE_SIZE_MAX + 1], name[NAME_KEY_MAX + 1];
        _cleanup_close_ int fd = -EBADF;
        size_t len = strlen(file);
        struct set *s = NULL;
        pid_t keeper = 0;
        ssize_t n;

        if (len > 5 && len - 5 <= NAME_KEY_MAX && streq(file + len - 4, ".tmp")) {
                memcpy(name, file + 1, len - 5);
                name[len - 5] = '\0';
                fd = openat(rd->state_fd, file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
                n = fd >= 0 ? read(fd, text, sizeof(text)) : -1;
                if (n > 0 && n <= STATE_SIZE_MAX && !memchr(text, '\0', (size_t) n)) {
                        text[n] = '\0';
                        if (state_parse(name, text, &s, &keeper) == 0 && keeper > 0 &&
                            keeper_kill_stray(keeper, s->inode[NSK_TYPE_PID]))
                                log_notice("set '%s': ended the keeper (pid %d) of a create cut "
                                           "short", name, (int) keeper);
                        set_free(s);
                }
        }
        (void) unlinkat(rd->state_fd, file, 0);
}

static int scan(int dirfd, const char *what, const struct rundir *rd, struct registry *reg,
                struct event_base *base, bool adopting)
{
        _cleanup_close_ int fd = -EBADF;
        DIR *d;
        struct dirent *de;

        fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        d = fdopendir(fd);
        if (!d)
                return negative_errno();
        TAKE_FD(fd);

        while ((de = readdir(d))) {
                const char *name = de->d_name, *plain;
                uint32_t owner;

                if (streq(name, ".") || streq(name, ".."))
                        continue;
                if (adopting && name[0] == '.') {
                        cut_short(rd, name);
                        continue;
                }
                if (!name_key_parse(name, &owner, &plain)) {
                        log_warning("%s/%s/%s is not a set; leaving it alone", rd->path, what,
                                    name);
                        continue;
                }
                if (adopting)
                        adopt(rd, reg, base, name);
                else if (!registry_get(reg, name) &&
                         faccessat(rd->state_fd, name, F_OK, AT_SYMLINK_NOFOLLOW) < 0)
                        remove_orphan(rd, name);
        }
        closedir(d);
        return 0;
}

int state_recover(const struct rundir *rd, struct registry *reg, struct event_base *base)
{
        int r;

        r = scan(rd->state_fd, "state", rd, reg, base, true);
        if (r < 0)
                return r;
        r = scan(rd->ns_fd, "ns", rd, reg, base, false);
        if (r < 0)
                return r;
        return scan(rd->mnt_fd, "mnt", rd, reg, base, false);
}
