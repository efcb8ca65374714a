/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Checking that a path is root's all the way down (safepath.h). */

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>

#include "safepath.h"
#include "util.h"

/* One directory on the way: root's, and writable by others only if it
 * is sticky and not the last. */
static int check_dir(const struct stat *st, const char *path, const char *name, bool last,
                     char *msg, size_t size)
{
        if (st->st_uid != 0) {
                snprintf(msg, size, "'%s' is not safe: '%s' on the way is owned by uid %u", path,
                         name, (unsigned) st->st_uid);
                return -EPERM;
        }
        if ((st->st_mode & 0022) && (last || !(st->st_mode & S_ISVTX))) {
                snprintf(msg, size, "'%s' is not safe: '%s' on the way is writable by others", path,
                         name);
                return -EPERM;
        }
        return 0;
}

/* The next non-empty component at or after p, or NULL. */
static char *next_component(char *p)
{
        while (*p == '/')
                p++;
        return *p ? p : NULL;
}

int safepath_check(const char *path, bool parent_only, char *msg, size_t size)
{
        _cleanup_close_ int dir = -EBADF;
        char buf[PATH_MAX], *p;
        struct stat st;
        int r;

        if (path[0] != '/' || strlen(path) >= sizeof(buf)) {
                snprintf(msg, size, "'%s' is not an absolute path of a sane length", path);
                return -EINVAL;
        }
        strcpy(buf, path);
        if (parent_only)
                *strrchr(buf, '/') = '\0';
        dir = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dir < 0 || fstat(dir, &st) < 0) {
                snprintf(msg, size, "cannot open /: %s", strerror(errno));
                return negative_errno();
        }
        p = next_component(buf);
        r = check_dir(&st, path, "/", !p, msg, size);
        while (r == 0 && p) {
                char *end = p + strcspn(p, "/"), *next;
                int fd;

                next = *end ? next_component(end + 1) : NULL;
                *end = '\0';
                if (mkdirat(dir, p, 0755) < 0 && errno != EEXIST) {
                        r = negative_errno();
                        snprintf(msg, size, "'%s': cannot make '%s': %s", path, p, strerror(-r));
                        return r;
                }
                fd = openat(dir, p, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0) {
                        struct stat lst;

                        r = negative_errno();
                        if (fstatat(dir, p, &lst, AT_SYMLINK_NOFOLLOW) == 0 &&
                            S_ISLNK(lst.st_mode)) {
                                snprintf(msg, size,
                                         "'%s' is not safe: '%s' on the way is a symbolic link "
                                         "(give the path it leads to)",
                                         path, p);
                                return -ELOOP;
                        }
                        snprintf(msg, size, "'%s': cannot open '%s': %s", path, p, strerror(-r));
                        return r;
                }
                safe_close(dir);
                dir = fd;
                if (fstat(dir, &st) < 0) {
                        snprintf(msg, size, "'%s': cannot stat '%s': %s", path, p, strerror(errno));
                        return negative_errno();
                }
                r = check_dir(&st, path, p, !next, msg, size);
                p = next;
        }
        return r;
}
