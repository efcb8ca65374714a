/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Starting the spawner and keeping helpers waiting (its side is
 * spawn-main.c).
 *
 * The daemon asks for helpers ahead of time (a struct spawn_want each)
 * and reads the answers on the event loop: each brings a helper's pid,
 * its pidfd and the daemon's end of its socketpair. POOL_MAX of them wait
 * for the next creates; a create takes one and asks for the next, so
 * neither a clone(2) nor a word with the spawner lies between a request
 * and its helper's start. Only when more creates come at once than
 * helpers wait does a create wait for the spawner, in place, as it used to
 * wait for its own fork(). */

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "fdpass.h"
#include "log.h"
#include "pidfd-util.h"
#include "proctitle.h"
#include "spawn-proto.h"
#include "spawner.h"

/* How long the spawner may take to answer, or to start: a clone(2), an
 * exec. Far more means it is stuck, and it is replaced; the event loop
 * waits this long at worst. */
#define SPAWN_TIMEOUT_MS 2000
/* Helpers kept waiting: one per create in flight at once, up to this. */
#define POOL_MAX 2

static struct {
        char *path;
        pid_t pid;
        int pidfd;
        int sock;
        unsigned asked; /* wants sent, replies not read yet */
        struct event_base *base;
        struct event *ev;
        struct spawned pool[POOL_MAX];
        unsigned n_pool;
} sp = { .pidfd = -EBADF, .sock = -EBADF };

static void spawned_end(struct spawned *h)
{
        /* A waiting helper exits when its socket closes; SIGKILL is
         * quicker, and it is reaped here, not left as a zombie. */
        safe_close(h->sock);
        if (h->pidfd >= 0 && pidfd_send_signal(h->pidfd, SIGKILL, NULL, 0) == 0)
                (void) waitid(P_PIDFD, (id_t) h->pidfd, &(siginfo_t) {}, WEXITED);
        safe_close(h->pidfd);
}

/* Kills and reaps the spawner (if any); waiting helpers stay usable:
 * they are ours, and talk to us, not to it. */
static void spawner_end(void)
{
        if (sp.ev) {
                event_free(sp.ev);
                sp.ev = NULL;
        }
        sp.sock = safe_close(sp.sock);
        if (sp.pidfd >= 0) {
                (void) pidfd_send_signal(sp.pidfd, SIGKILL, NULL, 0);
                /* ECHILD: it died earlier and the reaper got there first. */
                (void) waitid(P_PIDFD, (id_t) sp.pidfd, &(siginfo_t) {}, WEXITED);
        }
        sp.pidfd = safe_close(sp.pidfd);
        sp.pid = 0;
        sp.asked = 0;
}

void spawner_stop(void)
{
        spawner_end();
        while (sp.n_pool > 0)
                spawned_end(&sp.pool[--sp.n_pool]);
        sp.path = mfree(sp.path);
}

/* Receives one reply within timeout_ms (-1: no waiting). Returns 0 and
 * the reply, with its 2 fds in ret_fds unless it carries an error (or
 * ret_fds is NULL: the hello, which has none), or -errno: -EAGAIN,
 * -ETIMEDOUT, -ECONNRESET at end of stream, -EPROTO if it is not one. */
static int receive_reply(int timeout_ms, struct spawn_reply *r, int ret_fds[2])
{
        int fds[2] = { -EBADF, -EBADF };
        size_t n = 0;
        ssize_t k;

        for (;;) {
                struct pollfd p = { .fd = sp.sock, .events = POLLIN };
                int q = timeout_ms < 0 ? 1 : poll(&p, 1, timeout_ms);

                if (q < 0 && errno == EINTR)
                        continue;
                if (q < 0)
                        return negative_errno();
                if (q == 0)
                        return -ETIMEDOUT;
                k = fdpass_recv(sp.sock, r, sizeof(*r), fds, 2, &n);
                if (k == -EINTR)
                        continue;
                if (k == -EAGAIN && timeout_ms >= 0)
                        continue;
                break;
        }
        if (k == 0)
                return -ECONNRESET;
        if (k < 0)
                return (int) k;
        if (k != (ssize_t) sizeof(*r) || r->abi != SPAWN_ABI ||
            n != (ret_fds && r->error == 0 ? 2u : 0u) || (n > 0 && r->pid <= 0)) {
                close_many(fds, n);
                return -EPROTO;
        }
        if (ret_fds) {
                ret_fds[0] = fds[0];
                ret_fds[1] = fds[1];
        }
        return 0;
}

