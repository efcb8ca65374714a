/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nskeeperctl join NAME [-t LIST] [-- COMMAND [ARG...]] */

#include <getopt.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>

#include "ctl.h"
#include "netns-mounts.h"

static pid_t child_pid;

static void forward_signal(int sig)
{
        if (child_pid > 0)
                (void) kill(child_pid, sig);
}

/* Waits for the command and returns its status the way a shell does. */
static int wait_child(pid_t pid)
{
        static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
        struct sigaction sa = { .sa_handler = forward_signal };
        int status;

        child_pid = pid;
        for (size_t i = 0; i < ELEMENTSOF(forwarded); i++)
                (void) sigaction(forwarded[i], &sa, NULL);
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return ctl_fail("join: waitpid: %s", strerror(errno));
        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        return 128 + WTERMSIG(status);
}

/* Entering a user namespace changes no id, and the caller's ids are
 * usually not mapped there (they show as the overflow id). Like
 * nsenter(1), become root of the namespace when root is mapped in it;
 * otherwise keep the ids, which then are whatever the maps make them. */
static int become_root(const char *name)
{
        if (setgroups(0, NULL) < 0 && errno != EPERM)
                return ctl_fail("join '%s': setgroups: %s", name, strerror(errno));
        if (setresgid(0, 0, 0) < 0 && errno != EINVAL)
                return ctl_fail("join '%s': setresgid: %s", name, strerror(errno));
        if (setresuid(0, 0, 0) < 0 && errno != EINVAL)
                return ctl_fail("join '%s': setresuid: %s", name, strerror(errno));
        return 0;
}

static void help(void)
{
        printf("Usage: nskeeperctl [--socket PATH] join NAME [-t|--type LIST]\n"
               "                   [--preserve-credentials] [--no-netns-mounts] "
               "[-- COMMAND [ARG...]]\n"
               "Enter the namespaces of set NAME (all of them, or those in LIST) and run\n"
               "COMMAND there, else $SHELL, else /bin/sh. With pid or time the command runs\n"
               "in a child, whose exit status join returns. Entering net but not mnt, the\n"
               "command gets a mount namespace of its own where /sys is a sysfs of the set's\n"
               "network namespace and each file of /etc/netns/NAME is bound over its name in\n"
               "/etc, as with ip netns exec.\n"
               "\n"
               "  -t, --type LIST   comma list of types to enter (all: every type of the set)\n"
               "      --preserve-credentials\n"
               "                    keep uid and gids when entering a user namespace (default:\n"
               "                    become its root if root is mapped there)\n"
               "      --no-netns-mounts\n"
               "                    leave /sys and /etc as they are (no mount namespace)\n"
               "  -h, --help        show this help\n");
}

/* What join was told. */
struct join_args {
        const char *name;
        const char *types_arg;
        bool preserve;
        bool no_netns_mounts;
        char **cmd; /* NULL-terminated, maybe empty */
};

/* Options may stand before and after NAME; the command starts at "--"
 * or at the first word after NAME. Returns -1 to go on, else the exit
 * status (after --help, or a usage error said). */
static int parse_args(int argc, char **argv, struct join_args *a)
{
        static const struct option longopts[] = {
                { "type", required_argument, NULL, 't' },
                { "preserve-credentials", no_argument, NULL, 'P' },
                { "no-netns-mounts", no_argument, NULL, 'M' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        int c;

        for (;;) {
                while ((c = getopt_long(argc, argv, "+t:h", longopts, NULL)) >= 0)
                        switch (c) {
                        case 't':
                                a->types_arg = optarg;
                                break;
                        case 'P':
                                a->preserve = true;
                                break;
                        case 'M':
                                a->no_netns_mounts = true;
                                break;
                        case 'h':
                                help();
                                return CTL_EXIT_OK;
                        default:
                                return ctl_bad_option("join", argv);
                        }
                if (a->name || optind >= argc || streq(argv[optind - 1], "--"))
                        break;
                a->name = argv[optind++];
        }
        if (!a->name)
                return ctl_usage_error("join", "missing set NAME");
        a->cmd = argv + optind;
        return -1;
}

/* Enters the namespaces of fds and closes them; ret_joined gets their
 * types. Returns 0, or the exit status after saying why. */
static int enter_take(const char *name, int fds[NSK_TYPE_MAX], bool preserve,
                      nsk_type_mask_t *ret_joined)
{
        nsk_type_mask_t joined = 0;
        enum nsk_type failed;
        int r;

        for (int t = 0; t < NSK_TYPE_MAX; t++)
                if (fds[t] >= 0)
                        joined |= NSK_TYPE_BIT(t);
        r = nsk_join_fds(fds, &failed);
        close_many(fds, NSK_TYPE_MAX);
        if (r < 0)
                return ctl_fail("join '%s': cannot enter the %s namespace: %s", name,
                                nsk_type_name(failed), strerror(-r));
        if ((joined & NSK_TYPE_BIT(NSK_TYPE_USER)) && !preserve) {
                r = become_root(name);
                if (r != 0)
                        return r;
        }
        *ret_joined = joined;
        return 0;
}

/* Runs cmd (empty: $SHELL, else /bin/sh) in the namespaces entered and
 * returns join's exit status. */
static int run_command(const char *name, char **cmd, nsk_type_mask_t joined)
{
        pid_t pid;

        if (!cmd[0]) {
                static char *shell[2];
                const char *sh = getenv("SHELL");

                shell[0] = (char *) (sh && *sh ? sh : "/bin/sh");
                cmd = shell;
        }

        /* setns() into pid and time changes only what children get
         * (pid_namespaces(7), time_namespaces(7)). */
        if (joined & (NSK_TYPE_BIT(NSK_TYPE_PID) | NSK_TYPE_BIT(NSK_TYPE_TIME))) {
                fflush(NULL);
                pid = fork();
                if (pid < 0)
                        return ctl_fail("join '%s': cannot start a process in the set: %s%s", name,
                                        strerror(errno),
                                        errno == ENOMEM && (joined & NSK_TYPE_BIT(NSK_TYPE_PID))
                                                ? " (has the pid namespace's init died?)"
                                                : "");
                if (pid > 0)
                        return wait_child(pid);
        }
        return ctl_exec("join", name, cmd);
}

static int run(int argc, char **argv)
{
        struct join_args a = {};
        struct nsk_set_info set = {};
        nsk_type_mask_t joined = 0;
        int fds[NSK_TYPE_MAX], r;

        r = parse_args(argc, argv, &a);
        if (r >= 0)
                return r;
        r = ctl_get_fds("join", a.name, a.types_arg, fds, &set);
        if (r != 0)
                return r;
        r = enter_take(a.name, fds, a.preserve, &joined);
        if (r == 0 && !a.no_netns_mounts && netns_mounts_needed(joined))
                r = netns_mounts_setup(a.name, set.owner, set.name);
        nsk_set_info_done(&set);
        if (r != 0)
                return r;
        return run_command(a.name, a.cmd, joined);
}

const struct ctl_command ctl_cmd_join = {
        .name = "join",
        .args = "NAME [-t|--type LIST] [--preserve-credentials] [--no-netns-mounts] "
                "[-- COMMAND [ARG...]]",
        .summary = "run COMMAND (default: $SHELL) in the set's namespaces",
        .run = run,
        .alias = "exec",
        .value_options = "-t --type",
};
