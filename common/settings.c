/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The settings a set is created with: their attributes on the wire, in
 * CREATE requests and in SET replies alike. */

#include <stdio.h>
#include <string.h>

#include "name.h"
#include "settings.h"
#include "sysctl.h"
#include "util.h"

void nsk_settings_done(struct nsk_settings *s)
{
        for (unsigned i = 0; i < s->n_sysctls; i++)
                free(s->sysctls[i]);
        s->sysctls = mfree(s->sysctls);
        s->n_sysctls = 0;
}

int nsk_settings_add_sysctl(struct nsk_settings *s, const char *assignment)
{
        char **v;

        if (s->n_sysctls >= NSK_SYSCTL_MAX)
                return -E2BIG;
        if (strlen(assignment) >= NSK_SYSCTL_LEN)
                return -ENAMETOOLONG;
        v = reallocarray(s->sysctls, s->n_sysctls + 1, sizeof(char *));
        if (!v)
                return -ENOMEM;
        s->sysctls = v;
        v[s->n_sysctls] = strdup(assignment);
        if (!v[s->n_sysctls])
                return -ENOMEM;
        s->n_sysctls++;
        return 0;
}

int nsk_settings_copy(struct nsk_settings *dst, const struct nsk_settings *src)
{
        *dst = *src;
        dst->sysctls = NULL;
        dst->n_sysctls = 0;
        for (unsigned i = 0; i < src->n_sysctls; i++) {
                int r = nsk_settings_add_sysctl(dst, src->sysctls[i]);
                if (r < 0) {
                        nsk_settings_done(dst);
                        return r;
                }
        }
        return 0;
}

bool nsk_settings_is_default(const struct nsk_settings *s)
{
        return !s->hostname[0] && !s->domainname[0] && s->n_sysctls == 0 && s->n_uid_map == 0 &&
               s->n_gid_map == 0 && s->monotonic == 0 && s->boottime == 0 && !s->no_loopback &&
               !s->setgroups_deny && !s->ip_netns;
}

static void put_idmap(struct nsk_writer *w, uint16_t type, const struct nsk_idmap *m, unsigned n)
{
        uint32_t v[NSK_IDMAP_MAX * 3];

        for (unsigned i = 0; i < n && i < NSK_IDMAP_MAX; i++) {
                v[3 * i] = m[i].inside;
                v[3 * i + 1] = m[i].outside;
                v[3 * i + 2] = m[i].count;
        }
        nsk_put(w, type, v, n * 3 * sizeof(uint32_t));
}

void nsk_put_settings(struct nsk_writer *w, const struct nsk_settings *s)
{
        if (s->hostname[0])
                nsk_put_str(w, NSK_A_HOSTNAME, s->hostname);
        if (s->domainname[0])
                nsk_put_str(w, NSK_A_DOMAINNAME, s->domainname);
        for (unsigned i = 0; i < s->n_sysctls; i++)
                nsk_put_str(w, NSK_A_SYSCTL, s->sysctls[i]);
        if (s->n_uid_map > 0)
                put_idmap(w, NSK_A_UID_MAP, s->uid_map, s->n_uid_map);
        if (s->n_gid_map > 0)
                put_idmap(w, NSK_A_GID_MAP, s->gid_map, s->n_gid_map);
        if (s->monotonic != 0)
                nsk_put_u64(w, NSK_A_MONOTONIC, (uint64_t) s->monotonic);
        if (s->boottime != 0)
                nsk_put_u64(w, NSK_A_BOOTTIME, (uint64_t) s->boottime);
        if (s->no_loopback)
                nsk_put_u32(w, NSK_A_LOOPBACK, 0);
        if (s->setgroups_deny)
                nsk_put_u32(w, NSK_A_SETGROUPS, 0);
        if (s->ip_netns)
                nsk_put_u32(w, NSK_A_IP_NETNS, 1);
}

static int take_idmap(const struct nsk_attr *a, struct nsk_idmap *m, unsigned *n)
{
        size_t k = a->len / (3 * sizeof(uint32_t));
        int r;

        /* A map comes whole, in one attribute: a second one would make a
         * map of two halves. */
        if (*n > 0)
                return -EBADMSG;
        /* Whole lines, 1 to NSK_IDMAP_MAX of them (the attribute table). */
        r = nsk_attr_check(a);
        if (r < 0)
                return r;
        for (size_t i = 0; i < k; i++) {
                uint32_t v[3];

                memcpy(v, a->data + i * sizeof(v), sizeof(v));
                if (v[2] == 0)
                        return -EINVAL;
                m[i] = (struct nsk_idmap) { .inside = v[0], .outside = v[1], .count = v[2] };
        }
        *n = (unsigned) k;
        return 0;
}

static int take_bool(const struct nsk_attr *a, bool *ret_false_set)
{
        uint32_t v;
        int r = nsk_attr_u32(a, &v);

        if (r < 0)
                return r;
        if (v > 1)
                return -EINVAL;
        *ret_false_set = v == 0;
        return 0;
}