static int spawner_exec(const char *heap_path)
{
        _cleanup_close_ int mine = -EBADF, theirs = -EBADF;
        struct spawn_reply hello;
        char abi[16], daemon[16], path[PATH_MAX], room[PROCTITLE_MAX + 1];
        int sv[2], r;
        pid_t pid;

        /* On the stack: a child sees zeroes where the daemon's heap was
         * once helper_fork() marked it (MADV_WIPEONFORK). */
        if (snprintf(path, sizeof(path), "%s", heap_path) >= (int) sizeof(path))
                return log_error_errno(-ENAMETOOLONG, "spawner %s: %m", heap_path);

        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
                return log_error_errno(negative_errno(), "spawner: socketpair: %m");
        mine = sv[0];
        theirs = sv[1];
        snprintf(abi, sizeof(abi), "%d", SPAWN_ABI);
        snprintf(daemon, sizeof(daemon), "%d", (int) getpid());
        /* Room for its helpers' and keepers' command lines (proctitle.h). */
        memset(room, '-', sizeof(room) - 1);
        room[sizeof(room) - 1] = '\0';

        pid = fork();
        if (pid < 0)
                return log_error_errno(negative_errno(), "spawner: fork: %m");
        if (pid == 0) {
                static const int handled[] = { SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGPIPE };
                struct spawn_reply fail = { .abi = SPAWN_ABI };

                for (size_t i = 0; i < ELEMENTSOF(handled); i++)
                        (void) signal(handled[i], SIG_DFL);
                /* Its end as fd 3, the only one it inherits but /dev/null
                 * on 0-2: the daemon's log is none of its helpers'
                 * business. Made before /dev/null takes a low number. */
                if (theirs == 3 ? fcntl(3, F_SETFD, 0) < 0 : dup2(theirs, 3) < 0)
                        _exit(127);
                if (close_range(4, ~0U, 0) < 0 || close_range(0, 2, 0) < 0)
                        _exit(127);
                for (int i = 0; i < 3; i++)
                        if (open("/dev/null", O_RDWR | O_NOCTTY) != i)
                                _exit(127);
                execl(path, SPAWNER_NAME, abi, daemon, room, (char *) NULL);
                fail.error = errno;
                (void) send(3, &fail, sizeof(fail), MSG_NOSIGNAL);
                _exit(127);
        }
        theirs = safe_close(theirs);
        sp.pid = pid;
        sp.sock = TAKE_FD(mine);
        sp.pidfd = pidfd_open(pid, 0);
        if (sp.pidfd < 0) {
                r = negative_errno();
                (void) kill(pid, SIGKILL);
                (void) waitpid(pid, NULL, 0);
                sp.pid = 0;
                sp.sock = safe_close(sp.sock);
                return log_error_errno(r, "spawner: pidfd_open: %m");
        }

        r = receive_reply(SPAWN_TIMEOUT_MS, &hello, NULL);
        if (r == 0 && hello.error != 0)
                r = -hello.error;
        else if (r == 0 && hello.pid != (int32_t) pid)
                r = -EPROTO;
        if (r < 0) {
                spawner_end();
                if (r == -ECONNRESET)
                        return log_error_errno(r, "spawner %s exited at once", path);
                return log_error_errno(r, "cannot run spawner %s: %m", path);
        }
        (void) fcntl(sp.sock, F_SETFL, O_NONBLOCK);
        return 0;
}

int spawner_start(const char *path)
{
        int r;

        sp.path = strdup(path);
        if (!sp.path)
                return -ENOMEM;
        r = spawner_exec(sp.path);
        if (r < 0) {
                sp.path = mfree(sp.path);
                return r;
        }
        log_debug("spawner %s started as process %d", sp.path, (int) sp.pid);
        return 0;
}

/* Reads one reply into the pool. Returns 1 (a helper waits), 0 (no
 * helper came of it: *ret_error, logged), or -errno of receive_reply():
 * -EAGAIN and -ETIMEDOUT mean nothing came, anything else that the
 * channel is broken. */
static int pool_receive(int timeout_ms, int *ret_error)
{
        struct spawn_reply rep;
        int fds[2], r;

        r = receive_reply(timeout_ms, &rep, fds);
        if (r == -EBADMSG) {
                /* The kernel dropped the fds it brought: we are out of
                 * fds. That helper exits on its closed socket (the reaper
                 * has it); the spawner is fine. */
                if (sp.asked > 0)
                        sp.asked--;
                log_warning("no fds for a helper from the spawner (out of fds?)");
                *ret_error = -EMFILE;
                return 0;
        }
        if (r < 0)
                return r;
        if (sp.asked > 0)
                sp.asked--;
        if (rep.error != 0) {
                /* EAGAIN from clone(2) is fork's usual trouble: the next
                 * create asks again. */
                log_warning("spawner could not make a helper: %s", strerror(rep.error));
                *ret_error = -rep.error;
                return 0;
        }
        /* The pid must be the pidfd's: the reaper and the daemon's
         * /proc writes go by it. */
        struct spawned h = { .pid = rep.pid, .pidfd = fds[0], .sock = fds[1] };
        pid_t own = 0;
        if (pidfd_pids(h.pidfd, &h.proc_pid, &own) < 0 || own != h.pid) {
                close_many(fds, 2);
                return -EPROTO;
        }
        if (sp.n_pool == POOL_MAX)
                spawned_end(&h); /* cannot happen: never more asked than room */
        else
                sp.pool[sp.n_pool++] = h;
        return 1;
}

