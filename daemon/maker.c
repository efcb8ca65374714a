/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The daemon's side of the maker (maker.h): a queue of creates sent to
 * it, answered in order on its socket. */

#include <inttypes.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "fdpass.h"
#include "log.h"
#include "maker.h"
#include "nstype.h"
#include "pin.h"

/* No answer for this long while a create waits: the maker is stuck. */
#define MAKER_TIMEOUT_SEC 30
/* Creates sent and not answered, at most: each is a request of a few
 * KiB in the socket's buffer. More wait for helpers of their own. */
#define MAKER_INFLIGHT_MAX 32

struct job {
        struct job *next;
        nsk_type_mask_t types;
        const struct nsk_settings *settings;
        helper_done_fn done;
        void *userdata;
        int fds[NSK_TYPE_MAX]; /* a hand-out from the pool: its namespaces */
        uint64_t staged;       /* ... and its pins made ahead, if any */
};

/* --pool TYPES:N: sets of types made ahead, a create's for the taking. */
struct pool {
        struct maker *mk;
        nsk_type_mask_t types;
        unsigned size, n, asked;
        bool filling;              /* a burst of asks is under way */
        int (*sets)[NSK_TYPE_MAX]; /* n of size: each set's fds */
        uint64_t *staged;          /* n of size: each set's pins made ahead (pin.h), or 0 */
};

/* What a set made ahead for the pool has: no settings at all. */
static const struct nsk_settings plain_settings;

/* One maker process and the creates sent to it, answered in order. */
struct mproc {
        struct maker *mk;
        pid_t pid; /* 0: none running */
        int pidfd, sock;
        struct event *sock_ev, *exit_ev, *timer_ev;
        struct job *head, **tail;
        unsigned pending;
        bool timed_out;
};

/* Up to one maker process per CPU (MAKER_PROCS_MAX at most): a second
 * starts only while the first is at work, so one client at a time keeps
 * one, and creates in parallel get the kernel's parallelism. */
#define MAKER_PROCS_MAX 4

struct maker {
        struct event_base *base;
        nsk_type_mask_t types;   /* what it can make here */
        ino_t own[NSK_TYPE_MAX]; /* the daemon's own namespaces: never a set's */
        struct mproc procs[MAKER_PROCS_MAX];
        unsigned max_procs;
        struct pool pools[MAKER_POOLS_MAX];
        unsigned n_pools;
        struct job *handed, **handed_tail; /* taken from a pool, answered next turn */
        struct event *handout_ev;
        const struct rundir *rd; /* where pools' sets are pinned ahead */
        uint64_t last_staged;
};

/* Does the daemon hold capability cap (effective)? */
static bool have_capability(int cap)
{
        struct __user_cap_header_struct head = { .version = _LINUX_CAPABILITY_VERSION_3 };
        struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};

        if (syscall(SYS_capget, &head, data) < 0)
                return false;
        return data[cap / 32].effective & (1u << (cap % 32));
}

static void on_timeout(evutil_socket_t fd, short what, void *userdata);
static void on_handout(evutil_socket_t fd, short what, void *userdata);

struct maker *maker_new(struct event_base *base)
{
        struct maker *mk = calloc(1, sizeof(*mk));
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        bool ok;

