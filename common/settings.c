/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The settings a set is created with: their attributes on the wire, in
 * CREATE requests and in SET replies alike. */

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "name.h"
#include "settings.h"
#include "sysctl.h"
#include "util.h"

static void strv_free(char ***v, unsigned *n)
{
        free_strv(*v, *n);
        *v = NULL;
        *n = 0;
}

/* Appends a copy of item to the list *v of *n, at most max long. */
static int strv_add(char ***v, unsigned *n, unsigned max, const char *item)
{
        char **w;

        if (*n >= max)
                return -E2BIG;
        w = reallocarray(*v, *n + 1, sizeof(char *));
        if (!w)
                return -ENOMEM;
        *v = w;
        w[*n] = strdup(item);
        if (!w[*n])
                return -ENOMEM;
        (*n)++;
        return 0;
}

static void network_done(struct nsk_network *n)
{
        strv_free(&n->addresses, &n->n_addresses);
        strv_free(&n->gateways, &n->n_gateways);
        strv_free(&n->routes, &n->n_routes);
        strv_free(&n->nameservers, &n->n_nameservers);
}

void nsk_settings_done(struct nsk_settings *s)
{
        strv_free(&s->sysctls, &s->n_sysctls);
        strv_free(&s->pins_at, &s->n_pins_at);
        for (unsigned i = 0; i < s->n_networks; i++)
                network_done(&s->networks[i]);
        s->networks = mfree(s->networks);
        s->n_networks = 0;
}

/* "TYPE:/PATH": its type, and a path of printable characters without a
 * "." or ".." component or a doubled '/'. */
int nsk_pin_at_parse(const char *pin_at, enum nsk_type *ret_type, const char **ret_path)
{
        const char *colon = pin_at ? strchr(pin_at, ':') : NULL;
        char type[16];
        enum nsk_type t;
        const char *p;

        if (!colon || (size_t) (colon - pin_at) >= sizeof(type))
                return -EINVAL;
        memcpy(type, pin_at, (size_t) (colon - pin_at));
        type[colon - pin_at] = '\0';
        t = nsk_type_from_name(type);
        p = colon + 1;
        if (t < 0 || p[0] != '/' || strlen(p) >= NSK_PATH_MAX || streq(p, "/"))
                return -EINVAL;
        for (const char *c = p; *c; c++)
                if (!isprint((unsigned char) *c))
                        return -EINVAL;
        for (const char *c = p; *c;) {
                size_t n;

                c++; /* the '/' */
                n = strcspn(c, "/");
                if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
                        return -EINVAL;
                c += n;
        }
        *ret_type = t;
        *ret_path = p;
        return 0;
}

int nsk_settings_add_pin_at(struct nsk_settings *s, enum nsk_type t, const char *path)
{
        char buf[NSK_PATH_MAX + 16];
        const char *name = nsk_type_name(t), *p;
        enum nsk_type t2;

        if (!name || !path ||
            (size_t) snprintf(buf, sizeof(buf), "%s:%s", name, path) >= sizeof(buf) ||
            nsk_pin_at_parse(buf, &t2, &p) < 0)
                return -EINVAL;
        return strv_add(&s->pins_at, &s->n_pins_at, NSK_TYPE_MAX, buf);
}

bool nsk_network_name_is_valid(const char *s)
{
        size_t n = s ? strlen(s) : 0;

        if (n == 0 || n > NSK_NETWORK_NAME_MAX || !isalnum((unsigned char) s[0]))
                return false;
        return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") == n;
}

bool nsk_ifname_is_valid(const char *s)
{
        size_t n = s ? strlen(s) : 0;

        if (n == 0 || n > NSK_IFNAME_MAX || streq(s, ".") || streq(s, ".."))
                return false;
        for (size_t i = 0; i < n; i++)
                if (s[i] == '/' || s[i] == ':' || isspace((unsigned char) s[i]) ||
                    !isprint((unsigned char) s[i]))
                        return false;
        return true;
}

/* A network with room for its name; its lists empty. The caller checks
 * NSK_NETWORK_MAX first. NULL: out of memory. */
