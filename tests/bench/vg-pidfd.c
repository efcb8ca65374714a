/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pidfds for nskeeperd under valgrind 3.19 (Debian 12), which knows no
 * pidfd_open(2) or pidfd_send_signal(2) and fails them with ENOSYS. The
 * bench links this into a copy of the daemon (-Wl,--wrap=...) to count
 * its instructions with callgrind; the real daemon never has it.
 *
 * Only when the kernel call fails with ENOSYS: a pipe stands in for the
 * pidfd; a SIGCHLD handler makes it readable once the child has exited
 * (waitid(WNOWAIT) leaves it to be reaped), and waitid(P_PIDFD, ...) and
 * pidfd_send_signal() on it go to the pid. Enough for helpers and
 * keepers, which are the daemon's own children. A real pidfd (the
 * spawner's, received with its helper) is signalled through the pid its
 * /proc/self/fdinfo entry names. */

#include <fcntl.h>
#include <signal.h>
#include <sys/pidfd.h>
#include <sys/wait.h>

#include "pidfd-util.h"
#include "util.h"

#define EMU_MAX 4096

struct emu {
        int rfd, wfd; /* the stand-in pidfd and its other end */
        pid_t pid;    /* 0: slot free; -1: reaped, fd maybe still open */
        unsigned long seq;
};

static struct emu emus[EMU_MAX];
static size_t n_emus; /* slots ever used: the loops stop there */
static unsigned long next_seq;

int __real_pidfd_open(pid_t pid, unsigned int flags);
int __real_pidfd_send_signal(int pidfd, int sig, siginfo_t *info, unsigned int flags);
int __real_waitid(idtype_t idtype, id_t id, siginfo_t *infop, int options);
int __wrap_pidfd_open(pid_t pid, unsigned int flags);
int __wrap_pidfd_send_signal(int pidfd, int sig, siginfo_t *info, unsigned int flags);
int __wrap_waitid(idtype_t idtype, id_t id, siginfo_t *infop, int options);

/* Marks every watched child that has exited (not reaping it). */
static void poll_children(void)
{
        int saved = errno;

        for (size_t i = 0; i < n_emus; i++) {
                siginfo_t si = {};

                if (emus[i].pid <= 0 || emus[i].wfd < 0)
                        continue;
                if (__real_waitid(P_PID, (id_t) emus[i].pid, &si, WEXITED | WNOHANG | WNOWAIT) ==
                            0 &&
                    si.si_pid == emus[i].pid)
                        emus[i].wfd = safe_close(emus[i].wfd); /* EOF: readable */
        }
        errno = saved;
}

static void on_sigchld(int sig)
{
        poll_children();
}

/* The newest stand-in with this fd number still watching its child. */
static struct emu *find(int fd)
{
        struct emu *best = NULL;

        for (size_t i = 0; i < n_emus; i++)
                if (emus[i].pid > 0 && emus[i].rfd == fd && (!best || emus[i].seq > best->seq))
                        best = &emus[i];
        return best;
}

int __wrap_pidfd_open(pid_t pid, unsigned int flags)
{
        static bool installed;
        int r = __real_pidfd_open(pid, flags), p[2];

        if (r >= 0 || errno != ENOSYS)
                return r;
        if (!installed) {
                struct sigaction sa = { .sa_handler = on_sigchld,
                                        .sa_flags = SA_RESTART | SA_NOCLDSTOP };

                if (sigaction(SIGCHLD, &sa, NULL) < 0)
                        return -1;
                installed = true;
        }
        for (size_t i = 0; i < EMU_MAX; i++) {
                struct emu *e = &emus[i];

                /* A slot whose fd the daemon closed: the number may be reused. */
                if (e->pid != 0 && fcntl(e->rfd, F_GETFD) < 0) {
                        e->wfd = safe_close(e->wfd);
                        e->pid = 0;
                }
                if (e->pid != 0)
                        continue;
                if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0)
                        return -1;
                *e = (struct emu) { .rfd = p[0], .wfd = p[1], .pid = pid, .seq = ++next_seq };
                if (i >= n_emus)
                        n_emus = i + 1;
                poll_children(); /* it may be gone already */
                return p[0];
        }
        errno = EMFILE;
        return -1;
}

int __wrap_pidfd_send_signal(int pidfd, int sig, siginfo_t *info, unsigned int flags)
{
        int r = __real_pidfd_send_signal(pidfd, sig, info, flags);
        struct emu *e;
        pid_t pid;

        if (r >= 0 || errno != ENOSYS)
                return r;
        e = find(pidfd);
        if (e)
                return kill(e->pid, sig);
        /* A real pidfd (the spawner's): its fdinfo names the pid. */
        if (pidfd_pids(pidfd, NULL, &pid) == 0)
                return kill(pid, sig);
        errno = EBADF;
        return -1;
}

int __wrap_waitid(idtype_t idtype, id_t id, siginfo_t *infop, int options)
{
        struct emu *e;
        int r;

        if (idtype != P_PIDFD || !(e = find((int) id)))
                return __real_waitid(idtype, id, infop, options);
        r = __real_waitid(P_PID, (id_t) e->pid, infop, options);
        if (r == 0 && infop->si_pid == e->pid && !(options & WNOWAIT)) {
                e->wfd = safe_close(e->wfd);
                e->pid = -1; /* reaped; the slot is free once the fd is closed */
        }
        return r;
}