        if (!mk)
                return NULL;
        mk->base = base;
        /* A maker goes back into its mount namespace with setns(2), which
         * takes CAP_SYS_CHROOT; without it (a unit's bounding set), mnt
         * sets get helpers of their own, which need not go back. */
        mk->types = MAKER_TYPES;
        if (!have_capability(CAP_SYS_CHROOT))
                mk->types &= ~NSK_TYPE_BIT(NSK_TYPE_MNT);
        for (int t = 0; t < NSK_TYPE_MAX; t++) {
                char path[64];
                struct stat st;

                snprintf(path, sizeof(path), "/proc/self/ns/%s", nsk_type_info(t)->proc);
                if ((mk->types & NSK_TYPE_BIT(t)) && stat(path, &st) == 0)
                        mk->own[t] = st.st_ino;
        }
        mk->handed_tail = &mk->handed;
        mk->max_procs = cpus < 1 ? 1 : cpus > MAKER_PROCS_MAX ? MAKER_PROCS_MAX : (unsigned) cpus;
        mk->handout_ev = event_new(base, -1, 0, on_handout, mk);
        ok = mk->handout_ev != NULL;
        for (unsigned i = 0; i < MAKER_PROCS_MAX; i++) {
                struct mproc *p = &mk->procs[i];

                *p = (struct mproc) { .mk = mk, .pidfd = -EBADF, .sock = -EBADF };
                p->tail = &p->head;
                p->timer_ev = evtimer_new(base, on_timeout, p);
                ok = ok && p->timer_ev;
        }
        if (!ok)
                return maker_free(mk);
        return mk;
}

bool maker_can(const struct maker *mk, nsk_type_mask_t types, uid_t uid, gid_t gid)
{
        return uid == 0 && gid == 0 && types != 0 && (types & ~mk->types) == 0;
}

static struct job *pop(struct mproc *p)
{
        struct job *j = p->head;

        if (!j)
                return NULL;
        p->head = j->next;
        if (!p->head)
                p->tail = &p->head;
        p->pending--;
        if (p->pending == 0)
                evtimer_del(p->timer_ev);
        else
                evtimer_add(p->timer_ev, &(struct timeval) { .tv_sec = MAKER_TIMEOUT_SEC });
        return j;
}

/* Tells the owner of the oldest create how it went. */
static void answer(struct mproc *p, int error, const char *message, struct helper_result *res)
{
        struct job *j = pop(p);
        struct helper_result none;

        if (!j)
                return;
        if (!res) {
                helper_result_init(&none);
                res = &none;
        }
        (void) j->done(error, message, res, j->userdata);
        free(j);
}

/* The maker is of no more use: killed, and its end (on_exit) fails
 * whatever is still in flight. */
static void maker_kill(struct mproc *p)
{
        if (p->pid > 0)
                (void) pidfd_send_signal(p->pidfd, SIGKILL, NULL, 0);
}

static int submit(struct maker *mk, const char *name, nsk_type_mask_t types,
                  const struct nsk_settings *settings, helper_done_fn done, void *userdata);

/* The maker is reaped (or was never there): everything of it goes. The
 * create it was making fails with error and message; with retry, those
 * sent after it, which it never started, go to a maker again (nothing of
 * theirs was handed over: what it had made died with it), else they
 * fail too. */
static void maker_gone(struct mproc *p, int error, const char *message, bool retry)
{
        struct job *rest;

        if (p->sock_ev)
                event_free(p->sock_ev);
        if (p->exit_ev)
                event_free(p->exit_ev);
        p->sock_ev = p->exit_ev = NULL;
        p->sock = safe_close(p->sock);
        p->pidfd = safe_close(p->pidfd);
        p->pid = 0;
        p->timed_out = false;
        if (p->head)
                answer(p, error, message, NULL);
        while (!retry && p->head)
                answer(p, error, message, NULL);
        rest = p->head;
        p->head = NULL;
        p->tail = &p->head;
        p->pending = 0;
        evtimer_del(p->timer_ev);
        while (rest) {
                struct job *j = rest;
                int r;

                rest = j->next;
                r = submit(p->mk, "", j->types, j->settings, j->done, j->userdata);
                if (r < 0) {
                        struct helper_result none;

                        helper_result_init(&none);
                        (void) j->done(r == -EAGAIN ? error : r, message, &none, j->userdata);
                }
                free(j);
        }
}

/* The maker changes namespaces in place: a set must never be given one
 * the daemon is in (a maker that had not gone back, or never left). */