static struct nsk_network *network_append(struct nsk_settings *s)
{
        struct nsk_network *v;

        v = reallocarray(s->networks, s->n_networks + 1, sizeof(*v));
        if (!v)
                return NULL;
        s->networks = v;
        v[s->n_networks] = (struct nsk_network) {};
        return &v[s->n_networks++];
}

int nsk_settings_add_network(struct nsk_settings *s, const char *name, const char *ifname)
{
        struct nsk_network *n;

        if (!nsk_network_name_is_valid(name) ||
            (ifname && ifname[0] && !nsk_ifname_is_valid(ifname)))
                return -EINVAL;
        if (s->n_networks >= NSK_NETWORK_MAX)
                return -E2BIG;
        n = network_append(s);
        if (!n)
                return -ENOMEM;
        snprintf(n->name, sizeof(n->name), "%s", name);
        snprintf(n->ifname, sizeof(n->ifname), "%s", ifname ? ifname : "");
        return 0;
}

static int network_copy(struct nsk_network *dst, const struct nsk_network *src)
{
        int r = 0;

        *dst = (struct nsk_network) {};
        memcpy(dst->name, src->name, sizeof(dst->name));
        memcpy(dst->ifname, src->ifname, sizeof(dst->ifname));
        memcpy(dst->mac, src->mac, sizeof(dst->mac));
        for (unsigned i = 0; r == 0 && i < src->n_addresses; i++)
                r = strv_add(&dst->addresses, &dst->n_addresses, NSK_NETWORK_ITEMS_MAX,
                             src->addresses[i]);
        for (unsigned i = 0; r == 0 && i < src->n_gateways; i++)
                r = strv_add(&dst->gateways, &dst->n_gateways, NSK_NETWORK_ITEMS_MAX,
                             src->gateways[i]);
        for (unsigned i = 0; r == 0 && i < src->n_routes; i++)
                r = strv_add(&dst->routes, &dst->n_routes, NSK_NETWORK_ITEMS_MAX, src->routes[i]);
        for (unsigned i = 0; r == 0 && i < src->n_nameservers; i++)
                r = strv_add(&dst->nameservers, &dst->n_nameservers, NSK_NETWORK_ITEMS_MAX,
                             src->nameservers[i]);
        if (r < 0)
                network_done(dst);
        return r;
}

void nsk_network_clear_result(struct nsk_network *n)
{
        network_done(n);
        n->mac[0] = '\0';
}

int nsk_network_add_item(struct nsk_network *n, enum nsk_network_item what, const char *item)
{
        char ***v[] = { &n->addresses, &n->gateways, &n->routes, &n->nameservers };
        unsigned *c[] = { &n->n_addresses, &n->n_gateways, &n->n_routes, &n->n_nameservers };

        if ((unsigned) what >= ELEMENTSOF(v))
                return -EINVAL;
        if (strlen(item) >= NSK_NET_ITEM_LEN)
                return -ENAMETOOLONG;
        return strv_add(v[what], c[what], NSK_NETWORK_ITEMS_MAX, item);
}

int nsk_settings_add_sysctl(struct nsk_settings *s, const char *assignment)
{
        if (s->n_sysctls >= NSK_SYSCTL_MAX)
                return -E2BIG;
        if (strlen(assignment) >= NSK_SYSCTL_LEN)
                return -ENAMETOOLONG;
        return strv_add(&s->sysctls, &s->n_sysctls, NSK_SYSCTL_MAX, assignment);
}

int nsk_settings_copy(struct nsk_settings *dst, const struct nsk_settings *src)
{
        int r = 0;

        *dst = *src;
        dst->sysctls = NULL;
        dst->n_sysctls = 0;
        dst->networks = NULL;
        dst->n_networks = 0;
        dst->pins_at = NULL;
        dst->n_pins_at = 0;
        for (unsigned i = 0; r == 0 && i < src->n_pins_at; i++)
                r = strv_add(&dst->pins_at, &dst->n_pins_at, NSK_TYPE_MAX, src->pins_at[i]);
        for (unsigned i = 0; r == 0 && i < src->n_sysctls; i++)
                r = nsk_settings_add_sysctl(dst, src->sysctls[i]);
        for (unsigned i = 0; r == 0 && i < src->n_networks; i++) {
                struct nsk_network *n = network_append(dst);

                r = n ? network_copy(n, &src->networks[i]) : -ENOMEM;
                if (r < 0 && n)
                        dst->n_networks--;
        }
        if (r < 0)
                nsk_settings_done(dst);
        return r;
}

