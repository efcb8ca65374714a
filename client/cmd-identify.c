/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nskeeperctl identify [PID] [--json]: the sets a process is in, as
 * ip-netns(8) identify, for every namespace type. */

#include <stdio.h>

#include "ctl.h"
#include "output.h"
#include "parse.h"
#include "procscan.h"

struct found {
        nsk_type_mask_t *types; /* per set: the types PID shares with it */
};

static int on_match(pid_t pid, size_t set, nsk_type_mask_t types, void *userdata)
{
        struct found *f = userdata;

        (void) pid;
        f->types[set] = types;
        return 0;
}

static void print_json(const struct nsk_set_info *sets, size_t n, const nsk_type_mask_t *types)
{
        char full[NSK_FULL_NAME_MAX + 1];
        bool first = true;

        putchar('[');
        for (size_t i = 0; i < n; i++) {
                bool first_type = true;

                if (!types[i])
                        continue;
                fputs(first ? "{\"name\":" : ",{\"name\":", stdout);
                first = false;
                output_json_string(stdout, sets[i].name);
                fputs(",\"full_name\":", stdout);
                output_json_string(stdout, output_full_name(&sets[i], full));
                printf(",\"owner\":%u,\"types\":[", (unsigned) sets[i].owner);
                for (int t = 0; t < NSK_TYPE_MAX; t++)
                        if (types[i] & NSK_TYPE_BIT(t)) {
                                printf("%s\"%s\"", first_type ? "" : ",", nsk_type_name(t));
                                first_type = false;
                        }
                fputs("]}", stdout);
        }
        puts("]");
}

static int run(int argc, char **argv)
{
        char full[NSK_FULL_NAME_MAX + 1];
        struct found f = {};
        struct nsk_set_info *sets;
        unsigned not_shown = 0;
        bool json = false;
        uint32_t pid;
        size_t n;
        int r;

        r = ctl_simple_args_range(&ctl_cmd_identify, argc, argv, &json, 0, 1);
        if (r >= 0)
                return r;
        if (optind == argc)
                pid = 0; /* ourselves: PROCSCAN_SELF */
        else if (parse_u32(argv[optind], &pid) < 0 || pid == 0 || pid > INT32_MAX)
                return ctl_usage_error("identify", "invalid process id '%s'", argv[optind]);

        r = ctl_list("identify", &sets, &n);
        if (r != 0)
                return r;
        f.types = calloc(n ? n : 1, sizeof(*f.types));
        if (!f.types) {
                nsk_sets_free(sets, n);
                return ctl_fail("identify: out of memory");
        }
        r = procscan_walk(sets, n, pid ? (pid_t) pid : PROCSCAN_SELF, on_match, &f, NULL);
        if (r == -ESRCH)
                r = ctl_fail("identify: no process %u", pid);
        else if (r == -EACCES || r == -EPERM)
                r = ctl_fail("identify: cannot read the namespaces of process %u: %s%s", pid,
                             strerror(-r),
                             geteuid() != 0 ? " (only root may look at other users' processes)"
                                            : "");
        else if (r < 0)
                r = ctl_fail("identify: process %u: %s", pid, strerror(-r));
        else {
                if (json)
                        print_json(sets, n, f.types);
                for (size_t i = 0; i < n; i++) {
                        /* Others' sets come without their namespaces. */
                        if (sets[i].n_ns == 0)
                                not_shown++;
                        if (f.types[i] && !json)
                                puts(output_full_name(&sets[i], full));
                }
                if (not_shown)
                        fprintf(stderr,
                                "nskeeperctl: identify: %u set(s) of other users not compared: "
                                "only their owner and root see their namespaces\n",
                                not_shown);
                r = fflush(stdout) == 0 ? CTL_EXIT_OK : CTL_EXIT_FAILED;
        }
        free(f.types);
        nsk_sets_free(sets, n);
        return r;
}

const struct ctl_command ctl_cmd_identify = {
        .name = "identify",
        .args = "[PID] [--json]",
        .summary = "print the sets process PID (default: this one) shares a namespace with",
        .run = run,
};
