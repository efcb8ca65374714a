/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The daemon's side of the maker (maker.h): a queue of creates sent to
 * it, answered in order on its socket. */

#include <signal.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "fdpass.h"
#include "log.h"
#include "maker.h"

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
};

/* --pool TYPES:N: sets of types made ahead, a create's for the taking. */
struct pool {
        struct maker *mk;
        nsk_type_mask_t types;
        unsigned size, n, asked;
        int (*sets)[NSK_TYPE_MAX]; /* n of size: each set's fds */
};

/* What a set made ahead for the pool has: no settings at all. */
static const struct nsk_settings plain_settings;

struct maker {
        struct event_base *base;
        pid_t pid; /* 0: none running */
        int pidfd, sock;
        struct event *sock_ev, *exit_ev, *timer_ev;
        struct job *head, **tail;
        unsigned pending;
        bool timed_out;
        struct pool pools[MAKER_POOLS_MAX];
        unsigned n_pools;
        struct job *handed; /* taken from the pool, answered on the next turn */
        struct event *handout_ev;
};

static void on_timeout(evutil_socket_t fd, short what, void *userdata);
static void on_handout(evutil_socket_t fd, short what, void *userdata);

struct maker *maker_new(struct event_base *base)
{
        struct maker *mk = calloc(1, sizeof(*mk));

        if (!mk)
                return NULL;
        *mk = (struct maker) { .base = base, .pidfd = -EBADF, .sock = -EBADF };
        mk->tail = &mk->head;
        mk->timer_ev = evtimer_new(base, on_timeout, mk);
        mk->handout_ev = event_new(base, -1, 0, on_handout, mk);
        if (!mk->timer_ev || !mk->handout_ev) {
                if (mk->timer_ev)
                        event_free(mk->timer_ev);
                return mfree(mk);
        }
        return mk;
}

bool maker_can(nsk_type_mask_t types, uid_t uid, gid_t gid)
{
        return uid == 0 && gid == 0 && types != 0 && (types & ~MAKER_TYPES) == 0;
}

static struct job *pop(struct maker *mk)
{
        struct job *j = mk->head;

        if (!j)
                return NULL;
        mk->head = j->next;
        if (!mk->head)
                mk->tail = &mk->head;
        mk->pending--;
        if (mk->pending == 0)
                evtimer_del(mk->timer_ev);
        else
                evtimer_add(mk->timer_ev, &(struct timeval) { .tv_sec = MAKER_TIMEOUT_SEC });
        return j;
}

