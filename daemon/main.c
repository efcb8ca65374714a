/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nskeeperd: options, set-up, the event loop and an orderly stop. */

#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <event2/event.h>

#include "commands.h"
#include "fault.h"
#include "fdstore.h"
#include "helper.h"
#include "launch.h"
#include "keeper.h"
#include "lifecycle.h"
#include "log.h"
#include "monitor.h"
#include "mountwatch.h"
#include "notify.h"
#include "parse.h"
#include "proctitle.h"
#include "reaper.h"
#include "recover.h"
#include "registry.h"
#include "rundir.h"
#include "safepath.h"
#include "server.h"
#include "spawner.h"
#include "status.h"

static void help(void)
{
        printf("Usage: nskeeperd [OPTION...]\n"
               "Keep Linux namespace sets alive and hand their fds to clients.\n"
               "\n"
               "  -s, --socket PATH        control socket (default: RUNTIME_DIR/" NSK_SOCKET_NAME
               ")\n"
               "  -r, --runtime-dir DIR    pins, state and lock (default: " NSK_RUNTIME_DIR_DEFAULT
               ")\n"
               "  -l, --log-level LEVEL    error, warning, notice, info or debug (default: info)\n"
               "  -g, --group GROUP        members of GROUP may connect too (socket mode 0660);\n"
               "                           they may create only sets with a user namespace,\n"
               "                           map only their own ids and subuid/subgid ranges, and\n"
               "                           see, join and release only their own sets\n"
               "      --max-sets-per-user N         sets a uid other than root may own (64)\n"
               "      --max-namespaces-per-user N   namespaces in them (512)\n"
               "      --max-clients-per-user N      connections of one such uid, its\n"
               "                                    subordinate uids included (32)\n"
               "      --max-clients N               connections of all but root (4096;\n"
               "                                    root has 16 more of its own)\n"
               "      --idle-timeout SECS  close a connection idle that long; 0: never (60)\n"
               "      --subuid-file PATH   subordinate uids (default: /etc/subuid)\n"
               "      --subgid-file PATH   subordinate gids (default: /etc/subgid)\n"
               "      --netns-dir DIR      where sets made with --ip-netns appear (default:\n"
               "                           /run/netns, where ip-netns(8) looks)\n"
               "      --spawner PATH       the program that starts helpers (default:\n"
               "                           " NSK_SPAWNER_PATH ");\n"
               "                           'none': the daemon forks them itself (slower)\n"
               "  -h, --help               show this help\n"
               "  -V, --version            show the version\n"
               "\n"
               "Runs in the foreground and logs to stderr; SIGTERM or SIGINT stops it.\n"
               "Sets pinned by bind mount (the default) survive a restart and are adopted\n"
               "again from the runtime directory; sets pinned by held fd end with the daemon,\n"
               "unless systemd keeps their fds in its fd store (a restart, not a stop).\n"
               "SIGHUP adopts sets that appeared in the runtime directory since the start.\n");
}

struct options {
        const char *socket;
        const char *runtime_dir;
        const char *spawner; /* NULL: the default, if installed */
        struct config cfg;
        char *owned[4]; /* paths made absolute (absolute_paths) */
};

enum {
        OPT_MAX_SETS = 0x100,
        OPT_MAX_NAMESPACES,
        OPT_MAX_CLIENTS_PER_USER,
        OPT_MAX_CLIENTS,
        OPT_IDLE_TIMEOUT,
        OPT_SUBUID,
        OPT_SUBGID,
        OPT_NETNS_DIR,
        OPT_SPAWNER,
};

static int parse_unsigned(const char *opt, const char *s, unsigned min, unsigned *ret)
{
        uint32_t v;

        if (parse_u32(s, &v) < 0 || v > 1000000000 || v < min) {
                fprintf(stderr, "nskeeperd: %s takes a number of at least %u, not '%s'\n", opt, min,
                        s);
                return -1;
        }
        *ret = (unsigned) v;
        return 0;
}

