/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nskeeperctl pids NAME [-t LIST]: the processes in a set's namespaces,
 * one pid per line, as ip-netns(8) pids. */

#include <getopt.h>
#include <stdio.h>

#include "ctl.h"
#include "procscan.h"

static void help(void)
{
        printf("Usage: nskeeperctl [--socket PATH] pids NAME [-t|--type LIST]\n"
               "Print the pid of every process in a namespace of set NAME (or in one of the\n"
               "types in LIST), one per line, the set's keeper included.\n"
               "\n"
               "  -t, --type LIST   comma list of types to look at (all: every type of the set)\n"
               "  -h, --help        show this help\n");
}

struct pids {
        nsk_type_mask_t types;
};

static int on_match(pid_t pid, size_t set, nsk_type_mask_t types, void *userdata)
{
        const struct pids *p = userdata;

        (void) set;
        if (types & p->types)
                printf("%d\n", (int) pid);
        return 0;
}

static int run(int argc, char **argv)
{
        static const struct option longopts[] = {
                { "type", required_argument, NULL, 't' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        const char *name, *types_arg = NULL;
        struct pids p = {}; /* types 0: all the set has */
        nsk_type_mask_t has = 0;
        struct nsk_set_info set;
        unsigned hidden = 0;
        char list[64];
        int c, r;

        while ((c = getopt_long(argc, argv, "t:h", longopts, NULL)) >= 0)
                switch (c) {
                case 't':
                        types_arg = optarg;
                        break;
                case 'h':
                        help();
                        return CTL_EXIT_OK;
                default:
                        return ctl_bad_option("pids", argv);
                }
        if (optind >= argc)
                return ctl_usage_error("pids", "missing set NAME");
        if (optind + 1 < argc)
                return ctl_usage_error("pids", "unexpected argument '%s'", argv[optind + 1]);
        name = argv[optind];
        r = ctl_check_name_types("pids", name, types_arg, &p.types);
        if (r != 0)
                return r;

        r = ctl_show("pids", name, &set);
        if (r != 0)
                return r;
        for (unsigned i = 0; i < set.n_ns; i++)
                has |= NSK_TYPE_BIT(set.ns[i].type);
        if (p.types == 0)
                p.types = has;
        if (p.types & ~has) {
                nsk_type_mask_format(p.types & ~has, list, sizeof(list));
                r = ctl_fail("pids '%s': the set has no %s namespace", name, list);
        } else {
                r = procscan_walk(&set, 1, 0, on_match, &p, &hidden);
                if (r < 0)
                        r = ctl_fail("pids '%s': cannot look at /proc: %s", name, strerror(-r));
                else if (fflush(stdout) != 0)
                        r = CTL_EXIT_FAILED;
                else
                        r = CTL_EXIT_OK;
        }
        /* Processes whose ns links we may not read (as a member, those of
         * other uids, a set's mapped ids among them) are left out: say
         * that the list may be short. */
        if (r == CTL_EXIT_OK && hidden > 0)
                fprintf(stderr,
                        "nskeeperctl: pids '%s': %u process(es) left out: their namespaces "
                        "cannot be read%s\n",
                        name, hidden,
                        geteuid() == 0 ? "" : " (root may read those of other users)");
        nsk_set_info_done(&set);
        return r;
}

const struct ctl_command ctl_cmd_pids = {
        .name = "pids",
        .args = "NAME [-t|--type LIST]",
        .summary = "print the pids of the processes in the set's namespaces",
        .run = run,
};
