/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libnskeeper: requests to nskeeperd over its control socket, and
 * joining the namespace fds it hands out. */

#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "fdpass.h"
#include "proto.h"
#include "util.h"

struct nsk_client {
        int fd;
        uint32_t next_id;
        char error[NSK_MESSAGE_MAX + 128];
        /* NSK_MSG_MAX bytes, allocated apart and not zeroed: clearing it
         * faults in all 16 pages, most requests use one, and each fault
         * is a measurable part of a join (issue 6). Only what a message
         * just wrote is read. */
        uint8_t *buf;
};

_printf_(3, 4) static int fail(struct nsk_client *c, int r, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(c->error, sizeof(c->error), fmt, ap);
        va_end(ap);
        return r;
}

const char *nsk_client_error(const struct nsk_client *c)
{
        return c ? c->error : strerror(ENOMEM);
}

struct nsk_client *nsk_client_free(struct nsk_client *c)
{
        if (c) {
                safe_close(c->fd);
                free(c->buf);
                free(c);
        }
        return NULL;
}

int nsk_connect(const char *path, struct nsk_client **ret)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        struct nsk_client *c;
        struct ucred cred;
        socklen_t cl = sizeof(cred);

        if (!path)
                path = getenv("NSKEEPER_SOCKET");
        if (!path || !*path)
                path = NSK_SOCKET_DEFAULT;

        *ret = c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;
        c->fd = -EBADF;
        c->next_id = 1;
        c->buf = malloc(NSK_MSG_MAX);
        if (!c->buf)
                return fail(c, -ENOMEM, "out of memory");

        if (strlen(path) >= sizeof(sa.sun_path))
                return fail(c, -ENAMETOOLONG, "socket path '%s' is too long", path);
        strcpy(sa.sun_path, path);

        c->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
        if (c->fd < 0)
                return fail(c, negative_errno(), "socket: %m");
        if (connect(c->fd, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
                struct stat st;
                int r = negative_errno();

                /* Only a missing or dead socket means it may not be running. */
                if (r == -ECONNREFUSED && stat(path, &st) == 0 && !S_ISSOCK(st.st_mode))
                        return fail(c, r, "cannot reach nskeeperd at %s: not a socket", path);
                return fail(c, r, "cannot reach nskeeperd at %s: %s%s", path, strerror(-r),
                            r == -ENOENT || r == -ECONNREFUSED ? " (is it running?)" : "");
        }

        /* The daemon hands out namespaces; make sure it is the real one. */
        if (getsockopt(c->fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) < 0)
                return fail(c, negative_errno(), "%s: cannot read peer credentials: %m", path);
        if (cred.uid != 0)
                return fail(c, -EPERM, "%s is served by uid %u, not root; refusing it", path,
                            (unsigned) cred.uid);
        return 0;
}

/* Sends one request and reads its replies until one without NSK_F_MORE.
 * Each reply goes to on_reply together with the fds it carried (which
 * on_reply takes). */
typedef int (*reply_fn)(struct nsk_client *c, const struct nsk_reply *rep, int *fds, size_t n_fds,
                        void *userdata);

