/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Command handlers and the table that maps requests to them. */

#include <stdarg.h>
#include <stdio.h>

#include "commands.h"
#include "access.h"
#include "adopt.h"
#include "fault.h"
#include "helper.h"
#include "log.h"
#include "network.h"

struct command {
        const char *name;
        int (*handler)(struct commands *cx, struct client *c, const struct nsk_request *req);
        uint64_t required; /* NSK_ATTR_BIT()s the request must carry */
        uint64_t allowed;  /* ... and may carry */
};

static const struct command commands[NSK_CMD_MAX];

/* Replies are built here: the daemon is single-threaded and each reply is
 * sent (or copied into the client's queue) before the next is built. */
static uint8_t reply_buf[NSK_MSG_MAX];

static void reply_begin(struct nsk_writer *w, const struct nsk_request *req, uint32_t flags)
{
        nsk_writer_init(w, reply_buf, sizeof(reply_buf), req->cmd, req->id, NSK_F_REPLY | flags);
}

static int reply_finish(struct client *c, struct nsk_writer *w, int *fds, size_t n_fds)
{
        int len = nsk_writer_finish(w);

        if (len < 0) {
                close_many(fds, n_fds);
                log_error("reply does not fit in a message: %s", strerror(-len));
                return len;
        }
        return client_send(c, reply_buf, (size_t) len, fds, n_fds);
}

/* Replies with an error and returns it. The message is the reason only;
 * the client knows which command and set it asked about. It is logged at
 * debug level, since it is the client's business. */
_printf_(4, 5) static int reply_error(struct client *c, const struct nsk_request *req, int error,
                                      const char *fmt, ...)
{
        char message[NSK_MESSAGE_MAX];
        struct nsk_writer w;
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(message, sizeof(message), fmt, ap);
        va_end(ap);
        log_debug("client pid %d: %s%s%s%s: %s", (int) client_cred(c)->pid,
                  req->cmd > 0 && req->cmd < NSK_CMD_MAX ? commands[req->cmd].name : "request",
                  req->name[0] ? " '" : "", req->name, req->name[0] ? "'" : "", message);

        reply_begin(&w, req, 0);
        nsk_put_error(&w, error, message);
        (void) reply_finish(c, &w, NULL, 0);
        return error;
}

static int reply_set(struct commands *cx, struct client *c, const struct nsk_request *req,
                     const struct set *s, int *fds, const enum nsk_type *fd_types, size_t n_fds)
{
        struct nsk_writer w;

        reply_begin(&w, req, 0);
        nsk_put_error(&w, 0, NULL);
        set_put(&w, s, cx->rd, true);
        if (n_fds > 0) {
                nsk_put_fd_types(&w, fd_types, (unsigned) n_fds);
                (void) fault_point(FAULT_REPLY_FDS);
        }
        return reply_finish(c, &w, fds, n_fds);
}

/* The key (name.h) of the set a request names: UID/NAME as given, a
 * plain NAME in the caller's own name space, so that root's NAME is
 * always root's set, whatever names members take. */
static void request_key(const struct client *c, const struct nsk_request *req,
                        char key[static NAME_KEY_MAX + 1])
{
        const char *name;
        uint32_t owner;

        if (!name_split(req->name, &owner, &name))
                owner = (uint32_t) client_cred(c)->uid;
        if (name_key_make(owner, name, key, NAME_KEY_MAX + 1) < 0)
                key[0] = '\0'; /* cannot happen: the name was checked */
}

/* A new set's key: NAME in the caller's own name space; -EINVAL (with a
 * reply) for UID/NAME. */
static int new_key(struct client *c, const struct nsk_request *req,
                   char key[static NAME_KEY_MAX + 1])
{
        if (strchr(req->name, '/'))
                return reply_error(c, req, -EINVAL,
                                   "a set is made in its creator's own name space: give NAME "
                                   "without UID/");
        request_key(c, req, key);
        return 0;
}

/* Finds a set that is ready (or dead, if allow_dead); replies "not
 * found", "busy" or "dead" otherwise. */
