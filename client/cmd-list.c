/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nskeeperctl list [--json] [-o COLUMNS] [--no-headings], show NAME [--json] */

#include <getopt.h>
#include <stdio.h>

#include "ctl.h"
#include "output.h"

static void list_help(void)
{
        printf("Usage: nskeeperctl [--socket PATH] list [--json] [-o|--output COLUMNS] "
               "[-n|--noheadings]\n"
               "List every set, as a table or a JSON array (every field, with process counts).\n"
               "\n"
               "      --json              print JSON (fields: nskeeperctl(1))\n"
               "  -o, --output COLUMNS    comma list of columns, as lsns(8) -o\n"
               "  -n, --noheadings        no heading line\n"
               "  -h, --help              show this help\n"
               "\nColumns:\n");
        output_columns_help(stdout);
}

static int run_list(int argc, char **argv)
{
        enum {
                OPT_JSON = 0x100
        };
        static const struct option longopts[] = {
                { "json", no_argument, NULL, OPT_JSON },
                { "output", required_argument, NULL, 'o' },
                { "noheadings", no_argument, NULL, 'n' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        const char *columns = NULL, *bad;
        struct procscan_result *counts = NULL;
        struct nsk_set_info *sets;
        bool json = false, headings = true;
        int cols[64], c, r;
        size_t n, n_cols, bad_len;
        struct nsk_client *cl;

        while ((c = getopt_long(argc, argv, "o:nh", longopts, NULL)) >= 0)
                switch (c) {
                case OPT_JSON:
                        json = true;
                        break;
                case 'o':
                        columns = optarg;
                        break;
                case 'n':
                        headings = false;
                        break;
                case 'h':
                        list_help();
                        return CTL_EXIT_OK;
                default:
                        return ctl_bad_option("list", argv);
                }
        if (optind < argc)
                return ctl_usage_error("list", "unexpected argument '%s'", argv[optind]);
        if (output_parse_columns(columns, cols, ELEMENTSOF(cols), &n_cols, &bad, &bad_len) < 0)
                return ctl_usage_error("list", "unknown column '%.*s' (see list --help)",
                                       (int) bad_len, bad);

        cl = ctl_connect("list", NULL);
        if (!cl)
                return CTL_EXIT_FAILED;
        r = nsk_list(cl, &sets, &n);
        if (r < 0) {
                ctl_request_failed("list", NULL, cl, r);
                nsk_client_free(cl);
                return CTL_EXIT_FAILED;
        }
        nsk_client_free(cl);

        counts = calloc(n ? n : 1, sizeof(*counts));
        if (!counts || procscan_count(sets, n, counts) < 0) {
                /* Without /proc the counts are 0; everything else is there. */
                free(counts);
                counts = calloc(n ? n : 1, sizeof(*counts));
                if (!counts) {
                        nsk_sets_free(sets, n);
                        return ctl_fail("list: out of memory");
                }
        }
        if (json)
                output_sets_json(stdout, sets, n, counts);
        else
                output_sets_table(stdout, sets, n, counts, cols, n_cols, headings);
        free(counts);
        nsk_sets_free(sets, n);
        return fflush(stdout) == 0 ? CTL_EXIT_OK : CTL_EXIT_FAILED;
}

static int run_show(int argc, char **argv)
{
        struct procscan_result counts = {};
        struct nsk_set_info set;
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
        r = ctl_show("show", name, &set);
        if (r != 0)
                return r;
        (void) procscan_count(&set, 1, &counts);
        if (json) {
                output_set_json(stdout, &set, &counts);
                putchar('\n');
        } else
                output_set_text(stdout, &set, &counts);
        nsk_set_info_done(&set);
        return fflush(stdout) == 0 ? CTL_EXIT_OK : CTL_EXIT_FAILED;
}

const struct ctl_command ctl_cmd_list = {
        .name = "list",
        .args = "[--json] [-o|--output COLUMNS] [-n|--noheadings]",
        .summary = "list every set, as a table or a JSON array",
        .run = run_list,
};

const struct ctl_command ctl_cmd_show = {
        .name = "show",
        .args = "NAME [--json]",
        .summary = "show one set: settings, namespaces, inodes, pin paths, processes",
        .run = run_show,
};
