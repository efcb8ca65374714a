/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nskeeperctl run NAME [-t LIST] -- COMMAND: COMMAND stays in our own
 * namespaces but inherits the set's namespace fds from fd 3 on, announced
 * the way systemd passes fds (sd_listen_fds(3)): LISTEN_FDS, LISTEN_PID,
 * LISTEN_FDNAMES=uts:net:..., in the type table's order. */

#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>

#include "ctl.h"

#define LISTEN_FDS_START 3

static void help(void)
{
        printf("Usage: nskeeperctl [--socket PATH] run NAME [-t|--type LIST] -- COMMAND [ARG...]\n"
               "Run COMMAND in our own namespaces, handing it the set's namespace fds from\n"
               "fd 3 on, announced like systemd socket activation: LISTEN_FDS=N,\n"
               "LISTEN_PID=its pid, LISTEN_FDNAMES=uts:net:... (one type name per fd, always\n"
               "in the order user, cgroup, ipc, uts, net, pid, mnt, time, whatever the order\n"
               "of LIST).\n"
               "\n"
               "  -t, --type LIST   comma list of types to hand over (default: all of the set)\n"
               "  -h, --help        show this help\n");
}

/* Moves the fds to 3, 4, ... in table order, without close-on-exec. */
static int place_fds(int fds[NSK_TYPE_MAX], char *names, size_t size, unsigned *ret_n)
{
        unsigned n = 0;
        size_t len = 0;

        names[0] = '\0';
        /* Out of the way first, so that moving one never closes another. */
        for (int t = 0; t < NSK_TYPE_MAX; t++)
                if (fds[t] >= 0 && fds[t] < LISTEN_FDS_START + NSK_TYPE_MAX) {
                        int fd = fcntl(fds[t], F_DUPFD_CLOEXEC, LISTEN_FDS_START + NSK_TYPE_MAX);
                        if (fd < 0)
                                return -errno;
                        safe_close(fds[t]);
                        fds[t] = fd;
                }
        for (int t = 0; t < NSK_TYPE_MAX; t++) {
                int target = LISTEN_FDS_START + (int) n;

                if (fds[t] < 0)
                        continue;
                if (dup2(fds[t], target) < 0) /* dup2: the new fd is inherited */
                        return -errno;
                fds[t] = safe_close(fds[t]);
                len += (size_t) snprintf(names + len, size - len, "%s%s", n ? ":" : "",
                                         nsk_type_name(t));
                n++;
        }
        *ret_n = n;
        return 0;
}

static int run(int argc, char **argv)
{
        static const struct option longopts[] = {
                { "type", required_argument, NULL, 't' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        const char *types_arg = NULL, *name;
        char names[128], num[16];
        int fds[NSK_TYPE_MAX], c, r;
        unsigned n = 0;

        while ((c = getopt_long(argc, argv, "t:h", longopts, NULL)) >= 0)
                switch (c) {
                case 't':
                        types_arg = optarg;
                        break;
                case 'h':
                        help();
                        return CTL_EXIT_OK;
                default:
                        return ctl_bad_option("run", argv);
                }
        if (optind >= argc)
                return ctl_usage_error("run", "missing set NAME");
        name = argv[optind++];
        if (optind >= argc)
                return ctl_usage_error("run", "missing COMMAND (after --)");

        r = ctl_get_fds("run", name, types_arg, fds, NULL);
        if (r != 0)
                return r;

        r = place_fds(fds, names, sizeof(names), &n);
        if (r < 0) {
                close_many(fds, NSK_TYPE_MAX);
                return ctl_fail("run '%s': cannot pass the fds on: %s", name, strerror(-r));
        }
        snprintf(num, sizeof(num), "%u", n);
        /* exec keeps the pid, so LISTEN_PID is ours. */
        if (setenv("LISTEN_FDS", num, 1) < 0 || setenv("LISTEN_FDNAMES", names, 1) < 0)
                return ctl_fail("run '%s': setenv: %s", name, strerror(errno));
        snprintf(num, sizeof(num), "%d", (int) getpid());
        if (setenv("LISTEN_PID", num, 1) < 0)
                return ctl_fail("run '%s': setenv: %s", name, strerror(errno));

        return ctl_exec("run", name, argv + optind);
}

const struct ctl_command ctl_cmd_run = {
        .name = "run",
        .args = "NAME [-t|--type LIST] -- COMMAND [ARG...]",
        .summary = "run COMMAND here, handing it the set's namespace fds (LISTEN_FDS)",
        .run = run,
        .value_options = "-t --type",
};
