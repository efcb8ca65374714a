/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Strict decimal number parsing for command lines and state files. */

#include <errno.h>
#include <stdlib.h>

#include "parse.h"

int parse_u64(const char *s, uint64_t *ret)
{
        char *end;
        unsigned long long v;

        if (*s < '0' || *s > '9')
                return -EINVAL;
        errno = 0;
        v = strtoull(s, &end, 10);
        if (errno != 0 || *end != '\0')
                return -EINVAL;
        *ret = v;
        return 0;
}

int parse_u32(const char *s, uint32_t *ret)
{
        uint64_t v;

        if (parse_u64(s, &v) < 0 || v >= UINT32_MAX)
                return -EINVAL;
        *ret = (uint32_t) v;
        return 0;
}

int parse_s64(const char *s, int64_t *ret)
{
        char *end;
        long long v;

        if (*s != '-' && (*s < '0' || *s > '9'))
                return -EINVAL;
        if (*s == '-' && (s[1] < '0' || s[1] > '9'))
                return -EINVAL;
        errno = 0;
        v = strtoll(s, &end, 10);
        if (errno != 0 || *end != '\0')
                return -EINVAL;
        *ret = v;
        return 0;
}
