/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Starting the spawner and asking it for helpers (its side is
 * spawn-main.c).
 *
 * The daemon sends a request with one end of the new helper's
 * socketpair; the spawner clones the helper (CLONE_PARENT: our child)
 * and answers with its pid and pidfd. The daemon waits for that answer
 * in place, as it used to wait for its own fork(): it is a clone of a
 * small process, a fraction of what forking the daemon took, and the
 * helper's real work (unshare) runs after it, overlapped with the
 * event loop as before. */

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "fdpass.h"
#include "log.h"
#include "spawn-proto.h"
#include "spawner.h"

/* How long the spawner may take to answer: one clone(2). Far more
 * means it is stuck, and it is replaced. */
#define SPAWN_TIMEOUT_MS 5000

static struct {
        char *path;
        pid_t pid;
        int pidfd;
        int sock;
} sp = { .pidfd = -EBADF, .sock = -EBADF };

bool spawner_running(void)
{
        return sp.sock >= 0;
}

/* Kills and reaps the spawner (if any); helpers it made live on. */
static void spawner_end(void)
{
        sp.sock = safe_close(sp.sock);
        if (sp.pidfd >= 0) {
                (void) pidfd_send_signal(sp.pidfd, SIGKILL, NULL, 0);
                /* ECHILD: it died earlier and the reaper got there first. */
                (void) waitid(P_PIDFD, (id_t) sp.pidfd, &(siginfo_t) {}, WEXITED);
        }
        sp.pidfd = safe_close(sp.pidfd);
        sp.pid = 0;
}

void spawner_stop(void)
{
        spawner_end();
        sp.path = mfree(sp.path);
}

/* Receives one reply within the timeout: 0, or -errno (-ETIMEDOUT,
 * -ECONNRESET at end of stream, -EPROTO if it is not one). */
static int receive_reply(struct spawn_reply *r, int *ret_fd)
{
        struct pollfd p = { .fd = sp.sock, .events = POLLIN };
        size_t n = 0;
        ssize_t k;
        int fd = -EBADF;

        for (;;) {
                int q = poll(&p, 1, SPAWN_TIMEOUT_MS);
                if (q < 0 && errno == EINTR)
                        continue;
                if (q < 0)
                        return negative_errno();
                if (q == 0)
                        return -ETIMEDOUT;
                k = fdpass_recv(sp.sock, r, sizeof(*r), &fd, 1, &n);
                if (k == -EINTR || k == -EAGAIN)
                        continue;
                break;
        }
        if (k == 0)
                return -ECONNRESET;
        if (k < 0)
                return (int) k;
        if (k != (ssize_t) sizeof(*r) || r->abi != SPAWN_ABI) {
                if (n > 0)
                        safe_close(fd);
                return -EPROTO;
        }
        if (ret_fd)
                *ret_fd = n > 0 ? fd : -EBADF;
        else if (n > 0)
                safe_close(fd);
        return 0;
}

static int spawner_exec(const char *path)
{
        _cleanup_close_ int mine = -EBADF, theirs = -EBADF;
        struct spawn_reply hello;
        char abi[16], daemon[16];
        int sv[2], r;
        pid_t pid;

        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
                return log_error_errno(negative_errno(), "spawner: socketpair: %m");
        mine = sv[0];
        theirs = sv[1];
        snprintf(abi, sizeof(abi), "%d", SPAWN_ABI);
        snprintf(daemon, sizeof(daemon), "%d", (int) getpid());

        pid = fork();
        if (pid < 0)
                return log_error_errno(negative_errno(), "spawner: fork: %m");
        if (pid == 0) {
                static const int handled[] = { SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGPIPE };
                struct spawn_reply fail = { .abi = SPAWN_ABI };

                for (size_t i = 0; i < ELEMENTSOF(handled); i++)
                        (void) signal(handled[i], SIG_DFL);
                /* Its end as fd 3, the only one it inherits. */
                if (theirs == 3 ? fcntl(3, F_SETFD, 0) < 0 : dup2(theirs, 3) < 0)
                        _exit(127);
                (void) close_range(4, ~0U, 0);
                execl(path, SPAWNER_NAME, abi, daemon, (char *) NULL);
                fail.error = errno;
                (void) send(3, &fail, sizeof(fail), MSG_NOSIGNAL);
                _exit(127);
        }
        theirs = safe_close(theirs);
        sp.pid = pid;
        sp.sock = TAKE_FD(mine);
        sp.pidfd = pidfd_open(pid, 0);
        if (sp.pidfd < 0) {
                r = negative_errno();
                (void) kill(pid, SIGKILL);
                (void) waitpid(pid, NULL, 0);
                sp.pid = 0;
                sp.sock = safe_close(sp.sock);
                return log_error_errno(r, "spawner: pidfd_open: %m");
        }

        r = receive_reply(&hello, NULL);
        if (r == 0 && hello.error != 0)
                r = -hello.error;
        else if (r == 0 && hello.pid != (int32_t) pid)
                r = -EPROTO;
        if (r < 0) {
                spawner_end();
                if (r == -ECONNRESET)
                        return log_error_errno(r, "spawner %s exited at once", path);
                return log_error_errno(r, "cannot run spawner %s: %m", path);
        }
        return 0;
}

