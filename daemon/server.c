/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Control-socket server on libevent. One datagram is one request; the
 * replies of one client go out in order, through a queue when its socket
 * is full. */

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "access.h"
#include "fdpass.h"
#include "log.h"
#include "server.h"
#include "subid.h"

/* Bytes of replies a client may leave unread. Its own requests queue at
 * most one message at a time (client_send()); the rest is room for the
 * events of a monitor that reads more slowly than they come. */
#define CLIENT_QUEUE_MAX (4u * NSK_MSG_MAX)
#define CLIENT_QUEUE_FDS_MAX 64 /* namespace fds held for it meanwhile */
#define READS_PER_WAKEUP 16     /* fairness between busy clients */
#define ACCEPT_BACKOFF_MS 200   /* after EMFILE and the like */
/* Connections only root may open past --max-clients: whatever others
 * hold (monitors never time out), root can always get in and be served. */
#define ROOT_RESERVE 16

struct outmsg {
        struct outmsg *next;
        size_t len;
        size_t n_fds;
        int fds[FDPASS_MAX];
        uint8_t data[];
};

struct client {
        struct client *next, *prev;
        struct server *srv;
        unsigned refs;
        int fd;
        struct ucred cred;
        uid_t account; /* whom its use counts for (subid_owner()): 0 for root */
        struct event *read_ev, *write_ev, *idle_ev;
        struct outmsg *out_head, *out_tail;
        size_t out_bytes, out_fds;
        bool out_progress; /* something was sent since the idle timer last fired */
        bool keep_open;
        bool reading;   /* read_ev is added: nothing queued, no reply to resume */
        bool in_resume; /* resume() runs: its data stays until it returns */
        client_resume_fn resume;
        void *resume_data;
        void (*resume_free)(void *);
};

struct server {
        struct event_base *base;
        int listen_fd;
        char *unlink_path;
        struct event *listen_ev, *backoff_ev;
        struct client *clients;
        unsigned n_clients, n_others; /* all, and those not root's */
        const struct config *cfg;
        struct server_handlers handlers;
        void *userdata;
};

/* One receive buffer for the whole daemon: it is single-threaded and a
 * request is handled before the next is read. */
static uint8_t request_buf[NSK_MSG_MAX];

int server_listen(const char *path, const struct config *cfg, int *ret_fd)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        _cleanup_close_ int fd = -EBADF;
        struct stat st;
        mode_t old;
        int r;

        if (strlen(path) >= sizeof(sa.sun_path))
                return log_error_errno(-ENAMETOOLONG, "socket path %s is too long", path);
        strcpy(sa.sun_path, path);

        fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return log_error_errno(negative_errno(), "socket: %m");

        if (lstat(path, &st) == 0) {
                _cleanup_close_ int probe = -EBADF;

                if (!S_ISSOCK(st.st_mode))
                        return log_error_errno(-EEXIST,
                                               "%s exists and is not a socket; not replacing it",
                                               path);
                probe = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
                if (probe >= 0 && connect(probe, (struct sockaddr *) &sa, sizeof(sa)) == 0)
                        return log_error_errno(-EADDRINUSE, "another nskeeperd is listening on %s",
                                               path);
                if (unlink(path) < 0 && errno != ENOENT)
                        return log_error_errno(negative_errno(),
                                               "cannot remove stale socket %s: %m", path);
        }

        /* Connecting needs write permission on the socket file: 0600, root
         * only, or 0660 for --group, made so by bind() itself. The group is
         * root's until it is handed over, without following a symlink (the
         * directory is root's alone, main.c checks). */
        old = umask(cfg->have_group ? 0117 : 0177);
        r = bind(fd, (struct sockaddr *) &sa, sizeof(sa));
        umask(old);
        if (r < 0)
                return log_error_errno(negative_errno(), "cannot bind %s: %m", path);
        if (cfg->have_group && lchown(path, 0, cfg->group) < 0) {
                r = log_error_errno(negative_errno(), "cannot give %s to group %u: %m", path,
                                    (unsigned) cfg->group);
                (void) unlink(path);
                return r;
        }
        if (listen(fd, SOMAXCONN) < 0)
                return log_error_errno(negative_errno(), "cannot listen on %s: %m", path);

        *ret_fd = TAKE_FD(fd);
        return 0;
}

unsigned server_client_count(const struct server *srv)
{
        return srv->n_clients;
}

struct client *client_ref(struct client *c)
{
        c->refs++;
        return c;
}

static void outmsg_free(struct outmsg *m)
{
        close_many(m->fds, m->n_fds);
        free(m);
}

static void resume_clear(struct client *c)
{
        if (c->resume_free)
                c->resume_free(c->resume_data);
        c->resume = NULL;
        c->resume_data = NULL;
        c->resume_free = NULL;
}

