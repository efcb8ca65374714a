/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One CNI plugin as a child process (cni-exec.h). */

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/param.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>

#include "cni-exec.h"
#include "util.h"

void cni_exec_out_done(struct cni_exec_out *o)
{
        o->out = mfree(o->out);
        o->out_len = 0;
}

/* The plugin's stdin: a memfd holding all of it, so writing never waits
 * on the plugin and a plugin that does not read it cannot raise SIGPIPE
 * in us. */
static int stdin_memfd(const char *in, size_t len)
{
        _cleanup_close_ int fd = memfd_create("cni-config", MFD_CLOEXEC);
        size_t done = 0;

        if (fd < 0)
                return negative_errno();
        while (done < len) {
                ssize_t n = write(fd, in + done, len - done);
                if (n < 0)
                        return negative_errno();
                done += (size_t) n;
        }
        if (lseek(fd, 0, SEEK_SET) < 0)
                return negative_errno();
        return TAKE_FD(fd);
}

static _Noreturn void child(int in, int out, int err, pid_t parent, const char *file,
                            char *const argv[], char *const envp[])
{
        sigset_t all;
        int fds[3] = { in, out, err };

        /* Its own group, so a time out kills what it forked too; and it
         * dies with us, so a runner that is killed leaves no plugin. */
        (void) setpgid(0, 0);
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
                _exit(127);
        /* Above 2 first: the pipes may be 0-2 themselves in a caller that
         * had those closed. */
        for (int i = 0; i < 3; i++)
                if ((fds[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 3)) < 0)
                        _exit(127);
        for (int i = 0; i < 3; i++)
                if (dup2(fds[i], i) < 0)
                        _exit(127);
        /* Every fd of ours is close-on-exec, but a plugin runs with the
         * host's full privileges: make sure. */
        (void) close_range(3, ~0U, 0);
        for (int sig = 1; sig < _NSIG; sig++)
                (void) signal(sig, SIG_DFL);
        sigfillset(&all);
        (void) sigprocmask(SIG_UNBLOCK, &all, NULL);
        execve(file, argv, envp);
        dprintf(2, "cannot execute %s: %m", file);
        _exit(127);
}

static int64_t now_ms(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads what fd has now: 1 at its end, 0 when more may come. stdout
 * grows out up to CNI_EXEC_OUT_MAX; of stderr the start is kept. */
static int drain(int fd, bool is_out, struct cni_exec_out *o, size_t *err_len)
{
        char buf[4096];

        for (;;) {
                ssize_t n = read(fd, buf, sizeof(buf));
                if (n == 0)
                        return 1;
                if (n < 0)
                        return errno == EAGAIN || errno == EINTR ? 0 : 1;
                if (!is_out) {
                        size_t k = MIN((size_t) n, sizeof(o->err) - 1 - *err_len);
                        memcpy(o->err + *err_len, buf, k);
                        *err_len += k;
                        o->err[*err_len] = '\0';
                        continue;
                }
                if (o->out_len + (size_t) n > CNI_EXEC_OUT_MAX) {
                        o->out_overflow = true;
                        return 1;
                }
                char *p = realloc(o->out, o->out_len + (size_t) n + 1);
                if (!p) {
                        o->out_overflow = true;
                        return 1;
                }
                o->out = p;
                memcpy(o->out + o->out_len, buf, (size_t) n);
                o->out_len += (size_t) n;
                o->out[o->out_len] = '\0';
        }
}

int cni_exec(const char *file, char *const argv[], char *const envp[], const char *in,
             size_t in_len, unsigned timeout_ms, struct cni_exec_out *ret)
{
        _cleanup_close_ int infd = -EBADF, pidfd = -EBADF;
        int outp[2] = { -EBADF, -EBADF }, errp[2] = { -EBADF, -EBADF };
        pid_t parent = getpid(), pid;
        int64_t deadline = now_ms() + timeout_ms;
        size_t err_len = 0;
        siginfo_t si = {};
        int r;

        *ret = (struct cni_exec_out) {};
        infd = stdin_memfd(in, in_len);
        if (infd < 0)
                return infd;
        if (pipe2(outp, O_CLOEXEC | O_NONBLOCK) < 0 || pipe2(errp, O_CLOEXEC | O_NONBLOCK) < 0) {
                r = negative_errno();
                goto out;
        }
        pid = fork();
        if (pid < 0) {
                r = negative_errno();
                goto out;
        }
        if (pid == 0)
                child(infd, outp[1], errp[1], parent, file, argv, envp);
        outp[1] = safe_close(outp[1]);
        errp[1] = safe_close(errp[1]);
        /* Our unreaped child: its pid is not reused meanwhile. */
        pidfd = pidfd_open(pid, 0);
        if (pidfd < 0) {
                r = negative_errno();
                (void) kill(pid, SIGKILL);
                (void) waitpid(pid, NULL, 0);
                goto out;
        }

        for (;;) {
                struct pollfd p[3] = {
                        { .fd = outp[0], .events = POLLIN },
                        { .fd = errp[0], .events = POLLIN },
                        { .fd = pidfd, .events = POLLIN },
                };
                int64_t left = deadline - now_ms();

                if (left <= 0) {
                        ret->timed_out = true;
                        break;
                }
                if (poll(p, 3, (int) MIN(left, (int64_t) INT_MAX)) < 0) {
                        if (errno == EINTR)
                                continue;
                        ret->timed_out = true; /* cannot wait: end it */
                        break;
                }
                if (p[0].revents && drain(outp[0], true, ret, &err_len) > 0)
                        outp[0] = safe_close(outp[0]);
                if (ret->out_overflow)
                        break;
                if (p[1].revents && drain(errp[0], false, ret, &err_len) > 0)
                        errp[0] = safe_close(errp[0]);
                if (p[2].revents) {
                        /* It has exited: what it wrote is all in the pipes.
                         * Whatever it left running may hold them open, so
                         * read what is there and stop. */
                        if (outp[0] >= 0)
                                (void) drain(outp[0], true, ret, &err_len);
                        if (errp[0] >= 0)
                                (void) drain(errp[0], false, ret, &err_len);
                        break;
                }
        }
        if (ret->timed_out || ret->out_overflow)
                (void) pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
        /* Whatever it left behind in its group runs as root with no one
         * to answer to: it ends with the plugin (the leader, not yet
         * reaped, still holds the group's id). */
        (void) kill(-pid, SIGKILL);
        if (waitid(P_PIDFD, (id_t) pidfd, &si, WEXITED) < 0) {
                r = negative_errno();
                goto out;
        }
        ret->code = si.si_code;
        ret->status = si.si_status;
        r = 0;
out:
        close_many(outp, 2);
        close_many(errp, 2);
        if (r < 0)
                cni_exec_out_done(ret);
        return r;
}