static void spawner_lost(int error)
{
        if (error == -ECONNRESET)
                log_warning("spawner (process %d) is gone", (int) sp.pid);
        else
                log_error_errno(error, "spawner (process %d) failed: %m; stopping it",
                                (int) sp.pid);
        spawner_end();
}

static int spawner_watch(void);

/* Starts the spawner again if it died (once per call of the caller: no
 * loop of starts). False if there is none now. */
static bool spawner_revive(void)
{
        if (sp.sock >= 0)
                return true;
        if (!sp.path)
                return false;
        if (spawner_exec(sp.path) < 0 || spawner_watch() < 0) {
                log_warning("helpers are forked by the daemon itself from now on");
                sp.path = mfree(sp.path);
                return false;
        }
        log_notice("spawner started again as process %d", (int) sp.pid);
        return true;
}

/* Asks for helpers until POOL_MAX are waiting or asked for. */
static void pool_top_up(void)
{
        const struct spawn_want w = { .abi = SPAWN_ABI };

        if (sp.n_pool + sp.asked < POOL_MAX && !spawner_revive())
                return;
        while (sp.sock >= 0 && sp.n_pool + sp.asked < POOL_MAX) {
                if (send(sp.sock, &w, sizeof(w), MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
                        if (errno != EAGAIN)
                                spawner_lost(errno == EPIPE ? -ECONNRESET : negative_errno());
                        return;
                }
                sp.asked++;
        }
}

static void on_reply(evutil_socket_t fd, short what, void *userdata)
{
        int r, error = 0;

        while ((r = pool_receive(-1, &error)) >= 0)
                ;
        if (r != -EAGAIN) {
                spawner_lost(r);
                return;
        }
        /* Not after a failed make: no loop of wants and failures. */
        if (error == 0)
                pool_top_up();
}

static int spawner_watch(void)
{
        if (!sp.base || sp.sock < 0 || sp.ev)
                return 0;
        sp.ev = event_new(sp.base, sp.sock, EV_READ | EV_PERSIST, on_reply, NULL);
        if (!sp.ev || event_add(sp.ev, NULL) < 0) {
                spawner_lost(-ENOMEM);
                return -ENOMEM;
        }
        pool_top_up();
        return 0;
}

int spawner_attach(struct event_base *base)
{
        sp.base = base;
        return spawner_watch();
}

int spawner_take(struct spawned *ret)
{
        int r, error = 0;

        if (!sp.path && sp.n_pool == 0)
                return -ENOTCONN;
        for (unsigned starts = 0; sp.n_pool == 0;) {
                /* Dead, its helpers all taken: started again, but twice
                 * in one create means it cannot live. */
                if (sp.sock < 0 && starts++ > 0) {
                        log_warning("spawner dies at once; helpers are forked by the daemon "
                                    "itself from now on");
                        sp.path = mfree(sp.path);
                }
                if (!spawner_revive())
                        return -ENOTCONN;
                pool_top_up();
                if (sp.sock < 0)
                        continue; /* it died meanwhile */
                r = pool_receive(SPAWN_TIMEOUT_MS, &error);
                if (r == 0 && (error == -ENOSYS || error == -EPERM)) {
                        /* It may not clone at all here (seccomp): fork
                         * helpers as if there were none. */
                        log_warning("spawner cannot clone helpers (%s); helpers are forked by "
                                    "the daemon itself from now on",
                                    strerror(-error));
                        spawner_end();
                        sp.path = mfree(sp.path);
                        return -ENOTCONN;
                }
                if (r == 0)
                        return error;
                if (r == -ECONNRESET) {
                        spawner_lost(r);
                        continue;
                }
                if (r < 0) {
                        /* Stuck or talking nonsense: this create fails,
                         * and the next starts a new spawner. */
                        log_error_errno(r, "spawner (process %d) did not answer: %m; stopping it",
                                        (int) sp.pid);
                        spawner_end();
                        return r == -ETIMEDOUT ? r : -EIO;
                }
        }
        *ret = sp.pool[0];
        memmove(&sp.pool[0], &sp.pool[1], --sp.n_pool * sizeof(sp.pool[0]));
        pool_top_up();
        return 0;
}