static int parse_group(const char *s, gid_t *ret)
{
        struct group gr, *res = NULL;
        char buf[4096];
        unsigned id;

        if (getgrnam_r(s, &gr, buf, sizeof(buf), &res) == 0 && res) {
                *ret = res->gr_gid;
                return 0;
        }
        if (s[0] >= '0' && s[0] <= '9' && parse_unsigned("--group", s, 1, &id) == 0) {
                *ret = (gid_t) id;
                return 0;
        }
        fprintf(stderr, "nskeeperd: no group '%s'\n", s);
        return -1;
}

/* 0 to go on, 1 to exit successfully, -1 on a usage error. */
static int parse_args(int argc, char **argv, struct options *o)
{
        static const struct option longopts[] = {
                { "socket", required_argument, NULL, 's' },
                { "runtime-dir", required_argument, NULL, 'r' },
                { "log-level", required_argument, NULL, 'l' },
                { "group", required_argument, NULL, 'g' },
                { "max-sets-per-user", required_argument, NULL, OPT_MAX_SETS },
                { "max-namespaces-per-user", required_argument, NULL, OPT_MAX_NAMESPACES },
                { "max-clients-per-user", required_argument, NULL, OPT_MAX_CLIENTS_PER_USER },
                { "max-clients", required_argument, NULL, OPT_MAX_CLIENTS },
                { "idle-timeout", required_argument, NULL, OPT_IDLE_TIMEOUT },
                { "subuid-file", required_argument, NULL, OPT_SUBUID },
                { "subgid-file", required_argument, NULL, OPT_SUBGID },
                { "netns-dir", required_argument, NULL, OPT_NETNS_DIR },
                { "spawner", required_argument, NULL, OPT_SPAWNER },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, 'V' },
                {},
        };
        int c, level;

        while ((c = getopt_long(argc, argv, "s:r:l:g:hV", longopts, NULL)) >= 0)
                switch (c) {
                case 'g':
                        if (parse_group(optarg, &o->cfg.group) < 0)
                                return -1;
                        o->cfg.have_group = true;
                        break;
                case OPT_MAX_SETS:
                        if (parse_unsigned("--max-sets-per-user", optarg, 0,
                                           &o->cfg.max_sets_per_user) < 0)
                                return -1;
                        break;
                case OPT_MAX_NAMESPACES:
                        if (parse_unsigned("--max-namespaces-per-user", optarg, 0,
                                           &o->cfg.max_namespaces_per_user) < 0)
                                return -1;
                        break;
                case OPT_MAX_CLIENTS_PER_USER:
                        if (parse_unsigned("--max-clients-per-user", optarg, 1,
                                           &o->cfg.max_clients_per_user) < 0)
                                return -1;
                        break;
                case OPT_MAX_CLIENTS:
                        if (parse_unsigned("--max-clients", optarg, 1, &o->cfg.max_clients) < 0)
                                return -1;
                        break;
                case OPT_IDLE_TIMEOUT:
                        if (parse_unsigned("--idle-timeout", optarg, 0, &o->cfg.idle_timeout_sec) <
                            0)
                                return -1;
                        break;
                case OPT_SUBUID:
                        o->cfg.subuid_path = optarg;
                        break;
                case OPT_SUBGID:
                        o->cfg.subgid_path = optarg;
                        break;
                case OPT_NETNS_DIR:
                        if (optarg[0] != '/') {
                                fprintf(stderr, "nskeeperd: --netns-dir takes an absolute path\n");
                                return -1;
                        }
                        o->cfg.netns_dir = optarg;
                        break;
                case OPT_SPAWNER:
                        if (!streq(optarg, "none") && optarg[0] != '/') {
                                fprintf(stderr,
                                        "nskeeperd: --spawner takes an absolute path or 'none'\n");
                                return -1;
                        }
                        o->spawner = optarg;
                        break;
                case 's':
                        o->socket = optarg;
                        break;
                case 'r':
                        o->runtime_dir = optarg;
                        break;
                case 'l':
                        level = log_level_from_string(optarg);
                        if (level < 0) {
                                fprintf(stderr, "nskeeperd: unknown log level '%s'\n", optarg);
                                return -1;
                        }
                        log_set_level(level);
                        break;
                case 'h':
                        help();
                        return 1;
                case 'V':
                        printf("nskeeperd %s\n", PACKAGE_VERSION);
                        return 1;
                default:
                        fprintf(stderr, "Try 'nskeeperd --help'.\n");
                        return -1;
                }
        if (optind < argc) {
                fprintf(stderr, "nskeeperd: unexpected argument '%s'\nTry 'nskeeperd --help'.\n",
                        argv[optind]);
                return -1;
        }
        return 0;
}

