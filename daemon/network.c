/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Attaching, detaching and checking a set's CNI networks: one chain
 * child at a time per set, its pipe watched on the event loop
 * (network.h). */

#include <arpa/inet.h>
#include <ctype.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "cni-child.h"
#include "cni-result.h"
#include "log.h"
#include "registry.h"
#include "network.h"
#include "pidfd-util.h"
#include "settings.h"

struct networks {
        pid_t proc_pid; /* ours, as /proc names it (it may be another pid namespace's) */
        int no_netlink; /* errno of a netlink socket our sandbox refused, else 0 */
        struct event_base *base;
        const struct rundir *rd;
        const char *conf_dirs;
        struct cni_runtime rt;
        struct network_op *ops; /* at work */
};

enum network_job {
        JOB_ATTACH,
        JOB_UNDO, /* an attach that failed: DEL of those added */
        JOB_DETACH,
        JOB_CHECK,
};

struct network_op {
        struct networks *nw;
        struct set *s;
        enum network_job job;
        int i; /* the network at work */
        struct cni_child *child;
        struct event *ev;    /* the child's pipe */
        struct event *later; /* done, when nothing was started */
        network_done_fn done;
        void *userdata;
        char *config; /* ADD: the configuration list it runs with, kept if it succeeds */
        int error;    /* the first failure */
        char msg[NSK_MESSAGE_MAX];
        struct network_op *prev, *next;
};

struct networks *networks_new(struct event_base *base, const struct rundir *rd,
                              const char *conf_dirs, const char *cni_path)
{
        struct networks *nw = calloc(1, sizeof(*nw));
        int fd;

        if (!nw)
                return NULL;
        *nw = (struct networks) {
                .base = base, .rd = rd, .conf_dirs = conf_dirs, .rt = { .path = cni_path }
        };
        /* CNI_NETNS of an fd-pinned set is a /proc path to our fd. */
        nw->proc_pid = proc_self_pid();
        if (nw->proc_pid <= 0)
                nw->proc_pid = getpid();
        /* Plugins inherit our sandbox: one that forbids netlink (systemd's
         * RestrictAddressFamilies=) fails every ADD, better said at once. */
        fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
        if (fd < 0 && (errno == EAFNOSUPPORT || errno == EPERM || errno == EACCES))
                nw->no_netlink = errno;
        safe_close(fd);
        return nw;
}

static void op_free(struct network_op *op)
{
        struct networks *nw = op->nw;

        if (op->prev)
                op->prev->next = op->next;
        else
                nw->ops = op->next;
        if (op->next)
                op->next->prev = op->prev;
        if (op->ev)
                event_free(op->ev);
        if (op->later)
                event_free(op->later);
        cni_child_free(op->child);
        free(op->config);
        op->s->busy = false;
        free(op);
}

/* Ends op, its plugins killed, and answers its request: the daemon is
 * stopping. */
static void op_cancel(struct network_op *op)
{
        network_done_fn done = op->done;
        void *userdata = op->userdata;

        op_free(op);
        done(-ECANCELED, "nskeeperd is stopping", userdata);
}

struct networks *networks_free(struct networks *nw)
{
        if (!nw)
                return NULL;
        /* Each waiting request is answered; its set stays as it is (a
         * create cut short here comes back dead, recover.c). */
        while (nw->ops)
                op_cancel(nw->ops);
        return mfree(nw);
}

bool networks_tracks(const struct networks *nw, pid_t pid)
{
        for (const struct network_op *op = nw ? nw->ops : NULL; op; op = op->next)
                if (op->child && cni_child_pid(op->child) == pid)
                        return true;
        return false;
}

/* The CNI_CONTAINERID of s's networks: "nskeeper-NAME-INODE" (its net
 * namespace's inode), the same for every ADD, CHECK and DEL of the set,
 * and for no other set. */
static void network_container_id(const struct set *s, char *buf, size_t size)
{
        snprintf(buf, size, "nskeeper-%s-%" PRIu64, s->name, s->inode[NSK_TYPE_NET]);
}

/* Adds "network NAME: what" to the op's message; the first error is
 * the op's. */
