/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Pins at paths of a creator's choice (extpin.h). */

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "extpin.h"
#include "log.h"
#include "pin.h"
#include "settings.h"
#include "util.h"

/* The directory of path, opened (following symlinks: /var/run is one),
 * and the last component. */
static int open_parent(const char *path, int *ret_dfd, const char **ret_base)
{
        char dir[PATH_MAX];
        const char *slash = strrchr(path, '/');

        if (!slash || !slash[1] || (size_t) (slash - path) >= sizeof(dir))
                return -EINVAL;
        memcpy(dir, path, (size_t) (slash - path));
        dir[slash - path] = '\0';
        *ret_dfd = open(dir[0] ? dir : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (*ret_dfd < 0)
                return negative_errno();
        *ret_base = slash + 1;
        return 0;
}

/* One thing met on the way to a pin's directory, shown as shown: root's,
 * and a directory writable by no one else (a sticky one, as /tmp, but
 * not the last). */
static int check_on_way(const struct stat *st, const char *shown, bool last, char *msg, size_t size)
{
        if (st->st_uid != 0 ||
            (S_ISDIR(st->st_mode) && (st->st_mode & 022) && (!(st->st_mode & S_ISVTX) || last))) {
                snprintf(msg, size, "%s is not root's alone (owner %u, mode %04o)", shown,
                         (unsigned) st->st_uid, (unsigned) (st->st_mode & 07777));
                return -EPERM;
        }
        return 0;
}

/* Who could change where path leads: opens the directory of path and
 * sets *ret_base to its last component, walking it one component at a
 * time as the kernel would, symlinks followed (/var/run is one), and
 * checking everything met (check_on_way): each directory and each
 * symlink, also those a symlink leads through. The open directory is
 * what the pin is made in: nothing is looked up by name again. The pin
 * file itself may be anyone's: CRI-O chowns those of a pod with a user
 * namespace to its root. */
static int open_checked_parent(const char *path, int *ret_dfd, const char **ret_base, char *msg,
                               size_t size)
{
        _cleanup_close_ int dir = -EBADF;
        char todo[PATH_MAX], shown[PATH_MAX], link[PATH_MAX];
        const char *slash = strrchr(path, '/');
        size_t len = slash ? (size_t) (slash - path) : 0, shown_len = 0;
        unsigned links = 0;
        struct stat st;
        char *p;
        int r;

        if (path[0] != '/' || !slash || !slash[1] || len >= sizeof(todo))
                return -EINVAL;
        memcpy(todo, path, len);
        todo[len] = '\0';
        shown[0] = '\0';
        dir = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dir < 0 || fstat(dir, &st) < 0)
                return negative_errno();
        r = check_on_way(&st, "/", !todo[strspn(todo, "/")], msg, size);
        for (p = todo; r == 0;) {
                char *name, *end;
                size_t name_len;
                bool last;
                int fd;

                while (*p == '/')
                        p++;
                if (!*p)
                        break;
                name = p;
                end = p + strcspn(p, "/");
                name_len = (size_t) (end - name);
                p = *end ? end + 1 : end;
                *end = '\0';
                last = !p[strspn(p, "/")];
                if (shown_len + 1 + name_len >= sizeof(shown))
                        return -ENAMETOOLONG;
                shown[shown_len++] = '/';
                memcpy(shown + shown_len, name, name_len + 1);
                shown_len += name_len;
                fd = openat(dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0)
                        return negative_errno();
                if (fstat(fd, &st) < 0) {
                        r = negative_errno();
                        safe_close(fd);
                        return r;
                }
                r = check_on_way(&st, shown, last, msg, size);
                if (r == 0 && S_ISLNK(st.st_mode)) {
                        /* Its target, then what was left after it. */
                        ssize_t n = readlinkat(fd, "", link, sizeof(link));

                        safe_close(fd);
                        if (n < 0)
                                return negative_errno();
                        if (++links > 40 || (size_t) n + 1 + strlen(p) + 1 > sizeof(link))
                                return -ELOOP;
                        link[n] = '\0';
                        if (*p)
                                strcat(strcat(link, "/"), p);
                        strcpy(todo, link);
                        p = todo;
                        if (link[0] == '/') {
                                safe_close(dir);
                                dir = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
                                if (dir < 0)
                                        return negative_errno();
                                shown_len = 0;
                                shown[0] = '\0';
                        } else
                                shown[shown_len -= name_len + 1] = '\0';
                        continue;
                }
                if (r == 0 && !S_ISDIR(st.st_mode))
                        r = -ENOTDIR;
                safe_close(dir);
                dir = fd;
        }
        if (r < 0)
                return r;
        *ret_dfd = TAKE_FD(dir);
        *ret_base = slash + 1;
        return 0;
}