/* Relative paths given on the command line, made absolute from the
 * directory the daemon was started in: it then goes to "/". */
static int absolute_paths(struct options *o)
{
        const char **paths[] = { &o->socket, &o->runtime_dir, &o->cfg.subuid_path,
                                 &o->cfg.subgid_path };
        char cwd[PATH_MAX];

        _Static_assert(ELEMENTSOF(paths) == ELEMENTSOF(o->owned), "one owned slot per path");
        for (size_t i = 0; i < ELEMENTSOF(paths); i++) {
                const char *p = *paths[i];

                if (!p || p[0] == '/')
                        continue;
                if (!getcwd(cwd, sizeof(cwd)))
                        return log_error_errno(negative_errno(), "cannot make '%s' absolute: %m",
                                               p);
                if (asprintf(&o->owned[i], "%s/%s", cwd, p) < 0) {
                        o->owned[i] = NULL;
                        return log_error_errno(-ENOMEM, "out of memory");
                }
                *paths[i] = o->owned[i];
        }
        return 0;
}

/* The daemon: every object main() makes, wired together here and
 * nowhere else. */
struct daemon {
        struct options o;
        struct event_base *base;
        struct rundir *rd;
        struct registry *reg;
        struct keepers *keepers;
        struct helpers *helpers;
        struct lifecycle *lc;
        struct monitor *mon;
        struct commands cmds;
        struct server *srv;
        struct status *status;
        struct reaper *reaper;
        struct mountwatch *mounts;
        struct event *watchdog;
        struct event *sigterm, *sigint, *sighup;
        bool activated;   /* systemd passed the control socket */
        bool refused;     /* setup failed: leave nothing it made */
        bool made_rundir; /* the runtime directory did not exist before */
        int listen_fd;    /* bound, not yet served */
        char socket_path[PATH_MAX];
};

/* What the lifecycle reports goes to monitors and the status line. */
static void publish(enum nsk_event e, const struct set *s, void *userdata)
{
        struct daemon *d = userdata;

        monitor_emit(d->mon, e, s);
        status_changed(d->status);
}

/* What the mount table says goes to the lifecycle, which compares it
 * with the sets. */
static void on_mounts(const struct mounts *m, void *userdata)
{
        struct daemon *d = userdata;

        lifecycle_check_mounts(d->lc, m);
}

static void on_request(struct client *c, const void *buf, size_t len, void *userdata)
{
        struct daemon *d = userdata;

        commands_dispatch(&d->cmds, c, buf, len);
}

static void on_client_open(struct client *c, void *userdata)
{
        struct daemon *d = userdata;

        status_changed(d->status);
}

static void on_client_close(struct client *c, void *userdata)
{
        struct daemon *d = userdata;

        if (d->mon)
                monitor_forget(d->mon, c);
        status_changed(d->status);
}

/* Children the reaper leaves alone: those reaped through their pidfd. */
static bool is_watched(pid_t pid, void *userdata)
{
        struct daemon *d = userdata;

        return helpers_tracks(d->helpers, pid) || keepers_tracks(d->keepers, pid);
}

