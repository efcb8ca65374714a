/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Printing sets as text tables or JSON. */
#pragma once

#include <stdio.h>

#include "nskeeper.h"

void output_json_string(FILE *f, const char *s);
void output_set_json(FILE *f, const struct nsk_set_info *s);
void output_sets_json(FILE *f, const struct nsk_set_info *sets, size_t n);
void output_sets_table(FILE *f, const struct nsk_set_info *sets, size_t n);
void output_set_text(FILE *f, const struct nsk_set_info *s);