_printf_(3, 4) static void op_fail(struct network_op *op, int error, const char *fmt, ...)
{
        size_t len = strlen(op->msg);
        va_list ap;

        if (op->error == 0)
                op->error = error;
        if (len > 0 && len + 2 < sizeof(op->msg)) {
                memcpy(op->msg + len, "; ", 3);
                len += 2;
        }
        snprintf(op->msg + len, sizeof(op->msg) - len,
                 "network %s (%s): ", op->s->settings.networks[op->i].name,
                 op->s->settings.networks[op->i].ifname);
        len = strlen(op->msg);
        va_start(ap, fmt);
        vsnprintf(op->msg + len, sizeof(op->msg) - len, fmt, ap);
        va_end(ap);
}

static void finish(struct network_op *op)
{
        network_done_fn done = op->done;
        void *userdata = op->userdata;
        char msg[NSK_MESSAGE_MAX];
        int error = op->error;

        memcpy(msg, op->msg, sizeof(msg));
        op_free(op);
        done(error, error < 0 || msg[0] ? msg : NULL, userdata);
}

static void on_later(evutil_socket_t fd, short what, void *userdata)
{
        finish(userdata);
}

/* Moves op to the next network of its job: -1 when there is none. */
static int next_index(const struct network_op *op)
{
        int n = (int) op->s->settings.n_networks;

        switch (op->job) {
        case JOB_ATTACH:
        case JOB_CHECK:
                return op->i + 1 < n ? op->i + 1 : -1;
        case JOB_UNDO:
        case JOB_DETACH:
                return op->i - 1;
        }
        return -1;
}

static void on_child(evutil_socket_t fd, short what, void *userdata);

/* The plugins' command for each job. */
static const enum cni_op job_ops[] = {
        [JOB_ATTACH] = CNI_ADD,
        [JOB_UNDO] = CNI_DEL,
        [JOB_DETACH] = CNI_DEL,
        [JOB_CHECK] = CNI_CHECK,
};

static const char *job_name(enum network_job job)
{
        return cni_run_op_name(job_ops[job]);
}

/* What network i of s is to its plugins: CNI_NETNS is the net pin, or
 * for an fd-pinned set the daemon's own fd of it, by /proc. */
static void attachment(const struct networks *nw, const struct set *s, int i, char *id,
                       size_t id_size, char *netns, size_t netns_size, struct cni_attachment *ret)
{
        /* An fd set whose fds ended with an earlier daemon, or a bind set
         * whose net pin was removed from outside, has no namespace left
         * to name: a DEL without one (the CNI spec allows it) still frees
         * what the ADD took outside it (an address lease). */
        _cleanup_close_ int fd = -EBADF;

        if ((s->pin == NSK_PIN_FD && s->fd[NSK_TYPE_NET] < 0) ||
            (s->pin == NSK_PIN_BIND && set_open(s, nw->rd, NSK_TYPE_NET, &fd) < 0))
                netns[0] = '\0';
        else if (s->pin == NSK_PIN_FD)
                snprintf(netns, netns_size, "/proc/%d/fd/%d", (int) nw->proc_pid,
                         s->fd[NSK_TYPE_NET]);
        else
                (void) rundir_pin_path(nw->rd, s->name, NSK_TYPE_NET, netns, netns_size);
        network_container_id(s, id, id_size);
        *ret = (struct cni_attachment) { .container_id = id,
                                         .netns = netns[0] ? netns : NULL,
                                         .ifname = s->settings.networks[i].ifname };
}

/* Network i's configuration list: the one its ADD ran with, for what
 * undoes or checks that ADD (whatever the directory says by then), else
 * the directory's. */
static int load_network(const struct networks *nw, const struct set *s, int i, bool added,
                        struct cni_network **ret, char *msg, size_t size)
{
        const char *saved = added && s->net_configs ? s->net_configs[i] : NULL;

        if (saved)
                return cni_network_parse(saved, strlen(saved), true,
                                         "the configuration saved at its ADD", ret, msg, size);
        return cni_network_find(nw->conf_dirs, s->settings.networks[i].name, ret, msg, size);
}

/* Starts the plugins of network i of s for cni_op (an ADD's with the
 * configuration it runs with in *ret_config, else NULL: kept for its
 * CHECK and DEL); -errno and msg when they could not be started. */
