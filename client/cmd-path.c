/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nskeeperctl path NAME TYPE: where a bind pin is, for nsenter(1),
 * ip-netns(8) or systemd's NetworkNamespacePath=. */

#include <stdio.h>

#include "ctl.h"

static int run(int argc, char **argv)
{
        const struct nsk_ns_info *ns;
        struct nsk_set_info set;
        const char *name;
        enum nsk_type t;
        int r;

        r = ctl_simple_args(&ctl_cmd_path, argc, argv, NULL, 2);
        if (r >= 0)
                return r;
        name = argv[optind];
        r = ctl_check_name("path", name);
        if (r != 0)
                return r;
        t = nsk_type_from_name(argv[optind + 1]);
        if (t < 0)
                return ctl_fail("path '%s': unknown namespace type '%s' (known: net, uts, ipc, "
                                "mnt, cgroup, pid, user, time)",
                                name, argv[optind + 1]);

        r = ctl_show("path", name, &set);
        if (r != 0)
                return r;

        ns = nsk_set_ns(&set, t);
        if (!ns)
                r = ctl_fail("path '%s': the set has no %s namespace", name, nsk_type_name(t));
        else if (!ns->path)
                r = ctl_fail("path '%s': pinned by fd, so it has no path; use "
                             "'nskeeperctl join' instead",
                             name);
        else {
                puts(ns->path);
                r = CTL_EXIT_OK;
        }
        nsk_set_info_done(&set);
        return r;
}

const struct ctl_command ctl_cmd_path = {
        .name = "path",
        .args = "NAME TYPE",
        .summary = "print the pin path of one namespace (bind pins only)",
        .run = run,
};
