/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the fuzz harnesses share: the libFuzzer entry points and a
 * check that aborts, so a broken invariant is reported like a crash. */
#pragma once

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define fuzz_assert(expr)                                                               \
        do {                                                                            \
                if (!(expr)) {                                                          \
                        fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__,     \
                                __LINE__, #expr);                                       \
                        abort();                                                        \
                }                                                                       \
        } while (0)

static inline bool fuzz_settings_equal(const struct nsk_settings *a, const struct nsk_settings *b)
{
        if (strcmp(a->hostname, b->hostname) != 0 || strcmp(a->domainname, b->domainname) != 0 ||
            a->n_sysctls != b->n_sysctls || a->n_uid_map != b->n_uid_map ||
            a->n_gid_map != b->n_gid_map || a->monotonic != b->monotonic ||
            a->boottime != b->boottime || a->no_loopback != b->no_loopback ||
            a->setgroups_deny != b->setgroups_deny)
                return false;
        for (unsigned i = 0; i < a->n_sysctls; i++)
                if (strcmp(a->sysctls[i], b->sysctls[i]) != 0)
                        return false;
        return memcmp(a->uid_map, b->uid_map, a->n_uid_map * sizeof(a->uid_map[0])) == 0 &&
               memcmp(a->gid_map, b->gid_map, a->n_gid_map * sizeof(a->gid_map[0])) == 0;
}

/* A decoded string is terminated inside its buffer. */
#define fuzz_assert_terminated(buf) fuzz_assert(memchr((buf), '\0', sizeof(buf)) != NULL)
