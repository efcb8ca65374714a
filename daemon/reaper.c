/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* On SIGCHLD, reap every zombie child that is neither a helper at work
 * nor a watched keeper (those are reaped through their pidfds, which
 * tell how they ended). waitid(WNOWAIT) names a zombie without reaping
 * it, so no list of children is read: the cost is per zombie, not per
 * child, and a daemon with thousands of keepers pays nothing for them. */

#include <signal.h>
#include <sys/wait.h>

#include "log.h"
#include "reaper.h"

/* How long a SIGCHLD waits for the scan: a burst of exits (each create's
 * helper, a release's keeper) is one scan, done after the requests they
 * belong to are answered. An orphan is a zombie no longer than this. */
#define REAP_DELAY_USEC 20000

/* Scans in a row that found the same watched zombie first: past this
 * (a second), its watcher has failed to reap it, and the reaper does. */
#define REAP_PATIENCE 50

struct reaper {
        struct event *sigchld_ev, *scan_ev;
        reaper_watched_fn is_watched;
        void *userdata;
        pid_t blocked_by;
        unsigned blocked_scans;
};

static void reap_untracked(evutil_socket_t fd, short what, void *userdata)
{
        struct reaper *rp = userdata;
        const struct timeval delay = { .tv_usec = REAP_DELAY_USEC };

        for (;;) {
                siginfo_t si = {};
                pid_t pid;

                if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) < 0 || si.si_pid <= 0)
                        break;
                pid = si.si_pid;
                /* The kernel names the same zombie until it is reaped: one
                 * with a watcher of its own blocks the rest until that
                 * watcher (an event away) has reaped it; then scan again. */
                if (rp->is_watched(pid, rp->userdata) &&
                    (pid != rp->blocked_by || rp->blocked_scans < REAP_PATIENCE)) {
                        rp->blocked_scans = pid == rp->blocked_by ? rp->blocked_scans + 1 : 1;
                        rp->blocked_by = pid;
                        (void) evtimer_add(rp->scan_ev, &delay);
                        return;
                }
                if (waitid(P_PID, (id_t) pid, &si, WEXITED | WNOHANG) < 0)
                        break;
                if (pid == rp->blocked_by)
                        log_warning("reaped process %d, whose watcher did not", (int) pid);
                else
                        log_debug("reaped process %d, which no set owned", (int) pid);
        }
        rp->blocked_by = 0;
        rp->blocked_scans = 0;
}

static void on_sigchld(evutil_socket_t sig, short what, void *userdata)
{
        struct reaper *rp = userdata;
        const struct timeval delay = { .tv_usec = REAP_DELAY_USEC };

        if (!evtimer_pending(rp->scan_ev, NULL))
                (void) evtimer_add(rp->scan_ev, &delay);
}

struct reaper *reaper_new(struct event_base *base, reaper_watched_fn is_watched, void *userdata)
{
        struct reaper *rp = calloc(1, sizeof(*rp));

        if (!rp)
                return NULL;
        rp->is_watched = is_watched;
        rp->userdata = userdata;
        rp->sigchld_ev = evsignal_new(base, SIGCHLD, on_sigchld, rp);
        rp->scan_ev = evtimer_new(base, reap_untracked, rp);
        if (!rp->sigchld_ev || !rp->scan_ev || event_add(rp->sigchld_ev, NULL) < 0)
                return reaper_free(rp);
        return rp;
}

struct reaper *reaper_free(struct reaper *rp)
{
        if (rp) {
                if (rp->sigchld_ev)
                        event_free(rp->sigchld_ev);
                if (rp->scan_ev)
                        event_free(rp->scan_ev);
                free(rp);
        }
        return NULL;
}
