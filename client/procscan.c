/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One pass over the ns links of every process in /proc, looked up in a
 * hash of the sets' namespace inodes. */

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "procscan.h"
#include "util.h"

struct slot {
        uint64_t inode; /* 0: empty */
        uint32_t set;
        uint8_t type;
};

struct table {
        struct slot *slots;
        size_t mask;
};

static size_t hash(uint64_t inode, unsigned type)
{
        uint64_t h = (inode ^ ((uint64_t) type << 56)) * 0x9e3779b97f4a7c15ull;
        return (size_t) (h >> 17);
}

/* Inode numbers are unique within nsfs, but keep the type in the key too. */
static struct slot *lookup(struct table *tb, uint64_t inode, unsigned type, bool add)
{
        for (size_t i = hash(inode, type) & tb->mask;; i = (i + 1) & tb->mask) {
                struct slot *s = &tb->slots[i];

                if (s->inode == inode && s->type == type)
                        return s;
                if (s->inode == 0)
                        return add ? s : NULL;
        }
}

/* "net:[4026531840]" -> 4026531840 */
static uint64_t parse_link(const char *l)
{
        const char *p = strchr(l, '[');

        return p ? strtoull(p + 1, NULL, 10) : 0;
}

int procscan_count(const struct nsk_set_info *sets, size_t n, struct procscan_result *ret)
{
        struct table tb = {};
        nsk_type_mask_t wanted = 0;
        uint32_t *last_pid;
        size_t total = 0, size = 16;
        struct dirent *de;
        DIR *d;

        memset(ret, 0, n * sizeof(*ret));
        for (size_t i = 0; i < n; i++)
                total += sets[i].n_ns;
        while (size < total * 2)
                size *= 2;
        tb.slots = calloc(size, sizeof(struct slot));
        last_pid = calloc(n ? n : 1, sizeof(uint32_t));
        if (!tb.slots || !last_pid) {
                free(tb.slots);
                free(last_pid);
                return -ENOMEM;
        }
        tb.mask = size - 1;
        for (size_t i = 0; i < n; i++)
                for (unsigned k = 0; k < sets[i].n_ns; k++) {
                        const struct nsk_ns_info *ns = &sets[i].ns[k];
                        struct slot *s;

                        if (ns->inode == 0)
                                continue;
                        s = lookup(&tb, ns->inode, (unsigned) ns->type, true);
                        *s = (struct slot) { .inode = ns->inode,
                                             .set = (uint32_t) i,
                                             .type = (uint8_t) ns->type };
                        wanted |= NSK_TYPE_BIT(ns->type);
                }

        d = opendir("/proc");
        if (!d) {
                free(tb.slots);
                free(last_pid);
                return -errno;
        }
        while (wanted && (de = readdir(d))) {
                char path[300], link[64];
                uint32_t pid;

                if (de->d_name[0] < '1' || de->d_name[0] > '9')
                        continue;
                pid = (uint32_t) strtoul(de->d_name, NULL, 10);
                for (int t = 0; t < NSK_TYPE_MAX; t++) {
                        struct slot *s;
                        ssize_t k;

                        if (!(wanted & NSK_TYPE_BIT(t)))
                                continue;
                        snprintf(path, sizeof(path), "%s/ns/%s", de->d_name, nsk_type_name(t));
                        k = readlinkat(dirfd(d), path, link, sizeof(link) - 1);
                        if (k <= 0)
                                continue;
                        link[k] = '\0';
                        s = lookup(&tb, parse_link(link), (unsigned) t, false);
                        if (!s)
                                continue;
                        ret[s->set].ns_nprocs[t]++;
                        /* Once per process, whatever number of its types. */
                        if (last_pid[s->set] != pid) {
                                last_pid[s->set] = pid;
                                ret[s->set].nprocs++;
                        }
                }
        }
        closedir(d);
        free(tb.slots);
        free(last_pid);
        return 0;
}
