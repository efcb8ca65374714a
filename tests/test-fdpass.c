/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for common/fdpass.c over an in-process SOCK_SEQPACKET pair:
 * fds arrive close-on-exec and intact, and no refused fd is leaked. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "fdpass.h"
#include "util.h"

/* Open fds of this process, not counting the one that reads the list. */
static unsigned count_fds(void)
{
        DIR *d = opendir("/proc/self/fd");
        struct dirent *de;
        unsigned n = 0;

        assert_non_null(d);
        while ((de = readdir(d)))
                if (de->d_name[0] != '.')
                        n++;
        closedir(d);
        return n - 1;
}

static bool fd_is_open(int fd)
{
        return fcntl(fd, F_GETFD) >= 0;
}

static bool same_file(int a, int b)
{
        struct stat sa, sb;

        assert_return_code(fstat(a, &sa), errno);
        assert_return_code(fstat(b, &sb), errno);
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

struct pair {
        int sock[2]; /* [0] sends, [1] receives */
        unsigned fds_before;
};

static int setup_pair(void **state)
{
        struct pair *p = calloc(1, sizeof(*p));

        if (!p)
                return -1;
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, p->sock) < 0) {
                free(p);
                return -1;
        }
        p->fds_before = count_fds();
        *state = p;
        return 0;
}

/* Every test leaves exactly the fds it found (the pair's own included). */
static int teardown_pair(void **state)
{
        struct pair *p = *state;
        unsigned before = p->fds_before, now = count_fds();

        close_many(p->sock, 2);
        free(p);
        if (now != before) {
                print_error("fd leak: %u open before, %u after\n", before, now);
                return -1;
        }
        return 0;
}

/* n fds of different kinds: a device, a namespace, a proc file. */
static void open_fds(int *fds, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                switch (i % 3) {
                case 0:
                        fds[i] = open("/dev/null", O_RDONLY | O_CLOEXEC);
                        break;
                case 1:
                        fds[i] = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
                        break;
                case 2:
                        fds[i] = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
                        break;
                }
                assert_return_code(fds[i], errno);
        }
}

static void test_payload_only(void **state)
{
        struct pair *p = *state;
        char buf[64] = { 0 };
        int fds[FDPASS_MAX];
        size_t n_fds = 99;

        assert_int_equal(fdpass_send(p->sock[0], "hello", 5, NULL, 0), 0);
        assert_int_equal(fdpass_recv(p->sock[1], buf, sizeof(buf), fds, FDPASS_MAX, &n_fds), 5);
        assert_int_equal(n_fds, 0);
        assert_memory_equal(buf, "hello", 5);

        /* Asking for no fds at all, as the daemon does for requests. */
        assert_int_equal(fdpass_send(p->sock[0], "again", 5, NULL, 0), 0);
        n_fds = 99;
        assert_int_equal(fdpass_recv(p->sock[1], buf, sizeof(buf), fds, 0, &n_fds), 5);
        assert_int_equal(n_fds, 0);
}

static void check_send_recv(struct pair *p, size_t n)
{
        int sent[FDPASS_MAX], got[FDPASS_MAX];
        char buf[32];
        size_t n_fds = 99;

        open_fds(sent, n);
        assert_int_equal(fdpass_send(p->sock[0], "fds!", 4, sent, n), 0);
        /* The sender keeps its fds. */
        for (size_t i = 0; i < n; i++)
                assert_true(fd_is_open(sent[i]));

        assert_int_equal(fdpass_recv(p->sock[1], buf, sizeof(buf), got, FDPASS_MAX, &n_fds), 4);
        assert_memory_equal(buf, "fds!", 4);
        assert_int_equal(n_fds, n);
        for (size_t i = 0; i < n; i++) {
                int flags = fcntl(got[i], F_GETFD);

                assert_return_code(flags, errno);
                assert_true(flags & FD_CLOEXEC);
                assert_int_not_equal(got[i], sent[i]);
                /* Same file, same order. */
                assert_true(same_file(got[i], sent[i]));
        }
        close_many(got, n);
        close_many(sent, n);
}

static void test_send_recv_fds(void **state)
{
        check_send_recv(*state, 1);
        check_send_recv(*state, 3);
        check_send_recv(*state, FDPASS_MAX);
}