static int chain_start(struct networks *nw, const struct set *s, int i, enum cni_op cni_op,
                       char **ret_config, struct cni_child **ret, char *msg, size_t size)
{
        const char *cached = s->net_results ? s->net_results[i] : NULL;
        struct cni_network *net = NULL;
        char id[NAME_KEY_MAX + 32], netns[PATH_MAX];
        struct cni_attachment a;
        int r;

        r = load_network(nw, s, i, cni_op != CNI_ADD, &net, msg, size);
        if (r < 0)
                return r;
        if (ret_config)
                *ret_config = cni_op == CNI_ADD ? cni_network_text(net) : NULL;
        attachment(nw, s, i, id, sizeof(id), netns, sizeof(netns), &a);
        r = cni_child_start(net, cni_op, &a, &nw->rt, cni_op == CNI_ADD ? NULL : cached, ret);
        cni_network_free(net);
        if (r < 0)
                return cni_fail(msg, size, r, "cannot run its plugins: %s", strerror(-r));
        return 0;
}

/* Starts the chain for network op->i; -errno (op_fail said why) when it
 * could not be started. */
static int start_one(struct network_op *op)
{
        const struct set *s = op->s;
        char msg[NSK_MESSAGE_MAX];
        int r;

        if (op->job == JOB_CHECK && !(s->net_results && s->net_results[op->i])) {
                op_fail(op, -ENOLINK, "not attached (its create was cut short)");
                return -ENOLINK;
        }
        if (op->job == JOB_ATTACH)
                op->config = mfree(op->config);
        r = chain_start(op->nw, s, op->i, job_ops[op->job],
                        op->job == JOB_ATTACH ? &op->config : NULL, &op->child, msg, sizeof(msg));
        if (r < 0) {
                op_fail(op, r, "%s", msg);
                return r;
        }
        op->ev = event_new(op->nw->base, cni_child_fd(op->child), EV_READ | EV_PERSIST, on_child,
                           op);
        if (!op->ev || event_add(op->ev, NULL) < 0) {
                op->child = cni_child_free(op->child);
                op_fail(op, -ENOMEM, "cannot run its plugins: %s", strerror(ENOMEM));
                return -ENOMEM;
        }
        return 0;
}

/* A network whose chain could not even start: said in the log too. */
static void log_not_started(const struct network_op *op)
{
        log_warning("set '%s': network %s: %s not run: %s", op->s->name,
                    op->s->settings.networks[op->i].name, job_name(op->job), op->msg);
}

/* Starts the next network's chain that can be started, or finishes. */
static void advance(struct network_op *op, bool first)
{
        for (;;) {
                if (!first)
                        op->i = next_index(op);
                first = false;
                if (op->i < 0)
                        break;
                if (start_one(op) == 0)
                        return;
                log_not_started(op);
                if (op->job == JOB_ATTACH) {
                        /* Nothing of this one was made: undo the others. */
                        op->job = JOB_UNDO;
                }
        }
        event_active(op->later, 0, 0);
}

static void on_child(evutil_socket_t fd, short what, void *userdata)
{
        struct network_op *op = userdata;
        struct set *s = op->s;
        char msg[NSK_MESSAGE_MAX];
        char *result = NULL;
        bool undone = false; /* a failed ADD's chain undid it (cni-run.h) */
        int r;

        r = cni_child_read(op->child);
        if (r == 0)
                return;
        if (r > 0) {
                r = cni_child_finish(op->child, &result, msg, sizeof(msg));
                undone = r < 0 && r != -ECHILD;
        } else
                snprintf(msg, sizeof(msg), "cannot read what its plugins did: %s", strerror(-r));
        event_free(op->ev);
        op->ev = NULL;
        op->child = cni_child_free(op->child);

        if (r == 0 && op->job == JOB_ATTACH) {
                struct nsk_network *n = &s->settings.networks[op->i];

                /* A result refused below was made, and no chain undid it
                 * (undone is false). */
                if (!result)
                        r = cni_fail(msg, sizeof(msg), -EPROTO, "its plugins gave no result");
                else if (network_fill(n, result) < 0)
                        r = cni_fail(msg, sizeof(msg), -EPROTO,
                                     "its plugins' result is none this daemon keeps (an address, "
                                     "gateway, route, nameserver or MAC that is none)");
                if (r == 0) {
                        free(s->net_results[op->i]);
                        s->net_results[op->i] = TAKE_PTR(result);
                        free(s->net_configs[op->i]);
                        s->net_configs[op->i] = TAKE_PTR(op->config);
                        log_info("set '%s': attached to network %s as %s%s%s", s->name, n->name,
                                 n->ifname, n->n_addresses ? ", " : "",
                                 n->n_addresses ? n->addresses[0] : "");
                }
        }
        free(result);
        if (r < 0) {
                op_fail(op, r, "%s", msg);
                log_warning("set '%s': network %s: %s failed: %s", s->name,
                            s->settings.networks[op->i].name, job_name(op->job), msg);
                if (op->job == JOB_ATTACH) {
                        op->job = JOB_UNDO;
                        /* Not undone by its chain (it said nothing, or what
                         * it made is not kept): this one's DEL as well. */
                        if (!undone)
                                op->i++;
                }
        } else if (op->job == JOB_UNDO) {
                s->net_results[op->i] = mfree(s->net_results[op->i]);
                s->net_configs[op->i] = mfree(s->net_configs[op->i]);
                nsk_network_clear_result(&s->settings.networks[op->i]);
        }
        advance(op, false);
}

