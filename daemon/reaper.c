/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* On SIGCHLD, reap every child that is neither a helper at work, a
 * watched keeper nor the spawner (those are reaped through their
 * pidfds, which tell how they ended). The children are listed by the
 * kernel (proc(5), task/TID/children); only a zombie is reaped,
 * WNOHANG. */

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "helper.h"
#include "keeper.h"
#include "log.h"
#include "reaper.h"
#include "spawner.h"

static void reap_untracked(evutil_socket_t sig, short what, void *userdata)
{
        char path[64], buf[4096];
        _cleanup_close_ int fd = -EBADF;
        ssize_t n;

        snprintf(path, sizeof(path), "/proc/self/task/%d/children", (int) getpid());
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return;
        n = read(fd, buf, sizeof(buf) - 1);
        if (n <= 0)
                return;
        buf[n] = '\0';
        /* A list cut short by the buffer still reaps the first ones; the
         * next SIGCHLD takes the rest. */
        for (char *p = buf, *end; *p; p = end) {
                long pid = strtol(p, &end, 10);
                siginfo_t si = {};

                if (end == p)
                        break;
                if (pid <= 0 || helper_tracks((pid_t) pid) || keeper_tracks((pid_t) pid) ||
                    spawner_tracks((pid_t) pid))
                        continue;
                if (waitid(P_PID, (id_t) pid, &si, WEXITED | WNOHANG) == 0 && si.si_pid > 0)
                        log_debug("reaped process %ld, which no set owned", pid);
        }
}

struct event *reaper_start(struct event_base *base)
{
        struct event *ev = evsignal_new(base, SIGCHLD, reap_untracked, NULL);

        if (ev && event_add(ev, NULL) < 0) {
                event_free(ev);
                return NULL;
        }
        return ev;
}