/* A receiver's max_fds beyond FDPASS_MAX is clamped, not trusted. */
static void test_recv_max_clamped(void **state)
{
        struct pair *p = *state;
        int sent[FDPASS_MAX], got[FDPASS_MAX];
        char buf[8];
        size_t n_fds = 99;

        open_fds(sent, FDPASS_MAX);
        assert_int_equal(fdpass_send(p->sock[0], "x", 1, sent, FDPASS_MAX), 0);
        assert_int_equal(fdpass_recv(p->sock[1], buf, sizeof(buf), got, 1000, &n_fds), 1);
        assert_int_equal(n_fds, FDPASS_MAX);
        close_many(got, FDPASS_MAX);
        close_many(sent, FDPASS_MAX);
}

static void test_more_fds_than_max(void **state)
{
        struct pair *p = *state;
        int sent[3], got[FDPASS_MAX];
        char buf[8];
        size_t n_fds = 99;
        unsigned before;

        open_fds(sent, 3);
        before = count_fds();
        assert_int_equal(fdpass_send(p->sock[0], "x", 1, sent, 3), 0);
        assert_int_equal(fdpass_recv(p->sock[1], buf, sizeof(buf), got, 2, &n_fds), -EBADMSG);
        assert_int_equal(n_fds, 0);
        assert_int_equal(count_fds(), before);

        /* That datagram is gone; the next one is received normally. */
        assert_int_equal(fdpass_send(p->sock[0], "y", 1, sent, 2), 0);
        assert_int_equal(fdpass_recv(p->sock[1], buf, sizeof(buf), got, 2, &n_fds), 1);
        assert_int_equal(buf[0], 'y');
        assert_int_equal(n_fds, 2);
        close_many(got, 2);
        close_many(sent, 3);
}

static void test_unexpected_fds(void **state)
{
        struct pair *p = *state;
        int sent[1];
        char buf[8];
        size_t n_fds = 99;
        unsigned before;

        open_fds(sent, 1);
        before = count_fds();
        assert_int_equal(fdpass_send(p->sock[0], "x", 1, sent, 1), 0);
        assert_int_equal(fdpass_recv(p->sock[1], buf, sizeof(buf), NULL, 0, &n_fds), -EBADMSG);
        assert_int_equal(n_fds, 0);
        assert_int_equal(count_fds(), before);
        close_many(sent, 1);
}

/* sendmsg() with n fds in one SCM_RIGHTS message, beyond FDPASS_MAX. */
static void raw_send_fds(int sock, const int *fds, size_t n)
{
        union {
                struct cmsghdr h;
                char buf[CMSG_SPACE(sizeof(int) * 64)];
        } control;
        struct iovec iov = { .iov_base = (void *) "x", .iov_len = 1 };
        struct msghdr mh = {
                .msg_iov = &iov,
                .msg_iovlen = 1,
                .msg_control = &control,
                .msg_controllen = CMSG_SPACE(sizeof(int) * n),
        };
        struct cmsghdr *c;

        assert_true(n <= 64);
        memset(&control, 0, sizeof(control));
        c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * n);
        memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
        assert_int_equal(sendmsg(sock, &mh, MSG_NOSIGNAL), 1);
}

/* More fds than the receive buffer has room for: the kernel truncates
 * (MSG_CTRUNC) and whatever did arrive is closed. */
static void test_flood_of_fds(void **state)
{
        static const size_t counts[] = { FDPASS_MAX + 1, FDPASS_MAX + 2, 64 };
        struct pair *p = *state;
        int fd, fds[64];

        fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        assert_return_code(fd, errno);
        for (size_t i = 0; i < ELEMENTSOF(fds); i++)
                fds[i] = fd;

        for (size_t i = 0; i < ELEMENTSOF(counts); i++) {
                int got[FDPASS_MAX];
                char buf[8];
                size_t n_fds = 99;
                unsigned before = count_fds();

                raw_send_fds(p->sock[0], fds, counts[i]);
                assert_int_equal(fdpass_recv(p->sock[1], buf, sizeof(buf), got, FDPASS_MAX, &n_fds),
                                 -EBADMSG);
                assert_int_equal(n_fds, 0);
                assert_int_equal(count_fds(), before);
        }
        safe_close(fd);
}

