/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Validation of per-namespace sysctl assignments. Pure: the daemon and
 * the client both refuse a bad key before any work is done. */

#include <stdbool.h>
#include <string.h>

#include "sysctl.h"
#include "util.h"

static bool key_char_ok(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '-' || c == ':' || c == '@' || c == '+';
}

static bool has_prefix(const char *s, const char *prefix)
{
        return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Sysctls that belong to a namespace nskeeper can create, by owner. */
static int key_nstype(const char *path, enum nsk_type *ret)
{
        static const char *const ipc[] = { "kernel/shm", "kernel/msg", "kernel/sem", "fs/mqueue/" };

        if (has_prefix(path, "net/")) {
                *ret = NSK_TYPE_NET;
                return 0;
        }
        for (size_t i = 0; i < ELEMENTSOF(ipc); i++)
                if (has_prefix(path, ipc[i])) {
                        *ret = NSK_TYPE_IPC;
                        return 0;
                }
        return -EOPNOTSUPP;
}

int sysctl_parse(const char *assignment, char *ret_path, size_t size, const char **ret_value,
                 enum nsk_type *ret_type)
{
        const char *eq = strchr(assignment, '=');
        size_t n, first;
        char sep;

        if (!eq || eq == assignment)
                return -EINVAL;
        n = (size_t) (eq - assignment);
        if (n >= size)
                return -ENAMETOOLONG;
        if (strchr(eq + 1, '\n'))
                return -EINVAL;

        /* sysctl.d(5): the first separator decides which one separates. */
        first = strcspn(assignment, "./");
        sep = first < n ? assignment[first] : '.';
        for (size_t i = 0; i < n; i++) {
                char c = assignment[i];

                if (c == sep)
                        c = '/';
                else if (c == '.' || c == '/')
                        c = '.'; /* the other one is part of a name */
                else if (!key_char_ok(c))
                        return -EINVAL;
                ret_path[i] = c;
        }
        ret_path[n] = '\0';

        /* No empty, "." or ".." component: the path stays below /proc/sys. */
        for (const char *p = ret_path;;) {
                size_t k = strcspn(p, "/");

                if (k == 0 || (k == 1 && p[0] == '.') || (k == 2 && p[0] == '.' && p[1] == '.'))
                        return -EINVAL;
                if (p[k] == '\0')
                        break;
                p += k + 1;
        }

        if (key_nstype(ret_path, ret_type) < 0)
                return -EOPNOTSUPP;
        *ret_value = eq + 1;
        return 0;
}