static int check_new(const struct maker *mk, struct helper_result *res, char *msg, size_t size)
{
        for (int t = 0; t < NSK_TYPE_MAX; t++) {
                struct stat st;

                if (res->fds[t] < 0 || mk->own[t] == 0)
                        continue;
                if (fstat(res->fds[t], &st) < 0 || st.st_ino == mk->own[t]) {
                        helper_result_close(res);
                        snprintf(msg, size, "the maker sent the daemon's own %s namespace",
                                 nsk_type_name(t));
                        return -EPROTO;
                }
        }
        return 0;
}

static void on_answer(struct mproc *p, const struct helper_msg *m, int *received, size_t n)
{
        struct helper_result res;
        char msg[160];
        int r;

        if (m->phase != PHASE_DONE) {
                close_many(received, n);
                answer(p, -EPROTO, "unexpected message from the maker", NULL);
                maker_kill(p);
        } else if (m->error != 0) {
                close_many(received, n);
                launch_step_message(m, p->head->settings, msg, sizeof(msg));
                answer(p, m->error > 0 ? -m->error : -EIO, msg, NULL);
        } else {
                r = launch_take_result(p->head->types, m, received, n, &res, msg, sizeof(msg));
                if (r == 0)
                        r = check_new(p->mk, &res, msg, sizeof(msg));
                if (r < 0) {
                        answer(p, r, msg, NULL);
                        maker_kill(p);
                } else
                        answer(p, 0, NULL, &res);
        }
}

static void on_message(evutil_socket_t fd, short what, void *userdata)
{
        struct mproc *p = userdata;

        /* All that came, a burst of creates answered in one go; no read
         * that can only say EAGAIN once nothing is in flight. */
        do {
                struct helper_msg m;
                int received[FDPASS_MAX];
                size_t n = 0;
                ssize_t k;

                k = fdpass_recv(p->sock, &m, sizeof(m), received, FDPASS_MAX, &n);
                if (k == -EINTR)
                        continue;
                if (k == -EAGAIN)
                        return;
                if (k == 0) {
                        /* Closed: its end (on_exit_cb) says the rest. */
                        event_del(p->sock_ev);
                        return;
                }
                if (k == -EBADMSG && p->head) {
                        /* Its fds were dropped (we are out of fds?): that
                         * set is lost, the maker is fine. */
                        answer(p, -EMFILE, "cannot receive the namespaces (out of fds?)", NULL);
                        continue;
                }
                if (k < 0) {
                        log_error("cannot read from the maker (pid %d): %s; killing it",
                                  (int) p->pid, strerror((int) -k));
                        event_del(p->sock_ev);
                        maker_kill(p);
                        return;
                }
                if (!p->head) {
                        close_many(received, n);
                        log_error("the maker (pid %d) answered what nobody asked; killing it",
                                  (int) p->pid);
                        maker_kill(p);
                        return;
                }
                if (k != (ssize_t) sizeof(m)) {
                        if (k > 0)
                                close_many(received, n);
                        answer(p, -EPROTO, "malformed message from the maker", NULL);
                        maker_kill(p);
                        return;
                }
                on_answer(p, &m, received, n);
        } while (p->sock >= 0 && p->head);
}

static void on_exit_cb(evutil_socket_t fd, short what, void *userdata)
{
        struct mproc *p = userdata;
        siginfo_t si = {};
        char msg[64], c;

        if (waitid(P_PIDFD, (id_t) p->pidfd, &si, WEXITED | WNOHANG) < 0) {
                /* ECHILD: reaped by someone else, how it ended is lost. */
                if (errno != ECHILD)
                        return;
                si = (siginfo_t) { .si_code = CLD_KILLED, .si_status = 0 };
        } else if (si.si_pid == 0)
                return;
        /* What it answered before it ended counts. */
        if (p->head && p->sock >= 0 && recv(p->sock, &c, 1, MSG_PEEK | MSG_DONTWAIT) > 0)
                on_message(p->sock, EV_READ, p);
        if (p->timed_out)
                snprintf(msg, sizeof(msg), "the maker timed out");
        else
                launch_exit_message(&si, "the maker", msg, sizeof(msg));
        if (p->head || si.si_code != CLD_EXITED || si.si_status != 0)
                log_warning("%s (pid %d)%s", msg, (int) p->pid,
                            p->head ? "; the create it was making fails, those sent after it go to "
                                      "another"
                                    : "");
        maker_gone(p, p->timed_out ? -ETIMEDOUT : -ECHILD, msg, true);
}

