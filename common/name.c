/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Set-name validation. */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "name.h"

/* A uid of 1-10 digits, no leading zero, 1..4294967294, up to 'end'
 * (exclusive). */
static bool parse_uid(const char *s, const char *end, uint32_t *ret)
{
        uint64_t v = 0;

        if (end <= s || end - s > 10 || s[0] == '0')
                return false;
        for (const char *p = s; p < end; p++) {
                if (*p < '0' || *p > '9')
                        return false;
                v = v * 10 + (uint64_t) (*p - '0');
        }
        if (v == 0 || v >= UINT32_MAX)
                return false;
        *ret = (uint32_t) v;
        return true;
}

bool name_split(const char *s, uint32_t *ret_owner, const char **ret_name)
{
        const char *slash = strchr(s, '/');

        *ret_name = s;
        if (!slash)
                return false;
        *ret_name = slash + 1;
        return parse_uid(s, slash, ret_owner);
}

bool name_full_is_valid(const char *s)
{
        const char *name;
        uint32_t owner;

        if (!s)
                return false;
        if (!strchr(s, '/'))
                return name_is_valid(s);
        return name_split(s, &owner, &name) && name_is_valid(name);
}

int name_key_make(uint32_t owner, const char *name, char *buf, size_t size)
{
        int n = owner == 0 ? snprintf(buf, size, "%s", name)
                           : snprintf(buf, size, "~%u~%s", (unsigned) owner, name);

        return n < 0 || (size_t) n >= size ? -ENAMETOOLONG : 0;
}

bool name_key_parse(const char *key, uint32_t *ret_owner, const char **ret_name)
{
        const char *tilde;

        if (key[0] != '~') {
                *ret_owner = 0;
                *ret_name = key;
                return name_is_valid(key);
        }
        tilde = strchr(key + 1, '~');
        if (!tilde || !parse_uid(key + 1, tilde, ret_owner))
                return false;
        *ret_name = tilde + 1;
        return name_is_valid(*ret_name);
}

bool name_is_valid(const char *s)
{
        size_t n;

        if (!s)
                return false;
        n = strlen(s);
        if (n == 0 || n > NSK_NAME_MAX)
                return false;
        if (s[0] == '.' || s[0] == '-')
                return false;
        for (size_t i = 0; i < n; i++) {
                char c = s[i];
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '_' || c == '.' || c == '-'))
                        return false;
        }
        return true;
}

bool name_is_valid_hostname(const char *s)
{
        size_t n;

        if (!s)
                return false;
        n = strlen(s);
        if (n == 0 || n > 64 || s[0] == '.' || s[0] == '-')
                return false;
        for (size_t i = 0; i < n; i++) {
                char c = s[i];
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '.' || c == '-'))
                        return false;
        }
        return true;
}
