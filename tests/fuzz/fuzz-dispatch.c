/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer harness for the daemon's request handling: each input is one
 * datagram sent by a real client over a real SOCK_SEQPACKET connection to
 * the daemon's server (server.c, commands.c, lifecycle.c, registry.c, ..., the
 * real code), and the event loop runs until the request is answered.
 *
 * Checked on every input, besides crashes, UB and leaks: every request
 * gets exactly one final reply (or, for an empty datagram, the connection
 * is closed), every reply decodes and echoes the request's id and command,
 * fds come only with a successful reply, exactly as many as it says and
 * of the types it says, and the process holds no more fds than before.
 *
 * State: two fd-pinned sets, "web" and "db", exist at the start of every
 * input; whatever an input created or released is put back afterwards,
 * so every input starts alike. A request with an even id comes from a
 * root client, one with an odd id from a client of uid 4242 (connected
 * with that effective uid, so SO_PEERCRED says so), who may map the
 * subordinate ids 100000-165535, as if in /etc/subuid and /etc/subgid.
 *
 * What is not real: helper_start() is replaced at link time
 * (-Wl,--wrap=helper_start), since forking a helper and making namespaces
 * per input would be slow and leave mounts behind. The fake answers from
 * the event loop, as a real helper does: fd-pinned creates succeed with
 * fds of the fuzzer's own namespaces, bind-pinned ones fail. As root the
 * fuzzer runs in a mount namespace of its own, so bind pins an input makes
 * (ADOPT) vanish with the process, even when it crashes; ADOPT is sent only
 * with paths below /proc (the daemon, as root, opens them: a random device
 * file could do harm). A MONITOR connection is closed after its first
 * reply, so no input hears of another's events. */

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <linux/nsfs.h>
#include <event2/event.h>

#include "access.h"
#include "commands.h"
#include "fdpass.h"
#include "fuzz.h"
#include "helper.h"
#include "keeper.h"
#include "lifecycle.h"
#include "log.h"
#include "monitor.h"
#include "registry.h"
#include "rundir.h"
#include "server.h"
#include "util.h"

#define PUMP_MAX 1000 /* event loop rounds before an unanswered request is a hang */
#define USER_UID 4242
#define USER_SUBIDS "4242:100000:65536\n"

static const char *const seed_names[] = { "web", "db" };

static struct event_base *base;
static struct registry *reg;
static struct rundir *rd;
static struct server *srv;
static struct keepers *keepers;
static struct helpers *helpers;
static struct lifecycle *lc;
static struct monitor *mon;
/* Networks are looked up where there are none: no plugin ever runs. */
static struct networks *networks;
static struct commands cmds;
static struct config cfg = CONFIG_DEFAULTS;
static char subid_path[64];
static char rundir_path[] = "/tmp/nsk-fuzz.XXXXXX";
static struct sockaddr_un addr;
static socklen_t addr_len;
static int baseline_fds;

/* The root client and, when the fuzzer runs as root, the other one. */
struct conn {
        uid_t uid;
        int fd;
};
static struct conn conns[2] = { { 0, -EBADF }, { USER_UID, -EBADF } };
static unsigned n_conns;

/* --- the fake helper --- */

struct fake {
        nsk_type_mask_t types;
        bool fd_pin;
        helper_done_fn done;
        void *userdata;
};

static unsigned fakes_pending;

/* Its type is helper_start()'s: a change there breaks the build here. */
__typeof__(helper_start) __wrap_helper_start;
__typeof__(access_is_member) __wrap_access_is_member;

/* The user is a member of the daemon's group, without a passwd entry. */
bool __wrap_access_is_member(const struct config *c, uid_t uid)
{
        (void) c;
        return uid == USER_UID;
}