static int op_start(struct networks *nw, struct set *s, enum network_job job, network_done_fn done,
                    void *userdata)
{
        struct network_op *op;
        int r;

        if (s->busy)
                return -EBUSY;
        r = set_networks_init(s);
        if (r < 0)
                return r;
        op = calloc(1, sizeof(*op));
        if (!op)
                return -ENOMEM;
        *op = (struct network_op) {
                .nw = nw, .s = s, .job = job, .done = done, .userdata = userdata, .next = nw->ops
        };
        op->later = event_new(nw->base, -1, 0, on_later, op);
        if (!op->later) {
                free(op);
                return -ENOMEM;
        }
        if (nw->ops)
                nw->ops->prev = op;
        nw->ops = op;
        s->busy = true;
        op->i = job == JOB_DETACH ? (int) s->settings.n_networks - 1 : 0;
        if (s->settings.n_networks == 0)
                op->i = -1;
        if (op->i < 0)
                event_active(op->later, 0, 0);
        else
                advance(op, true);
        return 0;
}

bool networks_refused(const struct networks *nw, char *msg, size_t size)
{
        if (!nw->no_netlink)
                return false;
        snprintf(msg, size,
                 "this nskeeperd cannot attach networks: its sandbox refuses the netlink sockets "
                 "CNI plugins need (%s); under systemd, see NETWORKS in nskeeperd(8) for the "
                 "drop-in that allows them",
                 strerror(nw->no_netlink));
        return true;
}

int network_attach(struct networks *nw, struct set *s, network_done_fn done, void *userdata)
{
        return op_start(nw, s, JOB_ATTACH, done, userdata);
}

int network_detach(struct networks *nw, struct set *s, network_done_fn done, void *userdata)
{
        return op_start(nw, s, JOB_DETACH, done, userdata);
}

int network_check(struct networks *nw, struct set *s, network_done_fn done, void *userdata)
{
        return op_start(nw, s, JOB_CHECK, done, userdata);
}

/* What a result says goes to show, logs and the state file: only what is
 * what it claims to be. */
