/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the fuzz harnesses share: the libFuzzer entry points and a
 * check that aborts, so a broken invariant is reported like a crash. */
#pragma once

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "../settings-eq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define fuzz_assert(expr)                                                                    \
        do {                                                                                 \
                if (!(expr)) {                                                               \
                        fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, \
                                #expr);                                                      \
                        abort();                                                             \
                }                                                                            \
        } while (0)

/* A decoded string is terminated inside its buffer. */
#define fuzz_assert_terminated(buf) fuzz_assert(memchr((buf), '\0', sizeof(buf)) != NULL)