/* Closes the connection and drops its reference; the memory stays while
 * other references (a create in flight) remain. */
static void client_close(struct client *c)
{
        struct server *srv = c->srv;

        if (c->fd < 0)
                return;
        if (c->read_ev)
                event_free(c->read_ev);
        if (c->write_ev)
                event_free(c->write_ev);
        if (c->idle_ev)
                event_free(c->idle_ev);
        c->read_ev = c->write_ev = c->idle_ev = NULL;
        c->reading = false;
        c->fd = safe_close(c->fd);
        if (!c->in_resume)
                resume_clear(c);
        while (c->out_head) {
                struct outmsg *m = c->out_head;
                c->out_head = m->next;
                outmsg_free(m);
        }
        c->out_tail = NULL;
        c->out_bytes = c->out_fds = 0;

        if (c->next)
                c->next->prev = c->prev;
        if (c->prev)
                c->prev->next = c->next;
        else
                srv->clients = c->next;
        c->next = c->prev = NULL;
        /* Room again for the one we may have stopped accepting. */
        if (srv->n_clients-- == srv->cfg->max_clients + ROOT_RESERVE && srv->listen_ev)
                (void) event_add(srv->listen_ev, NULL);
        if (c->account != 0)
                srv->n_others--;
        log_debug("client pid %d: disconnected", (int) c->cred.pid);
        srv->handlers.on_close(c, srv->userdata);
        client_unref(c);
}

struct client *client_unref(struct client *c)
{
        /* The open connection holds a reference, so c->fd < 0 here. */
        if (c && --c->refs == 0)
                free(c);
        return NULL;
}

bool client_alive(const struct client *c)
{
        return c->fd >= 0;
}

const struct ucred *client_cred(const struct client *c)
{
        return &c->cred;
}

uid_t client_account(const struct client *c)
{
        return c->account;
}

/* Requests are read only while nothing waits to go out: the socket's
 * own buffer is then the back-pressure on a client that sends faster than
 * it reads. */
static void update_reading(struct client *c)
{
        bool want = c->fd >= 0 && !c->out_head && !c->resume;

        if (want == c->reading || !c->read_ev)
                return;
        if (want ? event_add(c->read_ev, NULL) == 0 : event_del(c->read_ev) == 0)
                c->reading = want;
}

bool client_busy(const struct client *c)
{
        return c->out_head != NULL;
}

void client_set_resume(struct client *c, client_resume_fn fn, void *userdata,
                       void (*free_fn)(void *))
{
        if (c->fd < 0) {
                free_fn(userdata);
                return;
        }
        c->resume = fn;
        c->resume_data = userdata;
        c->resume_free = free_fn;
        update_reading(c);
}

/* The queue drained: the rest of a long reply, if one waits, else the
 * next request. */
static void resume_reply(struct client *c)
{
        int r;

        client_ref(c);
        if (c->resume) {
                /* Its data may not go while it runs, even if a send in it
                 * ends the connection (client_close() leaves it to us). */
                c->in_resume = true;
                r = c->resume(c, c->resume_data);
                c->in_resume = false;
                if (r <= 0 || !client_alive(c))
                        resume_clear(c);
        }
        if (client_alive(c))
                update_reading(c);
        client_unref(c);
}

static void flush_queue(struct client *c)
{
        while (c->out_head) {
                struct outmsg *m = c->out_head;
                int r = fdpass_send(c->fd, m->data, m->len, m->fds, m->n_fds);

                if (r == -EAGAIN || r == -EINTR)
                        break;
                if (r < 0) {
                        log_debug("client pid %d: send failed: %s", (int) c->cred.pid,
                                  strerror(-r));
                        client_close(c);
                        return;
                }
                c->out_head = m->next;
                c->out_bytes -= sizeof(*m) + m->len;
                c->out_fds -= m->n_fds;
                c->out_progress = true;
                outmsg_free(m);
        }
        if (!c->out_head) {
                c->out_tail = NULL;
                event_del(c->write_ev);
                resume_reply(c);
        } else
                (void) event_add(c->write_ev, NULL);
}