static void fake_finish(evutil_socket_t fd, short what, void *userdata)
{
        struct fake *f = userdata;
        struct helper_result res = { .keeper_pidfd = -EBADF, .keeper_lifeline = -EBADF };
        int error = 0;

        for (int t = 0; t < NSK_TYPE_MAX; t++) {
                char path[64];

                res.fds[t] = -EBADF;
                if (!f->fd_pin || !(f->types & NSK_TYPE_BIT(t)))
                        continue;
                snprintf(path, sizeof(path), "/proc/self/ns/%s", nsk_type_name(t));
                res.fds[t] = open(path, O_RDONLY | O_CLOEXEC);
                if (res.fds[t] < 0)
                        error = negative_errno();
        }
        if (!f->fd_pin)
                error = -EPERM;
        if (error < 0)
                helper_result_close(&res);
        (void) f->done(error, error < 0 ? "fuzzing: no namespaces made" : NULL, &res, f->userdata);
        helper_result_close(&res);
        fakes_pending--;
        free(f);
}

/* The set being created: the one in the registry still being created
 * (one input is one request, so there is at most one). */
static int find_creating(struct set *s, void *userdata)
{
        if (s->state == SET_CREATING)
                *(struct set **) userdata = s;
        return 0;
}

int __wrap_helper_start(struct helpers *hs, const char *name, nsk_type_mask_t types,
                        const struct nsk_settings *settings, uid_t uid, gid_t gid,
                        helper_done_fn done, void *userdata)
{
        const struct timeval now = { 0, 0 };
        struct fake *f = calloc(1, sizeof(*f));
        struct set *creating = NULL;

        if (!f)
                return -ENOMEM;
        (void) registry_foreach(reg, find_creating, &creating);
        /* fd pins succeed (with the fuzzer's own namespaces); bind pins
         * fail, so the fuzzer never mounts anything. */
        *f = (struct fake) { .types = types,
                             .fd_pin = creating && creating->pin == NSK_PIN_FD,
                             .done = done,
                             .userdata = userdata };
        if (event_base_once(base, -1, EV_TIMEOUT, fake_finish, f, &now) < 0) {
                free(f);
                return -ENOMEM;
        }
        fakes_pending++;
        return 0;
}

/* --- the daemon's wiring, as main.c does it --- */

static void on_event(enum nsk_event e, const struct set *s, void *userdata)
{
        (void) userdata;
        monitor_emit(mon, e, s);
}

static void on_request(struct client *c, const void *buf, size_t len, void *userdata)
{
        commands_dispatch(userdata, c, buf, len);
}

static void on_client_open(struct client *c, void *userdata)
{
        (void) c;
        (void) userdata;
}

static void on_client_close(struct client *c, void *userdata)
{
        (void) userdata;
        if (mon)
                monitor_forget(mon, c);
}

static const struct server_handlers handlers = {
        .dispatch = on_request,
        .on_open = on_client_open,
        .on_close = on_client_close,
};

/* --- the client side --- */

static int count_fds(void)
{
        DIR *d = opendir("/proc/self/fd");
        struct dirent *de;
        int n = 0;

        fuzz_assert(d);
        while ((de = readdir(d)))
                if (de->d_name[0] != '.')
                        n++;
        closedir(d);
        return n - 1; /* the directory's own fd */
}

static void client_connect(struct conn *c)
{
        unsigned before = server_client_count(srv);
        bool other = c->uid != geteuid();

        c->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
        fuzz_assert(c->fd >= 0);
        /* The peer's credentials are those of connect(). */
        if (other)
                fuzz_assert(setegid(c->uid) == 0 && seteuid(c->uid) == 0);
        fuzz_assert(connect(c->fd, (struct sockaddr *) &addr, addr_len) == 0);
        if (other)
                fuzz_assert(seteuid(0) == 0 && setegid(0) == 0);
        /* Let the server accept it. */
        for (int i = 0; i < PUMP_MAX && server_client_count(srv) == before; i++)
                event_base_loop(base, EVLOOP_NONBLOCK);
        fuzz_assert(server_client_count(srv) == before + 1);
}

struct exchange {
        bool has_hdr; /* the request had a header to echo */
        uint16_t cmd;
        uint32_t id;
        bool subscribe; /* MONITOR: the first reply is the answer */
        bool final;     /* the reply without MORE (or that first one) came */
        bool closed;
        unsigned replies;
        int error;
};

