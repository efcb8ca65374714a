/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Counting the processes in the namespaces of sets, as lsns(8) does:
 * one pass over /proc, however many sets there are. */
#pragma once

#include "nskeeper.h"

struct procscan_result {
        unsigned nprocs;                  /* processes in any namespace of the set */
        unsigned ns_nprocs[NSK_TYPE_MAX]; /* per type */
};

/* Fills ret[i] for sets[i]. Processes we may not inspect are not counted
 * (as root, that is none). Returns 0 or -errno. */
int procscan_count(const struct nsk_set_info *sets, size_t n, struct procscan_result *ret);