int client_send(struct client *c, const void *buf, size_t len, int *fds, size_t n_fds)
{
        struct outmsg *m;
        int r;

        if (c->fd < 0) {
                close_many(fds, n_fds);
                return -ENOTCONN;
        }
        if (!c->out_head) {
                r = fdpass_send(c->fd, buf, len, fds, n_fds);
                if (r != -EAGAIN && r != -EINTR) {
                        close_many(fds, n_fds);
                        if (r < 0) {
                                log_debug("client pid %d: send failed: %s", (int) c->cred.pid,
                                          strerror(-r));
                                client_close(c);
                        }
                        return r;
                }
        }

        /* Every queued fd is a namespace the daemon holds for the client:
         * few of them, and not many bytes either. */
        if (c->out_bytes + sizeof(*m) + len > CLIENT_QUEUE_MAX || n_fds > FDPASS_MAX ||
            c->out_fds + n_fds > CLIENT_QUEUE_FDS_MAX) {
                log_notice("client pid %d (uid %u) does not read its replies; dropping it",
                           (int) c->cred.pid, (unsigned) c->cred.uid);
                close_many(fds, n_fds);
                client_close(c);
                return -ENOBUFS;
        }
        m = malloc(sizeof(*m) + len);
        if (!m) {
                close_many(fds, n_fds);
                client_close(c);
                return -ENOMEM;
        }
        m->next = NULL;
        m->len = len;
        m->n_fds = n_fds;
        if (n_fds > 0) /* fds may be NULL: memcpy(3) from NULL is undefined */
                memcpy(m->fds, fds, n_fds * sizeof(int));
        memcpy(m->data, buf, len);
        if (c->out_tail)
                c->out_tail->next = m;
        else
                c->out_head = m;
        c->out_tail = m;
        c->out_bytes += sizeof(*m) + len;
        c->out_fds += n_fds;
        (void) event_add(c->write_ev, NULL);
        update_reading(c);
        return 0;
}

static void on_client_write(evutil_socket_t fd, short what, void *userdata)
{
        flush_queue(userdata);
}

static void idle_rearm(struct client *c)
{
        const struct timeval tv = { .tv_sec = c->srv->cfg->idle_timeout_sec };

        if (c->idle_ev && c->srv->cfg->idle_timeout_sec > 0 && !c->keep_open)
                (void) evtimer_add(c->idle_ev, &tv);
}

void client_keep_open(struct client *c)
{
        c->keep_open = true;
        if (c->idle_ev)
                event_del(c->idle_ev);
}

/* A connection that asks nothing for a while holds a slot for nothing. */
static void on_client_idle(evutil_socket_t fd, short what, void *userdata)
{
        struct client *c = userdata;

        /* A create in flight holds a reference: wait for its reply. */
        if (c->keep_open)
                return;
        /* Replies waiting, and not one taken for a whole period: stalled. */
        if (c->out_head && !c->out_progress) {
                log_notice("client pid %d (uid %u) has not read its replies for %u s; dropping it",
                           (int) c->cred.pid, (unsigned) c->cred.uid,
                           c->srv->cfg->idle_timeout_sec);
                client_close(c);
                return;
        }
        c->out_progress = false;
        if (c->refs > 1 || c->out_head) {
                idle_rearm(c);
                return;
        }
        log_debug("client pid %d: idle for %u s; closing", (int) c->cred.pid,
                  c->srv->cfg->idle_timeout_sec);
        client_close(c);
}

static void on_client_read(evutil_socket_t fd, short what, void *userdata)
{
        struct client *c = client_ref(userdata);

        idle_rearm(c);
        for (int i = 0; i < READS_PER_WAKEUP && client_alive(c) && c->reading; i++) {
                int fds[FDPASS_MAX];
                size_t n_fds;
                ssize_t k;

                /* Requests carry no fds: any that come close with the
                 * connection. */
                k = fdpass_recv(c->fd, request_buf, sizeof(request_buf), fds, 0, &n_fds);
                if (k == -EAGAIN || k == -EINTR)
                        break;
                if (k <= 0) {
                        if (k < 0)
                                log_notice("client pid %d (uid %u): %s; dropping it",
                                           (int) c->cred.pid, (unsigned) c->cred.uid,
                                           k == -EBADMSG    ? "sent file descriptors"
                                           : k == -EMSGSIZE ? "sent an oversized message"
                                                            : strerror((int) -k));
                        client_close(c);
                        break;
                }
                c->srv->handlers.dispatch(c, request_buf, (size_t) k, c->srv->userdata);
        }
        client_unref(c);
}

static void on_backoff_end(evutil_socket_t fd, short what, void *userdata)
{
        struct server *srv = userdata;

        if (srv->n_clients < srv->cfg->max_clients + ROOT_RESERVE)
                (void) event_add(srv->listen_ev, NULL);
}

