/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nskeeperctl check NAME...: the CNI CHECK of each network of each set. */

#include <stdio.h>

#include "ctl.h"

static int run(int argc, char **argv)
{
        struct nsk_client *cl;
        int r;

        r = ctl_simple_args_range(&ctl_cmd_check, argc, argv, NULL, 1, (unsigned) argc);
        if (r >= 0)
                return r;
        for (int i = optind; i < argc; i++) {
                r = ctl_check_name("check", argv[i]);
                if (r != 0)
                        return r;
        }
        cl = ctl_connect("check", optind + 1 < argc ? NULL : argv[optind]);
        if (!cl)
                return CTL_EXIT_FAILED;
        r = CTL_EXIT_OK;
        for (int i = optind; i < argc; i++) {
                int k = nsk_check(cl, argv[i]);

                if (k < 0) {
                        ctl_request_failed("check", argv[i], cl, k);
                        r = CTL_EXIT_FAILED;
                }
        }
        nsk_client_free(cl);
        return r;
}

const struct ctl_command ctl_cmd_check = {
        .name = "check",
        .args = "NAME...",
        .summary = "run the CNI CHECK of each network of the sets (exit 0: all as attached)",
        .run = run,
};