static struct set *lookup(struct commands *cx, struct client *c, const struct nsk_request *req,
                          bool allow_dead)
{
        char key[NAME_KEY_MAX + 1];
        struct set *s;

        request_key(c, req, key);
        s = registry_get(cx->reg, key);

        if (!s) {
                reply_error(c, req, -ENOENT, "not found");
                return NULL;
        }
        if (s->state == SET_CREATING) {
                reply_error(c, req, -EBUSY, "the set is still being created");
                return NULL;
        }
        if (!access_owns(client_cred(c), s)) {
                reply_error(c, req, -EPERM, "the set belongs to uid %u", (unsigned) s->owner);
                return NULL;
        }
        if (s->state == SET_DEAD && !allow_dead) {
                reply_error(c, req, -EOWNERDEAD, "the set is dead (%s); release it",
                            s->dead_reason ? s->dead_reason : "unknown reason");
                return NULL;
        }
        return s;
}

/* --- create --- */

/* A request answered later (a create waiting for its helper or its
 * networks, a release or check waiting for its networks' plugins). */
struct pending {
        struct commands *cx;
        struct client *client;
        struct nsk_request req; /* cmd, id and name; settings moved to the set */
        struct set *set;
};

static struct pending *pending_new(struct commands *cx, struct client *c,
                                   const struct nsk_request *req, struct set *s)
{
        struct pending *op = calloc(1, sizeof(*op));

        if (!op)
                return NULL;
        *op = (struct pending) { .cx = cx,
                                 .client = client_ref(c),
                                 .req = { .cmd = req->cmd, .id = req->id },
                                 .set = s };
        memcpy(op->req.name, req->name, sizeof(op->req.name));
        return op;
}

static void pending_free(struct pending *op)
{
        client_unref(op->client);
        free(op);
}

/* The set is made and committed: ready, announced, answered. */
static void create_finish(struct pending *op)
{
        lifecycle_announce(op->cx->lc, op->set, NSK_EVENT_CREATED);
        (void) fault_point(FAULT_CREATE_BEFORE_REPLY);
        (void) reply_set(op->cx, op->client, &op->req, op->set, NULL, NULL, 0);
        pending_free(op);
}

/* A committed set whose networks could not be attached (or saved) goes
 * again, answered with why. */
static void create_withdraw(struct pending *op, int error, const char *msg)
{
        log_notice("set '%s': create failed: %s", op->set->name, msg);
        reply_error(op->client, &op->req, error, "%s", msg);
        if (error != -ECANCELED)
                lifecycle_withdraw(op->cx->lc, op->set);
        pending_free(op);
}

static void undo_done(int error, const char *msg, void *userdata)
{
        struct pending *op = userdata;

        if (error < 0)
                log_warning("set '%s': %s", op->set->name, msg);
        /* Cut short by a stop, the DEL may not have undone the ADD: the set
         * stays for the next start, whose release of it runs the DEL. */
        create_withdraw(op, error == -ECANCELED ? error : -EIO,
                        "cannot save the networks' results in its state file");
}

static void attach_done(int error, const char *msg, void *userdata)
{
        struct pending *op = userdata;
        int r;

        if (error < 0) {
                create_withdraw(op, error, msg);
                return;
        }
        /* The results are what a later DEL needs: in the state file before
         * the set is announced. */
        r = fault_point(FAULT_CREATE_AFTER_NETWORKS);
        if (r == 0)
                r = lifecycle_save(op->cx->lc, op->set);
        if (r == 0) {
                create_finish(op);
                return;
        }
        if (network_detach(op->cx->networks, op->set, undo_done, op) < 0)
                create_withdraw(op, r, "cannot save the networks' results in its state file");
}

static int create_done(int error, const char *message, struct helper_result *res, void *userdata)
{
        struct pending *op = userdata;
        struct commands *cx = op->cx;
        char msg[NSK_MESSAGE_MAX];
        int r = error;

        if (r < 0) {
                reply_error(op->client, &op->req, r, "%s: %s", message, strerror(-r));
                lifecycle_abandon(cx->lc, op->set);
                pending_free(op);
                return r;
        }
        r = lifecycle_commit(cx->lc, op->set, res, msg, sizeof(msg));
        if (r < 0) {
                reply_error(op->client, &op->req, r, "%s", msg);
                pending_free(op);
                return r;
        }
        if (op->set->settings.n_networks == 0) {
                create_finish(op);
                return 0;
        }
        r = network_attach(cx->networks, op->set, attach_done, op);
        if (r < 0)
                create_withdraw(op, r, "cannot attach its networks");
        return 0;
}

/* Is the set of that key still being created? */
static bool creating(struct commands *cx, const char *key)
{
        struct set *s = registry_get(cx->reg, key);

        return s && s->state == SET_CREATING;
}

