/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nskeeperctl path NAME [TYPE]: where bind pins are, for nsenter(1),
 * ip-netns(8) or systemd's NetworkNamespacePath=. */

#include <stdio.h>

#include "ctl.h"

static int run(int argc, char **argv)
{
        const struct nsk_ns_info *ns;
        struct nsk_set_info set;
        enum nsk_type t = NSK_TYPE_INVALID;
        const char *name;
        int r;

        r = ctl_simple_args_range(&ctl_cmd_path, argc, argv, NULL, 1, 2);
        if (r >= 0)
                return r;
        name = argv[optind];
        r = ctl_check_name("path", name);
        if (r != 0)
                return r;
        if (optind + 1 < argc) {
                t = nsk_type_from_name(argv[optind + 1]);
                if (t < 0)
                        return ctl_fail("path '%s': unknown namespace type '%s' (known: net, uts, "
                                        "ipc, mnt, cgroup, pid, user, time)",
                                        name, argv[optind + 1]);
        }

        r = ctl_show("path", name, &set);
        if (r != 0)
                return r;

        ns = t >= 0 ? nsk_set_ns(&set, t) : NULL;
        if (t >= 0 && !ns)
                r = ctl_fail("path '%s': the set has no %s namespace", name, nsk_type_name(t));
        else if (ns ? !ns->path : set.pin != NSK_PIN_BIND)
                r = ctl_fail("path '%s': pinned by fd, so it has no path; use "
                             "'nskeeperctl join' instead",
                             name);
        else if (ns && ns->missing)
                /* The file is no namespace now: a path to it would only
                 * fail later, in whatever was given it. */
                r = ctl_fail("path '%s': the %s pin was removed from outside (the set is "
                             "damaged; release it)",
                             name, nsk_type_name(t));
        else if (ns) {
                puts(ns->path);
                r = CTL_EXIT_OK;
        } else {
                /* Every pin that is still there, in the type table's order. */
                for (unsigned i = 0; i < set.n_ns; i++)
                        if (set.ns[i].path && !set.ns[i].missing)
                                printf("%s %s\n", nsk_type_name(set.ns[i].type), set.ns[i].path);
                r = fflush(stdout) == 0 ? CTL_EXIT_OK : CTL_EXIT_FAILED;
        }
        nsk_set_info_done(&set);
        return r;
}

const struct ctl_command ctl_cmd_path = {
        .name = "path",
        .args = "NAME [TYPE]",
        .summary = "print the pin path of one namespace, or TYPE PATH of each (bind pins only)",
        .run = run,
};
