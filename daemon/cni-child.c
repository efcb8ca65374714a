/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The CNI chain in a forked child (cni-child.h). It writes one JSON
 * object when done: {"error": -errno or 0, "message": "...", "result":
 * the ADD's result or null}. */

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <stdio.h>
#include <sys/pidfd.h>
#include <sys/wait.h>

#include "cni-child.h"
#include "util.h"

/* A result is a few KiB; this bounds a broken child. */
#define OUTCOME_MAX (2 * 1024 * 1024)

struct cni_child {
        pid_t pid;
        int pidfd;
        int fd;
        char *buf;
        size_t len;
        bool eof;
};

int cni_child_fd(const struct cni_child *c)
{
        return c->fd;
}

pid_t cni_child_pid(const struct cni_child *c)
{
        return c->pid;
}

static void write_all(int fd, const char *s, size_t len)
{
        while (len > 0) {
                ssize_t n = write(fd, s, len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return;
                s += n;
                len -= (size_t) n;
        }
}

static _Noreturn void child(pid_t parent, int fd, const struct cni_network *net, enum cni_op op,
                            const struct cni_attachment *a, const struct cni_runtime *rt,
                            const char *cached)
{
        _cleanup_free_ char *result = NULL, *text = NULL;
        char msg[1024] = "";
        json_t *res = NULL, *out;
        sigset_t all;
        int r;

        /* A copy of the daemon: nothing of its sockets and files may
         * outlive it here (a client's connection closed by the daemon
         * must end), and its signal handlers are not ours. */
        if (fd != 3 && dup3(fd, 3, O_CLOEXEC) < 0)
                _exit(1);
        (void) close_range(4, ~0U, 0);
        for (int sig = 1; sig < _NSIG; sig++)
                (void) signal(sig, SIG_DFL);
        sigfillset(&all);
        (void) sigprocmask(SIG_UNBLOCK, &all, NULL);
        /* A chain whose daemon is gone has no one to tell what it did:
         * it ends (with its plugin, which dies with it), and a restarted
         * daemon finds the set as the last one left it. */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
                _exit(1);

        r = cni_run(net, op, a, rt, cached, &result, msg, sizeof(msg));
        if (r >= 0 && result)
                res = json_loads(result, 0, NULL);
        out = json_pack("{s:i, s:s, s:o?}", "error", r, "message", msg, "result", res);
        text = out ? json_dumps(out, JSON_COMPACT) : NULL;
        if (text)
                write_all(3, text, strlen(text));
        _exit(text ? 0 : 1);
}

int cni_child_start(const struct cni_network *net, enum cni_op op, const struct cni_attachment *a,
                    const struct cni_runtime *rt, const char *cached, struct cni_child **ret)
{
        _cleanup_free_ struct cni_child *c = calloc(1, sizeof(*c));
        int p[2];
        pid_t pid, parent;

        if (!c)
                return -ENOMEM;
        if (pipe2(p, O_CLOEXEC) < 0)
                return negative_errno();
        parent = getpid();
        pid = fork();
        if (pid < 0) {
                close_many(p, 2);
                return negative_errno();
        }
        if (pid == 0) {
                p[0] = safe_close(p[0]);
                child(parent, p[1], net, op, a, rt, cached);
        }
        p[1] = safe_close(p[1]);
        c->pid = pid;
        c->fd = p[0];
        c->pidfd = pidfd_open(pid, 0);
        if (c->pidfd < 0 || fcntl(c->fd, F_SETFL, O_NONBLOCK) < 0) {
                int r = negative_errno();
                c->pidfd = safe_close(c->pidfd);
                (void) kill(pid, SIGKILL);
                (void) waitpid(pid, NULL, 0);
                c->fd = safe_close(c->fd);
                return r;
        }
        *ret = TAKE_PTR(c);
        return 0;
}

int cni_child_read(struct cni_child *c)
{
        for (;;) {
                char buf[4096];
                ssize_t n;
                char *p;

                if (c->eof)
                        return 1;
                n = read(c->fd, buf, sizeof(buf));
                if (n < 0)
                        return errno == EAGAIN ? 0 : errno == EINTR ? 0 : negative_errno();
                if (n == 0) {
                        c->eof = true;
                        continue;
                }
                if (c->len + (size_t) n > OUTCOME_MAX)
                        return -EMSGSIZE;
                p = realloc(c->buf, c->len + (size_t) n + 1);
                if (!p)
                        return -ENOMEM;
                c->buf = p;
                memcpy(c->buf + c->len, buf, (size_t) n);
                c->len += (size_t) n;
                c->buf[c->len] = '\0';
        }
}

/* Waits for the child's end: after its pipe's end, or having killed it,
 * only moments away. */
static void reap(struct cni_child *c, siginfo_t *si)
{
        if (c->pid <= 0)
                return;
        while (waitid(P_PIDFD, (id_t) c->pidfd, si, WEXITED) < 0 && errno == EINTR)
                ;
        c->pid = 0;
}

int cni_child_finish(struct cni_child *c, char **ret_result, char *msg, size_t size)
{
        json_t *o = NULL;
        siginfo_t si = {};
        const char *m;
        json_t *err, *res;
        int r;

        reap(c, &si);
        if (c->len > 0)
                o = json_loadb(c->buf, c->len, 0, NULL);
        err = json_object_get(o, "error");
        m = json_string_value(json_object_get(o, "message"));
        res = json_object_get(o, "result");
        if (!json_is_integer(err) || !m || json_integer_value(err) > 0 ||
            json_integer_value(err) < -4095) {
                json_decref(o);
                if (si.si_code == CLD_EXITED)
                        snprintf(msg, size, "the CNI runner exited with status %d and no answer",
                                 si.si_status);
                else
                        snprintf(msg, size, "the CNI runner was killed by signal %d", si.si_status);
                return -ECHILD;
        }
        r = (int) json_integer_value(err);
        snprintf(msg, size, "%s", m);
        /* Plugins' words go to logs, terminals and monitors: no control
         * character of theirs makes a line or an escape there. */
        cni_sanitize(msg);
        if (r >= 0 && ret_result) {
                *ret_result = NULL;
                if (json_is_object(res) && !(*ret_result = json_dumps(res, JSON_COMPACT))) {
                        snprintf(msg, size, "out of memory");
                        r = -ENOMEM;
                }
        }
        json_decref(o);
        return r;
}

struct cni_child *cni_child_free(struct cni_child *c)
{
        siginfo_t si;

        if (!c)
                return NULL;
        if (c->pid > 0) {
                (void) pidfd_send_signal(c->pidfd, SIGKILL, NULL, 0);
                reap(c, &si);
        }
        safe_close(c->pidfd);
        safe_close(c->fd);
        free(c->buf);
        return mfree(c);
}