static void on_timeout(evutil_socket_t fd, short what, void *userdata)
{
        struct mproc *p = userdata;

        log_warning("the maker (pid %d) did not answer within %d s; killing it", (int) p->pid,
                    MAKER_TIMEOUT_SEC);
        p->timed_out = true;
        maker_kill(p);
}

/* A new maker, sent the request launch_request() holds as its first. */
static int maker_start(struct mproc *p)
{
        struct spawned sp;
        int r;

        r = launch(&sp);
        if (r < 0)
                return r;
        p->pid = sp.pid;
        p->pidfd = sp.pidfd;
        p->sock = sp.sock;
        p->sock_ev = event_new(p->mk->base, p->sock, EV_READ | EV_PERSIST, on_message, p);
        p->exit_ev = event_new(p->mk->base, p->pidfd, EV_READ | EV_PERSIST, on_exit_cb, p);
        if (!p->sock_ev || !p->exit_ev || event_add(p->sock_ev, NULL) < 0 ||
            event_add(p->exit_ev, NULL) < 0) {
                (void) pidfd_send_signal(p->pidfd, SIGKILL, NULL, 0);
                (void) waitid(P_PIDFD, (id_t) p->pidfd, &(siginfo_t) {}, WEXITED);
                maker_gone(p, -ECANCELED, "out of memory", false);
                return -ENOMEM;
        }
        log_debug("the maker started as process %d", (int) p->pid);
        return 0;
}

/* The process to send the next create to: an idle one; else, while
 * there is room for one more, a new one; else the least busy. NULL if
 * all are full. */
static struct mproc *pick(struct maker *mk)
{
        struct mproc *best = NULL, *unused = NULL;

        for (unsigned i = 0; i < mk->max_procs; i++) {
                struct mproc *p = &mk->procs[i];

                if (p->pid == 0) {
                        if (!unused)
                                unused = p;
                        continue;
                }
                if (p->pending == 0)
                        return p;
                if (p->pending < MAKER_INFLIGHT_MAX && (!best || p->pending < best->pending))
                        best = p;
        }
        return unused ? unused : best;
}

/* Sends a set to make (a maker started if need be), answered later
 * through done. -EAGAIN: too much in flight, or a socket is full. */
static int submit(struct maker *mk, const char *name, nsk_type_mask_t types,
                  const struct nsk_settings *settings, helper_done_fn done, void *userdata)
{
        struct mproc *p = pick(mk);
        struct helper_start *st;
        struct job *j;
        int r;

        if (!p)
                return -EAGAIN;
        j = calloc(1, sizeof(*j));
        if (!j)
                return -ENOMEM;
        *j = (struct job) {
                .types = types, .settings = settings, .done = done, .userdata = userdata
        };
        st = launch_request(name, types, settings, 0, 0);
        if (p->pid == 0) {
                st->flags = HELPER_SERVE;
                r = maker_start(p);
                if (r < 0) {
                        /* As a helper that cannot be started: this create
                         * fails, the next tries again. */
                        free(j);
                        return r;
                }
        } else if (send(p->sock, st, st->size, MSG_NOSIGNAL | MSG_DONTWAIT) != (ssize_t) st->size) {
                /* A full socket: later. Anything else: it is broken. */
                if (errno != EAGAIN) {
                        log_warning("cannot send to the maker (pid %d): %s; killing it",
                                    (int) p->pid, strerror(errno));
                        maker_kill(p);
                }
                free(j);
                return -EAGAIN;
        }
        *p->tail = j;
        p->tail = &j->next;
        if (p->pending++ == 0)
                evtimer_add(p->timer_ev, &(struct timeval) { .tv_sec = MAKER_TIMEOUT_SEC });
        return 0;
}

