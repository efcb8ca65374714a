/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nskeeperctl list [--json] and show NAME [--json] */

#include <stdio.h>

#include "ctl.h"
#include "output.h"

static int run_list(int argc, char **argv)
{
        struct nsk_set_info *sets;
        struct nsk_client *cl;
        bool json = false;
        size_t n;
        int r;

        r = ctl_simple_args(&ctl_cmd_list, argc, argv, &json, 0);
        if (r >= 0)
                return r;
        cl = ctl_connect("list", NULL);
        if (!cl)
                return CTL_EXIT_FAILED;
        r = nsk_list(cl, &sets, &n);
        if (r < 0) {
                ctl_request_failed("list", NULL, cl);
                nsk_client_free(cl);
                return CTL_EXIT_FAILED;
        }
        nsk_client_free(cl);
        if (json)
                output_sets_json(stdout, sets, n);
        else
                output_sets_table(stdout, sets, n);
        nsk_sets_free(sets, n);
        return fflush(stdout) == 0 ? CTL_EXIT_OK : CTL_EXIT_FAILED;
}

static int run_show(int argc, char **argv)
{
        struct nsk_set_info set;
        struct nsk_client *cl;
        bool json = false;
        const char *name;
        int r;

        r = ctl_simple_args(&ctl_cmd_show, argc, argv, &json, 1);
        if (r >= 0)
                return r;
        name = argv[optind];
        r = ctl_check_name("show", name);
        if (r != 0)
                return r;
        cl = ctl_connect("show", name);
        if (!cl)
                return CTL_EXIT_FAILED;
        r = nsk_show(cl, name, &set);
        if (r < 0) {
                ctl_request_failed("show", name, cl);
                nsk_client_free(cl);
                return CTL_EXIT_FAILED;
        }
        nsk_client_free(cl);
        if (json) {
                output_set_json(stdout, &set);
                putchar('\n');
        } else
                output_set_text(stdout, &set);
        nsk_set_info_done(&set);
        return fflush(stdout) == 0 ? CTL_EXIT_OK : CTL_EXIT_FAILED;
}

const struct ctl_command ctl_cmd_list = {
        .name = "list",
        .args = "[--json]",
        .summary = "list every set, as a table or a JSON array",
        .run = run_list,
};

const struct ctl_command ctl_cmd_show = {
        .name = "show",
        .args = "NAME [--json]",
        .summary = "show one set: namespaces, inodes, pin paths",
        .run = run_show,
};
