/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* On SIGCHLD, reap every zombie child that is neither a helper at work
 * nor a watched keeper (those are reaped through their pidfds, which
 * tell how they ended). waitid(WNOWAIT) names a zombie without reaping
 * it, so no list of children is read: the cost is per zombie, not per
 * child, and a daemon with thousands of keepers pays nothing for them. */

#include <signal.h>
#include <sys/wait.h>

#include "helper.h"
#include "keeper.h"
#include "log.h"
#include "reaper.h"

/* How long a SIGCHLD waits for the scan: a burst of exits (each create's
 * helper, a release's keeper) is one scan, done after the requests they
 * belong to are answered. An orphan is a zombie no longer than this. */
#define REAP_DELAY_USEC 20000

/* Scans in a row that found the same watched zombie first: past this
 * (a second), its watcher has failed to reap it, and the reaper does. */
#define REAP_PATIENCE 50

static struct event *sigchld_ev, *scan_ev;

static void reap_untracked(evutil_socket_t fd, short what, void *userdata)
{
        static pid_t blocked_by;
        static unsigned blocked_scans;
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
                if ((helper_tracks(pid) || keeper_tracks(pid)) &&
                    (pid != blocked_by || blocked_scans < REAP_PATIENCE)) {
                        blocked_scans = pid == blocked_by ? blocked_scans + 1 : 1;
                        blocked_by = pid;
                        (void) evtimer_add(scan_ev, &delay);
                        return;
                }
                if (waitid(P_PID, (id_t) pid, &si, WEXITED | WNOHANG) < 0)
                        break;
                if (pid == blocked_by)
                        log_warning("reaped process %d, whose watcher did not", (int) pid);
                else
                        log_debug("reaped process %d, which no set owned", (int) pid);
        }
        blocked_by = 0;
        blocked_scans = 0;
}

static void on_sigchld(evutil_socket_t sig, short what, void *userdata)
{
        const struct timeval delay = { .tv_usec = REAP_DELAY_USEC };

        if (!evtimer_pending(scan_ev, NULL))
                (void) evtimer_add(scan_ev, &delay);
}

int reaper_start(struct event_base *base)
{
        sigchld_ev = evsignal_new(base, SIGCHLD, on_sigchld, NULL);
        scan_ev = evtimer_new(base, reap_untracked, NULL);
        if (!sigchld_ev || !scan_ev || event_add(sigchld_ev, NULL) < 0) {
                reaper_stop();
                return -ENOMEM;
        }
        return 0;
}

void reaper_stop(void)
{
        if (sigchld_ev)
                event_free(sigchld_ev);
        if (scan_ev)
                event_free(scan_ev);
        sigchld_ev = scan_ev = NULL;
}