static int pool_done(int error, const char *message, struct helper_result *res, void *userdata);

/* A pool down to half (or less) is filled again, in one burst: the
 * maker makes them back to back and the daemon takes their answers in a
 * few reads, not one exchange per create. */
static void pool_fill(struct maker *mk)
{
        for (unsigned i = 0; i < mk->n_pools; i++) {
                struct pool *p = &mk->pools[i];

                if (!p->filling && p->n + p->asked > p->size / 2)
                        continue;
                p->filling = true;
                while (p->n + p->asked < p->size &&
                       submit(mk, "", p->types, &plain_settings, pool_done, p) == 0)
                        p->asked++;
                /* Full or asked for: the burst is over. */
                if (p->n + p->asked >= p->size)
                        p->filling = false;
        }
}

/* Pins a set made ahead at once, so that the create that takes it has
 * only to rename its pins (pin.h): the id of their directory, or 0 if
 * they could not be made (that create pins them itself). */
static uint64_t stage(struct maker *mk, nsk_type_mask_t types, const int fds[NSK_TYPE_MAX])
{
        uint64_t id = ++mk->last_staged;
        int r;

        r = pin_stage(mk->rd, id, types, fds);
        if (r < 0) {
                log_warning("cannot pin a set made ahead for the pool: %s", strerror(-r));
                return 0;
        }
        return id;
}

static void unstage(struct maker *mk, uint64_t id, nsk_type_mask_t types)
{
        int r;

        if (id == 0)
                return;
        r = pin_unstage(mk->rd, id, types);
        if (r < 0)
                log_warning("cannot remove the pins made ahead in %s/ns/" PIN_STAGED_PREFIX
                            "%" PRIu64 ": %s",
                            mk->rd->path, id, strerror(-r));
}

/* A set made ahead goes into the pool. After a failure the pool is
 * filled again only at the next create: no loop of failures. */
static int pool_done(int error, const char *message, struct helper_result *res, void *userdata)
{
        struct pool *p = userdata;

        p->asked--;
        if (error < 0) {
                if (error != -ECANCELED)
                        log_warning("cannot make a set ahead for the pool: %s", message);
                return 0;
        }
        for (int t = 0; t < NSK_TYPE_MAX; t++)
                p->sets[p->n][t] = TAKE_FD(res->fds[t]);
        p->staged[p->n] = stage(p->mk, p->types, p->sets[p->n]);
        p->n++;
        pool_fill(p->mk);
        return 0;
}

/* Hand-outs are answered on the loop's next turn, as any create is:
 * never inside the call that asked. */
static void on_handout(evutil_socket_t fd, short what, void *userdata)
{
        struct maker *mk = userdata;

        while (mk->handed) {
                struct job *j = mk->handed;
                struct helper_result res;

                mk->handed = j->next;
                if (!mk->handed)
                        mk->handed_tail = &mk->handed;
                helper_result_init(&res);
                memcpy(res.fds, j->fds, sizeof(res.fds));
                res.staged = j->staged;
                (void) j->done(0, NULL, &res, j->userdata);
                /* Not taken (an fd-pinned set, a failed create): after
                 * the answer, which has gone out by now. */
                unstage(mk, res.staged, j->types);
                helper_result_close(&res);
                free(j);
        }
}

/* No setting at all: what a set made ahead has. */
static bool settings_plain(const struct nsk_settings *s)
{
        return !s->hostname[0] && !s->domainname[0] && s->n_sysctls == 0 && !s->no_loopback &&
               s->n_uid_map == 0 && s->n_gid_map == 0 && s->monotonic == 0 && s->boottime == 0 &&
               !s->setgroups_deny;
}

