/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nskeeper-spawn: the daemon's spawner. nskeeperd starts it once, on
 * a socketpair (fd 3), and asks it for each helper instead of forking
 * one itself: fork(2) costs in proportion to the forking process
 * (its mappings, its page tables, its fd table), and this process is
 * small while the daemon, with libevent, libsystemd and thousands of
 * sets, is not. Each helper is made with CLONE_PARENT, so it is the
 * daemon's child as if the daemon had forked it: the daemon reaps it,
 * writes its /proc/PID maps and is its parent for PR_SET_PDEATHSIG.
 *
 *   nskeeper-spawn ABI DAEMON-PID     (only nskeeperd runs it)
 *
 * Exits when the daemon closes its end or dies. It trusts nothing it
 * reads: a malformed request gets EPROTO. */

#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "fdpass.h"
#include "helper-child.h"
#include "parse.h"
#include "spawn-proto.h"
#include "util.h"

#define CHANNEL_FD 3

static int reply(int error, pid_t pid, int pidfd)
{
        struct spawn_reply r = { .abi = SPAWN_ABI, .error = error, .pid = (int32_t) pid };

        return fdpass_send(CHANNEL_FD, &r, sizeof(r), &pidfd, pidfd >= 0 ? 1 : 0);
}

/* Terminates every string of the request (len bytes came), which came
 * from outside, and points the settings at the sysctl texts. Returns
 * false if the request is not one this build understands. */
static bool request_fix(struct spawn_request *req, size_t len, char **sysctls)
{
        struct nsk_settings *s = &req->settings;

        if (len < offsetof(struct spawn_request, sysctls) || req->abi != SPAWN_ABI ||
            req->types == 0 || (req->types & ~NSK_TYPE_MASK_ALL) != 0 ||
            s->n_sysctls > NSK_SYSCTL_MAX || req->size != len ||
            len != spawn_request_size(s->n_sysctls) || s->n_uid_map > NSK_IDMAP_MAX ||
            s->n_gid_map > NSK_IDMAP_MAX)
                return false;
        s->hostname[sizeof(s->hostname) - 1] = '\0';
        s->domainname[sizeof(s->domainname) - 1] = '\0';
        for (unsigned i = 0; i < s->n_sysctls; i++) {
                req->sysctls[i][NSK_SYSCTL_LEN - 1] = '\0';
                sysctls[i] = req->sysctls[i];
        }
        s->sysctls = sysctls;
        return true;
}

/* fork(2) without glibc's bookkeeping, which a process that stays
 * single-threaded and only makes system calls does not need: clone3
 * is what gives CLONE_PARENT and the pidfd in one step. */
static pid_t clone_parent(int *ret_pidfd)
{
        struct clone_args args = {
                .flags = CLONE_PARENT | CLONE_PIDFD,
                .pidfd = (uint64_t) (uintptr_t) ret_pidfd,
                /* Must be 0 with CLONE_PARENT: the helper's is ours
                 * (SIGCHLD), as a child of the daemon's would be. */
                .exit_signal = 0,
        };

        return (pid_t) syscall(SYS_clone3, &args, sizeof(args));
}

/* The next helper, made ahead of time: its clone(2) is then no part
 * of the time a create takes. It waits on sock for its request. */
static struct {
        pid_t pid;
        int pidfd;
        int sock;
} ready = { .pidfd = -EBADF, .sock = -EBADF };

static void ready_drop(void)
{
        ready.sock = safe_close(ready.sock);
        ready.pidfd = safe_close(ready.pidfd);
        ready.pid = 0;
}

/* In the new helper: waits for the request the spawner forwards, then
 * becomes the helper it asks for. */