/* Reads every reply that is there; false when there was none. */
static bool drain(struct conn *c, struct exchange *x)
{
        static uint8_t buf[NSK_MSG_MAX];
        bool any = false;

        while (c->fd >= 0) {
                struct nsk_reply rep;
                int fds[FDPASS_MAX];
                size_t n_fds;
                ssize_t k;

                if (poll(&(struct pollfd) { .fd = c->fd, .events = POLLIN }, 1, 0) <= 0)
                        break;
                any = true;
                k = fdpass_recv(c->fd, buf, sizeof(buf), fds, FDPASS_MAX, &n_fds);
                if (k == 0 || k == -ECONNRESET) {
                        x->closed = true;
                        c->fd = safe_close(c->fd);
                        break;
                }
                /* The daemon never sends what a client must refuse. */
                fuzz_assert(k > 0);
                fuzz_assert(!x->final);
                fuzz_assert(nsk_reply_decode(buf, (size_t) k, &rep) >= 0);
                x->replies++;
                if (x->has_hdr)
                        fuzz_assert(rep.id == x->id && rep.cmd == x->cmd);
                else
                        fuzz_assert(rep.id == 0 && rep.cmd == 0);
                fuzz_assert(rep.n_fds == n_fds);
                fuzz_assert(rep.error == 0 || n_fds == 0);
                for (size_t i = 0; i < n_fds; i++) {
                        int flag = ioctl(fds[i], NS_GET_NSTYPE);
                        fuzz_assert(flag == nsk_type_clone_flag(rep.fd_types[i]));
                }
                close_many(fds, n_fds);
                if (!(rep.flags & NSK_F_MORE) || x->subscribe) {
                        x->final = true;
                        x->error = rep.error;
                }
                nsk_reply_done(&rep);
        }
        return any;
}

/* Sends one datagram and runs the loop until it is answered. */
static void exchange(const uint8_t *data, size_t size, bool subscribe, struct exchange *x)
{
        struct conn *c = &conns[0];

        *x = (struct exchange) { .has_hdr = size >= NSK_HDR_SIZE, .subscribe = subscribe };
        if (x->has_hdr) {
                memcpy(&x->cmd, data + offsetof(struct nsk_hdr, cmd), sizeof(x->cmd));
                memcpy(&x->id, data + offsetof(struct nsk_hdr, id), sizeof(x->id));
                c = &conns[(x->id & 1) % n_conns];
        }
        if (send(c->fd, data, size, MSG_NOSIGNAL) < 0) {
                /* Larger than the socket takes: nothing reached the daemon. */
                fuzz_assert(errno == EMSGSIZE || errno == ENOBUFS);
                x->final = true;
                return;
        }
        for (int i = 0; i < PUMP_MAX; i++) {
                event_base_loop(base, EVLOOP_NONBLOCK);
                drain(c, x);
                if ((x->final || x->closed) && fakes_pending == 0)
                        break;
        }
        if (!x->final && !x->closed) {
                fprintf(stderr, "no reply to a request of %zu bytes after %d rounds\n", size,
                        PUMP_MAX);
                abort();
        }
        if (subscribe) {
                c->fd = safe_close(c->fd);
                for (int i = 0; i < PUMP_MAX && server_client_count(srv) == n_conns; i++)
                        event_base_loop(base, EVLOOP_NONBLOCK);
                return;
        }
        /* Anything after the final reply would be a reply too many. */
        event_base_loop(base, EVLOOP_NONBLOCK);
        drain(c, x);
        /* Only an empty datagram (end of stream to SEQPACKET) or one the
         * server cannot take whole closes the connection. */
        if (x->closed && !x->final)
                fuzz_assert(size == 0 || size > NSK_MSG_MAX);
}

static void create_seed(const char *name, nsk_type_mask_t types)
{
        struct nsk_request req = { .cmd = NSK_CMD_CREATE,
                                   .id = 2,
                                   .types = types,
                                   .pin = NSK_PIN_FD,
                                   .attrs = NSK_ATTR_BIT(NSK_A_NAME) | NSK_ATTR_BIT(NSK_A_TYPES) |
                                            NSK_ATTR_BIT(NSK_A_PIN) };
        uint8_t buf[256];
        struct exchange x;
        int len;

        snprintf(req.name, sizeof(req.name), "%s", name);
        len = nsk_request_encode(&req, buf, sizeof(buf));
        fuzz_assert(len > 0);
        exchange(buf, (size_t) len, false, &x);
        fuzz_assert(x.final && x.error == 0);
}