int maker_make(struct maker *mk, const char *name, nsk_type_mask_t types,
               const struct nsk_settings *settings, helper_done_fn done, void *userdata)
{
        struct pool *p = NULL;
        struct job *j;

        for (unsigned i = 0; i < mk->n_pools && settings_plain(settings); i++)
                if (mk->pools[i].types == types && mk->pools[i].n > 0)
                        p = &mk->pools[i];
        if (!p) {
                pool_fill(mk);
                return submit(mk, name, types, settings, done, userdata);
        }
        j = calloc(1, sizeof(*j));
        if (!j)
                return -ENOMEM;
        /* The freshest: what it copied (a hostname, mounts) is the least old. */
        p->n--;
        *j = (struct job) {
                .types = types, .done = done, .userdata = userdata, .staged = p->staged[p->n]
        };
        memcpy(j->fds, p->sets[p->n], sizeof(j->fds));
        *mk->handed_tail = j;
        mk->handed_tail = &j->next;
        event_active(mk->handout_ev, EV_TIMEOUT, 0);
        pool_fill(mk);
        return 0;
}

int maker_pool(struct maker *mk, const struct rundir *rd, nsk_type_mask_t types, unsigned n)
{
        struct pool *p;

        if (types & ~mk->types)
                return -EPERM;
        for (unsigned i = 0; i < mk->n_pools; i++)
                if (mk->pools[i].types == types)
                        return -EEXIST;
        if (mk->n_pools == MAKER_POOLS_MAX)
                return -E2BIG;
        p = &mk->pools[mk->n_pools];
        *p = (struct pool) { .mk = mk, .types = types, .size = n };
        p->sets = calloc(n, sizeof(*p->sets));
        p->staged = calloc(n, sizeof(*p->staged));
        if (!p->sets || !p->staged) {
                free(p->sets);
                free(p->staged);
                return -ENOMEM;
        }
        mk->rd = rd;
        mk->n_pools++;
        pool_fill(mk);
        return 0;
}

struct maker *maker_free(struct maker *mk)
{
        if (!mk)
                return NULL;
        for (unsigned i = 0; i < MAKER_PROCS_MAX; i++) {
                struct mproc *p = &mk->procs[i];

                if (p->pid > 0) {
                        (void) pidfd_send_signal(p->pidfd, SIGKILL, NULL, 0);
                        (void) waitid(P_PIDFD, (id_t) p->pidfd, &(siginfo_t) {}, WEXITED);
                }
                maker_gone(p, -ECANCELED, "daemon is stopping", false);
                if (p->timer_ev)
                        event_free(p->timer_ev);
        }
        while (mk->handed) {
                struct job *j = mk->handed;
                struct helper_result none;

                mk->handed = j->next;
                close_many(j->fds, NSK_TYPE_MAX);
                unstage(mk, j->staged, j->types);
                helper_result_init(&none);
                (void) j->done(-ECANCELED, "daemon is stopping", &none, j->userdata);
                free(j);
        }
        for (unsigned i = 0; i < mk->n_pools; i++) {
                struct pool *p = &mk->pools[i];

                for (unsigned k = 0; k < p->n; k++) {
                        close_many(p->sets[k], NSK_TYPE_MAX);
                        unstage(mk, p->staged[k], p->types);
                }
                free(p->sets);
                free(p->staged);
        }
        if (mk->handout_ev)
                event_free(mk->handout_ev);
        free(mk);
        return NULL;
}

bool maker_tracks(const struct maker *mk, pid_t pid)
{
        for (unsigned i = 0; i < MAKER_PROCS_MAX; i++)
                if (mk->procs[i].pid > 0 && mk->procs[i].pid == pid)
                        return true;
        return false;
}

unsigned maker_pending(const struct maker *mk)
{
        unsigned n = 0;

        for (unsigned i = 0; i < MAKER_PROCS_MAX; i++)
                n += mk->procs[i].pending;
        return n;
}
