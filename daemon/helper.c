/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Starting helpers and talking to them (their own side is helper-child.c).
 * The spawner (spawner.c) clones them for us, as our children; without
 * one the daemon forks them itself.
 *
 * A helper and the daemon exchange small messages on a socketpair:
 *   helper: unshare(CLONE_NEWUSER) -> USERNS     (only with user)
 *   daemon: writes setgroups, uid_map, gid_map -> GO
 *   helper: unshare(the rest), settings, keeper -> DONE + fds
 *   daemon: pins them, writes the state file, then tells the keeper (if
 *           any) through its lifeline that the set is for good
 * The user namespace comes first so that the others are owned by it
 * (user_namespaces(7)), and its maps must be written from outside. */

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "fdpass.h"
#include "helper.h"
#include "log.h"
#include "maker.h"

#define HELPER_TIMEOUT_SEC 30

enum helper_wait {
        WAIT_USERNS,
        WAIT_DONE,
        WAIT_EXIT,
};

struct helper {
        struct helpers *hs;
        struct helper *next, *prev;
        pid_t pid;      /* in our pid namespace; 0 once reaped */
        pid_t proc_pid; /* the same in /proc's (pidfd-util.h) */
        int pidfd;
        int sock;
        nsk_type_mask_t types;
        const struct nsk_settings *settings;
        enum helper_wait wait;
        struct event *sock_ev, *exit_ev, *timer_ev;
        helper_done_fn done; /* NULL once called */
        void *userdata;
};

/* Every helper at work for the daemon. */
struct helpers {
        struct event_base *base;
        struct helper *list;
        unsigned count;
        struct maker *maker;
};

