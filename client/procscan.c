/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One pass over the ns links of every process in /proc (or of one),
 * looked up in a hash of the sets' namespace inodes. */

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

/* Inode numbers are unique within nsfs, but keep the type in the key too.
 * One namespace may be in several sets (adopted from another's pin): each
 * gets a slot of its own, so a lookup walks the whole probe chain. */
static void add(struct table *tb, uint64_t inode, unsigned type, uint32_t set)
{
        size_t i = hash(inode, type) & tb->mask;

        while (tb->slots[i].inode != 0)
                i = (i + 1) & tb->mask;
        tb->slots[i] = (struct slot) { .inode = inode, .set = set, .type = (uint8_t) type };
}

/* "net:[4026531840]" -> 4026531840 */
static uint64_t parse_link(const char *l)
{
        const char *p = strchr(l, '[');

        return p ? strtoull(p + 1, NULL, 10) : 0;
}

struct walk {
        struct table tb;
        nsk_type_mask_t wanted;
        nsk_type_mask_t *shared; /* per set, for the process at hand */
        uint32_t *touched;       /* the sets with shared[] != 0 */
        size_t n_touched;
};

/* Looks at the process in directory name (relative to dfd) and calls fn
 * for each set it shares a namespace with. -errno of the first readlink
 * if no link could be read. */
static int walk_one(struct walk *w, int dfd, const char *name, pid_t pid, procscan_fn fn,
                    void *userdata)
{
        bool read_any = false;
        int first_error = 0, r = 0;

        for (int t = 0; t < NSK_TYPE_MAX; t++) {
                char path[300], link[64];
                uint64_t inode;
                ssize_t k;

                if (!(w->wanted & NSK_TYPE_BIT(t)))
                        continue;
                snprintf(path, sizeof(path), "%s/ns/%s", name, nsk_type_name(t));
                k = readlinkat(dfd, path, link, sizeof(link) - 1);
                if (k <= 0) {
                        if (first_error == 0)
                                first_error = k < 0 ? -errno : -EIO;
                        continue;
                }
                read_any = true;
                link[k] = '\0';
                inode = parse_link(link);
                for (size_t i = hash(inode, (unsigned) t) & w->tb.mask;; i = (i + 1) & w->tb.mask) {
                        const struct slot *s = &w->tb.slots[i];

                        if (s->inode == 0)
                                break;
                        if (s->inode != inode || s->type != t)
                                continue;
                        if (w->shared[s->set] == 0)
                                w->touched[w->n_touched++] = s->set;
                        w->shared[s->set] |= NSK_TYPE_BIT(t);
                }
        }
        for (size_t i = 0; i < w->n_touched; i++) {
                uint32_t set = w->touched[i];

                if (r >= 0)
                        r = fn(pid, set, w->shared[set], userdata);
                w->shared[set] = 0;
        }
        w->n_touched = 0;
        if (r < 0)
                return r;
        return read_any ? 0 : first_error;
}

static int walk_all(struct walk *w, procscan_fn fn, void *userdata, unsigned *ret_hidden)
{
        struct dirent *de;
        DIR *d;
        int r = 0;

        d = opendir("/proc");
        if (!d)
                return -errno;
        while (w->wanted && (de = readdir(d))) {
                if (de->d_name[0] < '1' || de->d_name[0] > '9')
                        continue;
                r = walk_one(w, dirfd(d), de->d_name, (pid_t) strtol(de->d_name, NULL, 10), fn,
                             userdata);
                /* A process may end while we look: it is simply not there. */
                if (r == -EACCES || r == -EPERM)
                        (*ret_hidden)++;
                else if (r < 0 && r != -ENOENT && r != -ESRCH)
                        break;
                r = 0;
        }
        closedir(d);
        return r;
}

int procscan_walk(const struct nsk_set_info *sets, size_t n, pid_t pid, procscan_fn fn,
                  void *userdata, unsigned *ret_hidden)
{
        struct walk w = {};
        size_t total = 0, size = 16;
        unsigned hidden = 0;
        int r;

        for (size_t i = 0; i < n; i++)
                total += sets[i].n_ns;
        while (size < total * 2)
                size *= 2;
        w.tb.slots = calloc(size, sizeof(struct slot));
        w.tb.mask = size - 1;
        w.shared = calloc(n ? n : 1, sizeof(*w.shared));
        w.touched = calloc(n ? n : 1, sizeof(*w.touched));
        if (!w.tb.slots || !w.shared || !w.touched) {
                r = -ENOMEM;
                goto finish;
        }
        for (size_t i = 0; i < n; i++)
                for (unsigned k = 0; k < sets[i].n_ns; k++) {
                        const struct nsk_ns_info *ns = &sets[i].ns[k];

                        if (ns->inode == 0)
                                continue;
                        add(&w.tb, ns->inode, (unsigned) ns->type, (uint32_t) i);
                        w.wanted |= NSK_TYPE_BIT(ns->type);
                }

        if (pid > 0 || pid == PROCSCAN_SELF) {
                char dir[32];

                /* Ourselves by /proc/self: in a pid namespace whose /proc is
                 * the host's, getpid() names another process there. */
                if (pid == PROCSCAN_SELF)
                        snprintf(dir, sizeof(dir), "/proc/self");
                else
                        snprintf(dir, sizeof(dir), "/proc/%d", (int) pid);
                /* Asked about one process, say so if it is not there, even
                 * when no set has a namespace to compare with. */
                if (access(dir, F_OK) < 0)
                        r = errno == ENOENT ? -ESRCH : -errno;
                else
                        r = w.wanted ? walk_one(&w, AT_FDCWD, dir, pid, fn, userdata) : 0;
                if (r == -ENOENT)
                        r = -ESRCH;
        } else
                r = walk_all(&w, fn, userdata, &hidden);
        if (ret_hidden)
                *ret_hidden = hidden;
finish:
        free(w.tb.slots);
        free(w.shared);
        free(w.touched);
        return r;
}

static int count_one(pid_t pid, size_t set, nsk_type_mask_t types, void *userdata)
{
        struct procscan_result *ret = userdata;

        (void) pid;
        ret[set].nprocs++;
        for (int t = 0; t < NSK_TYPE_MAX; t++)
                if (types & NSK_TYPE_BIT(t))
                        ret[set].ns_nprocs[t]++;
        return 0;
}

int procscan_count(const struct nsk_set_info *sets, size_t n, struct procscan_result *ret)
{
        memset(ret, 0, n * sizeof(*ret));
        return procscan_walk(sets, n, 0, count_one, ret, NULL);
}
