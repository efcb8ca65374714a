/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The access policy for uids other than root. A user namespace created
 * for such a uid may map its own uid and gid (the gid only with setgroups
 * denied, or the user could drop a group that denies it access, as
 * newgidmap's CVE-2018-7169 showed) and the ranges subuid(5)/subgid(5)
 * grant it; nothing else. */

#include <grp.h>
#include <pwd.h>
#include <stdio.h>

#include "access.h"
#include "subid.h"
#include "util.h"

static bool is_self_line(const struct nsk_idmap *m, uint32_t id)
{
        return m->outside == id && m->count == 1;
}

/* own: the caller's own uid or gid, which it may always map (the gid
 * only with setgroups denied); uid: whose ranges in file count. Subgid
 * ranges belong to users, not groups: they are looked up by uid too. */
static int check_map(const struct nsk_idmap *m, unsigned n, uint32_t own, uid_t uid,
                     const char *file, bool gid, bool setgroups_deny, char *msg, size_t size)
{
        /* The file is read (and the user looked up) once, and only if a
         * line needs it: this runs on the event loop. */
        struct subid_grants grants = {};
        bool loaded = false;
        int r = 0;

        for (unsigned i = 0; i < n && r == 0; i++) {
                if (is_self_line(&m[i], own) && (!gid || setgroups_deny))
                        continue;
                if (!loaded) {
                        subid_grants_load(file, uid, &grants);
                        loaded = true;
                }
                if (subid_grants_cover(&grants, m[i].outside, m[i].count))
                        continue;
                if (is_self_line(&m[i], own))
                        snprintf(msg, size,
                                 "mapping your own gid needs setgroups deny (--setgroups deny)");
                else
                        snprintf(msg, size,
                                 "%s map line '%u %u %u' maps ids that are not yours (only your "
                                 "own %s and the ranges %s grants you)",
                                 gid ? "gid" : "uid", m[i].inside, m[i].outside, m[i].count,
                                 gid ? "gid" : "uid", file);
                r = -EPERM;
        }
        subid_grants_done(&grants);
        return r;
}

/* Does a set of owner's count for the account whose subuid ranges
 * these are? Its own, and those of its subordinate uids. */
static bool counts_for(uid_t owner, void *userdata)
{
        const struct subid_grants *g = userdata;

        return owner == g->uid || subid_grants_cover(g, owner, 1);
}

int access_check_create(const struct config *cfg, struct registry *reg, const struct ucred *cred,
                        uid_t account, nsk_type_mask_t types, const struct nsk_settings *s,
                        char *msg, size_t size)
{
        struct subid_grants grants;
        unsigned sets, namespaces;
        int r;

        if (cred->uid == 0)
                return 0;
        if (!(types & NSK_TYPE_BIT(NSK_TYPE_USER))) {
                snprintf(msg, size,
                         "only root may create a set without a user namespace of its own "
                         "(add user to the types)");
                return -EPERM;
        }
        /* /run/netns is a name space everyone shares: root's alone. */
        if (s->ip_netns) {
                snprintf(msg, size, "only root may add sets to ip netns (--ip-netns)");
                return -EPERM;
        }
        r = check_map(s->uid_map, s->n_uid_map, cred->uid, cred->uid, cfg->subuid_path, false,
                      s->setgroups_deny, msg, size);
        if (r < 0)
                return r;
        r = check_map(s->gid_map, s->n_gid_map, cred->gid, cred->uid, cfg->subgid_path, true,
                      s->setgroups_deny, msg, size);
        if (r < 0)
                return r;

        /* Quotas are the account's: its own sets and its subordinate
         * uids' together. */
        subid_grants_load(cfg->subuid_path, account, &grants);
        registry_usage_sum(reg, counts_for, &grants, &sets, &namespaces);
        subid_grants_done(&grants);
        if (sets + 1 > cfg->max_sets_per_user ||
            namespaces + nsk_type_mask_count(types) > cfg->max_namespaces_per_user) {
                char whose[64] = "";

                if (account != cred->uid)
                        snprintf(whose, sizeof(whose), " (whose subordinate uid %u is)",
                                 (unsigned) cred->uid);
                snprintf(msg, size,
                         "quota exceeded: uid %u%s has %u sets and %u namespaces "
                         "(at most %u and %u)",
                         (unsigned) account, whose, sets, namespaces, cfg->max_sets_per_user,
                         cfg->max_namespaces_per_user);
                return -EDQUOT;
        }
        return 0;
}

bool access_is_member(const struct config *cfg, uid_t uid)
{
        struct passwd pw, *pwr = NULL;
        struct group gr, *grr = NULL;
        _cleanup_free_ char *buf = NULL;
        size_t size = 16384;
        bool member = false;
        int r;

        if (!cfg->have_group)
                return false;
        /* Group entries may list many members: grow until one fits. */
        for (;;) {
                char *b = realloc(buf, size);

                if (!b)
                        return false;
                buf = b;
                r = getpwuid_r(uid, &pw, buf, size, &pwr);
                if (r == 0 && pwr && pw.pw_gid == cfg->group)
                        return true;
                if (r == 0 && pwr) {
                        _cleanup_free_ char *name = strdup(pw.pw_name);

                        if (!name)
                                return false;
                        r = getgrgid_r(cfg->group, &gr, buf, size, &grr);
                        if (r == 0 && grr)
                                for (char **m = gr.gr_mem; m && *m && !member; m++)
                                        member = streq(*m, name);
                }
                if (r != ERANGE || size >= (1u << 20))
                        return member;
                size *= 2;
        }
}

bool access_owns(const struct ucred *cred, const struct set *s)
{
        return cred->uid == 0 || cred->uid == s->owner;
}
