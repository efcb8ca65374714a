/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nskeeperd: options, set-up, the event loop and an orderly stop. */

#include <fcntl.h>
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
#include "network.h"
#include "notify.h"
#include "options.h"
#include "parse.h"
#include "pidfd-util.h"
#include "proctitle.h"
#include "reaper.h"
#include "recover.h"
#include "registry.h"
#include "rundir.h"
#include "safepath.h"
#include "server.h"
#include "spawner.h"
#include "status.h"

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
        struct networks *networks;
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

        return helpers_tracks(d->helpers, pid) || keepers_tracks(d->keepers, pid) ||
               networks_tracks(d->networks, pid);
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
        r = recover_sets(d->lc, d->rd, d->reg, false);
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
        pid_t pid = proc_self_pid();

        if (pid > 0 && pid != getpid())
                log_warning("/proc is not of this pid namespace (it knows this process as %d, "
                            "not %d): keepers of pid sets cannot be found again after a "
                            "restart; give the daemon a /proc of its own (unshare --mount-proc)",
                            (int) pid, (int) getpid());
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
        r = options_absolute_paths(o);
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
        d->networks = networks_new(d->base, d->rd, o->cni_conf_dir, o->cni_path);
        if (!d->keepers || !d->helpers || !d->lc || !d->mon || !d->networks)
                return log_error_errno(-ENOMEM, "out of memory");
        d->cmds = (struct commands) { .helpers = d->helpers,
                                      .cfg = &o->cfg,
                                      .rd = d->rd,
                                      .reg = d->reg,
                                      .lc = d->lc,
                                      .mon = d->mon,
                                      .networks = d->networks };
        /* The socket first: a daemon that cannot serve leaves no mounts. */
        if (!d->activated) {
                r = server_listen(o->socket, &o->cfg, &d->listen_fd);
                if (r < 0)
                        return r;
        }
        r = rundir_prepare_mounts(d->rd);
        if (r < 0)
                return r;
        r = recover_sets(d->lc, d->rd, d->reg, true);
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
        for (unsigned i = 0; i < o->n_pools; i++) {
                r = helpers_pool(d->helpers, d->rd, o->pools[i].types, o->pools[i].size);
                if (r < 0)
                        return log_error_errno(r, "cannot keep a pool: %s", strerror(-r));
        }
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
        if (!notify_enabled()) {
                networks_detach_fd_sets(d->networks, d->reg);
                lifecycle_end_fd_sets(d->lc);
        }
        return 0;
}

static void teardown(struct daemon *d)
{
        if (d->watchdog)
                event_free(d->watchdog);
        d->status = status_free(d->status);
        d->helpers = helpers_free(d->helpers);
        /* Answers what waits for a network's plugins: before the server. */
        d->networks = networks_free(d->networks);
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

        /* 0-2 are open, so that no socket or file of ours ever takes one
         * and leaks into what inherits them (helpers, CNI plugins). */
        for (int fd = 0; fd < 3; fd++)
                if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR | O_NOCTTY) != fd)
                        return EXIT_FAILURE;
        /* First: everything the daemon allocates lies above this mark. */
        launch_init();
        log_open("nskeeperd");
        /* For helpers it forks itself (no spawner): its own command line
         * is their room, which may be too small for theirs. Before getopt
         * reorders argv. */
        proctitle_init(argc, argv);
        r = options_parse(argc, argv, &d.o);
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
