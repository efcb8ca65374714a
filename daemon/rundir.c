/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Opening, locking and preparing the runtime directory. */

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "config.h"
#include "log.h"
#include "name.h"
#include "rundir.h"

static int mkdir_parents(const char *path, mode_t mode)
{
        char buf[PATH_MAX];
        size_t n = strlen(path);

        if (n >= sizeof(buf))
                return -ENAMETOOLONG;
        memcpy(buf, path, n + 1);
        for (char *p = buf + 1; *p; p++) {
                if (*p != '/')
                        continue;
                *p = '\0';
                if (mkdir(buf, mode) < 0 && errno != EEXIST)
                        return negative_errno();
                *p = '/';
        }
        if (mkdir(buf, mode) < 0 && errno != EEXIST)
                return negative_errno();
        return 0;
}

/* What rundir_open() created, so that a refused start can remove it. */
enum {
        MADE_LOCK = 1u << 1,
        MADE_STATE = 1u << 2,
        MADE_NS = 1u << 3,
        MADE_MNT = 1u << 4,
};

/* Opens dir/name, making it if needed (then adds bit to *made), and
 * refuses anything but a directory owned by us that nobody else can
 * write to. */
static int open_private_dir(int dirfd, const char *name, const char *what, unsigned *made,
                            unsigned bit)
{
        _cleanup_close_ int fd = -EBADF;
        struct stat st;

        if (mkdirat(dirfd, name, 0755) == 0)
                *made |= bit;
        else if (errno != EEXIST)
                return log_error_errno(negative_errno(), "cannot create %s: %m", what);
        fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return log_error_errno(negative_errno(), "cannot open %s: %m", what);
        if (fstat(fd, &st) < 0)
                return log_error_errno(negative_errno(), "cannot stat %s: %m", what);
        if (st.st_uid != geteuid() || (st.st_mode & 0022)) {
                log_error("%s must be owned by uid %u and writable by nobody else", what,
                          (unsigned) geteuid());
                return -EPERM;
        }
        return TAKE_FD(fd);
}

/* Makes dir (an fd) a mount of its own with the given propagation. A
 * bind mount of a shared mount joins its peer group; going through
 * private first gives the pin mount a peer group of its own, so a pin
 * is mounted once here instead of once per peer of /run. */
static int prepare_mount(const struct rundir *rd, const char *name, unsigned long propagation)
{
        char path[PATH_MAX];
        struct statx stx;

        if (statx(rd->fd, name, AT_SYMLINK_NOFOLLOW, STATX_TYPE, &stx) < 0)
                return negative_errno();
        snprintf(path, sizeof(path), "%s/%s", rd->path, name);

        if (!(stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) ||
            !(stx.stx_attributes & STATX_ATTR_MOUNT_ROOT)) {
                if (mount(path, path, NULL, MS_BIND, NULL) < 0)
                        return log_error_errno(negative_errno(),
                                               "cannot bind-mount %s onto itself: %m", path);
                if (mount(NULL, path, NULL, MS_PRIVATE, NULL) < 0)
                        return log_error_errno(negative_errno(), "cannot make %s private: %m",
                                               path);
        }
        if (mount(NULL, path, NULL, propagation, NULL) < 0)
                return log_error_errno(negative_errno(), "cannot set mount propagation of %s: %m",
                                       path);
        return 0;
}

/* One daemon per directory; the lock also serialises the first-use
 * mount setup, so parallel starts cannot stack mounts. A refused start
 * unlinks a lock file it made while holding it (rundir_discard), so one
 * that is locked must still be the file at RUNDIR/lock, else it is a
 * lock on nothing: try again. */
static int lock(struct rundir *rd)
{
        for (int i = 0; i < 16; i++) {
                struct stat held, named;
                int fd;

                fd = openat(rd->fd, "lock", O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                            0600);
                if (fd >= 0)
                        rd->made |= MADE_LOCK;
                else if (errno == EEXIST) {
                        rd->made &= ~MADE_LOCK;
                        fd = openat(rd->fd, "lock", O_RDWR | O_NOFOLLOW | O_CLOEXEC);
                }
                if (fd < 0) {
                        if (errno == ENOENT)
                                continue;
                        return log_error_errno(negative_errno(), "cannot open %s/lock: %m",
                                               rd->path);
                }
                rd->lock_fd = fd;
                if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
                        if (errno == EWOULDBLOCK) {
                                log_error("another nskeeperd is already using %s", rd->path);
                                return -EBUSY;
                        }
                        return log_error_errno(negative_errno(), "cannot lock %s/lock: %m",
                                               rd->path);
                }
                if (fstat(fd, &held) == 0 &&
                    fstatat(rd->fd, "lock", &named, AT_SYMLINK_NOFOLLOW) == 0 &&
                    held.st_dev == named.st_dev && held.st_ino == named.st_ino)
                        return 0;
                rd->lock_fd = safe_close(rd->lock_fd);
        }
        return log_error_errno(-EBUSY, "cannot lock %s/lock: it keeps being replaced", rd->path);
}

