/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nskeeper-spawn: the daemon's spawner. nskeeperd starts it once, on
 * a socketpair (fd 3), and asks it for helpers instead of forking them
 * itself: fork(2) costs in proportion to the forking process (its
 * mappings, its page tables, its fd table), and this process is small
 * while the daemon, with libevent, libsystemd and thousands of sets, is
 * not. Each helper is made with CLONE_PARENT, so it is the daemon's
 * child as if the daemon had forked it: the daemon reaps it, writes its
 * /proc/PID maps and is its parent for PR_SET_PDEATHSIG.
 *
 *   nskeeper-spawn ABI DAEMON-PID [ROOM]   (only nskeeperd runs it)
 *
 * ROOM is padding: the room in which its helpers and keepers write
 * their command lines (proctitle.h); it shows as nothing. Without it
 * they keep the spawner's.
 *
 * The daemon asks ahead of time (struct spawn_want) and keeps a helper
 * or two waiting, so that a create finds one ready. Each gets its own
 * socketpair; the daemon's end goes back with the helper's pidfd, and
 * the daemon tells the helper what to make (struct helper_start) on it
 * directly: the spawner never sees a request. It exits when the daemon
 * closes its end or dies. */

#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "fault.h"
#include "fdpass.h"
#include "helper-child.h"
#include "helper-proto.h"
#include "parse.h"
#include "proctitle.h"
#include "spawn-proto.h"
#include "util.h"

#define CHANNEL_FD 3

static int reply(int error, pid_t pid, const int fds[2])
{
        struct spawn_reply r = { .abi = SPAWN_ABI, .error = error, .pid = (int32_t) pid };

        return fdpass_send(CHANNEL_FD, &r, sizeof(r), fds, fds ? 2 : 0);
}

/* One datagram into buf: its size, 0 at end of stream, or -errno
 * (-EMSGSIZE if it did not fit, which recv(2) would not say). */
static ssize_t recv_record(void *buf, size_t size)
{
        struct iovec iov = { .iov_base = buf, .iov_len = size };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
        ssize_t k;

        do
                k = recvmsg(CHANNEL_FD, &mh, MSG_CMSG_CLOEXEC);
        while (k < 0 && errno == EINTR);
        if (k < 0)
                return negative_errno();
        if (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC))
                return -EMSGSIZE;
        return k;
}

/* In the new helper: waits for the daemon to say what to make, then
 * makes it, talking on sock (fd 3). Gone with the daemon, or when the
 * daemon closes its end unused. */
_Noreturn static void helper_wait(pid_t daemon)
{
        static struct helper_start st;
        ssize_t k;

        (void) prctl(PR_SET_NAME, READY_NAME);
        (void) proctitle_set(READY_NAME, NULL);
        (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != daemon)
                _exit(1);
        k = recv_record(&st, sizeof(st));
        if (k <= 0)
                _exit(0);
        helper_child_start(CHANNEL_FD, &st, (size_t) k, daemon);
}

/* fork(2) without glibc's bookkeeping, which a process that stays
 * single-threaded and only makes system calls does not need, giving
 * CLONE_PARENT and the pidfd in one step. clone3 first; clone where a
 * seccomp filter refuses clone3, as container runtimes' do (ENOSYS),
 * since its flags live in memory a filter cannot read. */
static pid_t clone_parent(int *ret_pidfd)
{
        struct clone_args args = {
                .flags = CLONE_PARENT | CLONE_PIDFD,
                .pidfd = (uint64_t) (uintptr_t) ret_pidfd,
                /* Must be 0 with CLONE_PARENT: the helper's is ours
                 * (SIGCHLD), as a child of the daemon's would be. */
                .exit_signal = 0,
        };
        long pid = fault_point(FAULT_SPAWNER_CLONE3) < 0 ? -1
                                                         : syscall(SYS_clone3, &args, sizeof(args));

        if (pid >= 0 || (errno != ENOSYS && errno != EPERM))
                return (pid_t) pid;
        if (fault_point(FAULT_SPAWNER_CLONE) < 0)
                return -1;
                /* The pidfd goes where the parent's tid would (clone(2)); only
         * s390 takes the stack first. */
#if defined(__s390__) || defined(__s390x__)
        return (pid_t) syscall(SYS_clone, 0, CLONE_PARENT | CLONE_PIDFD, ret_pidfd, NULL, 0);
#else
        return (pid_t) syscall(SYS_clone, CLONE_PARENT | CLONE_PIDFD, 0, ret_pidfd, NULL, 0);
#endif
}

/* One helper, answered to the daemon. < 0 only if the daemon is gone. */
static int make_helper(pid_t daemon)
{
        int sv[2], fds[2], r;
        pid_t pid;

        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
                return reply(errno, 0, NULL);
        fds[0] = -EBADF;
        pid = fault_point(FAULT_SPAWNER_BEFORE_CLONE) < 0 ? -1 : clone_parent(&fds[0]);
        if (pid == 0) {
                /* Its end of the socketpair as fd 3, nothing else. */
                if (dup3(sv[1], CHANNEL_FD, O_CLOEXEC) < 0 ||
                    close_range(CHANNEL_FD + 1, ~0U, 0) < 0)
                        _exit(1);
                helper_wait(daemon);
        }
        safe_close(sv[1]);
        if (pid < 0) {
                int e = errno;
                safe_close(sv[0]);
                return reply(e, 0, NULL);
        }
        fds[1] = sv[0];
        r = reply(0, pid, fds);
        close_many(fds, 2);
        return r;
}

static void serve(pid_t daemon)
{
        for (;;) {
                struct spawn_want w;
                ssize_t k;

                k = recv_record(&w, sizeof(w));
                if (k == 0 || (k < 0 && k != -EMSGSIZE))
                        return; /* the daemon is stopping, or gone */
                if (k != (ssize_t) sizeof(w) || w.abi != SPAWN_ABI) {
                        if (reply(EPROTO, 0, NULL) < 0)
                                return;
                        continue;
                }
                if (make_helper(daemon) < 0)
                        return;
        }
}

int main(int argc, char **argv)
{
        uint32_t abi, daemon;
        sigset_t none;

        if (argc < 3 || argc > 4 || parse_u32(argv[1], &abi) < 0 ||
            parse_u32(argv[2], &daemon) < 0 || daemon < 1 || daemon > INT32_MAX) {
                fprintf(stderr, "Usage: %s ABI DAEMON-PID [ROOM] (run by nskeeperd, not by hand)\n",
                        SPAWNER_NAME);
                return 2;
        }
        proctitle_init(argc, argv);
        if (argc == 4)
                proctitle_drop_last();
        /* Everything of the daemon's is gone with exec but the mask. */
        sigemptyset(&none);
        (void) sigprocmask(SIG_SETMASK, &none, NULL);
        (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != (pid_t) daemon)
                return 1;
        /* Host root next to the sets, as its helpers must be to make
         * them: so nobody but root may ptrace it or read its /proc files
         * (exec made it dumpable again), nor its clones, which share the
         * flag; cwd "/", not wherever the daemon was started. It never
         * execs, so no new privileges either. */
        if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
            chdir("/") < 0) {
                (void) reply(errno, getpid(), NULL);
                return 1;
        }
        if (abi != SPAWN_ABI) {
                (void) reply(EPROTONOSUPPORT, getpid(), NULL);
                return 1;
        }
        if (reply(0, getpid(), NULL) < 0)
                return 1;
        serve((pid_t) daemon);
        return 0;
}
