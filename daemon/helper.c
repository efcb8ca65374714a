/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Forking helpers and collecting what they send. The child side only
 * makes system calls: no allocation, no logging, no libevent. */

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "fdpass.h"
#include "helper.h"
#include "log.h"

#define HELPER_TIMEOUT_SEC 30

/* What the child sends, with one fd per type in table order. */
struct helper_msg {
        int32_t error;   /* positive errno, 0 on success */
        int32_t step;    /* enum helper_step that failed */
        int32_t type;    /* enum nstype concerned, or -1 */
};

enum helper_step {
        STEP_UNSHARE,
        STEP_PROPAGATION,
        STEP_OPEN,
        STEP_SEND,
};

static const char *const step_names[] = {
        [STEP_UNSHARE] = "unshare",
        [STEP_PROPAGATION] = "mount propagation",
        [STEP_OPEN] = "open",
        [STEP_SEND] = "send",
};

struct helper {
        struct helper *next, *prev;
        pid_t pid;
        int pidfd;
        int sock;
        nstype_mask_t types;
        struct event *sock_ev, *exit_ev, *timer_ev;
        helper_done_fn done; /* NULL once called */
        void *userdata;
};

static struct helper *helpers;
static unsigned n_helpers;

_Noreturn static void child_fail(int sock, int step, int type)
{
        struct helper_msg m = { .error = errno, .step = step, .type = type };

        (void) send(sock, &m, sizeof(m), MSG_NOSIGNAL);
        _exit(1);
}

