/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Finding the processes in the namespaces of sets, as lsns(8) does: one
 * pass over /proc, however many sets there are. */
#pragma once

#include <sys/types.h>

#include "nskeeper.h"

struct procscan_result {
        unsigned nprocs;                  /* processes in any namespace of the set */
        unsigned ns_nprocs[NSK_TYPE_MAX]; /* per type */
};

/* Called once for each process and set it shares a namespace with;
 * types are the types it shares. A negative return ends the walk and is
 * returned. */
typedef int (*procscan_fn)(pid_t pid, size_t set, nsk_type_mask_t types, void *userdata);

/* The calling process, however /proc numbers it. */
#define PROCSCAN_SELF ((pid_t) -1)

/* Looks at every process in /proc, or only at pid if pid > 0 or
 * PROCSCAN_SELF (then
 * -ESRCH if it does not exist, -EACCES/-EPERM if its namespaces cannot be
 * read). A namespace two sets share counts for both. Processes we may not
 * inspect (as root, none) are skipped and counted in *ret_hidden (may be
 * NULL). Returns 0 or -errno. */
int procscan_walk(const struct nsk_set_info *sets, size_t n, pid_t pid, procscan_fn fn,
                  void *userdata, unsigned *ret_hidden);

/* Fills ret[i] for sets[i]: procscan_walk over every process. */
int procscan_count(const struct nsk_set_info *sets, size_t n, struct procscan_result *ret);