/* Networks and pins at paths of the caller's choice are root's: the
 * plugins run with all of the host's privileges, and the pins are mounts
 * anywhere. A request names networks; their results are the daemon's. */
static int root_settings_check(struct commands *cx, struct client *c, const struct nsk_request *req,
                               const struct nsk_settings *s)
{
        char msg[NSK_MESSAGE_MAX];

        for (unsigned i = 0; i < s->n_networks; i++) {
                const struct nsk_network *n = &s->networks[i];

                if (n->mac[0] || n->n_addresses || n->n_gateways || n->n_routes || n->n_nameservers)
                        return reply_error(c, req, -EINVAL,
                                           "network %s: a request names networks, not results",
                                           n->name);
        }
        if ((s->n_pins_at > 0 || s->release_with_pins) && client_cred(c)->uid != 0)
                return reply_error(c, req, -EPERM,
                                   "only root may pin a set at paths of its choice");
        if (s->n_networks > 0 && client_cred(c)->uid != 0)
                return reply_error(c, req, -EPERM,
                                   "only root may attach networks: CNI plugins run with all "
                                   "privileges of the host");
        if (s->n_networks > 0 && networks_refused(cx->networks, msg, sizeof(msg)))
                return reply_error(c, req, -EOPNOTSUPP, "%s", msg);
        return 0;
}

/* Each network gets an interface name; one not given is the first of
 * eth0, eth1, ... that no other network of the set names. */
static void networks_name(struct nsk_settings *s)
{
        for (unsigned i = 0, k = 0; i < s->n_networks; i++) {
                struct nsk_network *n = &s->networks[i];
                bool taken = true;

                while (!n->ifname[0] && taken) {
                        char name[NSK_IFNAME_MAX + 1];

                        snprintf(name, sizeof(name), "eth%u", k++);
                        taken = false;
                        for (unsigned j = 0; j < s->n_networks; j++)
                                taken = taken || streq(s->networks[j].ifname, name);
                        if (!taken)
                                memcpy(n->ifname, name, sizeof(name));
                }
        }
}

static int cmd_create(struct commands *cx, struct client *c, const struct nsk_request *req)
{
        nsk_type_mask_t types =
                req->attrs & NSK_ATTR_BIT(NSK_A_TYPES) ? req->types : NSK_TYPES_DEFAULT;
        enum nsk_pin pin = req->attrs & NSK_ATTR_BIT(NSK_A_PIN) ? req->pin : NSK_PIN_BIND;
        nsk_type_mask_t missing = types & ~nsk_type_mask_supported();
        char msg[NSK_MESSAGE_MAX], key[NAME_KEY_MAX + 1];
        struct pending *op;
        struct set *s;
        int r;

        r = new_key(c, req, key);
        if (r < 0)
                return r;
        if (types == 0)
                return reply_error(c, req, -EINVAL, "no namespace types given");
        if (missing) {
                char t[64];
                nsk_type_mask_format(missing, t, sizeof(t));
                return reply_error(c, req, -EOPNOTSUPP, "the running kernel has no %s namespaces",
                                   t);
        }
        r = nsk_settings_check(&req->settings, types, msg, sizeof(msg));
        if (r < 0)
                return reply_error(c, req, r, "%s", msg);
        r = root_settings_check(cx, c, req, &req->settings);
        if (r < 0)
                return r;
        r = access_check_create(cx->cfg, cx->reg, client_cred(c), client_account(c), types,
                                &req->settings, msg, sizeof(msg));
        if (r < 0)
                return reply_error(c, req, r, "%s", msg);

        /* The name is taken from here on, so a second create of it fails
         * at once even while this one is still at work. */
        r = lifecycle_reserve(cx->lc, key, types, pin, client_cred(c)->uid, &s);
        if (r < 0)
                return reply_error(c, req, r, "%s",
                                   r != -EEXIST        ? strerror(-r)
                                   : creating(cx, key) ? "a create of that name is still at work"
                                                       : "already exists");
        op = pending_new(cx, c, req, s);
        if (!op || nsk_settings_copy(&s->settings, &req->settings) < 0) {
                lifecycle_abandon(cx->lc, s);
                if (op)
                        pending_free(op);
                return reply_error(c, req, -ENOMEM, "out of memory");
        }
        networks_name(&s->settings);
        r = helper_start(cx->helpers, s->name, types, &s->settings, client_cred(c)->uid,
                         client_cred(c)->gid, create_done, op);
        if (r < 0) {
                lifecycle_abandon(cx->lc, s);
                pending_free(op);
                return reply_error(c, req, r, "cannot start helper: %s", strerror(-r));
        }
        return 0;
}

