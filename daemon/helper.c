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
#include <sys/mman.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "fdpass.h"
#include "helper-child.h"
#include "helper-proto.h"
#include "helper.h"
#include "log.h"
#include "pidfd-util.h"
#include "spawn-proto.h"
#include "spawner.h"

#define HELPER_TIMEOUT_SEC 30

static const char *const step_names[STEP_MAX] = {
        [STEP_CREDENTIALS] = "drop privileges",
        [STEP_UNSHARE] = "unshare",
        [STEP_PROPAGATION] = "mount propagation",
        [STEP_HOSTNAME] = "hostname",
        [STEP_DOMAINNAME] = "domainname",
        [STEP_LOOPBACK] = "loopback up",
        [STEP_SYSCTL] = "sysctl",
        [STEP_TIME_OFFSETS] = "time offsets",
        [STEP_KEEPER] = "start pid namespace init",
        [STEP_PROC] = "mount /proc",
        [STEP_OPEN] = "open",
        [STEP_SEND] = "send",
        [STEP_KEEPER_PRIVILEGES] = "drop the pid namespace init's privileges",
};

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
};

/* Process-wide by nature, so not in struct helpers: */
/* The heap from here up holds only what the daemon allocated since it
 * started (helper_init); 0: unknown, nothing is left out of a fork. */
static uintptr_t heap_lo;

/* What the next helper is to make, flat: sent to a helper the spawner
 * made, or read by a helper the daemon forks. Up to 17 KiB, so off the
 * event loop's stack; outside the heap, which forks do not get (see
 * heap_wipe_on_fork). */
static struct helper_start start;

void helper_result_close(struct helper_result *r)
{
        close_many(r->fds, NSK_TYPE_MAX);
        r->keeper_pidfd = safe_close(r->keeper_pidfd);
        r->keeper_lifeline = safe_close(r->keeper_lifeline);
}

void helper_result_init(struct helper_result *r)
{
        for (int t = 0; t < NSK_TYPE_MAX; t++)
                r->fds[t] = -EBADF;
        r->keeper_pid = 0;
        r->keeper_pidfd = r->keeper_lifeline = -EBADF;
}

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
                if (si.si_code == CLD_EXITED)
                        snprintf(msg, sizeof(msg), "helper exited with status %d", si.si_status);
                else if (si.si_status > 0)
                        snprintf(msg, sizeof(msg), "helper killed by signal %d", si.si_status);
                else
                        snprintf(msg, sizeof(msg), "helper ended");
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
        size_t i = 0, want = nsk_type_mask_count(h->types);
        char msg[128];

        helper_result_init(&res);
        /* A keeper comes with its pidfd and the write end of its lifeline. */
        if (m->keeper_pid > 0)
                want += 2;
        if (n != want || ((h->types & NSK_TYPE_BIT(NSK_TYPE_PID)) != 0) != (m->keeper_pid > 0)) {
                close_many(received, n);
                fail(h, -EPROTO, "helper sent the wrong number of fds");
                return;
        }
        /* One fd per requested type, in table order, each really of that
         * type: check, never trust. */
        for (int t = 0; t < NSK_TYPE_MAX; t++) {
                if (!(h->types & NSK_TYPE_BIT(t)))
                        continue;
                if (nsk_type_check_fd(received[i], t) < 0) {
                        close_many(received, n);
                        helper_result_close(&res);
                        snprintf(msg, sizeof(msg), "helper sent no valid %s namespace",
                                 nsk_type_name(t));
                        fail(h, -EPROTO, msg);
                        return;
                }
                res.fds[t] = TAKE_FD(received[i]);
                i++;
        }
        if (m->keeper_pid > 0) {
                res.keeper_pid = m->keeper_pid;
                res.keeper_pidfd = TAKE_FD(received[i]);
                i++;
                if (i < n)
                        res.keeper_lifeline = TAKE_FD(received[i]);
                /* A pidfd answers signal 0; anything else does not. */
                if (pidfd_send_signal(res.keeper_pidfd, 0, NULL, 0) < 0) {
                        helper_result_close(&res);
                        fail(h, -EPROTO, "helper sent no valid keeper");
                        return;
                }
        }
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
                int step = m.step >= 0 && m.step < STEP_MAX ? m.step : STEP_UNSHARE;

                close_many(received, n);
                if (step == STEP_SYSCTL && m.detail >= 0 &&
                    (unsigned) m.detail < h->settings->n_sysctls)
                        snprintf(msg, sizeof(msg), "sysctl %.128s", h->settings->sysctls[m.detail]);
                else
                        snprintf(msg, sizeof(msg), "%s%s%s", step_names[step],
                                 m.detail >= 0 && m.detail < NSK_TYPE_MAX ? " " : "",
                                 m.detail >= 0 && m.detail < NSK_TYPE_MAX ? nsk_type_name(m.detail)
                                                                          : "");
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

static uintptr_t page_up(uintptr_t a)
{
        uintptr_t page = (uintptr_t) sysconf(_SC_PAGESIZE);

        return (a + page - 1) & ~(page - 1);
}

void helper_init(void)
{
        heap_lo = page_up((uintptr_t) sbrk(0));
}

/* fork(2) copies the page tables of the whole heap and write-protects it
 * (the daemon then faults on each page it writes), and the helper's exit
 * unmaps it again: a cost that grew with the number of sets. A helper
 * needs nothing the daemon allocated (only `start`), so the part
 * of the heap allocated since the start is left out: MADV_WIPEONFORK
 * gives a child zero pages there instead (madvise(2)), and so no copy
 * nor fault; keepers, forks of helpers, hold none of it either. Not
 * MADV_DONTFORK: glibc's fork() writes to a block of its own in the
 * child (its NSS state, once the daemon looked up a user), which must
 * stay mapped. Again at every fork: the heap grows into new mappings
 * that lack the flag. malloc'd blocks that got mappings of their own
 * (mallopt(3), M_MMAP_THRESHOLD) are still copied, and so is the fd table. */
