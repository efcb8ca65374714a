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
static const struct nstype_info table[NSTYPE_MAX] = {
        [NSTYPE_USER] = { "user", CLONE_NEWUSER, "user" },
        [NSTYPE_CGROUP] = { "cgroup", CLONE_NEWCGROUP, "cgroup" },
        [NSTYPE_IPC] = { "ipc", CLONE_NEWIPC, "ipc" },
        [NSTYPE_UTS] = { "uts", CLONE_NEWUTS, "uts" },
        [NSTYPE_NET] = { "net", CLONE_NEWNET, "net" },
        [NSTYPE_PID] = { "pid", CLONE_NEWPID, "pid_for_children" },
        [NSTYPE_MNT] = { "mnt", CLONE_NEWNS, "mnt" },
        [NSTYPE_TIME] = { "time", CLONE_NEWTIME, "time_for_children" },
};

const struct nstype_info *nstype_info(enum nstype t)
{
        if (t < 0 || t >= NSTYPE_MAX)
                return NULL;
        return &table[t];
}

const char *nstype_name(enum nstype t)
{
        const struct nstype_info *i = nstype_info(t);
        return i ? i->name : NULL;
}

int nstype_clone_flag(enum nstype t)
{
        const struct nstype_info *i = nstype_info(t);
        return i ? i->clone_flag : 0;
}

enum nstype nstype_from_name(const char *name)
{
        for (int t = 0; t < NSTYPE_MAX; t++)
                if (streq(table[t].name, name))
                        return t;
        return NSTYPE_INVALID;
}

enum nstype nstype_from_clone_flag(int flag)
{
        for (int t = 0; t < NSTYPE_MAX; t++)
                if (table[t].clone_flag == flag)
                        return t;
        return NSTYPE_INVALID;
}

uint32_t nstype_mask_to_clone_flags(nstype_mask_t mask)
{
        uint32_t flags = 0;

        for (int t = 0; t < NSTYPE_MAX; t++)
                if (mask & NSTYPE_BIT(t))
                        flags |= (uint32_t) table[t].clone_flag;
        return flags;
}

int nstype_mask_from_clone_flags(uint32_t flags, nstype_mask_t *ret)
{
        nstype_mask_t mask = 0;

        for (int t = 0; t < NSTYPE_MAX; t++)
                if (flags & (uint32_t) table[t].clone_flag) {
                        mask |= NSTYPE_BIT(t);
                        flags &= ~(uint32_t) table[t].clone_flag;
                }
        if (flags != 0)
                return -EINVAL;
        *ret = mask;
        return 0;
}

int nstype_mask_from_list(const char *list, nstype_mask_t supported, nstype_mask_t *ret,
                          const char **ret_bad, size_t *ret_bad_len)
{
        nstype_mask_t mask = 0;
        const char *p = list;

        for (;;) {
                size_t n = strcspn(p, ",");
                nstype_mask_t add;
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
                                enum nstype t = nstype_from_name(item);
                                if (t < 0)
                                        r = -EINVAL;
                                else
                                        add = NSTYPE_BIT(t);
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

size_t nstype_mask_format(nstype_mask_t mask, char *buf, size_t size)
{
        size_t len = 0;

        if (size > 0)
                buf[0] = '\0';
        for (int t = 0; t < NSTYPE_MAX; t++) {
                if (!(mask & NSTYPE_BIT(t)))
                        continue;
                int n = snprintf(size > len ? buf + len : NULL, size > len ? size - len : 0,
                                 "%s%s", len > 0 ? "," : "", table[t].name);
                len += (size_t) n;
        }
        return len;
}

unsigned nstype_mask_count(nstype_mask_t mask)
{
        return (unsigned) __builtin_popcount(mask & NSTYPE_MASK_ALL);
}

nstype_mask_t nstype_mask_supported(void)
{
        /* A running kernel gains no namespace types: ask /proc once (the
         * daemon asked on every create, 8 access() calls). An empty answer,
         * as without /proc, is not kept. */
        static nstype_mask_t cached;
        nstype_mask_t mask = 0;
        char path[64];

        if (cached)
                return cached;
        for (int t = 0; t < NSTYPE_MAX; t++) {
                snprintf(path, sizeof(path), "/proc/self/ns/%s", table[t].name);
                if (access(path, F_OK) == 0)
                        mask |= NSTYPE_BIT(t);
        }
        cached = mask;
        return mask;
}

int nstype_of_fd(int fd, enum nstype *ret)
{
        int flag = ioctl(fd, NS_GET_NSTYPE);
        enum nstype t;

        if (flag < 0)
                return negative_errno();
        t = nstype_from_clone_flag(flag);
        if (t < 0)
                return -EINVAL;
        *ret = t;
        return 0;
}

int nstype_check_fd(int fd, enum nstype t)
{
        enum nstype actual;
        int r = nstype_of_fd(fd, &actual);

        if (r < 0)
                return r;
        return actual == t ? 0 : -EINVAL;
}
