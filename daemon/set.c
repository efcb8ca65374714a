/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Namespace sets: making, opening and describing them. */

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>

#include "pin.h"
#include "util.h"
#include "set.h"

struct set *set_new(const char *name, nsk_type_mask_t types, enum nsk_pin pin, uid_t owner)
{
        struct set *s = calloc(1, sizeof(*s));

        if (!s)
                return NULL;
        snprintf(s->name, sizeof(s->name), "%s", name);
        s->types = types;
        s->pin = pin;
        s->owner = owner;
        s->created = (uint64_t) time(NULL);
        for (int t = 0; t < NSK_TYPE_MAX; t++)
                s->fd[t] = -EBADF;
        return s;
}

struct set *set_free(struct set *s)
{
        if (s) {
                close_many(s->fd, NSK_TYPE_MAX);
                free_strv(s->net_results, s->settings.n_networks);
                free_strv(s->net_configs, s->settings.n_networks);
                nsk_settings_done(&s->settings);
                free(s->dead_reason);
                free(s);
        }
        return NULL;
}

int set_networks_init(struct set *s)
{
        if (s->settings.n_networks == 0)
                return 0;
        if (!s->net_results)
                s->net_results = calloc(s->settings.n_networks, sizeof(char *));
        if (!s->net_configs)
                s->net_configs = calloc(s->settings.n_networks, sizeof(char *));
        return s->net_results && s->net_configs ? 0 : -ENOMEM;
}

void set_mark_dead(struct set *s, const char *reason)
{
        s->state = SET_DEAD;
        free(s->dead_reason);
        s->dead_reason = strdup(reason);
}

int set_open(const struct set *s, const struct rundir *rd, enum nsk_type t, int *ret_fd)
{
        _cleanup_close_ int fd = -EBADF;
        struct stat st;
        int r;

        if (!(s->types & NSK_TYPE_BIT(t)))
                return -ENOENT;
        if (s->pin == NSK_PIN_FD) {
                fd = fcntl(s->fd[t], F_DUPFD_CLOEXEC, 3);
                if (fd < 0)
                        return negative_errno();
        } else {
                r = pin_open(rd, s->name, t, &fd);
                if (r == -ENOENT)
                        return -ESTALE;
                if (r < 0)
                        return r;
                if (fstat(fd, &st) < 0)
                        return negative_errno();
                if (st.st_ino != s->inode[t])
                        return -ESTALE;
        }
        *ret_fd = TAKE_FD(fd);
        return 0;
}

/* "net, pid pins removed from outside; ip netns entry /run/netns/web removed from outside" */
static void damage_reason(const struct set *s, const struct rundir *rd, char *buf, size_t size)
{
        char types[64];

        buf[0] = '\0';
        if (s->missing) {
                nsk_type_mask_format(s->missing, types, sizeof(types));
                snprintf(buf, size, "%s pin%s removed from outside", types,
                         s->missing & (s->missing - 1) ? "s" : "");
        }
        if (s->ip_netns_missing)
                snprintf(buf + strlen(buf), size - strlen(buf),
                         "%sip netns entry %s/%s removed from outside", buf[0] ? "; " : "",
                         rd->netns_dir, s->name);
}

void set_put(struct nsk_writer *w, const struct set *s, const struct rundir *rd, bool details)
{
        char paths[NSK_TYPE_MAX][PATH_MAX];
        struct nsk_set_info info = {
                .pin = s->pin,
                .created = s->created,
                .owner = (uint32_t) s->owner,
        };

        uint32_t owner;
        const char *name;

        /* Clients see NAME and OWNER, never the key. */
        if (!name_key_parse(s->name, &owner, &name) || strlen(name) >= sizeof(info.name))
                name = "";
        memcpy(info.name, name, strlen(name) + 1);
        info.state = s->state == SET_DEAD                ? NSK_STATE_DEAD
                     : s->missing || s->ip_netns_missing ? NSK_STATE_DAMAGED
                                                         : NSK_STATE_READY;
        /* Others see that a set is dead or damaged, not why (PROTOCOL.md):
         * the reason may name paths and errors of its owner's. */
        if (s->dead_reason && details)
                snprintf(info.state_reason, sizeof(info.state_reason), "%s", s->dead_reason);
        else if (info.state == NSK_STATE_DAMAGED && details)
                damage_reason(s, rd, info.state_reason, sizeof(info.state_reason));
        if (!details) {
                nsk_put_set(w, &info);
                return;
        }
        info.keeper_pid = (uint32_t) s->keeper_pid;
        /* Shallow: nsk_put_set() only reads it. */
        info.settings = s->settings;
        for (int t = 0; t < NSK_TYPE_MAX; t++) {
                struct nsk_ns_info *ns;

                if (!(s->types & NSK_TYPE_BIT(t)))
                        continue;
                ns = &info.ns[info.n_ns++];
                ns->type = t;
                ns->inode = s->inode[t];
                ns->missing = s->missing & NSK_TYPE_BIT(t);
                if (s->pin == NSK_PIN_BIND &&
                    rundir_pin_path(rd, s->name, t, paths[t], sizeof(paths[t])) >= 0)
                        ns->path = paths[t];
        }
        info.ip_netns_missing = s->ip_netns_missing;
        nsk_put_set(w, &info);
}