int spawner_start(const char *path)
{
        int r;

        if (!sp.path) {
                sp.path = strdup(path);
                if (!sp.path)
                        return -ENOMEM;
        }
        r = spawner_exec(sp.path);
        if (r < 0)
                return r;
        log_debug("spawner %s started as process %d", sp.path, (int) sp.pid);
        return 0;
}

static void request_fill(struct spawn_request *req, nsk_type_mask_t types,
                         const struct nsk_settings *s, uid_t uid, gid_t gid)
{
        unsigned n = s->n_sysctls < NSK_SYSCTL_MAX ? s->n_sysctls : NSK_SYSCTL_MAX;

        memset(req, 0, spawn_request_size(n));
        req->abi = SPAWN_ABI;
        req->size = (uint32_t) spawn_request_size(n);
        req->types = types;
        req->uid = uid;
        req->gid = gid;
        req->settings = *s;
        req->settings.sysctls = NULL;
        req->settings.n_sysctls = n;
        for (unsigned i = 0; i < n; i++)
                snprintf(req->sysctls[i], sizeof(req->sysctls[i]), "%s", s->sysctls[i]);
}

int spawner_spawn(int sock, nsk_type_mask_t types, const struct nsk_settings *s, uid_t uid,
                  gid_t gid, pid_t *ret_pid, int *ret_pidfd)
{
        /* Up to 17 KiB: off the stack of the event loop. */
        static struct spawn_request req;
        struct spawn_reply rep;
        int r, pidfd = -EBADF;

        if (!sp.path)
                return -ENOTCONN;
        request_fill(&req, types, s, uid, gid);

        r = sp.sock >= 0 ? fdpass_send(sp.sock, &req, req.size, &sock, 1) : -EPIPE;
        if (r == -EPIPE || r == -ECONNRESET) {
                /* It died since the last request; nothing was sent. */
                if (sp.sock >= 0)
                        log_warning("spawner (process %d) is gone; starting it again", (int) sp.pid);
                spawner_end();
                if (spawner_exec(sp.path) < 0) {
                        log_warning("helpers are forked by the daemon itself from now on");
                        sp.path = mfree(sp.path);
                        return -ENOTCONN;
                }
                r = fdpass_send(sp.sock, &req, req.size, &sock, 1);
        }
        if (r < 0) {
                log_error_errno(r, "spawner: cannot send a request: %m");
                spawner_end();
                return r;
        }

        r = receive_reply(&rep, &pidfd);
        if (r < 0) {
                /* Whether it made a helper is unknown: the request
                 * fails, and a helper it made finds its socket closed. */
                log_error_errno(r, "spawner (process %d) did not answer: %m; stopping it",
                                (int) sp.pid);
                spawner_end();
                return r == -ETIMEDOUT ? r : -EIO;
        }
        if (rep.error != 0) {
                safe_close(pidfd);
                return -rep.error;
        }
        if (pidfd < 0 || rep.pid <= 0 || pidfd_send_signal(pidfd, 0, NULL, 0) < 0) {
                safe_close(pidfd);
                log_error("spawner (process %d) answered without a valid helper; stopping it",
                          (int) sp.pid);
                spawner_end();
                return -EPROTO;
        }
        *ret_pid = rep.pid;
        *ret_pidfd = pidfd;
        return 0;
}
