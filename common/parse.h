/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Strict number parsing: decimal digits only (a sign only for s64), the
 * whole string, no overflow. What strtoul(3) lets through ("", " 1",
 * "+1", "-1" as a huge unsigned, "1x") is refused with -EINVAL. */
#pragma once

#include <stdint.h>

int parse_u64(const char *s, uint64_t *ret);
/* Also refuses UINT32_MAX, which is no valid id ((uid_t) -1). */
int parse_u32(const char *s, uint32_t *ret);
int parse_s64(const char *s, int64_t *ret);