int extpin_add(const char *path, int nsfd, bool *ret_made, char *msg, size_t size)
{
        _cleanup_close_ int dfd = -EBADF, fd = -EBADF;
        const char *base;
        bool made = false;
        struct stat st;
        dev_t nsfs = 0;
        int r;

        msg[0] = '\0';
        r = open_checked_parent(path, &dfd, &base, msg, size);
        if (r == 0)
                r = nsfs_dev(&nsfs);
        if (r < 0)
                return r;
        fd = openat(dfd, base, O_RDONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0);
        if (fd >= 0)
                made = true;
        else if (errno == EEXIST)
                /* O_PATH: a FIFO or device there is not opened (and never
                 * waited on); fstat() says what it is. */
                fd = openat(dfd, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        if (fstat(fd, &st) < 0)
                return negative_errno();
        /* A namespace there already (another set's, or pinns's): never
         * stacked on. Else an empty file, as the caller made it. */
        if (st.st_dev == nsfs)
                return -EBUSY;
        if (!S_ISREG(st.st_mode) || st.st_size != 0) {
                snprintf(msg, size, "%s is %s", path,
                         S_ISDIR(st.st_mode)    ? "a directory"
                         : !S_ISREG(st.st_mode) ? "not a regular file"
                                                : "not empty");
                return -EINVAL;
        }
        r = pin_bind_fd(nsfd, fd);
        if (r < 0 && made)
                (void) unlinkat(dfd, base, 0);
        if (r == 0) {
                char top[64 + NAME_MAX];

                /* Private, also where mount_setattr(2) is missing (or not
                 * known to valgrind): nothing mounted over this pin may
                 * reach the set's own, nor the other way round. */
                snprintf(top, sizeof(top), "/proc/self/fd/%d/%s", dfd, base);
                (void) mount(NULL, top, NULL, MS_PRIVATE, NULL);
                *ret_made = made;
        }
        return r;
}

int extpin_remove(const char *path, uint64_t inode)
{
        _cleanup_close_ int dfd = -EBADF;
        const char *base;
        struct stat st;
        dev_t nsfs = 0;
        int r;

        r = open_parent(path, &dfd, &base);
        if (r == -ENOENT)
                return 0;
        if (r == 0)
                r = nsfs_dev(&nsfs);
        if (r < 0)
                return r;
        for (int i = 0;; i++) {
                if (fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        return errno == ENOENT ? 0 : negative_errno();
                /* Only mounts of this set's namespace are taken down. */
                if (st.st_dev != nsfs || st.st_ino != inode || i >= 16)
                        break;
                r = pin_umount_top(dfd, base);
                if (r < 0)
                        return r;
        }
        /* The file stays: it is its creator's (CRI-O made and chowned
         * it, and removes it), as what was mounted there before is. */
        return 0;
}

void extpin_dirs_done(struct extpin_dirs *dirs)
{
        for (unsigned i = 0; i < dirs->n; i++) {
                free(dirs->e[i].dir);
                free(dirs->e[i].real);
        }
        dirs->n = 0;
}

/* dir with its symlinks resolved, from dirs or into it: NULL and errno
 * if it cannot be. The string belongs to dirs, or to *ret_owned when
 * dirs is full. */
static const char *dir_real(struct extpin_dirs *dirs, const char *dir, char **ret_owned)
{
        char *real, *copy;
        int err;

        *ret_owned = NULL;
        for (unsigned i = 0; i < dirs->n; i++)
                if (streq(dirs->e[i].dir, dir)) {
                        errno = dirs->e[i].err;
                        return dirs->e[i].real;
                }
        real = realpath(dir[0] ? dir : "/", NULL);
        err = real ? 0 : errno;
        if (dirs->n < EXTPIN_DIRS_MAX && (copy = strdup(dir)))
                dirs->e[dirs->n++] = (struct extpin_dir) { .dir = copy, .real = real, .err = err };
        else
                *ret_owned = real;
        errno = err;
        return real;
}

static bool extpin_present(const struct mounts *m, const char *path, uint64_t inode,
                           struct extpin_dirs *dirs)
{
        _cleanup_free_ char *owned = NULL;
        char dir[PATH_MAX], full[PATH_MAX];
        const char *slash = strrchr(path, '/'), *real;
        int n;

        if (!slash || (size_t) (slash - path) >= sizeof(dir))
                return false;
        memcpy(dir, path, (size_t) (slash - path));
        dir[slash - path] = '\0';
        /* Gone: the set may go. Unreadable (a directory someone made
         * unsearchable): not gone, as far as anyone can tell. */
        real = dir_real(dirs, dir, &owned);
        if (!real)
                return errno != ENOENT && errno != ENOTDIR;
        n = snprintf(full, sizeof(full), "%s/%s", streq(real, "/") ? "" : real, slash + 1);
        return n > 0 && (size_t) n < sizeof(full) && mounts_has(m, full, inode);
}

bool extpin_set_present(const struct set *s, const struct mounts *m, struct extpin_dirs *dirs)
{
        for (unsigned i = 0; i < s->settings.n_pins_at; i++) {
                const char *path;
                enum nsk_type t;

                if (nsk_pin_at_parse(s->settings.pins_at[i], &t, &path) == 0 &&
                    extpin_present(m, path, s->inode[t], dirs))
                        return true;
        }
        return false;
}

void extpin_remove_set(const struct set *s)
{
        for (unsigned i = 0; i < s->settings.n_pins_at; i++) {
                const char *path;
                enum nsk_type t;
                int r;

                if (nsk_pin_at_parse(s->settings.pins_at[i], &t, &path) < 0)
                        continue;
                r = extpin_remove(path, s->inode[t]);
                if (r < 0)
                        log_warning("set '%s': cannot remove its pin at %s: %s", s->name, path,
                                    strerror(-r));
        }
}
