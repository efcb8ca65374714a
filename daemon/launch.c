/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Starting helpers (from the spawner, or forked) and reading their
 * answers (launch.h). */

#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "helper-child.h"
#include "launch.h"
#include "log.h"
#include "pidfd-util.h"
#include "spawn-proto.h"

static const char *const step_names[STEP_MAX] = {
        [STEP_CREDENTIALS] = "drop privileges",
        [STEP_UNSHARE] = "unshare",
        [STEP_PROPAGATION] = "mount propagation",
        [STEP_HOSTNAME] = "hostname",
        [STEP_DOMAINNAME] = "domainname",
        [STEP_LOOPBACK] = "loopback up",
        [STEP_SYSCTL] = "sysctl",
        [STEP_TIME_OFFSETS] = "time offsets",
        [STEP_KEEPER] = "start pid namespace init",
        [STEP_PROC] = "mount /proc",
        [STEP_OPEN] = "open",
        [STEP_SEND] = "send",
        [STEP_KEEPER_PRIVILEGES] = "drop the pid namespace init's privileges",
};

/* Process-wide by nature: */
/* The heap from here up holds only what the daemon allocated since it
 * started (launch_init); 0: unknown, nothing is left out of a fork. */
static uintptr_t heap_lo;

/* What the next helper is to make, flat: sent to a helper the spawner
 * made, or read by a helper the daemon forks. Up to 17 KiB, so off the
 * event loop's stack; outside the heap, which forks do not get (see
 * heap_wipe_on_fork). */
static struct helper_start start;

void helper_result_close(struct helper_result *r)
{
        close_many(r->fds, NSK_TYPE_MAX);
        r->keeper_pidfd = safe_close(r->keeper_pidfd);
        r->keeper_lifeline = safe_close(r->keeper_lifeline);
}

void helper_result_init(struct helper_result *r)
{
        for (int t = 0; t < NSK_TYPE_MAX; t++)
                r->fds[t] = -EBADF;
        r->keeper_pid = 0;
        r->keeper_pidfd = r->keeper_lifeline = -EBADF;
        r->staged = 0;
}

static uintptr_t page_up(uintptr_t a)
{
        uintptr_t page = (uintptr_t) sysconf(_SC_PAGESIZE);

        return (a + page - 1) & ~(page - 1);
}

void launch_init(void)
{
        heap_lo = page_up((uintptr_t) sbrk(0));
}

/* fork(2) copies the page tables of the whole heap and write-protects it
 * (the daemon then faults on each page it writes), and the helper's exit
 * unmaps it again: a cost that grew with the number of sets. A helper
 * needs nothing the daemon allocated (only `start`), so the part
 * of the heap allocated since the start is left out: MADV_WIPEONFORK
 * gives a child zero pages there instead (madvise(2)), and so no copy
 * nor fault; keepers, forks of helpers, hold none of it either. Not
 * MADV_DONTFORK: glibc's fork() writes to a block of its own in the
 * child (its NSS state, once the daemon looked up a user), which must
 * stay mapped. Again at every fork: the heap grows into new mappings
 * that lack the flag. malloc'd blocks that got mappings of their own
 * (mallopt(3), M_MMAP_THRESHOLD) are still copied, and so is the fd table. */
static int heap_advise(int advice)
{
        uintptr_t hi = page_up((uintptr_t) sbrk(0));

        if (heap_lo == 0 || hi <= heap_lo)
                return 0;
        return madvise((void *) heap_lo, hi - heap_lo, advice);
}

static void heap_wipe_on_fork(void)
{
        static bool warned;

        if (heap_advise(MADV_WIPEONFORK) < 0 && !warned) {
                /* Not fatal: helpers then get a copy, as any fork would. */
                log_debug("madvise(MADV_WIPEONFORK) on the heap: %s; helpers get a copy of it",
                          strerror(errno));
                warned = true;
        }
}

struct helper_start *launch_request(const char *name, nsk_type_mask_t types,
                                    const struct nsk_settings *settings, uid_t uid, gid_t gid)
{
        unsigned n = settings->n_sysctls < NSK_SYSCTL_MAX ? settings->n_sysctls : NSK_SYSCTL_MAX;

        memset(&start, 0, helper_start_size(n));
        start.abi = SPAWN_ABI;
        start.size = (uint32_t) helper_start_size(n);
        start.types = types;
        start.uid = uid;
        start.gid = gid;
        snprintf(start.name, sizeof(start.name), "%s", name);
        start.settings = *settings;
        start.settings.sysctls = NULL;
        start.settings.n_sysctls = n;
        /* Networks are the daemon's work, after the helper's. */
        start.settings.networks = NULL;
        start.settings.n_networks = 0;
        start.settings.pins_at = NULL;
        start.settings.n_pins_at = 0;
        for (unsigned i = 0; i < n; i++)
                snprintf(start.sysctls[i], sizeof(start.sysctls[i]), "%s", settings->sysctls[i]);
        return &start;
}

/* A helper from the spawner, sent `start`; -ENOTCONN without a spawner. */
static int launch_spawned(struct spawned *ret)
{
        struct spawned sp;
        int r;

        /* A waiting helper may have died meanwhile (its socket says so):
         * the reaper has it; take the next. */
        for (int tries = 0; tries < 4; tries++) {
                r = spawner_take(&sp);
                if (r < 0)
                        return r;
                if (send(sp.sock, &start, start.size, MSG_NOSIGNAL | MSG_DONTWAIT) ==
                    (ssize_t) start.size) {
                        *ret = sp;
                        return 0;
                }
                r = negative_errno();
                safe_close(sp.sock);
                safe_close(sp.pidfd);
        }
        return r;
}