static void on_stop_signal(evutil_socket_t sig, short what, void *userdata)
{
        log_info("received %s, stopping", strsignal((int) sig));
        event_base_loopbreak(userdata);
}

/* SIGHUP: adopt sets that appeared in the runtime directory since the
 * start; known sets stay as they are. */
static void on_reload_signal(evutil_socket_t sig, short what, void *userdata)
{
        struct daemon *d = userdata;
        size_t before = registry_count(d->reg);
        int r;

        notify_reloading();
        r = recover_sets(d->lc, d->rd, d->reg);
        if (r < 0)
                log_error("reload: cannot read %s: %s", d->rd->path, strerror(-r));
        else
                log_info("reloaded: %zu new set(s) recovered from %s",
                         registry_count(d->reg) - before, d->rd->path);
        /* The new ones have not been compared with the mount table yet. */
        mountwatch_rescan(d->mounts);
        status_changed(d->status);
        notify_ready();
}

/* An explicit --spawner must work. The default may be missing (a daemon
 * run from its build tree) or not work (an older one installed there):
 * then the daemon forks helpers itself. */
static int start_spawner(const char *path)
{
        if (path && streq(path, "none")) {
                log_info("--spawner none: helpers are forked by the daemon itself");
                return 0;
        }
        if (path)
                return spawner_start(path);
        if (access(NSK_SPAWNER_PATH, X_OK) < 0) {
                log_notice("no spawner at %s (%m): helpers are forked by the daemon itself",
                           NSK_SPAWNER_PATH);
                return 0;
        }
        if (spawner_start(NSK_SPAWNER_PATH) < 0)
                log_warning("helpers are forked by the daemon itself");
        return 0;
}

/* A daemon in a pid namespace of its own that sees another namespace's
 * /proc (`unshare --pid --fork` without --mount-proc) names its keepers
 * by numbers that /proc gives to other processes. */
static void check_proc(void)
{
        char buf[32];
        ssize_t n = readlink("/proc/self", buf, sizeof(buf) - 1);
        long pid;

        if (n <= 0)
                return;
        buf[n] = '\0';
        pid = strtol(buf, NULL, 10);
        if (pid != (long) getpid())
                log_warning("/proc is not of this pid namespace (it knows this process as %ld, "
                            "not %d): keepers of pid sets cannot be found again after a "
                            "restart; give the daemon a /proc of its own (unshare --mount-proc)",
                            pid, (int) getpid());
}

/* Many sets pinned by fd, many clients: use all the fds we may. */
static void raise_nofile(void)
{
        struct rlimit rl;

        if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
                rl.rlim_cur = rl.rlim_max;
                (void) setrlimit(RLIMIT_NOFILE, &rl);
        }
}

/* Every directory the daemon works in must be root's all the way down
 * (safepath.h); the socket's too, unless systemd made the socket. */
static int check_paths(const struct options *o, bool activated)
{
        const char *paths[] = { o->runtime_dir, o->cfg.netns_dir, activated ? NULL : o->socket };
        char msg[PATH_MAX + 256];

        for (size_t i = 0; i < ELEMENTSOF(paths); i++) {
                int r;

                if (!paths[i])
                        continue;
                r = safepath_check(paths[i], i == 2, msg, sizeof(msg));
                if (r < 0) {
                        log_error("%s", msg);
                        return r;
                }
        }
        return 0;
}

/* Everything up to serving; on failure what was made is left for
 * teardown(). */