/* --- get: the namespace fds of a set --- */

static int cmd_get(struct commands *cx, struct client *c, const struct nsk_request *req)
{
        struct set *s = lookup(cx, c, req, false);
        int fds[NSK_TYPE_MAX];
        enum nsk_type types[NSK_TYPE_MAX];
        nsk_type_mask_t want;
        size_t n = 0;

        if (!s)
                return -ENOENT;
        want = req->attrs & NSK_ATTR_BIT(NSK_A_TYPES) ? req->types : s->types;
        if (want & ~s->types) {
                char t[64];
                nsk_type_mask_format(want & ~s->types, t, sizeof(t));
                return reply_error(c, req, -ENOENT, "the set has no %s namespace", t);
        }
        for (int t = 0; t < NSK_TYPE_MAX; t++) {
                int r;

                if (!(want & NSK_TYPE_BIT(t)))
                        continue;
                r = set_open(s, cx->rd, t, &fds[n]);
                if (r == -ESTALE)
                        lifecycle_pins_missing(cx->lc, s, NSK_TYPE_BIT(t), false);
                if (r < 0) {
                        close_many(fds, n);
                        return reply_error(c, req, r, "%s: %s", nsk_type_name(t),
                                           r == -ESTALE ? "the pin is gone or was replaced"
                                                        : strerror(-r));
                }
                types[n++] = t;
        }
        return reply_set(cx, c, req, s, fds, types, n);
}

/* --- list: every ready set, in as many replies as it takes --- */

/* A list goes out one reply at a time: when the client's socket is full,
 * the walk stops and goes on from the set that did not fit once the
 * queue has drained (client_set_resume()), in name order, so the daemon
 * never holds more than about one reply for it. */
struct list_ctx {
        struct commands *cx;
        struct client *c;
        struct nsk_request req; /* cmd and id */
        struct nsk_writer w;
        char from[NAME_KEY_MAX + 1]; /* go on at this key; "" from the start */
        bool paused;
        int r;
};

static int list_one(struct set *s, void *userdata)
{
        struct list_ctx *l = userdata;
        size_t mark = l->w.len;

        if (s->state == SET_CREATING || (l->from[0] && strcmp(s->name, l->from) < 0))
                return 0;
        set_put(&l->w, s, l->cx->rd, access_owns(client_cred(l->c), s));
        if (l->w.err == 0)
                return 0;

        /* Full: send what fits, marked MORE, and start the next reply. */
        l->w.len = mark;
        l->w.err = 0;
        l->r = reply_finish(l->c, &l->w, NULL, 0);
        if (l->r < 0)
                return l->r;
        if (client_busy(l->c)) {
                snprintf(l->from, sizeof(l->from), "%s", s->name);
                l->paused = true;
                (void) fault_point(FAULT_LIST_PAUSE);
                return -EAGAIN;
        }
        reply_begin(&l->w, &l->req, NSK_F_MORE);
        nsk_put_error(&l->w, 0, NULL);
        set_put(&l->w, s, l->cx->rd, access_owns(client_cred(l->c), s));
        return l->w.err;
}

/* 1 if it stopped for the client to read, else done (< 0 on error). */
static int list_walk(struct client *c, void *userdata)
{
        struct list_ctx *l = userdata;
        int r;

        if (l->from[0])
                (void) fault_point(FAULT_LIST_RESUME);
        l->paused = false;
        l->r = 0;
        reply_begin(&l->w, &l->req, NSK_F_MORE);
        nsk_put_error(&l->w, 0, NULL);
        r = registry_foreach(l->cx->reg, list_one, l);
        if (l->paused)
                return 1;
        if (r < 0)
                return l->r < 0 ? l->r : reply_error(c, &l->req, r, "%s", strerror(-r));
        /* The last reply is the one without MORE. */
        memcpy(&l->w.buf[offsetof(struct nsk_hdr, flags)], &(uint32_t) { NSK_F_REPLY },
               sizeof(uint32_t));
        r = reply_finish(c, &l->w, NULL, 0);
        return r < 0 ? r : 0;
}

