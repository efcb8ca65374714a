/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nskeeperctl list [NAME...] [-t TYPES] [--json|--raw] [-o COLUMNS], as lsns(8) lists
 * namespaces; show NAME [--json] */

#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "columns.h"
#include "ctl.h"
#include "name.h"
#include "output.h"

static void list_help(void)
{
        printf("Usage: nskeeperctl [--socket PATH] list [NAME...] [-t TYPES] [--json|--raw]\n"
               "                   [-o COLUMNS|+COLUMNS|--output-all] [-n]\n"
               "List sets (every set, or those named), as a table or a JSON array, like lsns(8).\n"
               "\n"
               "  -t, --type TYPES        only sets with a namespace of one of these types\n"
               "  -J, --json              print JSON (members: nskeeperctl(1)); -o picks them\n"
               "  -r, --raw               one space between cells; spaces in them as \\x20\n"
               "  -o, --output COLUMNS    comma list of columns; +COLUMNS adds to the default\n"
               "      --output-all        every column\n"
               "  -n, --noheadings        no heading line\n"
               "  -h, --help              show this help\n"
               "\nColumns (in any case; lsns(8)'s names where they mean the same):\n");
        columns_help(stdout);
}

struct filter {
        nsk_type_mask_t types; /* 0: any */
        char **names;          /* NULL-terminated, or NULL: any */
        bool *found;
};

static bool filter_match(struct filter *flt, const struct nsk_set_info *s)
{
        bool match = !flt->names;

        for (size_t i = 0; flt->names && flt->names[i]; i++) {
                char full[NSK_FULL_NAME_MAX + 1];
                uint32_t owner;
                const char *name;

                /* The name as the NAME column shows it, or NAME alone for
                 * the caller's own set, as other commands take it. */
                if (streq(flt->names[i], output_full_name(s, full)) ||
                    (!name_split(flt->names[i], &owner, &name) && streq(name, s->name) &&
                     s->owner == (uint32_t) geteuid())) {
                        flt->found[i] = true;
                        match = true;
                }
        }
        if (match && flt->types) {
                nsk_type_mask_t mask = 0;

                for (unsigned i = 0; i < s->n_ns; i++)
                        mask |= NSK_TYPE_BIT(s->ns[i].type);
                match = (mask & flt->types) != 0;
        }
        return match;
}

/* Moves the sets that match to the front, in their order; returns how many. */
static size_t filter_sets(struct filter *flt, struct nsk_set_info *sets, size_t n)
{
        size_t m = 0;

        for (size_t i = 0; i < n; i++)
                if (filter_match(flt, &sets[i])) {
                        struct nsk_set_info t = sets[m];

                        sets[m++] = sets[i];
                        sets[i] = t;
                }
        return m;
}

/* Adds the types of a -t LIST (repeatable, as in lsns) to *types. */
static int parse_types(const char *arg, nsk_type_mask_t *types)
{
        _cleanup_free_ char *list = strdup(arg);
        const char *bad = NULL;
        size_t bad_len = 0;
        nsk_type_mask_t add;
        int r;

        if (!list)
                return ctl_fail("list: out of memory");
        /* Type names in any case, as column names. */
        for (char *p = list; *p; p++)
                *p = (char) tolower((unsigned char) *p);
        /* "all": a set with any type at all. */
        r = nsk_type_mask_from_list(list, NSK_TYPE_MASK_ALL, &add, &bad, &bad_len);
        if (r < 0)
                bad = arg + (bad - list); /* as the user wrote it */
        if (r == -ENOTUNIQ)
                return ctl_usage_error("list", "namespace type '%.*s' given twice", (int) bad_len,
                                       bad);
        if (r < 0)
                return ctl_usage_error("list",
                                       "unknown namespace type '%.*s' (known: net, uts, ipc, mnt, "
                                       "cgroup, pid, user, time, all)",
                                       (int) bad_len, bad);
        *types |= add;
        return 0;
}

static int run_list(int argc, char **argv)
{
        enum {
                OPT_OUTPUT_ALL = 0x100
        };
        static const struct option longopts[] = {
                { "json", no_argument, NULL, 'J' },
                { "raw", no_argument, NULL, 'r' },
                { "type", required_argument, NULL, 't' },
                { "output", required_argument, NULL, 'o' },
                { "output-all", no_argument, NULL, OPT_OUTPUT_ALL },
                { "noheadings", no_argument, NULL, 'n' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        const char *columns = NULL, *bad;
        struct procscan_result *counts = NULL;
        struct filter flt = {};
        struct nsk_set_info *sets;
        bool json = false, raw = false, all = false, headings = true;
        struct column_list cols;
        size_t n, m, bad_len;
        int c, r, ret = CTL_EXIT_OK;

        while ((c = getopt_long(argc, argv, "Jrt:o:nh", longopts, NULL)) >= 0)
                switch (c) {
                case 'J':
                        json = true;
                        break;
                case 'r':
                        raw = true;
                        break;
                case 't':
                        r = parse_types(optarg, &flt.types);
                        if (r != 0)
                                return r;
                        break;
                case 'o':
                        columns = optarg;
                        break;
                case OPT_OUTPUT_ALL:
                        all = true;
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
        if (json && raw)
                return ctl_usage_error("list", "--json and --raw do not go together");
        if (all && columns)
                return ctl_usage_error("list", "--output-all and -o do not go together");
        if (all)
                columns_all(&cols);
        else if (columns_parse(columns, &cols, &bad, &bad_len) < 0)
                return ctl_usage_error("list", "unknown column '%.*s' (see list --help)",
                                       (int) bad_len, bad);
        for (int i = optind; i < argc; i++) {
                r = ctl_check_name("list", argv[i]);
                if (r != 0)
                        return r;
        }
        if (optind < argc) {
                flt.names = argv + optind;
                flt.found = calloc((size_t) (argc - optind), sizeof(bool));
                if (!flt.found)
                        return ctl_fail("list: out of memory");
        }

        r = ctl_list("list", &sets, &n);
        if (r != 0) {
                free(flt.found);
                return r;
        }
        m = filter_sets(&flt, sets, n);

        counts = calloc(m ? m : 1, sizeof(*counts));
        if (!counts) {
                nsk_sets_free(sets, n);
                free(flt.found);
                return ctl_fail("list: out of memory");
        }
        /* Without /proc the counts are 0; everything else is there. */
        if (procscan_count(sets, m, counts) < 0)
                memset(counts, 0, (m ? m : 1) * sizeof(*counts));
        if (json)
                columns_print_json(stdout, sets, m, counts, &cols);
        else
                columns_print_table(stdout, sets, m, counts, &cols, headings, raw);
        free(counts);
        nsk_sets_free(sets, n);
        if (fflush(stdout) != 0)
                ret = CTL_EXIT_FAILED;
        /* As ls does: what exists is listed, what does not is named. */
        for (int i = 0; flt.names && flt.names[i]; i++)
                if (!flt.found[i])
                        ret = ctl_fail("list '%s': not found", flt.names[i]);
        free(flt.found);
        return ret;
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
        .args = "[NAME...] [-t TYPES] [--json|--raw] [-o COLUMNS|+COLUMNS|--output-all] [-n]",
        .summary = "list sets like lsns(8), as a table or a JSON array",
        .run = run_list,
};

const struct ctl_command ctl_cmd_show = {
        .name = "show",
        .args = "NAME [--json]",
        .summary = "show one set: settings, namespaces, inodes, pin paths, processes",
        .run = run_show,
};
