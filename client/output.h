/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Printing sets as text tables or JSON. */
#pragma once

#include <stdio.h>

#include <stdbool.h>

#include "nskeeper.h"
#include "procscan.h"

void output_json_string(FILE *f, const char *s);
/* How the set is named to be found: NAME for root's, UID/NAME for others'. */
const char *output_full_name(const struct nsk_set_info *s, char buf[static NSK_FULL_NAME_MAX + 1]);
/* counts may be NULL: no nprocs fields. */
void output_set_json(FILE *f, const struct nsk_set_info *s, const struct procscan_result *counts);
void output_sets_json(FILE *f, const struct nsk_set_info *sets, size_t n,
                      const struct procscan_result *counts);
void output_set_text(FILE *f, const struct nsk_set_info *s, const struct procscan_result *counts);

/* Columns of list: names like lsns(8)'s, case-insensitive, comma list
 * (NULL: the default). Fails with the bad item in ret_bad. */
int output_parse_columns(const char *list, int *ret, size_t max, size_t *ret_n,
                         const char **ret_bad, size_t *ret_bad_len);
void output_columns_help(FILE *f);
void output_sets_table(FILE *f, const struct nsk_set_info *sets, size_t n,
                       const struct procscan_result *counts, const int *cols, size_t n_cols,
                       bool headings);