static void test_message_too_big(void **state)
{
        struct pair *p = *state;
        char big[100], buf[10];
        int sent[2], got[FDPASS_MAX];
        size_t n_fds = 99;
        unsigned before;

        memset(big, 'b', sizeof(big));
        open_fds(sent, 2);
        before = count_fds();

        assert_int_equal(fdpass_send(p->sock[0], big, sizeof(big), sent, 2), 0);
        assert_int_equal(fdpass_recv(p->sock[1], buf, sizeof(buf), got, FDPASS_MAX, &n_fds),
                         -EMSGSIZE);
        assert_int_equal(n_fds, 0);
        assert_int_equal(count_fds(), before);

        assert_int_equal(fdpass_send(p->sock[0], big, sizeof(big), NULL, 0), 0);
        assert_int_equal(fdpass_recv(p->sock[1], buf, sizeof(buf), got, FDPASS_MAX, &n_fds),
                         -EMSGSIZE);

        /* No rest of the big one is left behind to be read as a message. */
        assert_int_equal(fdpass_send(p->sock[0], "ok", 2, NULL, 0), 0);
        assert_int_equal(fdpass_recv(p->sock[1], buf, sizeof(buf), got, FDPASS_MAX, &n_fds), 2);
        assert_memory_equal(buf, "ok", 2);

        /* Exactly the buffer size fits. */
        assert_int_equal(fdpass_send(p->sock[0], big, sizeof(buf), NULL, 0), 0);
        assert_int_equal(fdpass_recv(p->sock[1], buf, sizeof(buf), got, FDPASS_MAX, &n_fds),
                         sizeof(buf));
        close_many(sent, 2);
}

static void test_peer_closed(void **state)
{
        struct pair *p = *state;
        char buf[8];
        int got[FDPASS_MAX];
        size_t n_fds = 99;

        p->sock[0] = safe_close(p->sock[0]);
        assert_int_equal(fdpass_recv(p->sock[1], buf, sizeof(buf), got, FDPASS_MAX, &n_fds), 0);
        assert_int_equal(n_fds, 0);
        /* ... and the teardown does not count the closed socket as leaked. */
        p->fds_before--;
}

static void test_send_to_closed_peer(void **state)
{
        struct pair *p = *state;
        int fd;

        /* MSG_NOSIGNAL: EPIPE, not SIGPIPE. */
        p->sock[1] = safe_close(p->sock[1]);
        p->fds_before--;
        assert_int_equal(fdpass_send(p->sock[0], "x", 1, NULL, 0), -EPIPE);
        fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        assert_return_code(fd, errno);
        assert_int_equal(fdpass_send(p->sock[0], "x", 1, &fd, 1), -EPIPE);
        safe_close(fd);
}

static void test_nothing_to_read(void **state)
{
        struct pair *p = *state;
        char buf[8];
        int got[FDPASS_MAX];
        size_t n_fds = 99;

        assert_return_code(fcntl(p->sock[1], F_SETFL, O_NONBLOCK), errno);
        assert_int_equal(fdpass_recv(p->sock[1], buf, sizeof(buf), got, FDPASS_MAX, &n_fds),
                         -EAGAIN);
        assert_int_equal(n_fds, 0);
}

static void test_send_too_many(void **state)
{
        struct pair *p = *state;
        int fds[FDPASS_MAX + 1];
        char buf[8];
        int got[FDPASS_MAX];
        size_t n_fds = 99;

        open_fds(fds, 1);
        for (size_t i = 1; i < ELEMENTSOF(fds); i++)
                fds[i] = fds[0];
        assert_int_equal(fdpass_send(p->sock[0], "x", 1, fds, FDPASS_MAX + 1), -EINVAL);
        assert_int_equal(fdpass_send(p->sock[0], "x", 1, fds, SIZE_MAX), -EINVAL);

        /* Nothing was sent. */
        assert_return_code(fcntl(p->sock[1], F_SETFL, O_NONBLOCK), errno);
        assert_int_equal(fdpass_recv(p->sock[1], buf, sizeof(buf), got, FDPASS_MAX, &n_fds),
                         -EAGAIN);
        safe_close(fds[0]);
}

static void test_send_bad_fd(void **state)
{
        struct pair *p = *state;
        int bad[2];

        open_fds(bad, 1);
        bad[1] = -1;
        assert_int_equal(fdpass_send(p->sock[0], "x", 1, bad, 2), -EBADF);
        safe_close(bad[0]);
}

/* With SO_PASSCRED the kernel attaches SCM_CREDENTIALS to every message:
 * a control message that is not SCM_RIGHTS is refused, with its fds. */