int nsk_settings_take_attr(struct nsk_settings *s, const struct nsk_attr *a)
{
        char buf[NSK_SYSCTL_LEN];
        uint64_t v;
        int r;

        switch (a->type) {
        case NSK_A_HOSTNAME:
                r = nsk_attr_str(a, s->hostname, sizeof(s->hostname));
                break;
        case NSK_A_DOMAINNAME:
                r = nsk_attr_str(a, s->domainname, sizeof(s->domainname));
                break;
        case NSK_A_SYSCTL:
                r = nsk_attr_str(a, buf, sizeof(buf));
                if (r >= 0)
                        r = nsk_settings_add_sysctl(s, buf);
                break;
        case NSK_A_UID_MAP:
                r = take_idmap(a, s->uid_map, &s->n_uid_map);
                break;
        case NSK_A_GID_MAP:
                r = take_idmap(a, s->gid_map, &s->n_gid_map);
                break;
        case NSK_A_MONOTONIC:
                r = nsk_attr_u64(a, &v);
                if (r >= 0)
                        s->monotonic = (int64_t) v;
                break;
        case NSK_A_BOOTTIME:
                r = nsk_attr_u64(a, &v);
                if (r >= 0)
                        s->boottime = (int64_t) v;
                break;
        case NSK_A_LOOPBACK:
                r = take_bool(a, &s->no_loopback);
                break;
        case NSK_A_SETGROUPS:
                r = take_bool(a, &s->setgroups_deny);
                break;
        case NSK_A_IP_NETNS: {
                bool off = true;

                r = take_bool(a, &off);
                s->ip_netns = !off;
                break;
        }
        default:
                return 0;
        }
        return r < 0 ? r : 1;
}

static int idmap_check(const struct nsk_idmap *m, unsigned n, const char *what, char *msg,
                       size_t size)
{
        for (unsigned i = 0; i < n; i++) {
                /* (uid_t) -1 is no id; a range may not reach it. */
                if (m[i].count == 0 || (uint64_t) m[i].inside + m[i].count > UINT32_MAX ||
                    (uint64_t) m[i].outside + m[i].count > UINT32_MAX) {
                        snprintf(msg, size, "%s line '%u %u %u' is not a valid range", what,
                                 m[i].inside, m[i].outside, m[i].count);
                        return -EINVAL;
                }
        }
        return 0;
}

int nsk_settings_check(const struct nsk_settings *s, nsk_type_mask_t types, char *msg, size_t size)
{
        const struct {
                bool set;
                enum nsk_type needs;
                const char *what;
        } needs[] = {
                { s->hostname[0], NSK_TYPE_UTS, "a hostname" },
                { s->domainname[0], NSK_TYPE_UTS, "a domainname" },
                { s->n_uid_map > 0, NSK_TYPE_USER, "a uid map" },
                { s->n_gid_map > 0, NSK_TYPE_USER, "a gid map" },
                { s->setgroups_deny, NSK_TYPE_USER, "setgroups deny" },
                { s->monotonic != 0, NSK_TYPE_TIME, "a monotonic offset" },
                { s->boottime != 0, NSK_TYPE_TIME, "a boottime offset" },
                { s->no_loopback, NSK_TYPE_NET, "leaving loopback down" },
                { s->ip_netns, NSK_TYPE_NET, "--ip-netns" },
        };
        int r;

        for (size_t i = 0; i < ELEMENTSOF(needs); i++)
                if (needs[i].set && !(types & NSK_TYPE_BIT(needs[i].needs))) {
                        snprintf(msg, size, "%s needs a new %s namespace (add it to the types)",
                                 needs[i].what, nsk_type_name(needs[i].needs));
                        return -EINVAL;
                }
        if (s->hostname[0] && !name_is_valid_hostname(s->hostname)) {
                snprintf(msg, size, "invalid hostname '%s'", s->hostname);
                return -EINVAL;
        }
        if (s->domainname[0] && !name_is_valid_hostname(s->domainname)) {
                snprintf(msg, size, "invalid domainname '%s'", s->domainname);
                return -EINVAL;
        }
        r = idmap_check(s->uid_map, s->n_uid_map, "uid map", msg, size);
        if (r < 0)
                return r;
        r = idmap_check(s->gid_map, s->n_gid_map, "gid map", msg, size);
        if (r < 0)
                return r;

        for (unsigned i = 0; i < s->n_sysctls; i++) {
                char path[NSK_SYSCTL_LEN];
                const char *value;
                enum nsk_type t;

                r = sysctl_parse(s->sysctls[i], path, sizeof(path), &value, &t);
                if (r == -EOPNOTSUPP)
                        snprintf(msg, size,
                                 "sysctl '%.128s' belongs to no namespace nskeeper makes (net.*, "
                                 "kernel.shm*, kernel.msg*, kernel.sem*, fs.mqueue.*)",
                                 s->sysctls[i]);
                else if (r < 0)
                        snprintf(msg, size,
                                 "invalid sysctl '%.128s': expected KEY=VALUE, KEY of "
                                 "[A-Za-z0-9_:@+-] separated by '.' or '/', no '..'",
                                 s->sysctls[i]);
                else if (!(types & NSK_TYPE_BIT(t))) {
                        snprintf(msg, size, "sysctl '%.128s' needs a new %s namespace",
                                 s->sysctls[i], nsk_type_name(t));
                        r = -EINVAL;
                }
                if (r < 0)
                        return r == -EOPNOTSUPP ? -EINVAL : r;
        }
        return 0;
}