_Noreturn static void child_main(int sock, nstype_mask_t types)
{
        struct helper_msg m = {};
        int fds[NSTYPE_MAX];
        size_t n = 0;

        /* The daemon gone means nobody wants what we make. */
        (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() == 1)
                _exit(1);

        if (unshare((int) nstype_mask_to_clone_flags(types)) < 0)
                child_fail(sock, STEP_UNSHARE, -1);

        /* A copy of the host's shared mounts would otherwise stay their
         * peer: mounts made in the set would appear on the host. As a
         * slave it still sees the host's new mounts (and new pins). */
        if ((types & NSTYPE_BIT(NSTYPE_MNT)) && mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
                child_fail(sock, STEP_PROPAGATION, NSTYPE_MNT);

        for (int t = 0; t < NSTYPE_MAX; t++) {
                char path[64];

                if (!(types & NSTYPE_BIT(t)))
                        continue;
                snprintf(path, sizeof(path), "/proc/self/ns/%s", nstype_info(t)->proc);
                fds[n] = open(path, O_RDONLY | O_CLOEXEC);
                if (fds[n] < 0)
                        child_fail(sock, STEP_OPEN, t);
                n++;
        }
        if (fdpass_send(sock, &m, sizeof(m), fds, n) < 0)
                child_fail(sock, STEP_SEND, -1);
        _exit(0);
}

static void helper_free(struct helper *h)
{
        if (h->next)
                h->next->prev = h->prev;
        if (h->prev)
                h->prev->next = h->next;
        else
                helpers = h->next;
        n_helpers--;

        if (h->sock_ev)
                event_free(h->sock_ev);
        if (h->exit_ev)
                event_free(h->exit_ev);
        if (h->timer_ev)
                event_free(h->timer_ev);
        safe_close(h->sock);
        safe_close(h->pidfd);
        free(h);
}

static void report(struct helper *h, int error, const char *message, int fds[NSTYPE_MAX])
{
        helper_done_fn done = h->done;
        int none[NSTYPE_MAX];

        if (!done)
                return;
        h->done = NULL;
        if (!fds) {
                for (int t = 0; t < NSTYPE_MAX; t++)
                        none[t] = -EBADF;
                fds = none;
        }
        done(error, message, fds, h->userdata);
}

/* Frees the helper once it has reported and exited. */
static void maybe_free(struct helper *h)
{
        if (!h->done && h->pid == 0)
                helper_free(h);
}

static void on_exit_cb(evutil_socket_t fd, short what, void *userdata)
{
        struct helper *h = userdata;
        siginfo_t si = {};
        char msg[64];

        if (waitid(P_PIDFD, (id_t) h->pidfd, &si, WEXITED | WNOHANG) < 0 || si.si_pid == 0)
                return;
        h->pid = 0;
        event_del(h->exit_ev);

        if (h->done) {
                /* Exited without a word. Anything it sent is still queued
                 * on the socket: read that first. */
                if (recv(h->sock, msg, 1, MSG_PEEK | MSG_DONTWAIT) > 0)
                        return;
                if (si.si_code == CLD_EXITED)
                        snprintf(msg, sizeof(msg), "helper exited with status %d", si.si_status);
                else
                        snprintf(msg, sizeof(msg), "helper killed by signal %d", si.si_status);
                report(h, -ECHILD, msg, NULL);
        }
        maybe_free(h);
}

static void on_message(evutil_socket_t fd, short what, void *userdata)
{
        struct helper *h = userdata;
        struct helper_msg m;
        int received[FDPASS_MAX], fds[NSTYPE_MAX];
        size_t n_received = 0, i = 0;
        char msg[128];
        ssize_t k;

        k = fdpass_recv(h->sock, &m, sizeof(m), received, FDPASS_MAX, &n_received);
        if (k == -EAGAIN || k == -EINTR)
                return;
        event_del(h->sock_ev);

        for (int t = 0; t < NSTYPE_MAX; t++)
                fds[t] = -EBADF;

        if (k != (ssize_t) sizeof(m)) {
                close_many(received, n_received);
                if (k == 0)
                        return; /* closed without a word: on_exit_cb reports */
                report(h, -EPROTO, "malformed message from helper", NULL);
                maybe_free(h);
                return;
        }
        if (m.error != 0) {
                close_many(received, n_received);
                snprintf(msg, sizeof(msg), "%s%s%s", step_names[m.step >= 0 && m.step <= STEP_SEND ? m.step : 0],
                         m.type >= 0 && m.type < NSTYPE_MAX ? " " : "",
                         m.type >= 0 && m.type < NSTYPE_MAX ? nstype_name(m.type) : "");
                report(h, m.error > 0 ? -m.error : -EIO, msg, NULL);
                maybe_free(h);
                return;
        }

        /* One fd per requested type, in table order, each really of that
         * type: check, never trust. */
        for (int t = 0; t < NSTYPE_MAX; t++) {
                if (!(h->types & NSTYPE_BIT(t)))
                        continue;
                if (i >= n_received || nstype_check_fd(received[i], t) < 0) {
                        close_many(received, n_received);
                        close_many(fds, NSTYPE_MAX);
                        snprintf(msg, sizeof(msg), "helper sent no valid %s namespace",
                                 nstype_name(t));
                        report(h, -EPROTO, msg, NULL);
                        maybe_free(h);
                        return;
                }
                fds[t] = TAKE_FD(received[i]);
                i++;
        }
        close_many(received + i, n_received - i);
        report(h, 0, NULL, fds);
        maybe_free(h);
}

static void on_timeout(evutil_socket_t fd, short what, void *userdata)
{
        struct helper *h = userdata;

        log_warning("helper %d did not finish within %d s; killing it", (int) h->pid,
                    HELPER_TIMEOUT_SEC);
        (void) pidfd_send_signal(h->pidfd, SIGKILL, NULL, 0);
}

int helper_start(struct event_base *base, nstype_mask_t types, helper_done_fn done,
                 void *userdata)
{
        const struct timeval timeout = { .tv_sec = HELPER_TIMEOUT_SEC };
        struct helper *h;
        int sv[2];

        h = calloc(1, sizeof(*h));
        if (!h)
                return -ENOMEM;
        h->pidfd = h->sock = -EBADF;
        h->types = types;
        h->done = done;
        h->userdata = userdata;
        h->next = helpers;
        if (helpers)
                helpers->prev = h;
        helpers = h;
        n_helpers++;

        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
                int r = negative_errno();
                helper_free(h);
                return r;
        }

        h->pid = fork();
        if (h->pid < 0) {
                int r = negative_errno();
                h->pid = 0;
                safe_close(sv[0]);
                safe_close(sv[1]);
                helper_free(h);
                return r;
        }
        if (h->pid == 0) {
                /* Keep only the socket, as fd 3. */
                if (dup3(sv[1], 3, O_CLOEXEC) < 0 && sv[1] != 3)
                        _exit(1);
                (void) close_range(4, ~0U, 0);
                child_main(3, types);
        }

        safe_close(sv[1]);
        h->sock = sv[0];
        (void) fcntl(h->sock, F_SETFL, O_NONBLOCK);

        h->pidfd = pidfd_open(h->pid, 0);
        if (h->pidfd < 0) {
                int r = negative_errno();
                (void) kill(h->pid, SIGKILL);
                (void) waitpid(h->pid, NULL, 0);
                h->pid = 0;
                helper_free(h);
                return r;
        }

        h->sock_ev = event_new(base, h->sock, EV_READ | EV_PERSIST, on_message, h);
        h->exit_ev = event_new(base, h->pidfd, EV_READ | EV_PERSIST, on_exit_cb, h);
        h->timer_ev = evtimer_new(base, on_timeout, h);
        if (!h->sock_ev || !h->exit_ev || !h->timer_ev || event_add(h->sock_ev, NULL) < 0 ||
            event_add(h->exit_ev, NULL) < 0 || evtimer_add(h->timer_ev, &timeout) < 0) {
                (void) pidfd_send_signal(h->pidfd, SIGKILL, NULL, 0);
                (void) waitid(P_PIDFD, (id_t) h->pidfd, &(siginfo_t) {}, WEXITED);
                h->pid = 0;
                helper_free(h);
                return -ENOMEM;
        }
        return 0;
}

void helper_cancel_all(void)
{
        while (helpers) {
                struct helper *h = helpers;

                if (h->pid > 0) {
                        (void) pidfd_send_signal(h->pidfd, SIGKILL, NULL, 0);
                        (void) waitid(P_PIDFD, (id_t) h->pidfd, &(siginfo_t) {}, WEXITED);
                        h->pid = 0;
                }
                report(h, -ECANCELED, "daemon is stopping", NULL);
                helper_free(h);
        }
}

unsigned helper_count(void)
{
        return n_helpers;
}
