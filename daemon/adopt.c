/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Opening the namespaces of a process or of paths for ADOPT. A process
 * is held by a pidfd while its /proc files are opened, so a pid reused
 * meanwhile is noticed (pidfd_open(2)). */

#include <fcntl.h>
#include <stdio.h>
#include <sys/pidfd.h>
#include <sys/stat.h>

#include "adopt.h"
#include "pin.h"
#include "util.h"

/* A process's own namespaces, not what its children would get. */
static int open_of_pid(pid_t pid, enum nsk_type t)
{
        char path[64];

        snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int) pid, nsk_type_name(t));
        return open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
}

/* Compared with PID 1's, not the daemon's own: under systemd the daemon
 * has a network namespace of its own (PrivateNetwork=). Where PID 1's are
 * out of reach (a container whose PID 1 is not ours to inspect), with the
 * daemon's own. */
static bool same_as_host(int fd, enum nsk_type t)
{
        struct stat a, b;
        char path[64];

        snprintf(path, sizeof(path), "/proc/1/ns/%s", nsk_type_name(t));
        if (stat(path, &b) < 0) {
                snprintf(path, sizeof(path), "/proc/self/ns/%s", nsk_type_name(t));
                if (stat(path, &b) < 0)
                        return false;
        }
        return fstat(fd, &a) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

static int from_pid(const struct nsk_request *req, int fds[NSK_TYPE_MAX], nsk_type_mask_t *ret,
                    char *msg, size_t size)
{
        bool explicit = req->attrs & NSK_ATTR_BIT(NSK_A_TYPES);
        _cleanup_close_ int pidfd = -EBADF;
        pid_t pid = (pid_t) req->adopt_pid;
        nsk_type_mask_t mask = 0;

        pidfd = pidfd_open(pid, 0);
        if (pidfd < 0) {
                snprintf(msg, size, "no process %d: %m", (int) pid);
                return negative_errno();
        }
        for (int t = 0; t < NSK_TYPE_MAX; t++) {
                if (explicit && !(req->types & NSK_TYPE_BIT(t)))
                        continue;
                fds[t] = open_of_pid(pid, t);
                if (fds[t] < 0) {
                        if (!explicit && errno == ENOENT)
                                continue; /* a type this kernel lacks */
                        snprintf(msg, size, "cannot open the %s namespace of process %d: %m",
                                 nsk_type_name(t), (int) pid);
                        return negative_errno();
                }
                /* By default only what sets the process apart from the host. */
                if (!explicit && same_as_host(fds[t], t)) {
                        fds[t] = safe_close(fds[t]);
                        continue;
                }
                mask |= NSK_TYPE_BIT(t);
        }
        /* Still the same process: its pid was not reused while we looked. */
        if (pidfd_send_signal(pidfd, 0, NULL, 0) < 0) {
                snprintf(msg, size, "process %d exited while its namespaces were opened",
                         (int) pid);
                return -ESRCH;
        }
        if (mask == 0) {
                snprintf(msg, size, "process %d has no namespace of its own to adopt", (int) pid);
                return -ENOENT;
        }
        *ret = mask;
        return 0;
}

/* Opens path only if it is a namespace: looked at first through O_PATH,
 * which opens nothing (a FIFO or a device given here is never opened
 * for reading, so never woken or changed), then reopened as what it is. */
static int open_namespace(const char *path)
{
        _cleanup_close_ int fd = -EBADF;
        struct stat st;
        char proc[64];
        dev_t nsfs;
        int r;

        fd = open(path, O_PATH | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        if (fstat(fd, &st) < 0)
                return negative_errno();
        r = nsfs_dev(&nsfs);
        if (r < 0)
                return r;
        /* Every namespace lives on nsfs, one file system for them all. */
        if (st.st_dev != nsfs || !S_ISREG(st.st_mode))
                return -ENOTTY;
        snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
        r = open(proc, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        return r < 0 ? negative_errno() : r;
}

static int from_paths(const struct nsk_request *req, int fds[NSK_TYPE_MAX], nsk_type_mask_t *ret,
                      char *msg, size_t size)
{
        nsk_type_mask_t mask = 0;

        for (unsigned i = 0; i < req->n_adopt_paths; i++) {
                _cleanup_close_ int fd = -EBADF;
                enum nsk_type t;
                int r;

                fd = open_namespace(req->adopt_paths[i]);
                if (fd == -ENOTTY) {
                        snprintf(msg, size, "%s is not a namespace", req->adopt_paths[i]);
                        return -EINVAL;
                }
                if (fd < 0) {
                        snprintf(msg, size, "cannot open %s: %s", req->adopt_paths[i],
                                 strerror(-fd));
                        return fd;
                }
                r = nsk_type_of_fd(fd, &t);
                if (r < 0) {
                        snprintf(msg, size, "%s is not a namespace", req->adopt_paths[i]);
                        return -EINVAL;
                }
                if (mask & NSK_TYPE_BIT(t)) {
                        snprintf(msg, size, "two %s namespaces given", nsk_type_name(t));
                        return -EINVAL;
                }
                if ((req->attrs & NSK_ATTR_BIT(NSK_A_TYPES)) && !(req->types & NSK_TYPE_BIT(t))) {
                        snprintf(msg, size, "%s is a %s namespace, not of the types asked for",
                                 req->adopt_paths[i], nsk_type_name(t));
                        return -EINVAL;
                }
                fds[t] = TAKE_FD(fd);
                mask |= NSK_TYPE_BIT(t);
        }
        *ret = mask;
        return 0;
}

int adopt_open(const struct nsk_request *req, int fds[NSK_TYPE_MAX], nsk_type_mask_t *ret_types,
               char *msg, size_t size)
{
        bool by_pid = req->attrs & NSK_ATTR_BIT(NSK_A_ADOPT_PID);
        int r;

        for (int t = 0; t < NSK_TYPE_MAX; t++)
                fds[t] = -EBADF;
        if (by_pid == (req->n_adopt_paths > 0)) {
                snprintf(msg, size, "give either a process or paths to adopt");
                return -EINVAL;
        }
        r = by_pid ? from_pid(req, fds, ret_types, msg, size)
                   : from_paths(req, fds, ret_types, msg, size);
        if (r < 0)
                close_many(fds, NSK_TYPE_MAX);
        return r;
}