/* Without a spawner: forks the helper from the daemon itself, to make
 * `start`. */
static int launch_forked(struct spawned *ret)
{
        _cleanup_close_ int mine = -EBADF, theirs = -EBADF;
        pid_t self = getpid(), pid;
        int sv[2], pidfd, r;

        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
                return negative_errno();
        mine = sv[0];
        theirs = sv[1];
        heap_wipe_on_fork();
        pid = fork();
        if (pid == 0) {
                static const int handled[] = { SIGCHLD, SIGTERM, SIGINT, SIGHUP };
                sigset_t none;

                /* libevent's handlers write to an fd of the daemon's, whose
                 * number the helper soon reuses for something else. */
                for (size_t i = 0; i < ELEMENTSOF(handled); i++)
                        (void) signal(handled[i], SIG_DFL);
                sigemptyset(&none);
                (void) sigprocmask(SIG_SETMASK, &none, NULL);
                /* Keep only the socket, as fd 3. */
                if ((theirs != 3 && dup3(theirs, 3, O_CLOEXEC) < 0) || close_range(4, ~0U, 0) < 0)
                        _exit(1);
                helper_child_start(3, &start, start.size, self);
        }
        r = pid < 0 ? negative_errno() : 0;
        /* The flag stays on the mappings: undone at once, so that no
         * other fork of the daemon (one that needs its heap) gets zeroes. */
        (void) heap_advise(MADV_KEEPONFORK);
        if (r < 0)
                return r;

        pidfd = pidfd_open(pid, 0);
        if (pidfd < 0) {
                r = negative_errno();
                (void) kill(pid, SIGKILL);
                (void) waitpid(pid, NULL, 0);
                return r;
        }
        *ret = (struct spawned) { .pid = pid, .pidfd = pidfd, .sock = TAKE_FD(mine) };
        if (pidfd_pids(pidfd, &ret->proc_pid, NULL) < 0)
                ret->proc_pid = pid;
        return 0;
}

int launch(struct spawned *ret)
{
        int r = launch_spawned(ret);

        if (r == -ENOTCONN)
                r = launch_forked(ret);
        if (r < 0)
                return r;
        (void) fcntl(ret->sock, F_SETFL, O_NONBLOCK);
        return 0;
}

int launch_take_result(nsk_type_mask_t types, const struct helper_msg *m, int *received, size_t n,
                       struct helper_result *res, char *msg, size_t size)
{
        size_t i = 0, want = nsk_type_mask_count(types);

        helper_result_init(res);
        /* A keeper comes with its pidfd and the write end of its lifeline. */
        if (m->keeper_pid > 0)
                want += 2;
        if (n != want || ((types & NSK_TYPE_BIT(NSK_TYPE_PID)) != 0) != (m->keeper_pid > 0)) {
                close_many(received, n);
                snprintf(msg, size, "helper sent the wrong number of fds");
                return -EPROTO;
        }
        /* One fd per requested type, in table order, each really of that
         * type: check, never trust. */
        for (int t = 0; t < NSK_TYPE_MAX; t++) {
                if (!(types & NSK_TYPE_BIT(t)))
                        continue;
                if (nsk_type_check_fd(received[i], t) < 0) {
                        close_many(received + i, n - i);
                        helper_result_close(res);
                        snprintf(msg, size, "helper sent no valid %s namespace", nsk_type_name(t));
                        return -EPROTO;
                }
                res->fds[t] = TAKE_FD(received[i]);
                i++;
        }
        if (m->keeper_pid > 0) {
                res->keeper_pid = m->keeper_pid;
                res->keeper_pidfd = TAKE_FD(received[i]);
                i++;
                if (i < n)
                        res->keeper_lifeline = TAKE_FD(received[i]);
                /* A pidfd answers signal 0; anything else does not. */
                if (pidfd_send_signal(res->keeper_pidfd, 0, NULL, 0) < 0) {
                        helper_result_close(res);
                        snprintf(msg, size, "helper sent no valid keeper");
                        return -EPROTO;
                }
        }
        return 0;
}

void launch_step_message(const struct helper_msg *m, const struct nsk_settings *s, char *msg,
                         size_t size)
{
        int step = m->step >= 0 && m->step < STEP_MAX ? m->step : STEP_UNSHARE;
        bool typed = m->detail >= 0 && m->detail < NSK_TYPE_MAX;

        if (step == STEP_SYSCTL && m->detail >= 0 && (unsigned) m->detail < s->n_sysctls)
                snprintf(msg, size, "sysctl %.128s", s->sysctls[m->detail]);
        else
                snprintf(msg, size, "%s%s%s", step_names[step], typed ? " " : "",
                         typed ? nsk_type_name(m->detail) : "");
}

void launch_exit_message(const siginfo_t *si, const char *what, char *msg, size_t size)
{
        if (si->si_code == CLD_EXITED)
                snprintf(msg, size, "%s exited with status %d", what, si->si_status);
        else if (si->si_status > 0)
                snprintf(msg, size, "%s killed by signal %d", what, si->si_status);
        else
                snprintf(msg, size, "%s ended", what);
}
