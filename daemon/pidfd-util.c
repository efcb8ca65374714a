/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading a pidfd's fdinfo. */

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "pidfd-util.h"
#include "util.h"

int pidfd_pids(int pidfd, pid_t *ret_proc_pid, pid_t *ret_own_pid)
{
        _cleanup_close_ int fd = -EBADF;
        char path[64], buf[1024], *p, *end;
        long proc_pid, own = 0;
        ssize_t n;

        snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", pidfd);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        n = read(fd, buf, sizeof(buf) - 1);
        if (n <= 0)
                return n < 0 ? negative_errno() : -EIO;
        buf[n] = '\0';

        p = strstr(buf, "\nPid:\t");
        if (!p)
                return -ENOTTY; /* not a pidfd */
        proc_pid = strtol(p + 6, NULL, 10);
        /* NSpid: from /proc's namespace down to the process's own; ours
         * is the last that is also the caller's, which for a process in
         * our own pid namespace (all we ask about) is the last. -1 and 0
         * mean gone or out of sight. */
        p = strstr(buf, "\nNSpid:\t");
        if (p) {
                for (p += 8; *p && *p != '\n'; p = end) {
                        long v = strtol(p, &end, 10);
                        if (end == p)
                                break;
                        own = v;
                }
        } else
                own = proc_pid;
        if (proc_pid <= 0 || own <= 0)
                return -ESRCH;
        if (ret_proc_pid)
                *ret_proc_pid = (pid_t) proc_pid;
        if (ret_own_pid)
                *ret_own_pid = (pid_t) own;
        return 0;
}

pid_t proc_self_pid(void)
{
        char buf[32];
        ssize_t n = readlink("/proc/self", buf, sizeof(buf) - 1);

        if (n <= 0)
                return 0;
        buf[n] = '\0';
        return (pid_t) strtol(buf, NULL, 10);
}
