/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nskeeperctl release NAME */

#include "ctl.h"

static int run(int argc, char **argv)
{
        struct nsk_client *cl;
        const char *name;
        int r;

        r = ctl_simple_args(&ctl_cmd_release, argc, argv, NULL, 1);
        if (r >= 0)
                return r;
        name = argv[optind];
        r = ctl_check_name("release", name);
        if (r != 0)
                return r;
        cl = ctl_connect("release", name);
        if (!cl)
                return CTL_EXIT_FAILED;
        r = nsk_release(cl, name);
        if (r < 0)
                ctl_request_failed("release", name, cl, r);
        nsk_client_free(cl);
        return r < 0 ? CTL_EXIT_FAILED : CTL_EXIT_OK;
}

const struct ctl_command ctl_cmd_release = {
        .name = "release",
        .args = "NAME",
        .summary = "unpin the set's namespaces and forget it",
        .run = run,
};