static void heap_wipe_on_fork(void)
{
        static bool warned;
        uintptr_t hi;

        if (heap_lo == 0)
                return;
        hi = page_up((uintptr_t) sbrk(0));
        if (hi <= heap_lo)
                return;
        if (madvise((void *) heap_lo, hi - heap_lo, MADV_WIPEONFORK) < 0 && !warned) {
                /* Not fatal: helpers then get a copy, as any fork would. */
                log_debug("madvise(MADV_WIPEONFORK) on the heap: %s; helpers get a copy of it",
                          strerror(errno));
                warned = true;
        }
}

static void start_fill(const char *name, nsk_type_mask_t types, const struct nsk_settings *settings,
                       uid_t uid, gid_t gid)
{
        unsigned n = settings->n_sysctls < NSK_SYSCTL_MAX ? settings->n_sysctls : NSK_SYSCTL_MAX;

        memset(&start, 0, helper_start_size(n));
        start.abi = SPAWN_ABI;
        start.size = (uint32_t) helper_start_size(n);
        start.types = types;
        start.uid = uid;
        start.gid = gid;
        snprintf(start.name, sizeof(start.name), "%s", name);
        start.settings = *settings;
        start.settings.sysctls = NULL;
        start.settings.n_sysctls = n;
        for (unsigned i = 0; i < n; i++)
                snprintf(start.sysctls[i], sizeof(start.sysctls[i]), "%s", settings->sysctls[i]);
}

/* A helper from the spawner, sent `start`. Sets h->pid, h->pidfd and
 * h->sock; -ENOTCONN without a spawner. */
static int helper_spawn(struct helper *h)
{
        struct spawned sp;
        int r;

        /* A waiting helper may have died meanwhile (its socket says so):
         * the reaper has it; take the next. */
        for (int tries = 0; tries < 4; tries++) {
                r = spawner_take(&sp);
                if (r < 0)
                        return r;
                if (send(sp.sock, &start, start.size, MSG_NOSIGNAL | MSG_DONTWAIT) ==
                    (ssize_t) start.size) {
                        h->pid = sp.pid;
                        h->proc_pid = sp.proc_pid;
                        h->pidfd = sp.pidfd;
                        h->sock = sp.sock;
                        return 0;
                }
                r = negative_errno();
                safe_close(sp.sock);
                safe_close(sp.pidfd);
        }
        return r;
}

/* Without a spawner: forks the helper from the daemon itself, to make
 * `start`. Sets h->pid and h->pidfd; sv[1] is left to the caller. */
static int helper_fork(struct helper *h, const int sv[2])
{
        pid_t self = getpid(), pid;
        int pidfd;

        heap_wipe_on_fork();
        pid = fork();
        if (pid < 0)
                return negative_errno();
        if (pid == 0) {
                static const int handled[] = { SIGCHLD, SIGTERM, SIGINT, SIGHUP };
                sigset_t none;

                /* libevent's handlers write to an fd of the daemon's, whose
                 * number the helper soon reuses for something else. */
                for (size_t i = 0; i < ELEMENTSOF(handled); i++)
                        (void) signal(handled[i], SIG_DFL);
                sigemptyset(&none);
                (void) sigprocmask(SIG_SETMASK, &none, NULL);
                /* Keep only the socket, as fd 3. */
                if ((sv[1] != 3 && dup3(sv[1], 3, O_CLOEXEC) < 0) || close_range(4, ~0U, 0) < 0)
                        _exit(1);
                helper_child_start(3, &start, start.size, self);
        }

        pidfd = pidfd_open(pid, 0);
        if (pidfd < 0) {
                int r = negative_errno();
                (void) kill(pid, SIGKILL);
                (void) waitpid(pid, NULL, 0);
                return r;
        }
        h->pid = pid;
        h->pidfd = pidfd;
        if (pidfd_pids(pidfd, &h->proc_pid, NULL) < 0)
                h->proc_pid = pid;
        return 0;
}

struct helpers *helpers_new(struct event_base *base)
{
        struct helpers *hs = calloc(1, sizeof(*hs));

        if (hs)
                hs->base = base;
        return hs;
}

int helper_start(struct helpers *hs, const char *name, nsk_type_mask_t types,
                 const struct nsk_settings *settings, uid_t uid, gid_t gid, helper_done_fn done,
                 void *userdata)
{
        struct event_base *base = hs->base;
        const struct timeval timeout = { .tv_sec = HELPER_TIMEOUT_SEC };
        struct helper *h;
        int sv[2], r;

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

        start_fill(name, types, settings, uid, gid);
        r = helper_spawn(h);
        if (r == -ENOTCONN) {
                if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
                        r = negative_errno();
                        helper_free(h);
                        return r;
                }
                r = helper_fork(h, sv);
                safe_close(sv[1]);
                if (r < 0)
                        safe_close(sv[0]);
                else
                        h->sock = sv[0];
        }
        if (r < 0) {
                helper_free(h);
                return r;
        }
        (void) fcntl(h->sock, F_SETFL, O_NONBLOCK);

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
        free(hs);
        return NULL;
}

bool helpers_tracks(const struct helpers *hs, pid_t pid)
{
        for (const struct helper *h = hs->list; h; h = h->next)
                if (h->pid == pid)
                        return true;
        return false;
}

unsigned helpers_count(const struct helpers *hs)
{
        return hs->count;
}
