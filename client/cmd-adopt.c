/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nskeeperctl adopt NAME (--from-pid PID | --from-path PATH [--from-path PATH]...) [-t LIST]
 * [--pin bind|fd]: existing namespaces under management. */

#include <getopt.h>
#include <stdio.h>

#include "ctl.h"
#include "parse.h"

static void help(void)
{
        printf("Usage: nskeeperctl [--socket PATH] adopt NAME "
               "(--from-pid PID | --from-path PATH [--from-path PATH]...)\n"
               "                   [-t|--type LIST] [-p|--pin bind|fd]\n"
               "Keep namespaces that exist already (a container's, an ip-netns one) as set NAME.\n"
               "Root only.\n"
               "\n"
               "      --from-pid PID     the namespaces of process PID: every type in which it\n"
               "                         differs from PID 1, or those in LIST\n"
               "      --from-path PATH   the namespace at PATH "
               "(a pin, /run/netns/X, /proc/P/ns/T);\n"
               "                         repeatable, one per type\n"
               "  -t, --type LIST        comma list of types to take (all: every type)\n"
               "  -p, --pin KIND         bind (default) or fd\n"
               "  -h, --help             show this help\n"
               "\n"
               "An adopted pid namespace has no keeper: when its own init exits, it cannot be\n"
               "joined any more, and the set is marked dead (release never kills that init).\n");
}

static int run(int argc, char **argv)
{
        enum {
                OPT_FROM_PID = 0x100,
                OPT_FROM_PATH
        };
        static const struct option longopts[] = {
                { "from-pid", required_argument, NULL, OPT_FROM_PID },
                { "from-path", required_argument, NULL, OPT_FROM_PATH },
                { "type", required_argument, NULL, 't' },
                { "pin", required_argument, NULL, 'p' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        const char *paths[NSK_TYPE_MAX], *types_arg = NULL, *name;
        int pin = NSK_PIN_BIND, c, r;
        nsk_type_mask_t types = 0;
        struct nsk_client *cl;
        size_t n_paths = 0;
        uint32_t pid = 0;

        while ((c = getopt_long(argc, argv, "t:p:h", longopts, NULL)) >= 0)
                switch (c) {
                case OPT_FROM_PID:
                        if (parse_u32(optarg, &pid) < 0 || pid == 0 || pid > INT32_MAX)
                                return ctl_usage_error("adopt", "--from-pid takes a pid, not '%s'",
                                                       optarg);
                        break;
                case OPT_FROM_PATH:
                        if (n_paths >= NSK_TYPE_MAX)
                                return ctl_usage_error("adopt", "at most %d paths", NSK_TYPE_MAX);
                        if (optarg[0] != '/')
                                return ctl_usage_error("adopt",
                                                       "--from-path takes an absolute path, "
                                                       "not '%s'",
                                                       optarg);
                        paths[n_paths++] = optarg;
                        break;
                case 't':
                        types_arg = optarg;
                        break;
                case 'p':
                        pin = nsk_pin_from_name(optarg);
                        if (pin < 0)
                                return ctl_usage_error("adopt", "--pin must be 'bind' or 'fd'");
                        break;
                case 'h':
                        help();
                        return CTL_EXIT_OK;
                default:
                        return ctl_bad_option("adopt", argv);
                }
        if (optind >= argc)
                return ctl_usage_error("adopt", "missing set NAME");
        if (optind + 1 < argc)
                return ctl_usage_error("adopt", "unexpected argument '%s'", argv[optind + 1]);
        if ((pid > 0) == (n_paths > 0))
                return ctl_usage_error("adopt", "give either --from-pid or --from-path");
        name = argv[optind];
        r = ctl_check_name("adopt", name);
        if (r != 0)
                return r;
        /* "all" is every type the kernel offers (ctl_parse_types). */
        if (types_arg) {
                r = ctl_parse_types("adopt", name, types_arg, &types);
                if (r != 0)
                        return r;
        }

        cl = ctl_connect("adopt", name);
        if (!cl)
                return CTL_EXIT_FAILED;
        r = nsk_adopt(cl, name, (pid_t) pid, paths, n_paths, types, (enum nsk_pin) pin, NULL);
        if (r < 0)
                ctl_request_failed("adopt", name, cl, r);
        nsk_client_free(cl);
        return r < 0 ? CTL_EXIT_FAILED : CTL_EXIT_OK;
}

const struct ctl_command ctl_cmd_adopt = {
        .name = "adopt",
        .args = "NAME (--from-pid PID | --from-path PATH [--from-path PATH]...) [-t|--type LIST] "
                "[--pin bind|fd]",
        .summary = "keep namespaces that exist already (root only)",
        .run = run,
};
