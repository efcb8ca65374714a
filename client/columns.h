/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The columns of list, chosen as lsns(8) -o chooses them, printed as an
 * aligned table, raw, or as the members of list --json. */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "nskeeper.h"
#include "procscan.h"

#define COLUMNS_MAX 64

struct column_list {
        int col[COLUMNS_MAX]; /* indexes into the column table */
        size_t n;
        /* The JSON object is the full set object (plus the members of
         * col[n_base...]), not only the members of the columns. */
        bool full;
        size_t n_base;
};

/* Parses a comma list of column names or lsns(8) aliases, in any case;
 * "+LIST" is the default columns and then LIST; NULL is the default.
 * Fails with -EINVAL and the bad item in ret_bad. */
int columns_parse(const char *list, struct column_list *ret, const char **ret_bad,
                  size_t *ret_bad_len);
/* Every column, for --output-all. */
void columns_all(struct column_list *ret);
void columns_help(FILE *f);

/* raw: one space between cells, no padding, and bytes that would split
 * or break a line (space, control characters, backslash) as \xHH. */
void columns_print_table(FILE *f, const struct nsk_set_info *sets, size_t n,
                         const struct procscan_result *counts, const struct column_list *cols,
                         bool headings, bool raw);
void columns_print_json(FILE *f, const struct nsk_set_info *sets, size_t n,
                        const struct procscan_result *counts, const struct column_list *cols);