static void on_accept(evutil_socket_t fd, short what, void *userdata)
{
        struct server *srv = userdata;
        socklen_t len = sizeof(struct ucred);
        struct client *c;
        int cfd;

        cfd = accept4(srv->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (cfd < 0) {
                if (errno == EAGAIN || errno == EINTR || errno == ECONNABORTED)
                        return;
                /* Out of fds or memory: stop accepting for a moment instead
                 * of spinning on a listener that stays readable. */
                const struct timeval tv = { .tv_usec = ACCEPT_BACKOFF_MS * 1000 };
                log_warning("cannot accept connections: %m; pausing for %d ms", ACCEPT_BACKOFF_MS);
                event_del(srv->listen_ev);
                (void) evtimer_add(srv->backoff_ev, &tv);
                return;
        }

        c = calloc(1, sizeof(*c));
        if (!c) {
                safe_close(cfd);
                return;
        }
        c->srv = srv;
        c->refs = 1;
        c->fd = cfd;
        /* Identity as of connect(): a pid looked up later could be reused. */
        if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &c->cred, &len) < 0) {
                safe_close(cfd);
                free(c);
                return;
        }
        c->read_ev = event_new(srv->base, cfd, EV_READ | EV_PERSIST, on_client_read, c);
        c->write_ev = event_new(srv->base, cfd, EV_WRITE | EV_PERSIST, on_client_write, c);
        c->idle_ev = evtimer_new(srv->base, on_client_idle, c);
        c->reading = true;
        /* A subordinate id counts for the user whose range it is in: else
         * each of a member's 65536 ids would bring a quota of its own. */
        c->account = c->cred.uid == 0 ? 0 : subid_owner(srv->cfg->subuid_path, c->cred.uid);
        if (c->account == 0 && c->cred.uid != 0)
                c->account = c->cred.uid; /* never root's because of a range */
        c->next = srv->clients;
        if (srv->clients)
                srv->clients->prev = c;
        srv->clients = c;
        if (++srv->n_clients == srv->cfg->max_clients + ROOT_RESERVE)
                event_del(srv->listen_ev);
        if (c->account != 0)
                srv->n_others++;
        if (!c->read_ev || !c->write_ev || !c->idle_ev || event_add(c->read_ev, NULL) < 0) {
                client_close(c);
                return;
        }
        idle_rearm(c);
        /* Root is not limited; anyone else gets a few connections, and
         * all of them together no more than --max-clients. The scan is
         * bounded by max_clients and only for those others. */
        if (c->account != 0) {
                unsigned same = 0;

                /* The socket's mode lets the group in, and so anyone a
                 * member hands a setgid program of the group to: the
                 * daemon serves only members and their subordinate ids. */
                if (!access_is_member(srv->cfg, c->account)) {
                        log_notice("uid %u is neither a member of the daemon's group nor in a "
                                   "member's subordinate range; refusing pid %d",
                                   (unsigned) c->cred.uid, (int) c->cred.pid);
                        client_close(c);
                        return;
                }
                if (srv->n_others > srv->cfg->max_clients) {
                        log_notice(
                                "%u connections (at most %u but root's); refusing pid %d (uid %u)",
                                srv->n_others - 1, srv->cfg->max_clients, (int) c->cred.pid,
                                (unsigned) c->cred.uid);
                        client_close(c);
                        return;
                }
                for (struct client *o = srv->clients; o; o = o->next)
                        same += o->account == c->account;
                if (same > srv->cfg->max_clients_per_user) {
                        log_notice(
                                "uid %u has %u connections (at most %u); refusing pid %d (uid %u)",
                                (unsigned) c->account, same - 1, srv->cfg->max_clients_per_user,
                                (int) c->cred.pid, (unsigned) c->cred.uid);
                        client_close(c);
                        return;
                }
        }
        log_debug("client pid %d uid %u: connected", (int) c->cred.pid, (unsigned) c->cred.uid);
        srv->handlers.on_open(c, srv->userdata);
}

int server_new(struct event_base *base, int listen_fd, const char *unlink_path,
               const struct config *cfg, const struct server_handlers *handlers, void *userdata,
               struct server **ret)
{
        struct server *srv;

        srv = calloc(1, sizeof(*srv));
        if (!srv) {
                safe_close(listen_fd);
                return -ENOMEM;
        }
        srv->base = base;
        srv->listen_fd = listen_fd;
        srv->cfg = cfg;
        srv->handlers = *handlers;
        srv->userdata = userdata;
        if (unlink_path)
                srv->unlink_path = strdup(unlink_path);
        srv->listen_ev = event_new(base, listen_fd, EV_READ | EV_PERSIST, on_accept, srv);
        srv->backoff_ev = evtimer_new(base, on_backoff_end, srv);
        if ((unlink_path && !srv->unlink_path) || !srv->listen_ev || !srv->backoff_ev ||
            event_add(srv->listen_ev, NULL) < 0) {
                server_free(srv);
                return -ENOMEM;
        }
        *ret = srv;
        return 0;
}

struct server *server_free(struct server *srv)
{
        if (!srv)
                return NULL;
        while (srv->clients)
                client_close(srv->clients);
        if (srv->listen_ev)
                event_free(srv->listen_ev);
        if (srv->backoff_ev)
                event_free(srv->backoff_ev);
        safe_close(srv->listen_fd);
        if (srv->unlink_path)
                (void) unlink(srv->unlink_path);
        free(srv->unlink_path);
        free(srv);
        return NULL;
}
