/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nskeeperctl release NAME... | --all [--ignore-missing] */

#include <getopt.h>
#include <stdio.h>

#include "ctl.h"
#include "output.h"

static void help(void)
{
        printf("Usage: nskeeperctl [--socket PATH] release [--ignore-missing] NAME...\n"
               "       nskeeperctl [--socket PATH] release --all\n"
               "Unpin the namespaces of each set NAME and forget it. Releasing a set made with\n"
               "a pid namespace kills its keeper, and with it every process in that namespace.\n"
               "A failure does not stop the others; the exit status is 0 only if every set was\n"
               "released.\n"
               "\n"
               "  -a, --all              every set you may release (root: every set)\n"
               "      --ignore-missing   a set that does not exist is no error\n"
               "  -h, --help             show this help\n");
}

/* Releases one set; ENOENT is fine if ignore_missing. Returns 0 or
 * CTL_EXIT_FAILED after saying why. */
static int release_one(struct nsk_client *cl, const char *name, bool ignore_missing)
{
        int r;

        r = ctl_check_name("release", name);
        if (r != 0)
                return r;
        r = nsk_release(cl, name);
        if (r == -ENOENT && ignore_missing)
                return 0;
        if (r < 0)
                return ctl_request_failed("release", name, cl, r);
        /* Released; what a network's DEL said on the way is worth knowing. */
        if (nsk_client_error(cl)[0])
                fprintf(stderr, "nskeeperctl: release '%s': released, but %s\n", name,
                        nsk_client_error(cl));
        return 0;
}

/* The full names of the sets the caller owns (root: all), to release. */
static int release_all(struct nsk_client *cl)
{
        char full[NSK_FULL_NAME_MAX + 1];
        struct nsk_set_info *sets;
        uid_t uid = geteuid();
        int r, ret = 0;
        size_t n;

        r = nsk_list(cl, &sets, &n);
        if (r < 0)
                return ctl_request_failed("release", NULL, cl, r);
        for (size_t i = 0; i < n; i++) {
                if (uid != 0 && sets[i].owner != uid)
                        continue;
                /* Released meanwhile by someone else: gone, as asked. */
                if (release_one(cl, output_full_name(&sets[i], full), true) != 0)
                        ret = CTL_EXIT_FAILED;
        }
        nsk_sets_free(sets, n);
        return ret;
}

static int run(int argc, char **argv)
{
        enum {
                OPT_IGNORE_MISSING = 0x100
        };
        static const struct option longopts[] = {
                { "all", no_argument, NULL, 'a' },
                { "ignore-missing", no_argument, NULL, OPT_IGNORE_MISSING },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        bool all = false, ignore_missing = false;
        struct nsk_client *cl;
        int c, r = 0;

        while ((c = getopt_long(argc, argv, "ah", longopts, NULL)) >= 0)
                switch (c) {
                case 'a':
                        all = true;
                        break;
                case OPT_IGNORE_MISSING:
                        ignore_missing = true;
                        break;
                case 'h':
                        help();
                        return CTL_EXIT_OK;
                default:
                        return ctl_bad_option("release", argv);
                }
        if (all && optind < argc)
                return ctl_usage_error("release", "--all takes no NAME ('%s')", argv[optind]);
        if (!all && optind >= argc)
                return ctl_usage_error("release", "missing set NAME (or --all)");

        cl = ctl_connect("release", all || optind + 1 < argc ? NULL : argv[optind]);
        if (!cl)
                return CTL_EXIT_FAILED;
        if (all)
                r = release_all(cl);
        else
                for (int i = optind; i < argc; i++)
                        if (release_one(cl, argv[i], ignore_missing) != 0)
                                r = CTL_EXIT_FAILED;
        nsk_client_free(cl);
        return r;
}

const struct ctl_command ctl_cmd_release = {
        .name = "release",
        .args = "[--ignore-missing] NAME... | --all",
        .summary = "unpin the sets' namespaces and forget them",
        .run = run,
};