bool nsk_settings_is_default(const struct nsk_settings *s)
{
        return !s->hostname[0] && !s->domainname[0] && s->n_sysctls == 0 && s->n_uid_map == 0 &&
               s->n_gid_map == 0 && s->monotonic == 0 && s->boottime == 0 && !s->no_loopback &&
               !s->setgroups_deny && !s->ip_netns && s->n_networks == 0 && s->n_pins_at == 0 &&
               !s->release_with_pins;
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
        for (unsigned i = 0; i < s->n_pins_at; i++)
                nsk_put_str(w, NSK_A_PIN_AT, s->pins_at[i]);
        if (s->release_with_pins)
                nsk_put_u32(w, NSK_A_RELEASE_WITH_PINS, 1);
        for (unsigned i = 0; i < s->n_networks; i++) {
                const struct nsk_network *n = &s->networks[i];
                size_t nest = nsk_nest_begin(w, NSK_A_NETWORK);

                nsk_put_str(w, NSK_A_NET_NAME, n->name);
                if (n->ifname[0])
                        nsk_put_str(w, NSK_A_NET_IFNAME, n->ifname);
                if (n->mac[0])
                        nsk_put_str(w, NSK_A_NET_MAC, n->mac);
                for (unsigned k = 0; k < n->n_addresses; k++)
                        nsk_put_str(w, NSK_A_NET_ADDRESS, n->addresses[k]);
                for (unsigned k = 0; k < n->n_gateways; k++)
                        nsk_put_str(w, NSK_A_NET_GATEWAY, n->gateways[k]);
                for (unsigned k = 0; k < n->n_routes; k++)
                        nsk_put_str(w, NSK_A_NET_ROUTE, n->routes[k]);
                for (unsigned k = 0; k < n->n_nameservers; k++)
                        nsk_put_str(w, NSK_A_NET_NAMESERVER, n->nameservers[k]);
                nsk_nest_end(w, nest);
        }
}

/* One NETWORK nest: a name, at most one interface name, the result's
 * items. What has no place in it is refused if strict (a request, which
 * is carried out whole or not at all), else skipped (a reply: later
 * daemons may say more). */
