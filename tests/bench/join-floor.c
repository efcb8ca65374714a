/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Benchmark floor for join: the least a program can do to run a command
 * in a pinned network namespace, with no daemon to ask.
 *
 *   join-floor PIN [--sys] COMMAND [ARG...]
 *
 * Opens PIN, setns()es into it and execs COMMAND, as nsenter --net=PIN
 * does. With --sys it first does the kernel work of ip netns exec's view
 * (and of nskeeperctl join without --no-netns-mounts): a mount namespace
 * of its own whose mounts are slaves of the caller's, and a sysfs of the
 * joined namespace on /sys in place of the old one. Linked as nskeeperctl
 * is (statically where that links), so the two start alike: what join
 * costs beyond this is its exchange with the daemon and its own code. */

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

static int fail(const char *what)
{
        fprintf(stderr, "join-floor: %s: %s\n", what, strerror(errno));
        return 1;
}

int main(int argc, char **argv)
{
        int sys = argc > 2 && strcmp(argv[2], "--sys") == 0;
        int cmd = 2 + sys;
        int fd;

        if (argc <= cmd) {
                fprintf(stderr, "usage: join-floor PIN [--sys] COMMAND [ARG...]\n");
                return 2;
        }
        fd = open(argv[1], O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return fail(argv[1]);
        if (setns(fd, CLONE_NEWNET) < 0)
                return fail("setns");
        close(fd);
        if (sys) {
                if (unshare(CLONE_NEWNS) < 0)
                        return fail("unshare");
                if (mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0)
                        return fail("mount --make-rslave /");
                (void) umount2("/sys", MNT_DETACH);
                if (mount("sysfs", "/sys", "sysfs", 0, NULL) < 0)
                        return fail("mount sysfs");
        }
        execvp(argv[cmd], argv + cmd);
        (void) fail(argv[cmd]);
        return 127;
}