static int transact(struct nsk_client *c, const struct nsk_request *req_in, reply_fn on_reply,
                    void *userdata)
{
        struct nsk_request req = *req_in;
        int r, first_error = 0;
        bool more = true;

        req.id = c->next_id++;
        r = nsk_request_encode(&req, c->buf, NSK_MSG_MAX);
        if (r < 0)
                return fail(c, r, "cannot encode request: %s", strerror(-r));
        r = fdpass_send(c->fd, c->buf, (size_t) r, NULL, 0);
        if (r < 0)
                return fail(c, r, "cannot send request to nskeeperd: %s", strerror(-r));

        while (more) {
                struct nsk_reply rep;
                int fds[FDPASS_MAX];
                size_t n_fds;
                ssize_t k;

                k = fdpass_recv(c->fd, c->buf, NSK_MSG_MAX, fds, FDPASS_MAX, &n_fds);
                if (k == 0)
                        return fail(c, -ECONNRESET, "nskeeperd closed the connection");
                if (k < 0)
                        return fail(c, (int) k, "cannot read reply from nskeeperd: %s",
                                    strerror((int) -k));
                r = nsk_reply_decode(c->buf, (size_t) k, &rep);
                if (r < 0) {
                        close_many(fds, n_fds);
                        return fail(c, r, "malformed reply from nskeeperd: %s", strerror(-r));
                }
                if (rep.id != req.id || rep.cmd != req.cmd || rep.n_fds != n_fds ||
                    (rep.error != 0 && n_fds > 0)) {
                        close_many(fds, n_fds);
                        nsk_reply_done(&rep);
                        return fail(c, -EBADMSG, "unexpected reply from nskeeperd");
                }
                more = rep.flags & NSK_F_MORE;
                if (rep.error != 0) {
                        if (first_error == 0) {
                                first_error = -rep.error;
                                fail(c, first_error, "%s",
                                     rep.message[0] ? rep.message : strerror(rep.error));
                        }
                } else if (first_error == 0 && on_reply) {
                        r = on_reply(c, &rep, fds, n_fds, userdata);
                        n_fds = 0;
                        if (r < 0) {
                                /* The caller gives up on this request (a
                                 * monitor that has seen enough): stop here;
                                 * the connection is not reused after. */
                                nsk_reply_done(&rep);
                                return r;
                        }
                }
                close_many(fds, n_fds);
                nsk_reply_done(&rep);
        }
        return first_error;
}

/* Moves what src owns (paths, settings) to dst; src is left empty. */
static void set_info_move(struct nsk_set_info *dst, struct nsk_set_info *src)
{
        *dst = *src;
        *src = (struct nsk_set_info) {};
}

static int take_first_set(struct nsk_client *c, const struct nsk_reply *rep, int *fds, size_t n_fds,
                          void *userdata)
{
        struct nsk_set_info *ret = userdata;

        close_many(fds, n_fds);
        if (rep->n_sets != 1)
                return fail(c, -EBADMSG, "unexpected reply from nskeeperd");
        if (ret)
                set_info_move(ret, &rep->sets[0]);
        return 0;
}

static int name_request(struct nsk_client *c, struct nsk_request *req, enum nsk_cmd cmd,
                        const char *name, struct nsk_set_info *ret_set)
{
        /* Empty whatever happens, so nsk_set_info_done() is always safe. */
        if (ret_set)
                *ret_set = (struct nsk_set_info) {};
        *req = (struct nsk_request) { .cmd = cmd, .attrs = NSK_ATTR_BIT(NSK_A_NAME) };
        if (!name_full_is_valid(name))
                return fail(c, -EINVAL,
                            "invalid set name '%.*s': use 1-%d characters of A-Z a-z 0-9 _ . -, "
                            "not starting with '.' or '-' (or UID/NAME for another user's set)",
                            NSK_FULL_NAME_MAX + 8, name, NSK_NAME_MAX);
        strcpy(req->name, name);
        return 0;
}

int nsk_create(struct nsk_client *c, const char *name, nsk_type_mask_t types, enum nsk_pin pin,
               const struct nsk_settings *settings, struct nsk_set_info *ret_set)
{
        struct nsk_request req;
        int r = name_request(c, &req, NSK_CMD_CREATE, name, ret_set);

        if (r < 0)
                return r;
        /* No types: the daemon's default. */
        if (types != 0)
                req.attrs |= NSK_ATTR_BIT(NSK_A_TYPES);
        req.attrs |= NSK_ATTR_BIT(NSK_A_PIN);
        req.types = types;
        req.pin = pin;
        /* Shallow: only read while encoding. */
        if (settings)
                req.settings = *settings;
        return transact(c, &req, take_first_set, ret_set);
}

int nsk_show(struct nsk_client *c, const char *name, struct nsk_set_info *ret_set)
{
        struct nsk_request req;
        int r = name_request(c, &req, NSK_CMD_SHOW, name, ret_set);

        if (r < 0)
                return r;
        return transact(c, &req, take_first_set, ret_set);
}

/* A success that still has something to say (a network's DEL that
 * failed on release) leaves it as the client's error text. */
static int take_message(struct nsk_client *c, const struct nsk_reply *rep, int *fds, size_t n_fds,
                        void *userdata)
{
        close_many(fds, n_fds);
        snprintf(c->error, sizeof(c->error), "%s", rep->message);
        return 0;
}