static int setup(struct daemon *d)
{
        static const struct server_handlers handlers = {
                .dispatch = on_request,
                .on_open = on_client_open,
                .on_close = on_client_close,
        };
        struct options *o = &d->o;
        int r;

        if (geteuid() != 0) {
                log_error("must run as root (it creates namespaces and bind mounts)");
                return -EPERM;
        }
        /* Not wherever it was started: its helpers, spawner and keepers
         * would keep that directory busy, and a keeper's /proc/PID/cwd
         * would lead there from inside a set. */
        r = absolute_paths(o);
        if (r < 0)
                return r;
        if (chdir("/") < 0)
                return log_error_errno(negative_errno(), "cannot change directory to /: %m");
        signal(SIGPIPE, SIG_IGN);
        /* Keepers outlive their helpers; as their reaper we learn how they
         * died (a restarted daemon only learns that they did). */
        (void) prctl(PR_SET_CHILD_SUBREAPER, 1);
        umask(0022);
        raise_nofile();
        check_proc();

        /* Under systemd: maybe the control socket (socket activation), maybe
         * fd-pinned sets of the daemon before us (its fd store). */
        r = fdstore_receive(&d->listen_fd);
        if (r < 0)
                return r;
        d->activated = d->listen_fd >= 0;
        /* Now that the fds systemd passed are close-on-exec, and while the
         * daemon is small: it is forked once to run it. */
        r = start_spawner(o->spawner);
        if (r < 0)
                return r;

        /* check_paths() makes it. */
        d->made_rundir = access(o->runtime_dir, F_OK) < 0;
        r = check_paths(o, d->activated);
        if (r < 0)
                return r;
        r = rundir_open(o->runtime_dir, &d->rd);
        if (r < 0)
                return r;
        d->rd->netns_dir = o->cfg.netns_dir;
        if (!o->socket) {
                snprintf(d->socket_path, sizeof(d->socket_path), "%s/%s", d->rd->path,
                         NSK_SOCKET_NAME);
                o->socket = d->socket_path;
        }

        d->reg = registry_new();
        d->base = event_base_new();
        if (!d->reg || !d->base)
                return log_error_errno(-ENOMEM, "out of memory");
        d->keepers = keepers_new(d->base);
        d->helpers = helpers_new(d->base);
        d->lc = lifecycle_new(d->rd, d->reg, d->keepers, publish, d);
        d->mon = monitor_new(d->rd);
        if (!d->keepers || !d->helpers || !d->lc || !d->mon)
                return log_error_errno(-ENOMEM, "out of memory");
        d->cmds = (struct commands) { .helpers = d->helpers,
                                      .cfg = &o->cfg,
                                      .rd = d->rd,
                                      .reg = d->reg,
                                      .lc = d->lc,
                                      .mon = d->mon };
        /* The socket first: a daemon that cannot serve leaves no mounts. */
        if (!d->activated) {
                r = server_listen(o->socket, &o->cfg, &d->listen_fd);
                if (r < 0)
                        return r;
        }
        r = rundir_prepare_mounts(d->rd);
        if (r < 0)
                return r;
        r = recover_sets(d->lc, d->rd, d->reg);
        if (r < 0)
                return log_error_errno(r, "cannot read %s: %s", d->rd->path, strerror(-r));
        /* What no set claimed is of no use to anyone. */
        fdstore_flush();
        /* A socket systemd made is systemd's to remove. */
        r = server_new(d->base, TAKE_FD(d->listen_fd), d->activated ? NULL : o->socket, &o->cfg,
                       &handlers, d, &d->srv);
        if (r < 0)
                return log_error_errno(r, "cannot start server: %s", strerror(-r));

        d->sigterm = evsignal_new(d->base, SIGTERM, on_stop_signal, d->base);
        d->sigint = evsignal_new(d->base, SIGINT, on_stop_signal, d->base);
        d->reaper = reaper_new(d->base, is_watched, d);
        if (!d->reaper)
                log_warning("cannot watch SIGCHLD; orphaned children may stay zombies");
        d->sighup = evsignal_new(d->base, SIGHUP, on_reload_signal, d);
        if (!d->sigterm || !d->sigint || !d->sighup || event_add(d->sigterm, NULL) < 0 ||
            event_add(d->sigint, NULL) < 0 || event_add(d->sighup, NULL) < 0)
                return log_error_errno(-ENOMEM, "cannot set up signal handling");
        /* Pins and ip netns entries someone else removes: within a
         * second, without a look at the table per request. */
        r = mountwatch_new(d->base, on_mounts, d, &d->mounts);
        if (r < 0)
                log_warning("cannot watch the mount table (%s): pins removed from outside are "
                            "noticed only when a client asks for them",
                            strerror(-r));
        r = spawner_attach(d->base);
        if (r < 0)
                return log_error_errno(r, "cannot watch the spawner: %s", strerror(-r));
        d->status = status_new(d->base, d->reg, d->srv);
        r = d->status ? notify_watchdog_start(d->base, &d->watchdog) : -ENOMEM;
        if (r < 0)
                return log_error_errno(r, "cannot set up notifications to the service manager: %s",
                                       strerror(-r));
        return 0;
}

