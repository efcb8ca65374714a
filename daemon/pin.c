/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Making, opening and removing bind pins. Files are created and opened
 * relative to the runtime directory's fds, never following symlinks. */

#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <string.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/mount.h>

#include "fault.h"
#include "log.h"
#include "pin.h"

/* The directory fd and file name of a pin. For anything but mnt the
 * directory is opened here and returned in *ret_owned. */
static int pin_location(const struct rundir *rd, const char *name, enum nsk_type t, int *ret_owned,
                        int *ret_dirfd, const char **ret_file)
{
        *ret_owned = -EBADF;
        if (t == NSK_TYPE_MNT) {
                *ret_dirfd = rd->mnt_fd;
                *ret_file = name;
                return 0;
        }
        *ret_owned = openat(rd->ns_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (*ret_owned < 0)
                return negative_errno();
        *ret_dirfd = *ret_owned;
        *ret_file = nsk_type_name(t);
        return 0;
}

static int pin_dir_make(const struct rundir *rd, const char *name, mode_t mode)
{
        if (mkdirat(rd->ns_fd, name, mode) < 0)
                return negative_errno();
        return 0;
}

static int pin_dir_remove(const struct rundir *rd, const char *name)
{
        if (unlinkat(rd->ns_fd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
                return negative_errno();
        return 0;
}

int nsfs_dev(dev_t *ret)
{
        struct stat st;

        if (stat("/proc/self/ns/net", &st) < 0)
                return negative_errno();
        *ret = st.st_dev;
        return 0;
}

/* Bind-mounts the namespace nsfd onto the file fd: exactly the file just
 * created, whatever happens to the names meanwhile. A detached copy of
 * the namespace's mount moved onto it (open_tree(2), move_mount(2)) costs
 * less than mount(2) through two /proc/self/fd paths, which it falls back
 * to where the kernel or a seccomp filter has no new mount API. */
int pin_bind_fd(int nsfd, int fd)
{
        static bool no_new_api;
        char src[64], dst[64];

        if (!no_new_api) {
                _cleanup_close_ int tree = -EBADF;

                tree = (int) syscall(SYS_open_tree, nsfd, "",
                                     OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
                /* A clone of a pin under the shared RUNDIR/ns would share
                 * its peer group: what is mounted over one would show at
                 * the other. Private, each is alone (best effort: a kernel
                 * before mount_setattr(2) says ENOSYS). */
                if (tree >= 0) {
                        struct mount_attr attr = { .propagation = MS_PRIVATE };

                        (void) syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH, &attr,
                                       sizeof(attr));
                }
                if (tree >= 0 && syscall(SYS_move_mount, tree, "", fd, "",
                                         MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) == 0)
                        return 0;
                if (errno != ENOSYS && errno != EPERM)
                        /* ELOOP: mount(2) says EINVAL for the same refusal. */
                        return errno == ELOOP ? -EINVAL : negative_errno();
                no_new_api = true;
        }
        snprintf(src, sizeof(src), "/proc/self/fd/%d", nsfd);
        snprintf(dst, sizeof(dst), "/proc/self/fd/%d", fd);
        if (mount(src, dst, NULL, MS_BIND, NULL) < 0)
                return negative_errno();
        return 0;
}

static int pin_make(const struct rundir *rd, const char *name, enum nsk_type t, int nsfd)
{
        _cleanup_close_ int owned = -EBADF, fd = -EBADF;
        const char *file;
        int dirfd, r;

        r = pin_location(rd, name, t, &owned, &dirfd, &file);
        if (r < 0)
                return r;
        fd = openat(dirfd, file, O_RDONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0444);
        if (fd < 0)
                return negative_errno();

        r = pin_bind_fd(nsfd, fd);
        if (r < 0) {
                (void) unlinkat(dirfd, file, 0);
                return r;
        }
        return 0;
}

/* Unmounts the mount on top of dirfd/file. The path goes through the
 * directory's fd and the file is not followed if it is a symlink, so a
 * component swapped meanwhile cannot send the unmount elsewhere. 0, or
 * -EINVAL if it is no mount point, -ENOENT if there is no file. */
int pin_umount_top(int dirfd, const char *file)
{
        char path[64 + NAME_MAX];
        int n;

        n = snprintf(path, sizeof(path), "/proc/self/fd/%d/%s", dirfd, file);
        if (n < 0 || (size_t) n >= sizeof(path))
                return -ENAMETOOLONG;
        if (umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW) < 0)
                return negative_errno();
        return 0;
}

/* Unmounts dirfd/file and removes it; fault: the fault point of a
 * release fires between the first unmount and the unlink. */
static int unmount_unlink(int dirfd, const char *file, bool fault)
{
        for (int i = 0;; i++) {
                int r = pin_umount_top(dirfd, file), k;

                if (r == -ENOENT)
                        return 0;
                if (r < 0 && r != -EINVAL)
                        return r;
                if (r == 0 && i == 0 && fault) {
                        k = fault_point(FAULT_RELEASE_AFTER_UMOUNT);
                        if (k < 0)
                                return k;
                }
                if (unlinkat(dirfd, file, 0) == 0 || errno == ENOENT)
                        return 0;
                /* Still a mount point here (unlink(2)): someone mounted
                 * over the pin, maybe more than once. Each round takes the
                 * top one, until there is none (EINVAL: then it stays,
                 * locked or not ours to take). */
                if (errno != EBUSY || r == -EINVAL || i >= 16)
                        return negative_errno();
        }
}

int pin_unlink_at(int dirfd, const char *file)
{
        return unmount_unlink(dirfd, file, false);
}

int pin_open(const struct rundir *rd, const char *name, enum nsk_type t, int *ret_fd)
{
        _cleanup_close_ int owned = -EBADF, fd = -EBADF;
        const char *file;
        int dirfd, r;

        r = pin_location(rd, name, t, &owned, &dirfd, &file);
        if (r < 0)
                return r;
        fd = openat(dirfd, file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return negative_errno();
        r = nsk_type_check_fd(fd, t);
        if (r < 0)
                return -ESTALE;
        *ret_fd = TAKE_FD(fd);
        return 0;
}

static int remove_all(const struct rundir *rd, const char *name, nsk_type_mask_t mask, bool fault)
{
        _cleanup_close_ int dir = -EBADF;
        int r = 0, k;

        /* The set's directory, opened once for all its pins. */
        if (mask & ~NSK_TYPE_BIT(NSK_TYPE_MNT)) {
                dir = openat(rd->ns_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (dir < 0 && errno != ENOENT) {
                        r = negative_errno();
                        log_error("set '%s': cannot open pin directory: %s", name, strerror(-r));
                }
                if (dir < 0)
                        mask &= NSK_TYPE_BIT(NSK_TYPE_MNT);
        }
        for (int t = 0; t < NSK_TYPE_MAX; t++) {
                if (!(mask & NSK_TYPE_BIT(t)))
                        continue;
                k = t == NSK_TYPE_MNT ? unmount_unlink(rd->mnt_fd, name, fault)
                                      : unmount_unlink(dir, nsk_type_name(t), fault);
                if (k < 0) {
                        log_error("set '%s': cannot remove %s pin: %s", name, nsk_type_name(t),
                                  strerror(-k));
                        if (r == 0)
                                r = k;
                }
        }
        if (dir < 0)
                return r;
        k = pin_dir_remove(rd, name);
        if (k < 0) {
                log_error("set '%s': cannot remove pin directory: %s", name, strerror(-k));
                if (r == 0)
                        r = k;
        }
        return r;
}

int pin_remove_all(const struct rundir *rd, const char *name, nsk_type_mask_t mask)
{
        return remove_all(rd, name, mask, true);
}

/* The pins in a directory of that mode. */
static int make_all(const struct rundir *rd, const char *name, nsk_type_mask_t types,
                    const int fds[NSK_TYPE_MAX], mode_t mode)
{
        nsk_type_mask_t made = 0;
        int r;

        /* mnt pins live apart (see rundir.h); only the others need a directory. */
        if (types & ~NSK_TYPE_BIT(NSK_TYPE_MNT)) {
                r = pin_dir_make(rd, name, mode);
                if (r < 0)
                        return r;
        }
        for (int t = 0; t < NSK_TYPE_MAX; t++) {
                if (!(types & NSK_TYPE_BIT(t)))
                        continue;
                r = pin_make(rd, name, t, fds[t]);
                if (r < 0) {
                        log_error("set '%s': cannot pin %s: %s", name, nsk_type_name(t),
                                  strerror(-r));
                        /* Only what was made here: a file in the way is not ours. */
                        (void) pin_remove_all(rd, name, made);
                        if (types & ~NSK_TYPE_BIT(NSK_TYPE_MNT))
                                (void) pin_dir_remove(rd, name);
                        return r;
                }
                made |= NSK_TYPE_BIT(t);
        }
        return 0;
}

int pin_make_all(const struct rundir *rd, const char *name, nsk_type_mask_t types,
                 const int fds[NSK_TYPE_MAX])
{
        return make_all(rd, name, types, fds, 0755);
}

/* ".pool-ID": a name no set can have (name.c: none starts with a dot). */
static void staged_name(uint64_t id, char buf[static PIN_STAGED_NAME_MAX])
{
        snprintf(buf, PIN_STAGED_NAME_MAX, PIN_STAGED_PREFIX "%" PRIu64, id);
}

bool pin_staged_name(const char *file)
{
        const char *digits = file + strlen(PIN_STAGED_PREFIX);

        if (strncmp(file, PIN_STAGED_PREFIX, strlen(PIN_STAGED_PREFIX)) != 0 || !*digits)
                return false;
        return strspn(digits, "0123456789") == strlen(digits);
}

int pin_stage(const struct rundir *rd, uint64_t id, nsk_type_mask_t types,
              const int fds[NSK_TYPE_MAX])
{
        char name[PIN_STAGED_NAME_MAX];

        if (types & NSK_TYPE_BIT(NSK_TYPE_MNT))
                return -EINVAL;
        staged_name(id, name);
        /* Only root's until a bind create takes it: a set made ahead may
         * become an fd-pinned one, whose namespaces nobody else may hold. */
        return make_all(rd, name, types, fds, 0700);
}

int pin_take_staged(const struct rundir *rd, uint64_t id, const char *name, nsk_type_mask_t types,
                    const uint64_t inode[NSK_TYPE_MAX])
{
        static dev_t nsfs;
        _cleanup_close_ int dir = -EBADF;
        char from[PIN_STAGED_NAME_MAX];
        int r = 0;

        if (nsfs == 0 && nsfs_dev(&nsfs) < 0)
                return -ESTALE;
        staged_name(id, from);
        if (renameat2(rd->ns_fd, from, rd->ns_fd, name, RENAME_NOREPLACE) < 0)
                return negative_errno();
        /* While it waited, a pin could have been unmounted or covered (by
         * root, maybe from a peer of RUNDIR/ns): each must still be its
         * namespace, or the set is pinned anew. */
        dir = openat(rd->ns_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dir < 0)
                r = -ESTALE;
        for (int t = 0; t < NSK_TYPE_MAX && r == 0; t++) {
                struct stat st;

                if (!(types & NSK_TYPE_BIT(t)))
                        continue;
                if (fstatat(dir, nsk_type_name(t), &st, AT_SYMLINK_NOFOLLOW) < 0 ||
                    st.st_dev != nsfs || st.st_ino != inode[t])
                        r = -ESTALE;
        }
        if (r == 0 && fchmod(dir, 0755) < 0)
                r = negative_errno();
        if (r < 0)
                (void) remove_all(rd, name, types, false);
        return r;
}

int pin_unstage(const struct rundir *rd, uint64_t id, nsk_type_mask_t types)
{
        char name[PIN_STAGED_NAME_MAX];

        staged_name(id, name);
        return remove_all(rd, name, types, false);
}

int pin_unstage_name(const struct rundir *rd, const char *file)
{
        return remove_all(rd, file, NSK_TYPE_MASK_ALL & ~NSK_TYPE_BIT(NSK_TYPE_MNT), false);
}