static void test_credentials_refused(void **state)
{
        struct pair *p = *state;
        int one = 1, sent[2], got[FDPASS_MAX];
        char buf[8];
        size_t n_fds = 99;
        unsigned before;

        assert_return_code(setsockopt(p->sock[1], SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)),
                           errno);
        open_fds(sent, 2);
        before = count_fds();

        assert_int_equal(fdpass_send(p->sock[0], "x", 1, NULL, 0), 0);
        assert_int_equal(fdpass_recv(p->sock[1], buf, sizeof(buf), got, FDPASS_MAX, &n_fds),
                         -EBADMSG);
        assert_int_equal(n_fds, 0);

        assert_int_equal(fdpass_send(p->sock[0], "x", 1, sent, 2), 0);
        assert_int_equal(fdpass_recv(p->sock[1], buf, sizeof(buf), got, FDPASS_MAX, &n_fds),
                         -EBADMSG);
        assert_int_equal(n_fds, 0);
        assert_int_equal(count_fds(), before);

        /* The same with explicit credentials from the sender. */
        {
                union {
                        struct cmsghdr h;
                        char buf[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(sizeof(int) * 2)];
                } control;
                struct ucred cred = { .pid = getpid(), .uid = getuid(), .gid = getgid() };
                struct iovec iov = { .iov_base = (void *) "x", .iov_len = 1 };
                struct msghdr mh = {
                        .msg_iov = &iov,
                        .msg_iovlen = 1,
                        .msg_control = &control,
                        .msg_controllen = sizeof(control),
                };
                struct cmsghdr *c;

                memset(&control, 0, sizeof(control));
                c = CMSG_FIRSTHDR(&mh);
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_CREDENTIALS;
                c->cmsg_len = CMSG_LEN(sizeof(cred));
                memcpy(CMSG_DATA(c), &cred, sizeof(cred));
                c = CMSG_NXTHDR(&mh, c);
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(sizeof(int) * 2);
                memcpy(CMSG_DATA(c), sent, sizeof(int) * 2);
                assert_int_equal(sendmsg(p->sock[0], &mh, MSG_NOSIGNAL), 1);

                assert_int_equal(fdpass_recv(p->sock[1], buf, sizeof(buf), got, FDPASS_MAX, &n_fds),
                                 -EBADMSG);
                assert_int_equal(n_fds, 0);
                assert_int_equal(count_fds(), before);
        }
        close_many(sent, 2);
}

/* Receive timestamps are control data too (SCM_TIMESTAMP). */
static void test_timestamp_refused(void **state)
{
        struct pair *p = *state;
        int one = 1, sent[1], got[FDPASS_MAX];
        char buf[8];
        size_t n_fds = 99;
        unsigned before;

        assert_return_code(setsockopt(p->sock[1], SOL_SOCKET, SO_TIMESTAMP, &one, sizeof(one)),
                           errno);
        open_fds(sent, 1);
        before = count_fds();
        assert_int_equal(fdpass_send(p->sock[0], "x", 1, sent, 1), 0);
        assert_int_equal(fdpass_recv(p->sock[1], buf, sizeof(buf), got, FDPASS_MAX, &n_fds),
                         -EBADMSG);
        assert_int_equal(n_fds, 0);
        assert_int_equal(count_fds(), before);
        close_many(sent, 1);
}

/* On SOCK_SEQPACKET an empty datagram reads like end of stream; one that
 * carries fds must not hand them to a caller that sees "0" and stops. */
static void test_empty_datagram_with_fds(void **state)
{
        struct pair *p = *state;
        int sent[1], got[FDPASS_MAX];
        char buf[8];
        size_t n_fds = 99;
        ssize_t k;
        unsigned before;

        open_fds(sent, 1);
        before = count_fds();
        assert_int_equal(fdpass_send(p->sock[0], "", 0, sent, 1), 0);
        k = fdpass_recv(p->sock[1], buf, sizeof(buf), got, FDPASS_MAX, &n_fds);
        close_many(sent, 1);
        if (k == 0 && n_fds > 0) {
                close_many(got, n_fds);
                fail_msg("empty datagram returned 0 (end of stream) with %zu fds", n_fds);
        }
        /* Either refused, or 0 with every fd closed. */
        if (k != 0)
                assert_int_equal(k, -EBADMSG);
        assert_int_equal(n_fds, 0);
        assert_int_equal(count_fds(), before - 1);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup_pair, teardown_pair)

int main(void)
{
        const struct CMUnitTest tests[] = {
                T(test_payload_only),
                T(test_send_recv_fds),
                T(test_recv_max_clamped),
                T(test_more_fds_than_max),
                T(test_unexpected_fds),
                T(test_flood_of_fds),
                T(test_message_too_big),
                T(test_peer_closed),
                T(test_send_to_closed_peer),
                T(test_nothing_to_read),
                T(test_send_too_many),
                T(test_send_bad_fd),
                T(test_credentials_refused),
                T(test_timestamp_refused),
                T(test_empty_datagram_with_fds),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