static void helper_free(struct helper *h)
{
        if (h->next)
                h->next->prev = h->prev;
        if (h->prev)
                h->prev->next = h->next;
        else
                h->hs->list = h->next;
        h->hs->count--;

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

/* Frees the helper once it has reported and exited. */
static void maybe_free(struct helper *h)
{
        if (!h->done && h->pid == 0)
                helper_free(h);
}

/* Reports to the owner, once. */
static void report(struct helper *h, int error, const char *message, struct helper_result *res)
{
        helper_done_fn done = h->done;
        struct helper_result none;

        if (!done)
                return;
        h->done = NULL;
        h->wait = WAIT_EXIT;
        if (!res) {
                helper_result_init(&none);
                res = &none;
        }
        (void) done(error, message, res, h->userdata);
        /* The helper is done or has failed: nothing more to say to it. */
        if (h->sock_ev)
                event_del(h->sock_ev);
        h->sock = safe_close(h->sock);
}

static void fail(struct helper *h, int error, const char *message)
{
        if (h->pid > 0)
                (void) pidfd_send_signal(h->pidfd, SIGKILL, NULL, 0);
        report(h, error, message, NULL);
}

static void on_exit_cb(evutil_socket_t fd, short what, void *userdata)
{
        struct helper *h = userdata;
        siginfo_t si = {};
        char msg[64];

        if (waitid(P_PIDFD, (id_t) h->pidfd, &si, WEXITED | WNOHANG) < 0) {
                /* ECHILD: reaped by someone else, how it ended is lost. */
                if (errno != ECHILD)
                        return;
                si = (siginfo_t) { .si_code = CLD_KILLED, .si_status = 0 };
        } else if (si.si_pid == 0)
                return;
        h->pid = 0;
        event_del(h->exit_ev);

        if (h->done) {
                /* Exited without a word. Anything it sent is still queued
                 * on the socket: read that first. */
                if (h->sock >= 0 && recv(h->sock, msg, 1, MSG_PEEK | MSG_DONTWAIT) > 0)
                        return;
                launch_exit_message(&si, "helper", msg, sizeof(msg));
                report(h, -ECHILD, msg, NULL);
        }
        maybe_free(h);
}

static int format_idmap(const struct nsk_idmap *m, unsigned n, char *buf, size_t size)
{
        size_t len = 0;

        buf[0] = '\0';
        for (unsigned i = 0; i < n; i++) {
                int k = snprintf(buf + len, size - len, "%u %u %u\n", m[i].inside, m[i].outside,
                                 m[i].count);
                if (k < 0 || (size_t) k >= size - len)
                        return -ENAMETOOLONG;
                len += (size_t) k;
        }
        return 0;
}

/* Writes one /proc/PID file of the helper, all in one write(2) as the
 * kernel wants for maps. */
static int write_proc(pid_t pid, const char *file, const char *text)
{
        char path[64];
        _cleanup_close_ int fd = -EBADF;
        size_t len = strlen(text);

        snprintf(path, sizeof(path), "/proc/%d/%s", (int) pid, file);
        fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return negative_errno();
        if (write(fd, text, len) != (ssize_t) len)
                return errno > 0 ? -errno : -EIO;
        return 0;
}

/* The helper is our unreaped child, so its pid cannot be reused while
 * we write. setgroups goes first: after gid_map it cannot change. */
static void write_maps(struct helper *h)
{
        const struct nsk_settings *s = h->settings;
        char text[NSK_IDMAP_MAX * 40];
        struct helper_msg go = { .phase = PHASE_GO };
        int r = 0;
        const char *what = "setgroups";

        if (s->setgroups_deny)
                r = write_proc(h->proc_pid, "setgroups", "deny");
        if (r >= 0 && s->n_uid_map > 0) {
                what = "uid_map";
                r = format_idmap(s->uid_map, s->n_uid_map, text, sizeof(text));
                if (r >= 0)
                        r = write_proc(h->proc_pid, "uid_map", text);
        }
        if (r >= 0 && s->n_gid_map > 0) {
                what = "gid_map";
                r = format_idmap(s->gid_map, s->n_gid_map, text, sizeof(text));
                if (r >= 0)
                        r = write_proc(h->proc_pid, "gid_map", text);
        }
        if (r < 0) {
                fail(h, r, what);
                return;
        }
        if (send(h->sock, &go, sizeof(go), MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
                fail(h, negative_errno(), "helper");
                return;
        }
        h->wait = WAIT_DONE;
}

static void take_result(struct helper *h, const struct helper_msg *m, int *received, size_t n)
{
        struct helper_result res;
        char msg[128];
        int r;

        r = launch_take_result(h->types, m, received, n, &res, msg, sizeof(msg));
        if (r < 0)
                fail(h, r, msg);
        else
                report(h, 0, NULL, &res);
}

static void on_message(evutil_socket_t fd, short what, void *userdata)
{
        struct helper *h = userdata;
        struct helper_msg m;
        int received[FDPASS_MAX];
        size_t n = 0;
        char msg[160];
        ssize_t k;

        k = fdpass_recv(h->sock, &m, sizeof(m), received, FDPASS_MAX, &n);
        if (k == -EAGAIN || k == -EINTR)
                return;
        if (k == 0) {
                /* Closed without a word: on_exit_cb reports. */
                event_del(h->sock_ev);
                return;
        }
        if (k != (ssize_t) sizeof(m)) {
                if (k > 0)
                        close_many(received, n);
                fail(h, -EPROTO, "malformed message from helper");
                maybe_free(h);
                return;
        }

        if (h->wait == WAIT_USERNS && m.phase == PHASE_USERNS && n == 0)
                write_maps(h);
        else if (m.phase == PHASE_DONE && m.error != 0) {
                close_many(received, n);
                launch_step_message(&m, h->settings, msg, sizeof(msg));
                fail(h, m.error > 0 ? -m.error : -EIO, msg);
        } else if (h->wait == WAIT_DONE && m.phase == PHASE_DONE)
                take_result(h, &m, received, n);
        else {
                close_many(received, n);
                fail(h, -EPROTO, "unexpected message from helper");
        }
        maybe_free(h);
}

static void on_timeout(evutil_socket_t fd, short what, void *userdata)
{
        struct helper *h = userdata;

        log_warning("helper %d did not finish within %d s; killing it", (int) h->pid,
                    HELPER_TIMEOUT_SEC);
        fail(h, -ETIMEDOUT, "helper timed out");
        maybe_free(h);
}

struct helpers *helpers_new(struct event_base *base)
{
        struct helpers *hs = calloc(1, sizeof(*hs));

        if (!hs)
                return NULL;
        hs->base = base;
        hs->maker = maker_new(base);
        if (!hs->maker)
                return mfree(hs);
        return hs;
}

int helper_start(struct helpers *hs, const char *name, nsk_type_mask_t types,
                 const struct nsk_settings *settings, uid_t uid, gid_t gid, helper_done_fn done,
                 void *userdata)
{
        struct event_base *base = hs->base;
        const struct timeval timeout = { .tv_sec = HELPER_TIMEOUT_SEC };
        struct spawned sp;
        struct helper *h;
        int r;

        /* Root's sets of the types that need no process of their own are
         * made in place, without one (maker.h). */
        if (maker_can(hs->maker, types, uid, gid)) {
                r = maker_make(hs->maker, name, types, settings, done, userdata);
                if (r != -EAGAIN)
                        return r;
        }
        h = calloc(1, sizeof(*h));
        if (!h)
                return -ENOMEM;
        h->pidfd = h->sock = -EBADF;
        h->types = types;
        h->settings = settings;
        h->wait = types & NSK_TYPE_BIT(NSK_TYPE_USER) ? WAIT_USERNS : WAIT_DONE;
        h->done = done;
        h->userdata = userdata;
        h->hs = hs;
        h->next = hs->list;
        if (hs->list)
                hs->list->prev = h;
        hs->list = h;
        hs->count++;

        (void) launch_request(name, types, settings, uid, gid);
        r = launch(&sp);
        if (r < 0) {
                helper_free(h);
                return r;
        }
        h->pid = sp.pid;
        h->proc_pid = sp.proc_pid;
        h->pidfd = sp.pidfd;
        h->sock = sp.sock;

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

struct helpers *helpers_free(struct helpers *hs)
{
        if (!hs)
                return NULL;
        while (hs->list) {
                struct helper *h = hs->list;

                if (h->pid > 0) {
                        (void) pidfd_send_signal(h->pidfd, SIGKILL, NULL, 0);
                        (void) waitid(P_PIDFD, (id_t) h->pidfd, &(siginfo_t) {}, WEXITED);
                        h->pid = 0;
                }
                report(h, -ECANCELED, "daemon is stopping", NULL);
                helper_free(h);
        }
        maker_free(hs->maker);
        free(hs);
        return NULL;
}

bool helpers_tracks(const struct helpers *hs, pid_t pid)
{
        if (maker_tracks(hs->maker, pid))
                return true;
        for (const struct helper *h = hs->list; h; h = h->next)
                if (h->pid == pid)
                        return true;
        return false;
}

unsigned helpers_count(const struct helpers *hs)
{
        return hs->count + maker_pending(hs->maker);
}

int helpers_pool(struct helpers *hs, const struct rundir *rd, nsk_type_mask_t types, unsigned n)
{
        return maker_pool(hs->maker, rd, types, n);
}