/* A request about set NAME whose success may still have something to
 * say (take_message). */
static int name_transact(struct nsk_client *c, enum nsk_cmd cmd, const char *name)
{
        struct nsk_request req;
        int r = name_request(c, &req, cmd, name, NULL);

        if (r < 0)
                return r;
        c->error[0] = '\0';
        return transact(c, &req, take_message, NULL);
}

int nsk_release(struct nsk_client *c, const char *name)
{
        return name_transact(c, NSK_CMD_RELEASE, name);
}

int nsk_check(struct nsk_client *c, const char *name)
{
        return name_transact(c, NSK_CMD_CHECK, name);
}

struct fds_result {
        int *fds;
        struct nsk_set_info *set;
        nsk_type_mask_t asked; /* 0: every type the set has */
};

static int take_fds(struct nsk_client *c, const struct nsk_reply *rep, int *fds, size_t n_fds,
                    void *userdata)
{
        struct fds_result *res = userdata;
        int r = 0;

        for (size_t i = 0; i < n_fds; i++) {
                enum nsk_type t = rep->fd_types[i];

                /* Never trust the label alone: ask the kernel what it is. */
                if (r == 0 && res->fds[t] >= 0)
                        r = fail(c, -EBADMSG, "%s: received twice", nsk_type_name(t));
                else if (r == 0 && res->asked != 0 && !(res->asked & NSK_TYPE_BIT(t)))
                        r = fail(c, -EBADMSG, "%s: received, not asked for", nsk_type_name(t));
                else if (r == 0) {
                        int k = nsk_type_check_fd(fds[i], t);
                        if (k < 0)
                                r = fail(c, -EBADMSG, "%s: received fd is not a %s namespace",
                                         nsk_type_name(t), nsk_type_name(t));
                }
                if (r == 0)
                        res->fds[t] = TAKE_FD(fds[i]);
                else
                        fds[i] = safe_close(fds[i]);
        }
        if (r < 0)
                return r;
        return take_first_set(c, rep, NULL, 0, res->set);
}

int nsk_get_fds(struct nsk_client *c, const char *name, nsk_type_mask_t types,
                int ret_fds[NSK_TYPE_MAX], struct nsk_set_info *ret_set)
{
        struct fds_result res = { .fds = ret_fds, .set = ret_set, .asked = types };
        struct nsk_request req;
        int r;

        for (int t = 0; t < NSK_TYPE_MAX; t++)
                ret_fds[t] = -EBADF;
        r = name_request(c, &req, NSK_CMD_GET, name, ret_set);
        if (r < 0)
                return r;
        if (types != 0) {
                req.attrs |= NSK_ATTR_BIT(NSK_A_TYPES);
                req.types = types;
        }
        r = transact(c, &req, take_fds, &res);
        if (r >= 0 && types != 0)
                for (int t = 0; t < NSK_TYPE_MAX; t++)
                        if ((types & NSK_TYPE_BIT(t)) && ret_fds[t] < 0)
                                r = fail(c, -EBADMSG, "%s: not received", nsk_type_name(t));
        if (r < 0) {
                close_many(ret_fds, NSK_TYPE_MAX);
                if (ret_set)
                        nsk_set_info_done(ret_set);
        }
        return r;
}

struct list_result {
        struct nsk_set_info *sets;
        size_t n, cap;
};

static int take_sets(struct nsk_client *c, const struct nsk_reply *rep, int *fds, size_t n_fds,
                     void *userdata)
{
        struct list_result *res = userdata;

        close_many(fds, n_fds);
        if (res->n + rep->n_sets > res->cap) {
                size_t cap = res->cap * 2 + rep->n_sets + 16;
                struct nsk_set_info *s = reallocarray(res->sets, cap, sizeof(*s));
                if (!s)
                        return fail(c, -ENOMEM, "out of memory");
                res->sets = s;
                res->cap = cap;
        }
        for (size_t i = 0; i < rep->n_sets; i++)
                set_info_move(&res->sets[res->n++], &rep->sets[i]);
        return 0;
}

