/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests of libnskeeper's side of a GET (nsk_get_fds) against a fake
 * daemon: a child process on a socket of the test's own that answers one
 * request with the fds and labels it is told to. What the client takes
 * from a daemon that sends more or other than was asked. The library
 * refuses a server that is not root, so this needs root (else skipped). */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fdpass.h"
#include "nskeeper.h"
#include "proto.h"
#include "util.h"

struct fake {
        char dir[64], path[96];
        int listener;
        pid_t pid;
};

/* The fake daemon: answers one request on conn with a set "web" and the
 * caller's own namespaces of the types given, labelled as such. */
_Noreturn static void serve(int listener, const enum nsk_type *types, unsigned n)
{
        static uint8_t buf[NSK_MSG_MAX];
        struct nsk_set_info info = { .name = "web", .state = NSK_STATE_READY };
        struct nsk_request req;
        struct nsk_writer w;
        int fds[NSK_TYPE_MAX], conn, k;
        size_t n_fds = 0;
        ssize_t len;

        conn = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
        if (conn < 0)
                _exit(1);
        len = fdpass_recv(conn, buf, sizeof(buf), fds, NSK_TYPE_MAX, &n_fds);
        if (len <= 0 || n_fds != 0 || nsk_request_decode(buf, (size_t) len, &req) < 0)
                _exit(2);
        for (unsigned i = 0; i < n; i++) {
                char p[64];

                snprintf(p, sizeof(p), "/proc/self/ns/%s", nsk_type_name(types[i]));
                fds[i] = open(p, O_RDONLY | O_CLOEXEC);
                if (fds[i] < 0)
                        _exit(3);
        }
        nsk_writer_init(&w, buf, sizeof(buf), req.cmd, req.id, NSK_F_REPLY);
        nsk_put_error(&w, 0, NULL);
        nsk_put_set(&w, &info);
        nsk_put_fd_types(&w, types, n);
        k = nsk_writer_finish(&w);
        if (k < 0 || fdpass_send(conn, buf, (size_t) k, fds, n) < 0)
                _exit(4);
        _exit(0);
}

static int fake_setup(void **state)
{
        struct fake *f = calloc(1, sizeof(*f));
        struct sockaddr_un sa = { .sun_family = AF_UNIX };

        if (geteuid() != 0)
                skip();
        assert_non_null(f);
        snprintf(f->dir, sizeof(f->dir), "/tmp/nsk-test-client.XXXXXX");
        assert_non_null(mkdtemp(f->dir));
        snprintf(f->path, sizeof(f->path), "%s/control", f->dir);
        strcpy(sa.sun_path, f->path);
        f->listener = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
        assert_true(f->listener >= 0);
        assert_int_equal(bind(f->listener, (struct sockaddr *) &sa, sizeof(sa)), 0);
        assert_int_equal(listen(f->listener, 1), 0);
        *state = f;
        return 0;
}

static int fake_teardown(void **state)
{
        struct fake *f = *state;

        if (f->pid > 0) {
                (void) kill(f->pid, SIGKILL);
                (void) waitpid(f->pid, NULL, 0);
        }
        safe_close(f->listener);
        (void) unlink(f->path);
        (void) rmdir(f->dir);
        free(f);
        return 0;
}

static void fake_start(struct fake *f, const enum nsk_type *types, unsigned n)
{
        f->pid = fork();
        assert_true(f->pid >= 0);
        if (f->pid == 0)
                serve(f->listener, types, n);
}

/* Did the fake daemon answer as it was told? */
static void fake_done(struct fake *f)
{
        int status;

        assert_int_equal(waitpid(f->pid, &status, 0), f->pid);
        f->pid = 0;
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
}

/* The fake daemon sends n namespaces of types; the library, connected
 * to it, asks set "web" for those of ask: what nsk_get_fds() said. */
static int get(struct fake *f, const enum nsk_type *types, unsigned n, nsk_type_mask_t ask,
               int fds[NSK_TYPE_MAX], struct nsk_client **ret_cl)
{
        int r;

        fake_start(f, types, n);
        assert_int_equal(nsk_connect(f->path, ret_cl), 0);
        r = nsk_get_fds(*ret_cl, "web", ask, fds, NULL);
        fake_done(f);
        return r;
}

static void test_asked_for(void **state)
{
        static const enum nsk_type types[] = { NSK_TYPE_NET };
        struct fake *f = *state;
        struct nsk_client *cl = NULL;
        int fds[NSK_TYPE_MAX];

        assert_int_equal(get(f, types, 1, NSK_TYPE_BIT(NSK_TYPE_NET), fds, &cl), 0);
        assert_true(fds[NSK_TYPE_NET] >= 0);
        for (int t = 0; t < NSK_TYPE_MAX; t++)
                if (t != NSK_TYPE_NET)
                        assert_int_equal(fds[t], -EBADF);
        close_many(fds, NSK_TYPE_MAX);
        nsk_client_free(cl);
}

/* net asked for, net and uts sent: refused, nothing handed over (a join
 * of -t net must never enter a namespace it did not ask for). */
static void test_not_asked_for(void **state)
{
        static const enum nsk_type types[] = { NSK_TYPE_NET, NSK_TYPE_UTS };
        struct fake *f = *state;
        struct nsk_client *cl = NULL;
        int fds[NSK_TYPE_MAX];

        assert_int_equal(get(f, types, 2, NSK_TYPE_BIT(NSK_TYPE_NET), fds, &cl), -EBADMSG);
        assert_non_null(strstr(nsk_client_error(cl), "uts: received, not asked for"));
        for (int t = 0; t < NSK_TYPE_MAX; t++)
                assert_int_equal(fds[t], -EBADF);
        nsk_client_free(cl);
}

/* Every type the set has (none named): whatever it sends is taken. */
static void test_all_types(void **state)
{
        static const enum nsk_type types[] = { NSK_TYPE_NET, NSK_TYPE_UTS };
        struct fake *f = *state;
        struct nsk_client *cl = NULL;
        int fds[NSK_TYPE_MAX];

        assert_int_equal(get(f, types, 2, 0, fds, &cl), 0);
        assert_true(fds[NSK_TYPE_NET] >= 0);
        assert_true(fds[NSK_TYPE_UTS] >= 0);
        close_many(fds, NSK_TYPE_MAX);
        nsk_client_free(cl);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_asked_for, fake_setup, fake_teardown),
                cmocka_unit_test_setup_teardown(test_not_asked_for, fake_setup, fake_teardown),
                cmocka_unit_test_setup_teardown(test_all_types, fake_setup, fake_teardown),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