static int take_network(struct nsk_settings *s, const struct nsk_attr *outer, bool strict)
{
        static const enum nsk_network_item items[] = {
                [NSK_A_NET_ADDRESS] = NSK_NETWORK_ADDRESS,
                [NSK_A_NET_GATEWAY] = NSK_NETWORK_GATEWAY,
                [NSK_A_NET_ROUTE] = NSK_NETWORK_ROUTE,
                [NSK_A_NET_NAMESERVER] = NSK_NETWORK_NAMESERVER,
        };
        struct nsk_attr_iter it;
        struct nsk_network *n;
        struct nsk_attr a;
        char buf[NSK_NET_ITEM_LEN];
        uint64_t seen = 0;
        int r;

        if (s->n_networks >= NSK_NETWORK_MAX)
                return -E2BIG;
        n = network_append(s);
        if (!n)
                return -ENOMEM;
        nsk_attr_iter_init(&it, outer->data, outer->len);
        while ((r = nsk_attr_next(&it, &a)) > 0) {
                r = nsk_attr_accept(&a, NSK_IN_NETWORK, &seen);
                if (r == 0 && !strict)
                        continue;
                if (r == 0)
                        r = -EBADMSG;
                if (r < 0)
                        break;
                switch (a.type) {
                case NSK_A_NET_NAME:
                        r = nsk_attr_str(&a, n->name, sizeof(n->name));
                        if (r == 0 && !nsk_network_name_is_valid(n->name))
                                r = -EINVAL;
                        break;
                case NSK_A_NET_IFNAME:
                        r = nsk_attr_str(&a, n->ifname, sizeof(n->ifname));
                        if (r == 0 && !nsk_ifname_is_valid(n->ifname))
                                r = -EINVAL;
                        break;
                case NSK_A_NET_MAC:
                        r = nsk_attr_str(&a, n->mac, sizeof(n->mac));
                        break;
                default:
                        r = nsk_attr_str(&a, buf, sizeof(buf));
                        if (r == 0)
                                r = nsk_network_add_item(n, items[a.type], buf);
                        break;
                }
                if (r < 0)
                        break;
        }
        if (r == 0 && !(seen & NSK_ATTR_BIT(NSK_A_NET_NAME)))
                r = -EBADMSG;
        return r;
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

int nsk_settings_take_attr(struct nsk_settings *s, const struct nsk_attr *a, bool strict)
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
        case NSK_A_NETWORK:
                r = take_network(s, a, strict);
                break;
        case NSK_A_PIN_AT: {
                char pin[NSK_PATH_MAX + 8];

                r = nsk_attr_str(a, pin, sizeof(pin));
                if (r >= 0)
                        r = strv_add(&s->pins_at, &s->n_pins_at, NSK_TYPE_MAX, pin);
                break;
        }
        case NSK_A_RELEASE_WITH_PINS: {
                bool off = true;

                r = take_bool(a, &off);
                s->release_with_pins = !off;
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
                { s->n_networks > 0, NSK_TYPE_NET, "a network" },
        };
        nsk_type_mask_t pinned = 0;
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
        for (unsigned i = 0; i < s->n_pins_at; i++) {
                enum nsk_type t;
                const char *path;

                if (nsk_pin_at_parse(s->pins_at[i], &t, &path) < 0) {
                        snprintf(msg, size,
                                 "invalid pin '%.128s': expected TYPE:/PATH, an absolute path of "
                                 "printable characters without '.' or '..'",
                                 s->pins_at[i]);
                        return -EINVAL;
                }
                if (!(types & NSK_TYPE_BIT(t))) {
                        snprintf(msg, size, "pin '%.128s' needs a new %s namespace", s->pins_at[i],
                                 nsk_type_name(t));
                        return -EINVAL;
                }
                if (pinned & NSK_TYPE_BIT(t)) {
                        snprintf(msg, size, "more than one pin of the %s namespace",
                                 nsk_type_name(t));
                        return -EINVAL;
                }
                pinned |= NSK_TYPE_BIT(t);
        }
        if (s->release_with_pins && s->n_pins_at == 0) {
                snprintf(msg, size, "releasing a set with its pins needs pins (--pin-at)");
                return -EINVAL;
        }
        /* That release comes from the mount table, with no one to wait
         * for a network's DEL. */
        if (s->release_with_pins && s->n_networks > 0) {
                snprintf(msg, size, "a set released with its pins can have no networks");
                return -EINVAL;
        }
        for (unsigned i = 0; i < s->n_networks; i++) {
                const struct nsk_network *n = &s->networks[i];

                if (!nsk_network_name_is_valid(n->name)) {
                        snprintf(msg, size,
                                 "invalid network name '%.80s': expected 1-%d of [A-Za-z0-9_.-], "
                                 "starting with a letter or digit",
                                 n->name, NSK_NETWORK_NAME_MAX);
                        return -EINVAL;
                }
                if (streq(n->ifname, "lo")) {
                        snprintf(msg, size,
                                 "network %s: lo is the namespace's loopback, not an interface "
                                 "for a network",
                                 n->name);
                        return -EINVAL;
                }
                if (n->ifname[0] && !nsk_ifname_is_valid(n->ifname)) {
                        snprintf(msg, size, "invalid interface name '%s' for network %s", n->ifname,
                                 n->name);
                        return -EINVAL;
                }
                for (unsigned k = 0; k < i; k++)
                        if (n->ifname[0] && streq(n->ifname, s->networks[k].ifname)) {
                                snprintf(msg, size, "networks %s and %s both name interface %s",
                                         s->networks[k].name, n->name, n->ifname);
                                return -EINVAL;
                        }
        }

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