_Noreturn static void ready_main(int sock, pid_t daemon)
{
        static struct spawn_request req;
        char *sysctls[NSK_SYSCTL_MAX];
        int fd = -EBADF;
        size_t n = 0;
        ssize_t k;

        /* Gone with the daemon (or the spawner, at end of stream). */
        (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != daemon)
                _exit(1);
        do
                k = fdpass_recv(sock, &req, sizeof(req), &fd, 1, &n);
        while (k == -EINTR);
        if (k <= 0 || n != 1 || !request_fix(&req, (size_t) k, sysctls))
                _exit(0);
        (void) prctl(PR_SET_NAME, HELPER_NAME);
        /* Keep only the helper's socket, as fd 3. */
        if (fd != CHANNEL_FD && dup3(fd, CHANNEL_FD, O_CLOEXEC) < 0)
                _exit(1);
        (void) close_range(CHANNEL_FD + 1, ~0U, 0);
        helper_child_main(CHANNEL_FD, req.types, &req.settings, req.uid, req.gid, daemon);
}

static int ready_make(pid_t daemon)
{
        int sv[2], pidfd = -EBADF;
        pid_t pid;

        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
                return negative_errno();
        pid = clone_parent(&pidfd);
        if (pid < 0) {
                int r = negative_errno();
                safe_close(sv[0]);
                safe_close(sv[1]);
                return r;
        }
        if (pid == 0) {
                safe_close(CHANNEL_FD);
                safe_close(sv[0]);
                ready_main(sv[1], daemon);
        }
        safe_close(sv[1]);
        ready.pid = pid;
        ready.pidfd = pidfd;
        ready.sock = sv[0];
        return 0;
}

/* Hands the request and its socket to the ready helper, making one
 * first if there is none (or the one there is has died). */
static int ready_give(const struct spawn_request *req, int fd, pid_t daemon)
{
        int r;

        for (int attempt = 0; attempt < 2; attempt++) {
                if (ready.pid == 0) {
                        r = ready_make(daemon);
                        if (r < 0)
                                return r;
                }
                r = fdpass_send(ready.sock, req, req->size, &fd, 1);
                if (r == 0)
                        return 0;
                ready_drop();
        }
        return r;
}

static void serve(pid_t daemon)
{
        static struct spawn_request req;
        char *sysctls[NSK_SYSCTL_MAX];

        /* The first create finds its helper waiting too. */
        (void) ready_make(daemon);
        for (;;) {
                int fd = -EBADF;
                size_t n = 0;
                ssize_t k;
                int r;

                k = fdpass_recv(CHANNEL_FD, &req, sizeof(req), &fd, 1, &n);
                if (k == -EINTR)
                        continue;
                if (k == 0)
                        return; /* the daemon is stopping */
                if (k < 0 && k != -EMSGSIZE && k != -EBADMSG)
                        return;
                if (k <= 0 || n != 1 || !request_fix(&req, (size_t) k, sysctls)) {
                        if (n > 0)
                                safe_close(fd);
                        if (reply(EPROTO, 0, -EBADF) < 0)
                                return;
                        continue;
                }

                r = ready_give(&req, fd, daemon);
                safe_close(fd);
                if (r < 0) {
                        if (reply(-r, 0, -EBADF) < 0)
                                return;
                        continue;
                }
                r = reply(0, ready.pid, ready.pidfd);
                ready_drop();
                if (r < 0)
                        return;
                /* Now, while the daemon and the helper are at work. */
                (void) ready_make(daemon);
        }
}

int main(int argc, char **argv)
{
        uint32_t abi, daemon;
        sigset_t none;

        if (argc != 3 || parse_u32(argv[1], &abi) < 0 || parse_u32(argv[2], &daemon) < 0 ||
            daemon < 1 || daemon > INT32_MAX) {
                fprintf(stderr, "Usage: %s ABI DAEMON-PID (run by nskeeperd, not by hand)\n",
                        SPAWNER_NAME);
                return 2;
        }
        /* Everything of the daemon's is gone with exec but the mask. */
        sigemptyset(&none);
        (void) sigprocmask(SIG_SETMASK, &none, NULL);
        (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != (pid_t) daemon)
                return 1;
        if (abi != SPAWN_ABI) {
                (void) reply(EPROTONOSUPPORT, getpid(), -EBADF);
                return 1;
        }
        if (reply(0, getpid(), -EBADF) < 0)
                return 1;
        serve((pid_t) daemon);
        return 0;
}