static int cmd_list(struct commands *cx, struct client *c, const struct nsk_request *req)
{
        struct list_ctx *l = calloc(1, sizeof(*l));
        int r;

        if (!l)
                return reply_error(c, req, -ENOMEM, "out of memory");
        l->cx = cx;
        l->c = c;
        l->req = (struct nsk_request) { .cmd = req->cmd, .id = req->id };
        r = list_walk(c, l);
        if (r > 0) {
                client_set_resume(c, list_walk, l, free);
                return 0;
        }
        free(l);
        return r;
}

static int cmd_show(struct commands *cx, struct client *c, const struct nsk_request *req)
{
        struct set *s = lookup(cx, c, req, true);

        if (!s)
                return -ENOENT;
        return reply_set(cx, c, req, s, NULL, NULL, 0);
}

/* Success, with what went wrong on the way if anything did. */
static int reply_ok(struct client *c, const struct nsk_request *req, const char *message)
{
        struct nsk_writer w;

        reply_begin(&w, req, 0);
        nsk_put_error(&w, 0, message);
        return reply_finish(c, &w, NULL, 0);
}

static int release_now(struct commands *cx, struct client *c, const struct nsk_request *req,
                       struct set *s, const char *warning)
{
        int r = lifecycle_release(cx->lc, s);

        if (r < 0)
                return reply_error(c, req, r, "%s", s->dead_reason ? s->dead_reason : strerror(-r));
        (void) fault_point(FAULT_RELEASE_BEFORE_REPLY);
        return reply_ok(c, req, warning);
}

/* The networks' DEL is done: the set goes whatever it said. */
static void detach_done(int error, const char *msg, void *userdata)
{
        struct pending *op = userdata;

        if (error == -ECANCELED)
                reply_error(op->client, &op->req, error, "%s", msg);
        else
                (void) release_now(op->cx, op->client, &op->req, op->set, error < 0 ? msg : NULL);
        pending_free(op);
}

typedef int (*network_job_fn)(struct networks *nw, struct set *s, network_done_fn done,
                              void *userdata);

/* Runs job on s's networks; done answers req. */
static int net_op_start(struct commands *cx, struct client *c, const struct nsk_request *req,
                        struct set *s, network_job_fn job, network_done_fn done, const char *what)
{
        struct pending *op;
        int r;

        if (s->busy)
                return reply_error(c, req, -EBUSY, "its networks are being worked on; try again");
        op = pending_new(cx, c, req, s);
        if (!op)
                return reply_error(c, req, -ENOMEM, "out of memory");
        r = job(cx->networks, s, done, op);
        if (r < 0) {
                pending_free(op);
                return reply_error(c, req, r, "cannot %s its networks: %s", what, strerror(-r));
        }
        return 0;
}

static int cmd_release(struct commands *cx, struct client *c, const struct nsk_request *req)
{
        struct set *s = lookup(cx, c, req, true);

        if (!s)
                return -ENOENT;
        if (s->settings.n_networks == 0)
                return release_now(cx, c, req, s, NULL);
        return net_op_start(cx, c, req, s, network_detach, detach_done, "detach");
}

static void check_done(int error, const char *msg, void *userdata)
{
        struct pending *op = userdata;

        if (error < 0)
                reply_error(op->client, &op->req, error, "%s", msg);
        else
                (void) reply_ok(op->client, &op->req, NULL);
        pending_free(op);
}

static int cmd_check(struct commands *cx, struct client *c, const struct nsk_request *req)
{
        struct set *s = lookup(cx, c, req, false);

        if (!s)
                return -ENOENT;
        if (s->settings.n_networks == 0)
                return reply_ok(c, req, NULL);
        if (s->missing & NSK_TYPE_BIT(NSK_TYPE_NET))
                return reply_error(c, req, -ESTALE,
                                   "its net pin was removed from outside: there is no namespace "
                                   "to check its networks in (release it)");
        return net_op_start(cx, c, req, s, network_check, check_done, "check");
}

static int cmd_monitor(struct commands *cx, struct client *c, const struct nsk_request *req)
{
        int r = monitor_add(cx->mon, c, req);

        if (r < 0)
                return reply_error(c, req, r, "cannot subscribe: %s",
                                   r == -EBUSY    ? "this connection is monitoring already"
                                   : r == -EDQUOT ? "too many monitors of this user already"
                                                  : strerror(-r));
        return 0;
}

