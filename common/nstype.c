/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The namespace-type table and what is derived from it. */

#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/nsfs.h>

#include "nstype.h"
#include "util.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif

/* pid and time: unshare() changes only what children get, so the new
 * namespace is found at *_for_children (pid_namespaces(7),
 * time_namespaces(7)). */
static const struct nsk_type_info table[NSK_TYPE_MAX] = {
        [NSK_TYPE_USER] = { "user", CLONE_NEWUSER, "user" },
        [NSK_TYPE_CGROUP] = { "cgroup", CLONE_NEWCGROUP, "cgroup" },
        [NSK_TYPE_IPC] = { "ipc", CLONE_NEWIPC, "ipc" },
        [NSK_TYPE_UTS] = { "uts", CLONE_NEWUTS, "uts" },
        [NSK_TYPE_NET] = { "net", CLONE_NEWNET, "net" },
        [NSK_TYPE_PID] = { "pid", CLONE_NEWPID, "pid_for_children" },
        [NSK_TYPE_MNT] = { "mnt", CLONE_NEWNS, "mnt" },
        [NSK_TYPE_TIME] = { "time", CLONE_NEWTIME, "time_for_children" },
};

const struct nsk_type_info *nsk_type_info(enum nsk_type t)
{
        if (t < 0 || t >= NSK_TYPE_MAX)
                return NULL;
        return &table[t];
}

const char *nsk_type_name(enum nsk_type t)
{
        const struct nsk_type_info *i = nsk_type_info(t);
        return i ? i->name : NULL;
}

int nsk_type_clone_flag(enum nsk_type t)
{
        const struct nsk_type_info *i = nsk_type_info(t);
        return i ? i->clone_flag : 0;
}

enum nsk_type nsk_type_from_name(const char *name)
{
        for (int t = 0; t < NSK_TYPE_MAX; t++)
                if (streq(table[t].name, name))
                        return t;
        return NSK_TYPE_INVALID;
}

enum nsk_type nsk_type_from_clone_flag(int flag)
{
        for (int t = 0; t < NSK_TYPE_MAX; t++)
                if (table[t].clone_flag == flag)
                        return t;
        return NSK_TYPE_INVALID;
}

uint32_t nsk_type_mask_to_clone_flags(nsk_type_mask_t mask)
{
        uint32_t flags = 0;

        for (int t = 0; t < NSK_TYPE_MAX; t++)
                if (mask & NSK_TYPE_BIT(t))
                        flags |= (uint32_t) table[t].clone_flag;
        return flags;
}

int nsk_type_mask_from_clone_flags(uint32_t flags, nsk_type_mask_t *ret)
{
        nsk_type_mask_t mask = 0;

        for (int t = 0; t < NSK_TYPE_MAX; t++)
                if (flags & (uint32_t) table[t].clone_flag) {
                        mask |= NSK_TYPE_BIT(t);
                        flags &= ~(uint32_t) table[t].clone_flag;
                }
        if (flags != 0)
                return -EINVAL;
        *ret = mask;
        return 0;
}

int nsk_type_mask_from_list(const char *list, nsk_type_mask_t supported, nsk_type_mask_t *ret,
                            const char **ret_bad, size_t *ret_bad_len)
{
        nsk_type_mask_t mask = 0;
        const char *p = list;

        for (;;) {
                size_t n = strcspn(p, ",");
                nsk_type_mask_t add;
                char item[16];
                int r = 0;

                if (n == 0 || n >= sizeof(item))
                        r = -EINVAL;
                else {
                        memcpy(item, p, n);
                        item[n] = '\0';
                        if (streq(item, "all"))
                                add = supported;
                        else {
                                enum nsk_type t = nsk_type_from_name(item);
                                if (t < 0)
                                        r = -EINVAL;
                                else
                                        add = NSK_TYPE_BIT(t);
                        }
                }
                if (r == 0 && (mask & add))
                        r = -ENOTUNIQ;
                if (r < 0) {
                        if (ret_bad)
                                *ret_bad = p;
                        if (ret_bad_len)
                                *ret_bad_len = n;
                        return r;
                }
                mask |= add;
                if (p[n] == '\0')
                        break;
                p += n + 1;
        }

        *ret = mask;
        return 0;
}

size_t nsk_type_mask_format(nsk_type_mask_t mask, char *buf, size_t size)
{
        size_t len = 0;

        if (size > 0)
                buf[0] = '\0';
        for (int t = 0; t < NSK_TYPE_MAX; t++) {
                if (!(mask & NSK_TYPE_BIT(t)))
                        continue;
                int n = snprintf(size > len ? buf + len : NULL, size > len ? size - len : 0, "%s%s",
                                 len > 0 ? "," : "", table[t].name);
                len += (size_t) n;
        }
        return len;
}

unsigned nsk_type_mask_count(nsk_type_mask_t mask)
{
        return (unsigned) __builtin_popcount(mask & NSK_TYPE_MASK_ALL);
}

nsk_type_mask_t nsk_type_mask_supported(void)
{
        /* A running kernel gains no namespace types: ask /proc once (the
         * daemon asked on every create, 8 access() calls). An empty answer,
         * as without /proc, is not kept. */
        static nsk_type_mask_t cached;
        nsk_type_mask_t mask = 0;
        char path[64];

        if (cached)
                return cached;
        for (int t = 0; t < NSK_TYPE_MAX; t++) {
                snprintf(path, sizeof(path), "/proc/self/ns/%s", table[t].name);
                if (access(path, F_OK) == 0)
                        mask |= NSK_TYPE_BIT(t);
        }
        cached = mask;
        return mask;
}

int nsk_type_of_fd(int fd, enum nsk_type *ret)
{
        int flag = ioctl(fd, NS_GET_NSTYPE);
        enum nsk_type t;

        if (flag < 0)
                return negative_errno();
        t = nsk_type_from_clone_flag(flag);
        if (t < 0)
                return -EINVAL;
        *ret = t;
        return 0;
}

int nsk_type_check_fd(int fd, enum nsk_type t)
{
        enum nsk_type actual;
        int r = nsk_type_of_fd(fd, &actual);

        if (r < 0)
                return r;
        return actual == t ? 0 : -EINVAL;
}
