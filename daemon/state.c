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
 */

#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <sys/stat.h>

#include "log.h"
#include "pin.h"
#include "state.h"

#define STATE_VERSION 1
#define STATE_SIZE_MAX 4096

int state_write(const struct rundir *rd, const struct set *s)
{
        char text[STATE_SIZE_MAX], tmp[NSK_NAME_MAX + 8];
        _cleanup_close_ int fd = -EBADF;
        size_t len;
        int n, r;

        n = snprintf(text, sizeof(text), "version %d\npin %s\ncreated %" PRIu64 "\nowner %u\n",
                     STATE_VERSION, nsk_pin_name(s->pin), s->created, (unsigned) s->owner);
        len = (size_t) n;
        for (int t = 0; t < NSTYPE_MAX; t++)
                if (s->types & NSTYPE_BIT(t)) {
                        n = snprintf(text + len, sizeof(text) - len, "ns %s %" PRIu64 "\n",
                                     nstype_name(t), s->inode[t]);
                        len += (size_t) n;
                }

        /* Set names never start with '.', so this cannot hit a set. */
        snprintf(tmp, sizeof(tmp), ".%s.tmp", s->name);
        (void) unlinkat(rd->state_fd, tmp, 0);
        fd = openat(rd->state_fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return negative_errno();
        if (write(fd, text, len) != (ssize_t) len) {
                r = errno > 0 ? -errno : -EIO;
                (void) unlinkat(rd->state_fd, tmp, 0);
                return r;
        }
        if (renameat(rd->state_fd, tmp, rd->state_fd, s->name) < 0) {
                r = negative_errno();
                (void) unlinkat(rd->state_fd, tmp, 0);
                return r;
        }
        return 0;
}

int state_remove(const struct rundir *rd, const char *name)
{
        if (unlinkat(rd->state_fd, name, 0) < 0 && errno != ENOENT)
                return negative_errno();
        return 0;
}

static int parse_u64(const char *s, uint64_t *ret)
{
        char *end;
        unsigned long long v;

        if (*s < '0' || *s > '9')
                return -EINVAL;
        errno = 0;
        v = strtoull(s, &end, 10);
        if (errno != 0 || *end != '\0')
                return -EINVAL;
        *ret = v;
        return 0;
}

int state_parse(const char *name, const char *text, struct set **ret)
{
        struct set *s;
        bool have_version = false, have_pin = false;
        const char *p = text;
        int r = 0;

        if (!name_is_valid(name))
                return -EINVAL;
        s = set_new(name, 0, NSK_PIN_BIND, 0);
        if (!s)
                return -ENOMEM;
        s->created = 0;

        while (*p && r == 0) {
                char line[128], key[16], a[32], b[32];
                size_t n = strcspn(p, "\n");
                int k;

                if (n >= sizeof(line) || p[n] != '\n') {
                        r = -EINVAL;
                        break;
                }
                memcpy(line, p, n);
                line[n] = '\0';
                p += n + 1;

                k = sscanf(line, "%15s %31s %31s", key, a, b);
                if (k == 2 && streq(key, "version")) {
                        uint64_t v;
                        r = parse_u64(a, &v);
                        if (r == 0 && v != STATE_VERSION)
                                r = -EPROTONOSUPPORT;
                        have_version = true;
                } else if (k == 2 && streq(key, "pin")) {
                        r = nsk_pin_from_name(a);
                        if (r == NSK_PIN_BIND)
                                have_pin = true;
                        r = r == NSK_PIN_BIND ? 0 : -EINVAL;
                } else if (k == 2 && streq(key, "created"))
                        r = parse_u64(a, &s->created);
                else if (k == 2 && streq(key, "owner")) {
                        uint64_t v;
                        r = parse_u64(a, &v);
                        if (r == 0 && v > UINT32_MAX - 1)
                                r = -EINVAL;
                        s->owner = (uid_t) v;
                } else if (k == 3 && streq(key, "ns")) {
                        enum nstype t = nstype_from_name(a);
                        if (t < 0 || (s->types & NSTYPE_BIT(t)))
                                r = -EINVAL;
                        else {
                                r = parse_u64(b, &s->inode[t]);
                                s->types |= NSTYPE_BIT(t);
                        }
                } else
                        r = -EINVAL;
        }
        if (r == 0 && (!have_version || !have_pin || s->types == 0))
                r = -EINVAL;
        if (r < 0) {
                set_free(s);
                return r;
        }
        s->state = SET_READY;
        *ret = s;
        return 0;
}

static int state_read(const struct rundir *rd, const char *name, struct set **ret)
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
        return state_parse(name, text, ret);
}

/* Every pin of the set is there and is still the namespace recorded. */
static int verify_pins(const struct rundir *rd, const struct set *s)
{
        for (int t = 0; t < NSTYPE_MAX; t++) {
                _cleanup_close_ int fd = -EBADF;
                int r;

                if (!(s->types & NSTYPE_BIT(t)))
                        continue;
                r = set_open(s, rd, t, &fd);
                if (r < 0) {
                        log_error("set '%s': %s pin is missing or was replaced; not adopting it",
                                  s->name, nstype_name(t));
                        return r;
                }
        }
        return 0;
}

static void adopt(const struct rundir *rd, struct registry *reg, const char *name)
{
        struct set *s;
        int r;

        r = state_read(rd, name, &s);
        if (r < 0) {
                log_error("state file %s/state/%s is damaged (%s); skipping it", rd->path, name,
                          strerror(-r));
                return;
        }
        if (verify_pins(rd, s) < 0 || registry_add(reg, s) < 0) {
                set_free(s);
                return;
        }
        log_debug("set '%s': adopted", name);
}

/* Removes the pins of a set that has no state file. */
static void remove_orphan(const struct rundir *rd, const char *name)
{
        struct set *s = set_new(name, 0, NSK_PIN_BIND, 0);

        if (!s)
                return;
        s->types = NSTYPE_MASK_ALL;
        log_notice("set '%s': removing pins left without state by an interrupted create or "
                   "release", name);
        (void) set_unpin(s, rd);
        set_free(s);
}

static int scan(int dirfd, const char *what, const struct rundir *rd, struct registry *reg,
                bool adopting)
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
                const char *name = de->d_name;

                if (streq(name, ".") || streq(name, ".."))
                        continue;
                if (adopting && name[0] == '.') {
                        (void) unlinkat(rd->state_fd, name, 0); /* a state write cut short */
                        continue;
                }
                if (!name_is_valid(name)) {
                        log_warning("%s/%s/%s is not a set; leaving it alone", rd->path, what,
                                    name);
                        continue;
                }
                if (adopting)
                        adopt(rd, reg, name);
                else if (!registry_get(reg, name) &&
                         faccessat(rd->state_fd, name, F_OK, AT_SYMLINK_NOFOLLOW) < 0)
                        remove_orphan(rd, name);
        }
        closedir(d);
        return 0;
}

int state_recover(const struct rundir *rd, struct registry *reg)
{
        int r;

        r = scan(rd->state_fd, "state", rd, reg, true);
        if (r < 0)
                return r;
        r = scan(rd->ns_fd, "ns", rd, reg, false);
        if (r < 0)
                return r;
        return scan(rd->mnt_fd, "mnt", rd, reg, false);
}
