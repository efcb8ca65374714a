/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SCM_RIGHTS send and receive. The receive side trusts nothing: a
 * datagram with doubtful control data loses all its fds. */

#include <string.h>
#include <sys/socket.h>

#include "fdpass.h"
#include "util.h"

int fdpass_send(int sock, const void *buf, size_t len, const int *fds, size_t n_fds)
{
        union {
                struct cmsghdr h;
                char buf[CMSG_SPACE(sizeof(int) * FDPASS_MAX)];
        } control;
        struct iovec iov = { .iov_base = (void *) buf, .iov_len = len };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

        if (n_fds > FDPASS_MAX)
                return -EINVAL;
        if (n_fds > 0) {
                struct cmsghdr *c;

                memset(&control, 0, sizeof(control));
                mh.msg_control = &control;
                mh.msg_controllen = CMSG_SPACE(sizeof(int) * n_fds);
                c = CMSG_FIRSTHDR(&mh);
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(sizeof(int) * n_fds);
                memcpy(CMSG_DATA(c), fds, sizeof(int) * n_fds);
        }

        if (sendmsg(sock, &mh, MSG_NOSIGNAL) < 0)
                return negative_errno();
        return 0;
}

/* Takes every fd out of every SCM_RIGHTS message; returns false if any
 * control message is not SCM_RIGHTS or more than max fds arrived. */
static bool collect_fds(struct msghdr *mh, int *fds, size_t max, size_t *n)
{
        bool ok = true;

        for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
                size_t k;

                if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
                    c->cmsg_len < CMSG_LEN(0)) {
                        ok = false;
                        continue;
                }
                k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                if ((c->cmsg_len - CMSG_LEN(0)) % sizeof(int) != 0)
                        ok = false;
                for (size_t i = 0; i < k; i++) {
                        int fd;

                        memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
                        if (*n < max)
                                fds[(*n)++] = fd;
                        else {
                                safe_close(fd);
                                ok = false;
                        }
                }
        }
        return ok;
}

ssize_t fdpass_recv(int sock, void *buf, size_t size, int *ret_fds, size_t max_fds,
                    size_t *ret_n_fds)
{
        /* Room for more fds than we accept, so an over-full message is
         * seen whole and all of it is closed. */
        union {
                struct cmsghdr h;
                char buf[CMSG_SPACE(sizeof(int) * (FDPASS_MAX + 1))];
        } control;
        struct iovec iov = { .iov_base = buf, .iov_len = size };
        struct msghdr mh = {
                .msg_iov = &iov,
                .msg_iovlen = 1,
                .msg_control = &control,
                .msg_controllen = sizeof(control),
        };
        int fds[FDPASS_MAX + 1];
        size_t n = 0;
        ssize_t k;
        bool ok;

        *ret_n_fds = 0;
        if (max_fds > FDPASS_MAX)
                max_fds = FDPASS_MAX;

        k = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
        if (k < 0)
                return negative_errno();

        ok = collect_fds(&mh, fds, ELEMENTSOF(fds), &n);
        if (!ok || (mh.msg_flags & MSG_CTRUNC) || n > max_fds) {
                close_many(fds, n);
                return -EBADMSG;
        }
        if (mh.msg_flags & MSG_TRUNC) {
                close_many(fds, n);
                return -EMSGSIZE;
        }
        /* An empty datagram reads as end of stream; one with fds is bogus. */
        if (k == 0 && n > 0) {
                close_many(fds, n);
                return -EBADMSG;
        }

        if (n > 0)
                memcpy(ret_fds, fds, n * sizeof(int));
        *ret_n_fds = n;
        return k;
}