int nsk_list(struct nsk_client *c, struct nsk_set_info **ret_sets, size_t *ret_n)
{
        struct nsk_request req = { .cmd = NSK_CMD_LIST };
        struct list_result res = {};
        int r;

        r = transact(c, &req, take_sets, &res);
        if (r < 0) {
                nsk_sets_free(res.sets, res.n);
                return r;
        }
        *ret_sets = res.sets;
        *ret_n = res.n;
        return 0;
}

int nsk_adopt(struct nsk_client *c, const char *name, pid_t pid, const char *const *paths,
              size_t n_paths, nsk_type_mask_t types, enum nsk_pin pin, struct nsk_set_info *ret_set)
{
        struct nsk_request req;
        int r = name_request(c, &req, NSK_CMD_ADOPT, name, ret_set);

        if (r < 0)
                return r;
        if (n_paths > NSK_TYPE_MAX)
                return fail(c, -E2BIG, "at most %d paths", NSK_TYPE_MAX);
        req.attrs |= NSK_ATTR_BIT(NSK_A_PIN);
        req.pin = pin;
        if (types != 0) {
                req.attrs |= NSK_ATTR_BIT(NSK_A_TYPES);
                req.types = types;
        }
        if (pid > 0) {
                req.attrs |= NSK_ATTR_BIT(NSK_A_ADOPT_PID);
                req.adopt_pid = (uint32_t) pid;
        }
        /* Borrowed, only read while encoding. */
        for (size_t i = 0; i < n_paths; i++)
                req.adopt_paths[i] = (char *) paths[i];
        req.n_adopt_paths = (unsigned) n_paths;
        return transact(c, &req, take_first_set, ret_set);
}

struct monitor_ctx {
        nsk_event_fn fn;
        void *userdata;
};

static int take_event(struct nsk_client *c, const struct nsk_reply *rep, int *fds, size_t n_fds,
                      void *userdata)
{
        struct monitor_ctx *m = userdata;

        close_many(fds, n_fds);
        /* The first reply only says the subscription stands. */
        if (rep->event == NSK_EVENT_NONE || rep->n_sets != 1)
                return 0;
        return m->fn(rep->event, &rep->sets[0], m->userdata);
}

int nsk_monitor(struct nsk_client *c, nsk_event_fn fn, void *userdata)
{
        struct nsk_request req = { .cmd = NSK_CMD_MONITOR };
        struct monitor_ctx m = { .fn = fn, .userdata = userdata };

        return transact(c, &req, take_event, &m);
}

void nsk_sets_free(struct nsk_set_info *sets, size_t n)
{
        for (size_t i = 0; i < n; i++)
                nsk_set_info_done(&sets[i]);
        free(sets);
}

static int join_one(const int fds[NSK_TYPE_MAX], enum nsk_type t, enum nsk_type *ret_failed)
{
        if (setns(fds[t], nsk_type_clone_flag(t)) < 0) {
                if (ret_failed)
                        *ret_failed = t;
                return negative_errno();
        }
        return 0;
}

int nsk_join_fds(const int fds[NSK_TYPE_MAX], enum nsk_type *ret_failed)
{
        nsk_type_mask_t later = 0;
        int r;

        for (int t = 0; t < NSK_TYPE_MAX; t++) {
                if (t == NSK_TYPE_USER || fds[t] < 0)
                        continue;
                r = join_one(fds, t, ret_failed);
                if (r == -EPERM && fds[NSK_TYPE_USER] >= 0)
                        later |= NSK_TYPE_BIT(t);
                else if (r < 0)
                        return r;
        }
        if (fds[NSK_TYPE_USER] >= 0) {
                r = join_one(fds, NSK_TYPE_USER, ret_failed);
                if (r < 0)
                        return r;
        }
        for (int t = 0; t < NSK_TYPE_MAX; t++)
                if (later & NSK_TYPE_BIT(t)) {
                        r = join_one(fds, t, ret_failed);
                        if (r < 0)
                                return r;
                }
        return 0;
}

bool nsk_name_is_valid(const char *s)
{
        return name_is_valid(s);
}

const struct nsk_ns_info *nsk_set_ns(const struct nsk_set_info *s, enum nsk_type t)
{
        for (unsigned i = 0; i < s->n_ns; i++)
                if (s->ns[i].type == t)
                        return &s->ns[i];
        return NULL;
}
