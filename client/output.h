/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Printing sets as text tables or JSON. */
#pragma once

#include <stdio.h>

#include <stdbool.h>
#include <stdint.h>

#include "nskeeper.h"
#include "procscan.h"

void output_json_string(FILE *f, const char *s);
/* t in seconds since the epoch as YYYY-MM-DDThh:mm:ssZ, with usec (if not
 * negative) as six decimals of the second. */
void output_format_time(uint64_t t, long usec, char *buf, size_t size);
/* How the set is named to be found: NAME for root's, UID/NAME for others'. */
const char *output_full_name(const struct nsk_set_info *s, char buf[static NSK_FULL_NAME_MAX + 1]);
/* Its types, comma-separated in type order ("" if none is visible). */
void output_types(const struct nsk_set_info *s, char *buf, size_t size);

/* Its networks, "lab:eth0=192.0.2.5/24,wan:eth1" (the first address of
 * each); "" if none. */
void output_networks(const struct nsk_set_info *s, char *buf, size_t size);

/* counts may be NULL: no nprocs fields. */
void output_set_json(FILE *f, const struct nsk_set_info *s, const struct procscan_result *counts);
/* The set object with the members the comma lists keys[] name (in the
 * object's own order) and, if full, every member of output_set_json(). */
void output_set_json_select(FILE *f, const struct nsk_set_info *s,
                            const struct procscan_result *counts, bool full,
                            const char *const *keys, size_t n_keys);
void output_set_text(FILE *f, const struct nsk_set_info *s, const struct procscan_result *counts);