static int collect_name(struct set *s, void *userdata)
{
        char(*names)[NSK_NAME_MAX + 1] = userdata;
        size_t i = 0;

        while (names[i][0])
                i++;
        snprintf(names[i], sizeof(names[i]), "%s", s->name);
        return 0;
}

/* Back to the two seed sets and nothing else. */
static void reset_registry(void)
{
        size_t n = registry_count(reg);
        char(*names)[NSK_NAME_MAX + 1] = calloc(n + 1, sizeof(*names));

        fuzz_assert(names);
        (void) registry_foreach(reg, collect_name, names);
        for (size_t i = 0; i < n; i++) {
                struct set *s = registry_get(reg, names[i]);
                bool seed = false;

                for (size_t k = 0; k < ELEMENTSOF(seed_names); k++)
                        seed = seed || streq(names[i], seed_names[k]);
                fuzz_assert(s && s->state == SET_READY);
                if (seed)
                        continue;
                fuzz_assert(lifecycle_release(lc, s) == 0);
        }
        free(names);
        if (!registry_get(reg, "web"))
                create_seed("web", NSK_TYPE_BIT(NSK_TYPE_NET) | NSK_TYPE_BIT(NSK_TYPE_UTS) |
                                           NSK_TYPE_BIT(NSK_TYPE_IPC));
        if (!registry_get(reg, "db"))
                create_seed("db", nsk_type_mask_supported());
        fuzz_assert(registry_count(reg) == ELEMENTSOF(seed_names));
}

/* Removes dir/name and what is in it (files only). */
static void remove_dir(int dir, const char *name)
{
        int fd = openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
        struct dirent *de;

        if (!d) {
                safe_close(fd);
                return;
        }
        while ((de = readdir(d)))
                if (de->d_name[0] != '.')
                        (void) unlinkat(fd, de->d_name, 0);
        closedir(d);
        (void) unlinkat(dir, name, AT_REMOVEDIR);
}

