/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Entries in /run/netns. ip(8) makes /run/netns a shared mount of its
 * own under flock(2) on the directory (parallel first uses once stacked
 * mounts, Debian #949235); we take the same lock, so the two of us never
 * race, and mount the same way. */

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "ipnetns.h"
#include "pin.h"
#include "log.h"
#include "util.h"

/* Returns the locked directory in *ret_lock and, in *ret_fd, the
 * directory as seen through its mount: an fd opened before the self-bind
 * would put new mounts underneath it, out of sight. */
static int prepare(const char *dir, int *ret_lock, int *ret_fd)
{
        _cleanup_close_ int fd = -EBADF;

        /* Root's all the way down, made at start (safepath.h). */
        if (mkdir(dir, 0755) < 0 && errno != EEXIST)
                return negative_errno();
        fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        if (flock(fd, LOCK_EX) < 0)
                return negative_errno();
        /* As ip does: make it shared, and if it is no mount point yet
         * (EINVAL), bind it onto itself first. Unlike ip, through private:
         * a bind of a shared /run would join /run's peer group and every
         * entry would be mounted twice. */
        if (mount("", dir, "none", MS_SHARED | MS_REC, NULL) < 0) {
                if (errno != EINVAL)
                        return negative_errno();
                if (mount(dir, dir, "none", MS_BIND | MS_REC, NULL) < 0 ||
                    mount("", dir, "none", MS_PRIVATE, NULL) < 0 ||
                    mount("", dir, "none", MS_SHARED | MS_REC, NULL) < 0)
                        return negative_errno();
        }
        *ret_fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (*ret_fd < 0)
                return negative_errno();
        *ret_lock = TAKE_FD(fd);
        return 0;
}

int ipnetns_add(const char *dir, const char *name, int nsfd)
{
        _cleanup_close_ int lock = -EBADF, dfd = -EBADF, fd = -EBADF;
        char src[64], dst[64];
        int r;

        r = prepare(dir, &lock, &dfd);
        if (r < 0)
                return log_error_errno(r, "cannot prepare %s: %m", dir);
        fd = openat(dfd, name, O_RDONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0444);
        if (fd < 0)
                return negative_errno(); /* EEXIST: ip netns has one of that name */
        snprintf(src, sizeof(src), "/proc/self/fd/%d", nsfd);
        snprintf(dst, sizeof(dst), "/proc/self/fd/%d", fd);
        if (mount(src, dst, NULL, MS_BIND, NULL) < 0) {
                r = negative_errno();
                (void) unlinkat(dfd, name, 0);
                return r;
        }
        return 0;
}

int ipnetns_remove(const char *dir, const char *name, uint64_t inode)
{
        _cleanup_close_ int dfd = -EBADF, fd = -EBADF;
        struct stat st;
        dev_t nsfs;
        int r;

        dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dfd < 0)
                return errno == ENOENT ? 0 : negative_errno();
        /* Someone (ip netns delete) may have removed it, or put another
         * namespace or a symlink there: that one is not ours to remove.
         * Ours is a namespace (on nsfs, the device of every one) with the
         * set's inode number. */
        fd = openat(dfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOENT ? 0 : negative_errno();
        if (fstat(fd, &st) < 0)
                return negative_errno();
        r = nsfs_dev(&nsfs);
        if (r < 0)
                return r;
        if (st.st_dev != nsfs || st.st_ino != inode)
                return 0;
        return pin_unlink_at(dfd, name);
}
