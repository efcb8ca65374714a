/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for daemon/fdstore.c on real fds: which stored fds a set
 * may claim (name, namespace type, inode, lifeline), and how the fds
 * systemd passes at start are told apart (sd_listen_fds(3) layout). */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "fdstore.h"
#include "set.h"
#include "util.h"

static int open_ns(const char *type)
{
        char path[64];
        int fd;

        snprintf(path, sizeof(path), "/proc/self/ns/%s", type);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        assert_true(fd >= 0);
        return fd;
}

static uint64_t inode_of(int fd)
{
        struct stat st;

        assert_int_equal(fstat(fd, &st), 0);
        return st.st_ino;
}

static struct set *new_set(const char *name, nsk_type_mask_t types)
{
        struct set *s = set_new(name, types, NSK_PIN_FD, 0);

        assert_non_null(s);
        for (int t = 0; t < NSK_TYPE_MAX; t++)
                if (types & NSK_TYPE_BIT(t)) {
                        int fd = open_ns(nsk_type_name(t));
                        s->inode[t] = inode_of(fd);
                        close(fd);
                }
        return s;
}

static int teardown(void **state)
{
        fdstore_flush();
        return 0;
}

static void test_claim(void **state)
{
        struct set *s = new_set("web", NSK_TYPE_BIT(NSK_TYPE_NET) | NSK_TYPE_BIT(NSK_TYPE_UTS));
        int lifeline = 1;

        assert_int_equal(fdstore_put_take("web.net", open_ns("net")), 0);
        assert_int_equal(fdstore_put_take("web.uts", open_ns("uts")), 0);
        assert_int_equal(fdstore_put_take("other.net", open_ns("net")), 0);
        assert_int_equal(fdstore_claim(s, &lifeline), 0);
        assert_int_equal(lifeline, -EBADF);
        assert_true(s->fd[NSK_TYPE_NET] >= 0);
        assert_true(s->fd[NSK_TYPE_UTS] >= 0);
        assert_int_equal(inode_of(s->fd[NSK_TYPE_NET]), s->inode[NSK_TYPE_NET]);
        assert_int_equal(s->fd[NSK_TYPE_IPC], -EBADF);
        /* Claimed once only. */
        close_many(s->fd, NSK_TYPE_MAX);
        assert_int_equal(fdstore_claim(s, &lifeline), -ENOENT);
        set_free(s);
}

static void test_missing(void **state)
{
        struct set *s = new_set("web", NSK_TYPE_BIT(NSK_TYPE_NET) | NSK_TYPE_BIT(NSK_TYPE_UTS));
        int lifeline;

        assert_int_equal(fdstore_put_take("web.net", open_ns("net")), 0);
        assert_int_equal(fdstore_claim(s, &lifeline), -ENOENT);
        /* Nothing taken: all or nothing. */
        assert_int_equal(s->fd[NSK_TYPE_NET], -EBADF);
        set_free(s);
}

static void test_wrong_type(void **state)
{
        struct set *s = new_set("web", NSK_TYPE_BIT(NSK_TYPE_NET));
        int lifeline;

        assert_int_equal(fdstore_put_take("web.net", open_ns("uts")), 0);
        assert_int_equal(fdstore_claim(s, &lifeline), -ESTALE);
        assert_int_equal(s->fd[NSK_TYPE_NET], -EBADF);
        set_free(s);
}

static void test_not_a_namespace(void **state)
{
        struct set *s = new_set("web", NSK_TYPE_BIT(NSK_TYPE_NET));
        int lifeline;

        assert_int_equal(fdstore_put_take("web.net", open("/dev/null", O_RDONLY | O_CLOEXEC)), 0);
        assert_int_equal(fdstore_claim(s, &lifeline), -ESTALE);
        set_free(s);
}

static void test_wrong_inode(void **state)
{
        struct set *s = new_set("web", NSK_TYPE_BIT(NSK_TYPE_NET));
        int lifeline;

        s->inode[NSK_TYPE_NET]++;
        assert_int_equal(fdstore_put_take("web.net", open_ns("net")), 0);
        assert_int_equal(fdstore_claim(s, &lifeline), -ESTALE);
        set_free(s);
}

/* Names are exact: "web" does not claim "web2.net" or "we.b.net". */
static void test_names_exact(void **state)
{
        struct set *s = new_set("web", NSK_TYPE_BIT(NSK_TYPE_NET));
        int lifeline;

        assert_int_equal(fdstore_put_take("web2.net", open_ns("net")), 0);
        assert_int_equal(fdstore_put_take("we.b.net", open_ns("net")), 0);
        assert_int_equal(fdstore_put_take("web.net.net", open_ns("net")), 0);
        assert_int_equal(fdstore_claim(s, &lifeline), -ENOENT);
        set_free(s);
}

static void test_lifeline(void **state)
{
        struct set *s = new_set("kept", NSK_TYPE_BIT(NSK_TYPE_PID));
        int p[2], lifeline = -EBADF;

        assert_int_equal(pipe2(p, O_CLOEXEC), 0);
        assert_int_equal(fdstore_put_take("kept.pid", open_ns("pid")), 0);
        assert_int_equal(fdstore_put_take("kept.lifeline", p[1]), 0);
        assert_int_equal(fdstore_claim(s, &lifeline), 0);
        assert_true(lifeline >= 0);
        /* The write end of that very pipe. */
        assert_int_equal(inode_of(lifeline), inode_of(p[0]));
        assert_int_equal(fcntl(lifeline, F_GETFL) & O_ACCMODE, O_WRONLY);
        close(lifeline);
        close(p[0]);
        set_free(s);
}

