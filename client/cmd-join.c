/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nskeeperctl join NAME [-t LIST] [-- COMMAND [ARG...]] */

#include <getopt.h>
#include <stdio.h>

#include "ctl.h"

static int run(int argc, char **argv)
{
        static const struct option longopts[] = {
                { "type", required_argument, NULL, 't' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        const char *types_arg = NULL, *name;
        nstype_mask_t types = 0;
        int fds[NSTYPE_MAX], c, r;
        struct nsk_client *cl;
        enum nstype failed;
        char **cmd;

        /* Options may stand before and after NAME; the command starts at
         * "--" or at the first word after NAME. */
        name = NULL;
        for (;;) {
                while ((c = getopt_long(argc, argv, "+t:h", longopts, NULL)) >= 0)
                        switch (c) {
                        case 't':
                                types_arg = optarg;
                                break;
                        case 'h':
                                printf("Usage: nskeeperctl join NAME [-t|--type LIST] [-- COMMAND [ARG...]]\n"
                                       "Enter the namespaces of set NAME (all of them, or those in LIST)\n"
                                       "and run COMMAND there, else $SHELL, else /bin/sh.\n"
                                       "  -t, --type LIST   comma list of types to enter\n");
                                return CTL_EXIT_OK;
                        default:
                                return ctl_usage_error("join", "bad option");
                        }
                if (name || optind >= argc || streq(argv[optind - 1], "--"))
                        break;
                name = argv[optind++];
        }
        if (!name)
                return ctl_usage_error("join", "missing set NAME");
        cmd = argv + optind;

        r = ctl_check_name("join", name);
        if (r != 0)
                return r;
        if (types_arg) {
                r = ctl_parse_types("join", name, types_arg, &types);
                if (r != 0)
                        return r;
        }

        cl = ctl_connect("join", name);
        if (!cl)
                return CTL_EXIT_FAILED;
        r = nsk_get_fds(cl, name, types, fds, NULL);
        if (r < 0) {
                ctl_request_failed("join", name, cl);
                nsk_client_free(cl);
                return CTL_EXIT_FAILED;
        }
        nsk_client_free(cl);

        r = nsk_join_fds(fds, &failed);
        close_many(fds, NSTYPE_MAX);
        if (r < 0)
                return ctl_fail("join '%s': cannot enter the %s namespace: %s", name,
                                nstype_name(failed), strerror(-r));

        if (!cmd[0]) {
                static char *shell[2];
                const char *sh = getenv("SHELL");

                shell[0] = (char *) (sh && *sh ? sh : "/bin/sh");
                cmd = shell;
        }
        execvp(cmd[0], cmd);
        r = errno;
        ctl_fail("join '%s': cannot run '%s': %s", name, cmd[0], strerror(r));
        /* As env(1): 127 when the command is not there, 126 when it is but
         * cannot be run. */
        return r == ENOENT ? 127 : 126;
}

const struct ctl_command ctl_cmd_join = {
        .name = "join",
        .args = "NAME [-t|--type LIST] [-- COMMAND [ARG...]]",
        .summary = "run COMMAND (default: $SHELL) in the set's namespaces",
        .run = run,
};