/* Tells the owner of the oldest create how it went. */
static void answer(struct maker *mk, int error, const char *message, struct helper_result *res)
{
        struct job *j = pop(mk);
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
static void maker_kill(struct maker *mk)
{
        if (mk->pid > 0)
                (void) pidfd_send_signal(mk->pidfd, SIGKILL, NULL, 0);
}

/* The maker is reaped (or was never there): everything of it goes, and
 * every create in flight fails with error and message. */
static void maker_gone(struct maker *mk, int error, const char *message)
{
        if (mk->sock_ev)
                event_free(mk->sock_ev);
        if (mk->exit_ev)
                event_free(mk->exit_ev);
        mk->sock_ev = mk->exit_ev = NULL;
        mk->sock = safe_close(mk->sock);
        mk->pidfd = safe_close(mk->pidfd);
        mk->pid = 0;
        mk->timed_out = false;
        while (mk->head)
                answer(mk, error, message, NULL);
}

static void on_answer(struct maker *mk, const struct helper_msg *m, int *received, size_t n)
{
        struct helper_result res;
        char msg[160];
        int r;

        if (m->phase != PHASE_DONE) {
                close_many(received, n);
                answer(mk, -EPROTO, "unexpected message from the maker", NULL);
                maker_kill(mk);
        } else if (m->error != 0) {
                close_many(received, n);
                launch_step_message(m, mk->head->settings, msg, sizeof(msg));
                answer(mk, m->error > 0 ? -m->error : -EIO, msg, NULL);
        } else {
                r = launch_take_result(mk->head->types, m, received, n, &res, msg, sizeof(msg));
                if (r < 0) {
                        answer(mk, r, msg, NULL);
                        maker_kill(mk);
                } else
                        answer(mk, 0, NULL, &res);
        }
}

static void on_message(evutil_socket_t fd, short what, void *userdata)
{
        struct maker *mk = userdata;

        /* All that came: a burst of creates is answered in one go. */
        while (mk->sock >= 0) {
                struct helper_msg m;
                int received[FDPASS_MAX];
                size_t n = 0;
                ssize_t k;

                k = fdpass_recv(mk->sock, &m, sizeof(m), received, FDPASS_MAX, &n);
                if (k == -EINTR)
                        continue;
                if (k == -EAGAIN)
                        return;
                if (k == 0) {
                        /* Closed: its end (on_exit_cb) says the rest. */
                        event_del(mk->sock_ev);
                        return;
                }
                if (k == -EBADMSG && mk->head) {
                        /* Its fds were dropped (we are out of fds?): that
                         * set is lost, the maker is fine. */
                        answer(mk, -EMFILE, "cannot receive the namespaces (out of fds?)", NULL);
                        continue;
                }
                if (k < 0) {
                        log_error("cannot read from the maker (pid %d): %s; killing it",
                                  (int) mk->pid, strerror((int) -k));
                        event_del(mk->sock_ev);
                        maker_kill(mk);
                        return;
                }
                if (!mk->head) {
                        close_many(received, n);
                        log_error("the maker (pid %d) answered what nobody asked; killing it",
                                  (int) mk->pid);
                        maker_kill(mk);
                        return;
                }
                if (k != (ssize_t) sizeof(m)) {
                        if (k > 0)
                                close_many(received, n);
                        answer(mk, -EPROTO, "malformed message from the maker", NULL);
                        maker_kill(mk);
                        return;
                }
                on_answer(mk, &m, received, n);
        }
}

static void on_exit_cb(evutil_socket_t fd, short what, void *userdata)
{
        struct maker *mk = userdata;
        siginfo_t si = {};
        char msg[64], c;

        if (waitid(P_PIDFD, (id_t) mk->pidfd, &si, WEXITED | WNOHANG) < 0) {
                /* ECHILD: reaped by someone else, how it ended is lost. */
                if (errno != ECHILD)
                        return;
                si = (siginfo_t) { .si_code = CLD_KILLED, .si_status = 0 };
        } else if (si.si_pid == 0)
                return;
        /* What it answered before it ended counts. */
        if (mk->head && mk->sock >= 0 && recv(mk->sock, &c, 1, MSG_PEEK | MSG_DONTWAIT) > 0)
                on_message(mk->sock, EV_READ, mk);
        if (mk->timed_out)
                snprintf(msg, sizeof(msg), "the maker timed out");
        else
                launch_exit_message(&si, "the maker", msg, sizeof(msg));
        if (mk->head || si.si_code != CLD_EXITED || si.si_status != 0)
                log_warning("%s (pid %d)%s", msg, (int) mk->pid,
                            mk->head ? "; the creates it was making fail" : "");
        maker_gone(mk, mk->timed_out ? -ETIMEDOUT : -ECHILD, msg);
}

static void on_timeout(evutil_socket_t fd, short what, void *userdata)
{
        struct maker *mk = userdata;

        log_warning("the maker (pid %d) did not answer within %d s; killing it", (int) mk->pid,
                    MAKER_TIMEOUT_SEC);
        mk->timed_out = true;
        maker_kill(mk);
}

/* A new maker, sent the request launch_request() holds as its first. */
static int maker_start(struct maker *mk)
{
        struct spawned sp;
        int r;

        r = launch(&sp);
        if (r < 0)
                return r;
        mk->pid = sp.pid;
        mk->pidfd = sp.pidfd;
        mk->sock = sp.sock;
        mk->sock_ev = event_new(mk->base, mk->sock, EV_READ | EV_PERSIST, on_message, mk);
        mk->exit_ev = event_new(mk->base, mk->pidfd, EV_READ | EV_PERSIST, on_exit_cb, mk);
        if (!mk->sock_ev || !mk->exit_ev || event_add(mk->sock_ev, NULL) < 0 ||
            event_add(mk->exit_ev, NULL) < 0) {
                (void) pidfd_send_signal(mk->pidfd, SIGKILL, NULL, 0);
                (void) waitid(P_PIDFD, (id_t) mk->pidfd, &(siginfo_t) {}, WEXITED);
                maker_gone(mk, -ECANCELED, "out of memory");
                return -ENOMEM;
        }
        log_debug("the maker started as process %d", (int) mk->pid);
        return 0;
}

/* Sends a set to make (the maker started if none runs), answered later
 * through done. -EAGAIN: too much in flight, or its socket is full. */
static int submit(struct maker *mk, const char *name, nsk_type_mask_t types,
                  const struct nsk_settings *settings, helper_done_fn done, void *userdata)
{
        struct helper_start *st;
        struct job *j;
        int r;

        if (mk->pending >= MAKER_INFLIGHT_MAX)
                return -EAGAIN;
        j = calloc(1, sizeof(*j));
        if (!j)
                return -ENOMEM;
        *j = (struct job) {
                .types = types, .settings = settings, .done = done, .userdata = userdata
        };
        st = launch_request(name, types, settings, 0, 0);
        if (mk->pid == 0) {
                st->flags = HELPER_SERVE;
                r = maker_start(mk);
                if (r < 0) {
                        /* As a helper that cannot be started: this create
                         * fails, the next tries again. */
                        free(j);
                        return r;
                }
        } else if (send(mk->sock, st, st->size, MSG_NOSIGNAL | MSG_DONTWAIT) !=
                   (ssize_t) st->size) {
                /* A full socket: later. Anything else: it is broken. */
                if (errno != EAGAIN) {
                        log_warning("cannot send to the maker (pid %d): %s; killing it",
                                    (int) mk->pid, strerror(errno));
                        maker_kill(mk);
                }
                free(j);
                return -EAGAIN;
        }
        *mk->tail = j;
        mk->tail = &j->next;
        if (mk->pending++ == 0)
                evtimer_add(mk->timer_ev, &(struct timeval) { .tv_sec = MAKER_TIMEOUT_SEC });
        return 0;
}

static int pool_done(int error, const char *message, struct helper_result *res, void *userdata);

/* Asks for sets ahead until every pool is full or asked for. */
static void pool_fill(struct maker *mk)
{
        for (unsigned i = 0; i < mk->n_pools; i++) {
                struct pool *p = &mk->pools[i];

                while (p->n + p->asked < p->size &&
                       submit(mk, "", p->types, &plain_settings, pool_done, p) == 0)
                        p->asked++;
        }
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
                helper_result_init(&res);
                memcpy(res.fds, j->fds, sizeof(res.fds));
                (void) j->done(0, NULL, &res, j->userdata);
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
        *j = (struct job) { .done = done, .userdata = userdata, .next = mk->handed };
        memcpy(j->fds, p->sets[p->n], sizeof(j->fds));
        mk->handed = j;
        event_active(mk->handout_ev, EV_TIMEOUT, 0);
        pool_fill(mk);
        return 0;
}

int maker_pool(struct maker *mk, nsk_type_mask_t types, unsigned n)
{
        struct pool *p;

        for (unsigned i = 0; i < mk->n_pools; i++)
                if (mk->pools[i].types == types)
                        return -EEXIST;
        if (mk->n_pools == MAKER_POOLS_MAX)
                return -E2BIG;
        p = &mk->pools[mk->n_pools];
        *p = (struct pool) { .mk = mk, .types = types, .size = n };
        p->sets = calloc(n, sizeof(*p->sets));
        if (!p->sets)
                return -ENOMEM;
        mk->n_pools++;
        pool_fill(mk);
        return 0;
}

struct maker *maker_free(struct maker *mk)
{
        if (!mk)
                return NULL;
        if (mk->pid > 0) {
                (void) pidfd_send_signal(mk->pidfd, SIGKILL, NULL, 0);
                (void) waitid(P_PIDFD, (id_t) mk->pidfd, &(siginfo_t) {}, WEXITED);
        }
        maker_gone(mk, -ECANCELED, "daemon is stopping");
        while (mk->handed) {
                struct job *j = mk->handed;
                struct helper_result none;

                mk->handed = j->next;
                close_many(j->fds, NSK_TYPE_MAX);
                helper_result_init(&none);
                (void) j->done(-ECANCELED, "daemon is stopping", &none, j->userdata);
                free(j);
        }
        for (unsigned i = 0; i < mk->n_pools; i++) {
                for (unsigned k = 0; k < mk->pools[i].n; k++)
                        close_many(mk->pools[i].sets[k], NSK_TYPE_MAX);
                free(mk->pools[i].sets);
        }
        event_free(mk->handout_ev);
        event_free(mk->timer_ev);
        free(mk);
        return NULL;
}

bool maker_tracks(const struct maker *mk, pid_t pid)
{
        return mk->pid > 0 && mk->pid == pid;
}

unsigned maker_pending(const struct maker *mk)
{
        return mk->pending;
}
