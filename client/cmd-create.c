/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nskeeperctl create NAME [-t LIST] [--pin bind|fd] */

#include <getopt.h>
#include <stdio.h>

#include "ctl.h"

static int run(int argc, char **argv)
{
        static const struct option longopts[] = {
                { "type", required_argument, NULL, 't' },
                { "pin", required_argument, NULL, 'p' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        const char *types_arg = NULL, *name;
        nstype_mask_t types = 0;
        int pin = NSK_PIN_BIND, c, r;
        struct nsk_client *cl;

        while ((c = getopt_long(argc, argv, "t:p:h", longopts, NULL)) >= 0)
                switch (c) {
                case 't':
                        types_arg = optarg;
                        break;
                case 'p':
                        pin = nsk_pin_from_name(optarg);
                        if (pin < 0)
                                return ctl_usage_error("create",
                                                       "--pin must be 'bind' or 'fd', not '%s'",
                                                       optarg);
                        break;
                case 'h':
                        printf("Usage: nskeeperctl create NAME [-t|--type LIST] [--pin bind|fd]\n"
                               "Create a set of new namespaces called NAME.\n"
                               "  -t, --type LIST   comma list of net,uts,ipc,mnt,cgroup (default: "
                               "net,uts,ipc)\n"
                               "      --pin KIND    bind (default; survives a daemon restart) or fd\n"
                               "                    (held by the daemon; ends with it)\n");
                        return CTL_EXIT_OK;
                default:
                        return ctl_usage_error("create", "bad option");
                }
        if (optind >= argc)
                return ctl_usage_error("create", "missing set NAME");
        if (optind + 1 < argc)
                return ctl_usage_error("create", "unexpected argument '%s'", argv[optind + 1]);
        name = argv[optind];

        r = ctl_check_name("create", name);
        if (r != 0)
                return r;
        if (types_arg) {
                r = ctl_parse_types("create", name, types_arg, &types);
                if (r != 0)
                        return r;
        }

        cl = ctl_connect("create", name);
        if (!cl)
                return CTL_EXIT_FAILED;
        r = nsk_create(cl, name, types, (enum nsk_pin) pin, NULL);
        if (r < 0)
                ctl_request_failed("create", name, cl);
        nsk_client_free(cl);
        return r < 0 ? CTL_EXIT_FAILED : CTL_EXIT_OK;
}

const struct ctl_command ctl_cmd_create = {
        .name = "create",
        .args = "NAME [-t|--type LIST] [--pin bind|fd]",
        .summary = "create a set of new namespaces (default types net,uts,ipc)",
        .run = run,
};