/* A read end would keep nothing alive: not taken, the set still comes. */
static void test_lifeline_wrong_end(void **state)
{
        struct set *s = new_set("kept", NSK_TYPE_BIT(NSK_TYPE_PID));
        int p[2], lifeline = 1;

        assert_int_equal(pipe2(p, O_CLOEXEC), 0);
        assert_int_equal(fdstore_put_take("kept.pid", open_ns("pid")), 0);
        assert_int_equal(fdstore_put_take("kept.lifeline", p[0]), 0);
        assert_int_equal(fdstore_claim(s, &lifeline), 0);
        assert_int_equal(lifeline, -EBADF);
        close(p[1]);
        set_free(s);
}

static void test_flush(void **state)
{
        assert_int_equal(fdstore_put_take("a.net", open_ns("net")), 0);
        assert_int_equal(fdstore_put_take("junk", open("/dev/null", O_RDONLY | O_CLOEXEC)), 0);
        assert_int_equal(fdstore_pending(), 2);
        fdstore_flush();
        assert_int_equal(fdstore_pending(), 0);
}

static void test_receive_nothing(void **state)
{
        int fd = 1;

        unsetenv("LISTEN_FDS");
        unsetenv("LISTEN_PID");
        assert_int_equal(fdstore_receive(&fd), 0);
        assert_int_equal(fd, -EBADF);
        assert_int_equal(fdstore_pending(), 0);
}

#ifdef HAVE_SYSTEMD
/* fd 3: a stream listener (not ours), 4: a SOCK_SEQPACKET listener (the
 * control socket), 5: a stored namespace: as systemd would pass them. */
static void test_receive(void **state)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        char dir[] = "/tmp/test-fdstore.XXXXXX", buf[32];
        int stream, seq, ns, fd = -EBADF, lifeline;
        struct set *s = new_set("w", NSK_TYPE_BIT(NSK_TYPE_NET));

        assert_non_null(mkdtemp(dir));
        stream = socket(AF_UNIX, SOCK_STREAM, 0);
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/stream", dir);
        assert_int_equal(bind(stream, (struct sockaddr *) &sa, sizeof(sa)), 0);
        assert_int_equal(listen(stream, 1), 0);
        seq = socket(AF_UNIX, SOCK_SEQPACKET, 0);
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/seq", dir);
        assert_int_equal(bind(seq, (struct sockaddr *) &sa, sizeof(sa)), 0);
        assert_int_equal(listen(seq, 1), 0);
        ns = open_ns("net");
        /* Out of the way first, then into place. */
        stream = fcntl(stream, F_DUPFD, 100);
        seq = fcntl(seq, F_DUPFD, 100);
        ns = fcntl(ns, F_DUPFD, 100);
        assert_int_equal(dup2(stream, 3), 3);
        assert_int_equal(dup2(seq, 4), 4);
        assert_int_equal(dup2(ns, 5), 5);
        close(stream);
        close(seq);
        close(ns);

        setenv("LISTEN_FDS", "3", 1);
        snprintf(buf, sizeof(buf), "%d", (int) getpid());
        setenv("LISTEN_PID", buf, 1);
        setenv("LISTEN_FDNAMES", "other.socket:nskeeperd.socket:w.net", 1);
        assert_int_equal(fdstore_receive(&fd), 0);
        assert_int_equal(fd, 4);
        /* Taken from the environment, as sd_listen_fds(true) does. */
        assert_null(getenv("LISTEN_FDS"));
        assert_true(fcntl(fd, F_GETFL) & O_NONBLOCK);
        assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
        assert_int_equal(fdstore_pending(), 2);
        assert_int_equal(fdstore_claim(s, &lifeline), 0);
        assert_int_equal(s->fd[NSK_TYPE_NET], 5);
        close(fd);
        set_free(s);
        fdstore_flush(); /* closes fd 3 */
        assert_int_equal(fcntl(3, F_GETFD), -1);
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/stream", dir);
        unlink(sa.sun_path);
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/seq", dir);
        unlink(sa.sun_path);
        rmdir(dir);
}
#endif

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_teardown(test_claim, teardown),
                cmocka_unit_test_teardown(test_missing, teardown),
                cmocka_unit_test_teardown(test_wrong_type, teardown),
                cmocka_unit_test_teardown(test_not_a_namespace, teardown),
                cmocka_unit_test_teardown(test_wrong_inode, teardown),
                cmocka_unit_test_teardown(test_names_exact, teardown),
                cmocka_unit_test_teardown(test_lifeline, teardown),
                cmocka_unit_test_teardown(test_lifeline_wrong_end, teardown),
                cmocka_unit_test_teardown(test_flush, teardown),
                cmocka_unit_test_teardown(test_receive_nothing, teardown),
#ifdef HAVE_SYSTEMD
                cmocka_unit_test_teardown(test_receive, teardown),
#endif
        };

        /* The daemon's logging goes to stderr; keep the notify socket of
         * whoever runs the tests out of it. */
        unsetenv("NOTIFY_SOCKET");
        return cmocka_run_group_tests(tests, NULL, NULL);
}