static void teardown(void)
{
        for (unsigned i = 0; i < n_conns; i++)
                conns[i].fd = safe_close(conns[i].fd);
        networks = networks_free(networks);
        mon = monitor_free(mon);
        srv = server_free(srv);
        keepers = keepers_free(keepers);
        helpers = helpers_free(helpers);
        lc = lifecycle_free(lc);
        reg = registry_free(reg);
        if (rd) {
                char path[sizeof(rundir_path) + 8];

                /* The self-binds live in our own mount namespace only. */
                snprintf(path, sizeof(path), "%s/ns", rundir_path);
                (void) umount2(path, MNT_DETACH);
                snprintf(path, sizeof(path), "%s/mnt", rundir_path);
                (void) umount2(path, MNT_DETACH);
                remove_dir(rd->fd, "state");
                remove_dir(rd->fd, "ns");
                remove_dir(rd->fd, "mnt");
                (void) unlinkat(rd->fd, "lock", 0);
                (void) rmdir(rundir_path);
        }
        rd = rundir_free(rd);
        if (base)
                event_base_free(base);
        base = NULL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        const char *level = getenv("NSK_FUZZ_LOG_LEVEL");
        static char *args[256];
        int listen_fd, subids;

        /* Naming a newly covered function starts llvm-symbolizer with two
         * pipes that stay open: the fd count would grow by itself. */
        if (*argc < (int) ELEMENTSOF(args) - 2) {
                memcpy(args, *argv, (size_t) *argc * sizeof(char *));
                args[(*argc)++] = (char *) "-print_funcs=0";
                args[*argc] = NULL;
                *argv = args;
        }

        log_open("fuzz-dispatch");
        log_set_level(level ? log_level_from_string(level) : LOG_CRIT);
        signal(SIGPIPE, SIG_IGN);

        /* Mounts made from here on are the fuzzer's own. */
        if (geteuid() == 0) {
                fuzz_assert(unshare(CLONE_NEWNS) == 0);
                fuzz_assert(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0);
        }
        /* A private runtime directory, removed at exit. */
        fuzz_assert(mkdtemp(rundir_path));
        fuzz_assert(rundir_open(rundir_path, &rd) == 0);
        if (geteuid() == 0)
                fuzz_assert(rundir_prepare_mounts(rd) == 0);

        /* An autobound abstract socket: no file either. */
        listen_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        fuzz_assert(listen_fd >= 0);
        fuzz_assert(bind(listen_fd,
                         (struct sockaddr *) &(struct sockaddr_un) { .sun_family = AF_UNIX },
                         sizeof(sa_family_t)) == 0);
        addr_len = sizeof(addr);
        fuzz_assert(getsockname(listen_fd, (struct sockaddr *) &addr, &addr_len) == 0);
        fuzz_assert(listen(listen_fd, 16) == 0);

        /* subuid(5) lines in a memfd: no file either. */
        subids = memfd_create("nsk-fuzz-subids", MFD_CLOEXEC);
        fuzz_assert(subids >= 0);
        fuzz_assert(write(subids, USER_SUBIDS, strlen(USER_SUBIDS)) ==
                    (ssize_t) strlen(USER_SUBIDS));
        snprintf(subid_path, sizeof(subid_path), "/proc/self/fd/%d", subids);
        cfg.subuid_path = cfg.subgid_path = subid_path;
        cfg.idle_timeout_sec = 0; /* every input alike, however slow */

        reg = registry_new();
        base = event_base_new();
        fuzz_assert(reg && base);
        keepers = keepers_new(base);
        helpers = helpers_new(base);
        lc = lifecycle_new(rd, reg, keepers, on_event, NULL);
        mon = monitor_new(rd);
        networks = networks_new(base, rd, "/nonexistent/nskeeper-fuzz", "/nonexistent");
        fuzz_assert(keepers && helpers && lc && mon && networks);
        cmds = (struct commands) { .helpers = helpers,
                                   .cfg = &cfg,
                                   .rd = rd,
                                   .reg = reg,
                                   .lc = lc,
                                   .mon = mon,
                                   .networks = networks };
        fuzz_assert(server_new(base, listen_fd, NULL, &cfg, &handlers, &cmds, &srv) == 0);
        atexit(teardown);

        /* Another uid only when we can be one. */
        n_conns = geteuid() == 0 ? 2 : 1;
        conns[0].uid = geteuid();
        for (unsigned i = 0; i < n_conns; i++)
                client_connect(&conns[i]);
        reset_registry();
        baseline_fds = count_fds();
        return 0;
}

/* Whether an input may be sent, and whether it subscribes. */
static bool admissible(const uint8_t *data, size_t size, bool *ret_subscribe)
{
        struct nsk_request req;
        bool ok = true;

        *ret_subscribe = false;
        if (nsk_request_decode(data, size, &req) < 0)
                return true; /* refused by the daemon's decoder too */
        *ret_subscribe = req.cmd == NSK_CMD_MONITOR;
        for (unsigned i = 0; req.cmd == NSK_CMD_ADOPT && i < req.n_adopt_paths; i++)
                ok = ok && strncmp(req.adopt_paths[i], "/proc/", 6) == 0 &&
                     !strstr(req.adopt_paths[i], "..");
        nsk_request_done(&req);
        return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct exchange x;
        bool subscribe;

        if (!admissible(data, size, &subscribe))
                return 0;
        exchange(data, size, subscribe, &x);
        reset_registry();
        for (unsigned i = 0; i < n_conns; i++)
                if (conns[i].fd < 0)
                        client_connect(&conns[i]);
        fuzz_assert(server_client_count(srv) == n_conns);
        fuzz_assert(helpers_count(helpers) == 0);
        if (count_fds() != baseline_fds) {
                fprintf(stderr, "fd leak: %d open, %d before:\n", count_fds(), baseline_fds);
                (void) system("ls -l /proc/$PPID/fd >&2");
                abort();
        }
        return 0;
}