/* Namespaces that exist already, pinned like created ones. They come
 * from the daemon's own opens (as root), so only root may ask. */
static int cmd_adopt(struct commands *cx, struct client *c, const struct nsk_request *req)
{
        enum nsk_pin pin = req->attrs & NSK_ATTR_BIT(NSK_A_PIN) ? req->pin : NSK_PIN_BIND;
        char msg[NSK_MESSAGE_MAX], key[NAME_KEY_MAX + 1];
        struct helper_result res;
        nsk_type_mask_t types;
        struct set *s;
        int r;

        if (client_cred(c)->uid != 0)
                return reply_error(c, req, -EPERM, "only root may adopt namespaces");
        r = new_key(c, req, key);
        if (r < 0)
                return r;
        if (registry_get(cx->reg, key))
                return reply_error(c, req, -EEXIST, "already exists");
        helper_result_init(&res);
        r = adopt_open(req, res.fds, &types, msg, sizeof(msg));
        if (r < 0)
                return reply_error(c, req, r, "%s", msg);
        r = lifecycle_reserve(cx->lc, key, types, pin, client_cred(c)->uid, &s);
        if (r < 0) {
                helper_result_close(&res);
                return reply_error(c, req, r, "%s", r == -EEXIST ? "already exists" : strerror(-r));
        }
        r = lifecycle_publish(cx->lc, s, &res, NSK_EVENT_ADOPTED, msg, sizeof(msg));
        if (r < 0)
                return reply_error(c, req, r, "%s", msg);
        return reply_set(cx, c, req, s, NULL, NULL, 0);
}

#define A(x) NSK_ATTR_BIT(NSK_A_##x)

static const struct command commands[NSK_CMD_MAX] = {
        [NSK_CMD_CREATE] = { "create", cmd_create, A(NAME),
                             A(NAME) | A(TYPES) | A(PIN) | A(HOSTNAME) | A(DOMAINNAME) | A(SYSCTL) |
                                     A(UID_MAP) | A(GID_MAP) | A(MONOTONIC) | A(BOOTTIME) |
                                     A(LOOPBACK) | A(SETGROUPS) | A(IP_NETNS) | A(NETWORK) |
                                     A(PIN_AT) | A(RELEASE_WITH_PINS) },
        [NSK_CMD_GET] = { "get", cmd_get, A(NAME), A(NAME) | A(TYPES) },
        [NSK_CMD_LIST] = { "list", cmd_list, 0, 0 },
        [NSK_CMD_SHOW] = { "show", cmd_show, A(NAME), A(NAME) },
        [NSK_CMD_RELEASE] = { "release", cmd_release, A(NAME), A(NAME) },
        [NSK_CMD_MONITOR] = { "monitor", cmd_monitor, 0, 0 },
        [NSK_CMD_ADOPT] = { "adopt", cmd_adopt, A(NAME),
                            A(NAME) | A(TYPES) | A(PIN) | A(ADOPT_PID) | A(ADOPT_PATH) },
        [NSK_CMD_CHECK] = { "check", cmd_check, A(NAME), A(NAME) },
};

void commands_dispatch(struct commands *cx, struct client *c, const void *buf, size_t len)
{
        const struct command *cmd;
        struct nsk_request req;
        int r;

        r = nsk_request_decode(buf, len, &req);
        if (r < 0) {
                const char *why = r == -EPROTO         ? "unsupported protocol version"
                                  : r == -EOPNOTSUPP   ? "unknown command"
                                  : r == -ENAMETOOLONG ? "invalid set name (too long)"
                                  : r == -EINVAL       ? "invalid value"
                                                       : "malformed request";
                if (r == -EBADMSG && len < NSK_HDR_SIZE) {
                        /* Not even a header to answer to. */
                        log_debug("client pid %d: runt message", (int) client_cred(c)->pid);
                }
                reply_error(c, &req, r, "%s", why);
                return;
        }
        /* From here on req owns memory (settings). */

        cmd = &commands[req.cmd];
        if ((req.attrs & cmd->required) != cmd->required || (req.attrs & ~cmd->allowed))
                reply_error(c, &req, -EINVAL, "request lacks or has extra attributes");
        else if ((cmd->required & A(NAME)) && !name_full_is_valid(req.name))
                reply_error(c, &req, -EINVAL, "invalid set name");
        else
                (void) cmd->handler(cx, c, &req);
        nsk_request_done(&req);
}