static int run(struct daemon *d)
{
        log_info("listening on %s, %zu set(s) recovered from %s",
                 d->activated ? "the socket passed by the service manager" : d->o.socket,
                 registry_count(d->reg), d->rd->path);
        notify_ready();

        if (event_base_dispatch(d->base) < 0)
                return log_error_errno(-EIO, "event loop failed");
        notify_status("stopping");
        notify_stopping();
        /* Without a service manager to keep their fds, fd-pinned sets end
         * here: leave nothing that looks like one (a state file, an entry
         * in /run/netns, a keeper). */
        if (!notify_enabled())
                lifecycle_end_fd_sets(d->lc);
        return 0;
}

static void teardown(struct daemon *d)
{
        if (d->watchdog)
                event_free(d->watchdog);
        d->status = status_free(d->status);
        d->helpers = helpers_free(d->helpers);
        spawner_stop();
        d->mon = monitor_free(d->mon);
        server_free(d->srv);
        if (d->sigterm)
                event_free(d->sigterm);
        if (d->sigint)
                event_free(d->sigint);
        if (d->sighup)
                event_free(d->sighup);
        d->reaper = reaper_free(d->reaper);
        d->mounts = mountwatch_free(d->mounts);
        /* Keepers point to their sets: first. */
        keepers_free(d->keepers);
        lifecycle_free(d->lc);
        registry_free(d->reg);
        if (d->base)
                event_base_free(d->base);
        if (d->refused)
                rundir_discard(d->rd, d->made_rundir);
        else
                rundir_free(d->rd);
        if (d->listen_fd >= 0) {
                /* Bound but never served. */
                if (!d->activated)
                        (void) unlink(d->o.socket);
                safe_close(d->listen_fd);
        }
        for (size_t i = 0; i < ELEMENTSOF(d->o.owned); i++)
                free(d->o.owned[i]);
}

int main(int argc, char **argv)
{
        struct daemon d = { .o = { .runtime_dir = NSK_RUNTIME_DIR_DEFAULT, .cfg = CONFIG_DEFAULTS },
                            .listen_fd = -EBADF };
        const char *bad;
        int r;

        /* First: everything the daemon allocates lies above this mark. */
        launch_init();
        log_open("nskeeperd");
        /* For helpers it forks itself (no spawner): its own command line
         * is their room, which may be too small for theirs. Before getopt
         * reorders argv. */
        proctitle_init(argc, argv);
        r = parse_args(argc, argv, &d.o);
        if (r != 0)
                return r > 0 ? EXIT_SUCCESS : 2;
        r = fault_setup(&bad);
        if (r < 0) {
                /* The test build only (fault.h): a typo arms nothing. */
                log_error("NSK_FAULTS: cannot use '%.*s'", (int) strcspn(bad, " \t\n"), bad);
                return 2;
        }
        r = setup(&d);
        d.refused = r < 0;
        if (r == 0)
                r = run(&d);
        teardown(&d);
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