static bool is_ip(const char *s)
{
        unsigned char buf[sizeof(struct in6_addr)];

        return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

static bool is_cidr(const char *s)
{
        char ip[INET6_ADDRSTRLEN];
        const char *slash = strchr(s, '/');
        unsigned long bits;
        char *end;

        if (!slash || (size_t) (slash - s) >= sizeof(ip) || !slash[1])
                return false;
        memcpy(ip, s, (size_t) (slash - s));
        ip[slash - s] = '\0';
        errno = 0;
        bits = strtoul(slash + 1, &end, 10);
        if (*end || errno || !isdigit((unsigned char) slash[1]))
                return false;
        return is_ip(ip) && bits <= (strchr(ip, ':') ? 128u : 32u);
}

static bool is_mac(const char *s)
{
        for (int i = 0; i < 17; i++)
                if (i % 3 == 2 ? s[i] != ':' : !isxdigit((unsigned char) s[i]))
                        return false;
        return s[17] == '\0';
}

static int add_item(struct nsk_network *n, enum nsk_network_item what, const char *item)
{
        int r = nsk_network_add_item(n, what, item);

        /* Past NSK_NETWORK_ITEMS_MAX: the state file and DEL keep the
         * whole result; show lists what fits. */
        return r == -E2BIG ? 0 : r;
}

int network_fill(struct nsk_network *n, const char *result)
{
        _cleanup_(cni_result_freep) struct cni_result *r = NULL;
        char msg[128], route[NSK_NET_ITEM_LEN];
        int iface = -1, k;

        nsk_network_clear_result(n);
        k = cni_result_parse(result, &r, msg, sizeof(msg));
        if (k < 0)
                return k;
        /* The interface in the namespace by that name; else the first one
         * in a namespace at all. */
        for (size_t i = 0; i < r->n_interfaces; i++)
                if (r->interfaces[i].sandbox &&
                    (iface < 0 || streq(r->interfaces[i].name, n->ifname)))
                        iface = (int) i;
        if (iface >= 0 && r->interfaces[iface].mac) {
                if (!is_mac(r->interfaces[iface].mac))
                        return -EPROTO;
                snprintf(n->mac, sizeof(n->mac), "%s", r->interfaces[iface].mac);
        }
        for (size_t i = 0; i < r->n_ips; i++) {
                const struct cni_ip *ip = &r->ips[i];

                if (ip->interface >= 0 && ip->interface != iface)
                        continue;
                if (!is_cidr(ip->address) || (ip->gateway && !is_ip(ip->gateway)))
                        return -EPROTO;
                k = add_item(n, NSK_NETWORK_ADDRESS, ip->address);
                if (k == 0 && ip->gateway)
                        k = add_item(n, NSK_NETWORK_GATEWAY, ip->gateway);
                if (k < 0)
                        return k;
        }
        for (size_t i = 0; i < r->n_routes; i++) {
                if (!is_cidr(r->routes[i].dst) || (r->routes[i].gw && !is_ip(r->routes[i].gw)))
                        return -EPROTO;
                if (r->routes[i].gw)
                        snprintf(route, sizeof(route), "%s via %s", r->routes[i].dst,
                                 r->routes[i].gw);
                else
                        snprintf(route, sizeof(route), "%s", r->routes[i].dst);
                k = add_item(n, NSK_NETWORK_ROUTE, route);
                if (k < 0)
                        return k;
        }
        for (size_t i = 0; i < r->n_nameservers; i++) {
                if (!is_ip(r->nameservers[i]))
                        return -EPROTO;
                k = add_item(n, NSK_NETWORK_NAMESERVER, r->nameservers[i]);
                if (k < 0)
                        return k;
        }
        return 0;
}

/* One network's DEL, waited for. */
static int detach_one_now(struct networks *nw, struct set *s, int i, char *msg, size_t size)
{
        struct cni_child *child = NULL;
        int r;

        r = chain_start(nw, s, i, CNI_DEL, NULL, &child, msg, size);
        if (r < 0)
                return r;
        while ((r = cni_child_read(child)) == 0) {
                struct pollfd p = { .fd = cni_child_fd(child), .events = POLLIN };

                (void) poll(&p, 1, -1);
        }
        if (r > 0)
                r = cni_child_finish(child, NULL, msg, size);
        else
                cni_fail(msg, size, r, "cannot read what its plugins did: %s", strerror(-r));
        cni_child_free(child);
        return r;
}

static int detach_fd_set(struct set *s, void *userdata)
{
        struct networks *nw = userdata;
        char msg[NSK_MESSAGE_MAX];

        if (s->pin != NSK_PIN_FD || s->state == SET_CREATING)
                return 0;
        /* A CHECK or release at work on it ends first: its DEL is what
         * must not be missed. */
        while (s->busy) {
                struct network_op *op = nw->ops;

                while (op && op->s != s)
                        op = op->next;
                if (!op)
                        break;
                op_cancel(op);
        }
        for (int i = (int) s->settings.n_networks - 1; i >= 0; i--)
                if (detach_one_now(nw, s, i, msg, sizeof(msg)) < 0)
                        log_warning("set '%s': network %s: DEL failed: %s", s->name,
                                    s->settings.networks[i].name, msg);
        return 0;
}

void networks_detach_fd_sets(struct networks *nw, struct registry *reg)
{
        (void) registry_foreach(reg, detach_fd_set, nw);
}