int rundir_open(const char *path, struct rundir **ret)
{
        struct rundir *rd;
        int r;

        if (path[0] != '/')
                return log_error_errno(-EINVAL, "runtime directory '%s' must be an absolute path",
                                       path);
        /* Long enough for every pin path below it. */
        if (strlen(path) > PATH_MAX - NSK_NAME_MAX - 32)
                return log_error_errno(-ENAMETOOLONG, "runtime directory '%s' is too long", path);

        rd = calloc(1, sizeof(*rd));
        if (!rd)
                return -ENOMEM;
        rd->fd = rd->lock_fd = rd->state_fd = rd->ns_fd = rd->mnt_fd = -EBADF;
        rd->netns_dir = NSK_NETNS_DIR_DEFAULT;
        rd->path = strdup(path);
        if (!rd->path) {
                r = -ENOMEM;
                goto fail;
        }
        /* Without trailing slashes, so that joined paths look right. */
        for (size_t n = strlen(rd->path); n > 1 && rd->path[n - 1] == '/'; n--)
                rd->path[n - 1] = '\0';

        r = mkdir_parents(rd->path, 0755);
        if (r < 0) {
                log_error("cannot create runtime directory %s: %s", rd->path, strerror(-r));
                goto fail;
        }
        r = open_private_dir(AT_FDCWD, rd->path, rd->path, &rd->made, 0);
        if (r < 0)
                goto fail;
        rd->fd = r;

        r = lock(rd);
        if (r < 0)
                goto fail;

        r = open_private_dir(rd->fd, "state", "state directory", &rd->made, MADE_STATE);
        if (r < 0)
                goto fail;
        rd->state_fd = r;
        r = open_private_dir(rd->fd, "ns", "pin directory", &rd->made, MADE_NS);
        if (r < 0)
                goto fail;
        rd->ns_fd = r;
        r = open_private_dir(rd->fd, "mnt", "mnt pin directory", &rd->made, MADE_MNT);
        if (r < 0)
                goto fail;
        rd->mnt_fd = r;

        *ret = rd;
        return 0;
fail:
        rundir_free(rd);
        return r;
}

int rundir_prepare_mounts(struct rundir *rd)
{
        int r;

        r = prepare_mount(rd, "ns", MS_SHARED);
        if (r < 0)
                return r;
        r = prepare_mount(rd, "mnt", MS_PRIVATE);
        if (r < 0)
                return r;

        /* The fds were opened before the self-binds; reopen them so they
         * see the mounts, not the directories underneath. */
        safe_close(rd->ns_fd);
        safe_close(rd->mnt_fd);
        rd->ns_fd = openat(rd->fd, "ns", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        rd->mnt_fd = openat(rd->fd, "mnt", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (rd->ns_fd < 0 || rd->mnt_fd < 0)
                return log_error_errno(negative_errno(), "cannot open pin directories of %s: %m",
                                       rd->path);
        return 0;
}

struct rundir *rundir_free(struct rundir *rd)
{
        if (!rd)
                return NULL;
        safe_close(rd->mnt_fd);
        safe_close(rd->ns_fd);
        safe_close(rd->state_fd);
        safe_close(rd->lock_fd);
        safe_close(rd->fd);
        free(rd->path);
        free(rd);
        return NULL;
}

struct rundir *rundir_discard(struct rundir *rd, bool dir_too)
{
        static const struct {
                unsigned bit;
                const char *name;
        } dirs[] = { { MADE_STATE, "state" }, { MADE_NS, "ns" }, { MADE_MNT, "mnt" } };

        if (!rd)
                return NULL;
        /* A directory that is no longer empty (or a mount) stays. */
        for (size_t i = 0; i < ELEMENTSOF(dirs); i++)
                if (rd->made & dirs[i].bit)
                        (void) unlinkat(rd->fd, dirs[i].name, AT_REMOVEDIR);
        if ((rd->made & MADE_LOCK) && rd->lock_fd >= 0)
                (void) unlinkat(rd->fd, "lock", 0);
        if (dir_too)
                (void) rmdir(rd->path);
        return rundir_free(rd);
}

int rundir_pin_path(const struct rundir *rd, const char *name, enum nsk_type t, char *buf,
                    size_t size)
{
        int n;

        if (t == NSK_TYPE_MNT)
                n = snprintf(buf, size, "%s/mnt/%s", rd->path, name);
        else
                n = snprintf(buf, size, "%s/ns/%s/%s", rd->path, name, nsk_type_name(t));
        if (n < 0 || (size_t) n >= size) {
                if (size > 0)
                        buf[0] = '\0';
                return -ENAMETOOLONG;
        }
        return 0;
}
