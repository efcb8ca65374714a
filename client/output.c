/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Text and JSON output of sets. JSON field names are a contract: see
 * nskeeperctl(1). */

#include <inttypes.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "output.h"
#include "util.h"

void output_json_string(FILE *f, const char *s)
{
        fputc('"', f);
        for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
                if (*p == '"' || *p == '\\')
                        fprintf(f, "\\%c", *p);
                else if (*p == '\n')
                        fputs("\\n", f);
                else if (*p < 0x20 || *p == 0x7f)
                        fprintf(f, "\\u%04x", *p);
                else
                        fputc(*p, f);
        }
        fputc('"', f);
}

void output_format_time(uint64_t t, long usec, char *buf, size_t size)
{
        time_t tt = (time_t) t;
        struct tm tm;
        size_t n;

        if (!gmtime_r(&tt, &tm) || (n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm)) == 0) {
                snprintf(buf, size, "%" PRIu64, t);
                return;
        }
        if (usec >= 0)
                snprintf(buf + n, size - n, ".%06ldZ", usec);
        else
                snprintf(buf + n, size - n, "Z");
}

/* Members of a JSON object, with the commas between them. */
struct json_obj {
        FILE *f;
        bool first;
};

static void jkey(struct json_obj *o, const char *key)
{
        fprintf(o->f, "%s\"%s\":", o->first ? "" : ",", key);
        o->first = false;
}

static void jstring_or_null(FILE *f, const char *s)
{
        if (s && s[0])
                output_json_string(f, s);
        else
                fputs("null", f);
}

static bool has_type(const struct nsk_set_info *s, enum nsk_type t)
{
        return nsk_set_ns(s, t) != NULL;
}

const char *output_full_name(const struct nsk_set_info *s, char buf[static NSK_FULL_NAME_MAX + 1])
{
        if (s->owner == 0)
                snprintf(buf, NSK_FULL_NAME_MAX + 1, "%s", s->name);
        else
                snprintf(buf, NSK_FULL_NAME_MAX + 1, "%u/%s", (unsigned) s->owner, s->name);
        return buf;
}

void output_types(const struct nsk_set_info *s, char *buf, size_t size)
{
        nsk_type_mask_t mask = 0;

        for (unsigned i = 0; i < s->n_ns; i++)
                mask |= NSK_TYPE_BIT(s->ns[i].type);
        nsk_type_mask_format(mask, buf, size);
}

void output_networks(const struct nsk_set_info *s, char *buf, size_t size)
{
        const struct nsk_settings *c = &s->settings;
        size_t len = 0;

        buf[0] = '\0';
        for (unsigned i = 0; i < c->n_networks && len < size; i++) {
                const struct nsk_network *w = &c->networks[i];

                len += (size_t) snprintf(buf + len, size - len, "%s%s:%s%s%s", i ? "," : "",
                                         w->name, w->ifname, w->n_addresses ? "=" : "",
                                         w->n_addresses ? w->addresses[0] : "");
        }
}

/* What a member's writer gets: the object, its key, the set, its process
 * counts (NULL in monitor events) and, for per-type members, the type. */
#define FIELD_ARGS                                                         \
        struct json_obj *o, const char *key, const struct nsk_set_info *s, \
                const struct procscan_result *p, int t

static void f_name(FIELD_ARGS)
{
        jkey(o, key);
        output_json_string(o->f, s->name);
}

static void f_full_name(FIELD_ARGS)
{
        char full[NSK_FULL_NAME_MAX + 1];

        jkey(o, key);
        output_json_string(o->f, output_full_name(s, full));
}

static void f_pin(FIELD_ARGS)
{
        jkey(o, key);
        fprintf(o->f, "\"%s\"", nsk_pin_name(s->pin));
}

static void f_state(FIELD_ARGS)
{
        jkey(o, key);
        fprintf(o->f, "\"%s\"", nsk_state_name(s->state));
}

static void f_state_reason(FIELD_ARGS)
{
        jkey(o, key);
        jstring_or_null(o->f, s->state_reason);
}

static void f_keeper_pid(FIELD_ARGS)
{
        jkey(o, key);
        if (s->keeper_pid > 0)
                fprintf(o->f, "%u", s->keeper_pid);
        else
                fputs("null", o->f);
}

static void f_created(FIELD_ARGS)
{
        jkey(o, key);
        fprintf(o->f, "%" PRIu64, s->created);
}

static void f_created_utc(FIELD_ARGS)
{
        char created[32];

        output_format_time(s->created, -1, created, sizeof(created));
        jkey(o, key);
        fprintf(o->f, "\"%s\"", created);
}

static void f_owner(FIELD_ARGS)
{
        jkey(o, key);
        fprintf(o->f, "%u", (unsigned) s->owner);
}

static void f_hostname(FIELD_ARGS)
{
        jkey(o, key);
        jstring_or_null(o->f, s->settings.hostname);
}

static void f_domainname(FIELD_ARGS)
{
        jkey(o, key);
        jstring_or_null(o->f, s->settings.domainname);
}

static void f_sysctls(FIELD_ARGS)
{
        const struct nsk_settings *c = &s->settings;
        bool first = true;

        jkey(o, key);
        fputc('{', o->f);
        for (unsigned i = 0; i < c->n_sysctls; i++) {
                const char *eq = strchr(c->sysctls[i], '=');
                char k[NSK_SYSCTL_LEN];

                if (!eq)
                        continue;
                snprintf(k, sizeof(k), "%.*s", (int) (eq - c->sysctls[i]), c->sysctls[i]);
                if (!first)
                        fputc(',', o->f);
                first = false;
                output_json_string(o->f, k);
                fputc(':', o->f);
                output_json_string(o->f, eq + 1);
        }
        fputc('}', o->f);
}

/* The members that depend on a type: t is that type. */
static void f_loopback(FIELD_ARGS)
{
        if (!has_type(s, t))
                return;
        jkey(o, key);
        fputs(s->settings.no_loopback ? "false" : "true", o->f);
}

static void f_ip_netns(FIELD_ARGS)
{
        if (!has_type(s, t))
                return;
        jkey(o, key);
        fputs(s->settings.ip_netns ? "true" : "false", o->f);
}

static void json_strv(FILE *f, char *const *v, unsigned n)
{
        fputc('[', f);
        for (unsigned i = 0; i < n; i++) {
                if (i)
                        fputc(',', f);
                output_json_string(f, v[i]);
        }
        fputc(']', f);
}

/* Routes as objects: "DST via GW" is {"dst": DST, "gw": GW}. */
static void json_routes(FILE *f, char *const *v, unsigned n)
{
        fputc('[', f);
        for (unsigned i = 0; i < n; i++) {
                const char *via = strstr(v[i], " via ");
                char dst[NSK_NET_ITEM_LEN];

                snprintf(dst, sizeof(dst), "%.*s", via ? (int) (via - v[i]) : (int) strlen(v[i]),
                         v[i]);
                fputs(i ? ",{\"dst\":" : "{\"dst\":", f);
                output_json_string(f, dst);
                fputs(",\"gw\":", f);
                jstring_or_null(f, via ? via + 5 : NULL);
                fputc('}', f);
        }
        fputc(']', f);
}

static void f_networks(FIELD_ARGS)
{
        const struct nsk_settings *c = &s->settings;

        if (!has_type(s, t))
                return;
        jkey(o, key);
        fputc('[', o->f);
        for (unsigned i = 0; i < c->n_networks; i++) {
                const struct nsk_network *n = &c->networks[i];

                fputs(i ? ",{\"name\":" : "{\"name\":", o->f);
                output_json_string(o->f, n->name);
                fputs(",\"ifname\":", o->f);
                output_json_string(o->f, n->ifname);
                fputs(",\"mac\":", o->f);
                jstring_or_null(o->f, n->mac);
                fputs(",\"addresses\":", o->f);
                json_strv(o->f, n->addresses, n->n_addresses);
                fputs(",\"gateways\":", o->f);
                json_strv(o->f, n->gateways, n->n_gateways);
                fputs(",\"routes\":", o->f);
                json_routes(o->f, n->routes, n->n_routes);
                fputs(",\"nameservers\":", o->f);
                json_strv(o->f, n->nameservers, n->n_nameservers);
                fputc('}', o->f);
        }
        fputc(']', o->f);
}

static void f_pins_at(FIELD_ARGS)
{
        jkey(o, key);
        json_strv(o->f, s->settings.pins_at, s->settings.n_pins_at);
}

static void f_release_with_pins(FIELD_ARGS)
{
        jkey(o, key);
        fputs(s->settings.release_with_pins ? "true" : "false", o->f);
}

static void json_idmap(FILE *f, const struct nsk_idmap *m, unsigned n)
{
        fputc('[', f);
        for (unsigned i = 0; i < n; i++)
                fprintf(f, "%s{\"inside\":%u,\"outside\":%u,\"count\":%u}", i ? "," : "",
                        m[i].inside, m[i].outside, m[i].count);
        fputc(']', f);
}

static void f_uid_map(FIELD_ARGS)
{
        if (!has_type(s, t))
                return;
        jkey(o, key);
        json_idmap(o->f, s->settings.uid_map, s->settings.n_uid_map);
}

static void f_gid_map(FIELD_ARGS)
{
        if (!has_type(s, t))
                return;
        jkey(o, key);
        json_idmap(o->f, s->settings.gid_map, s->settings.n_gid_map);
}

static void f_setgroups(FIELD_ARGS)
{
        if (!has_type(s, t))
                return;
        jkey(o, key);
        fprintf(o->f, "\"%s\"", s->settings.setgroups_deny ? "deny" : "allow");
}

static void f_monotonic_offset(FIELD_ARGS)
{
        if (!has_type(s, t))
                return;
        jkey(o, key);
        fprintf(o->f, "%" PRId64, s->settings.monotonic);
}

static void f_boottime_offset(FIELD_ARGS)
{
        if (!has_type(s, t))
                return;
        jkey(o, key);
        fprintf(o->f, "%" PRId64, s->settings.boottime);
}

/* Its ip netns entry was removed from outside (state "damaged"). */
static void f_ip_netns_missing(FIELD_ARGS)
{
        jkey(o, key);
        fputs(s->ip_netns_missing ? "true" : "false", o->f);
}

/* null where the table shows '-': a set whose namespaces the caller may
 * not see has processes we cannot count. */
static void f_nprocs(FIELD_ARGS)
{
        if (!p)
                return;
        jkey(o, key);
        if (s->n_ns == 0)
                fputs("null", o->f);
        else
                fprintf(o->f, "%u", p->nprocs);
}

static void f_namespaces(FIELD_ARGS)
{
        jkey(o, key);
        fputc('[', o->f);
        for (unsigned i = 0; i < s->n_ns; i++) {
                fprintf(o->f, "%s{\"type\":\"%s\",\"inode\":%" PRIu64, i ? "," : "",
                        nsk_type_name(s->ns[i].type), s->ns[i].inode);
                if (p)
                        fprintf(o->f, ",\"nprocs\":%u", p->ns_nprocs[s->ns[i].type]);
                fputs(",\"path\":", o->f);
                jstring_or_null(o->f, s->ns[i].path);
                /* Its bind pin was removed from outside (state "damaged"). */
                fprintf(o->f, ",\"missing\":%s}", s->ns[i].missing ? "true" : "false");
        }
        fputs("]", o->f);
}

/* Members only list -o asks for. */
static void f_types(FIELD_ARGS)
{
        jkey(o, key);
        if (s->n_ns == 0) {
                fputs("null", o->f);
                return;
        }
        fputc('[', o->f);
        for (unsigned i = 0; i < s->n_ns; i++)
                fprintf(o->f, "%s\"%s\"", i ? "," : "", nsk_type_name(s->ns[i].type));
        fputc(']', o->f);
}

static void f_ns_inode(FIELD_ARGS)
{
        const struct nsk_ns_info *ns = nsk_set_ns(s, t);

        jkey(o, key);
        if (ns)
                fprintf(o->f, "%" PRIu64, ns->inode);
        else
                fputs("null", o->f);
}

static void f_ns_path(FIELD_ARGS)
{
        const struct nsk_ns_info *ns = nsk_set_ns(s, t);

        jkey(o, key);
        jstring_or_null(o->f, ns ? ns->path : NULL);
}

struct field {
        const char *key;
        void (*write)(FIELD_ARGS);
        int type;
        bool extra; /* not in the full object: only when list -o asks */
};

/* clang-format off */
#define TYPE_FIELDS(T, key)                                                                       \
        { key, f_ns_inode, NSK_TYPE_##T, true },                                                  \
        { key "_path", f_ns_path, NSK_TYPE_##T, true }
/* clang-format on */

/* The set object, in the order nskeeperctl(1) gives: a contract. */
static const struct field fields[] = {
        { "name", f_name },
        { "full_name", f_full_name },
        { "pin", f_pin },
        { "state", f_state },
        { "state_reason", f_state_reason },
        { "keeper_pid", f_keeper_pid },
        { "created", f_created },
        { "created_utc", f_created_utc },
        { "owner", f_owner },
        { "hostname", f_hostname },
        { "domainname", f_domainname },
        { "sysctls", f_sysctls },
        { "loopback", f_loopback, NSK_TYPE_NET },
        { "ip_netns", f_ip_netns, NSK_TYPE_NET },
        { "networks", f_networks, NSK_TYPE_NET },
        { "pins_at", f_pins_at },
        { "release_with_pins", f_release_with_pins },
        { "uid_map", f_uid_map, NSK_TYPE_USER },
        { "gid_map", f_gid_map, NSK_TYPE_USER },
        { "setgroups", f_setgroups, NSK_TYPE_USER },
        { "monotonic_offset", f_monotonic_offset, NSK_TYPE_TIME },
        { "boottime_offset", f_boottime_offset, NSK_TYPE_TIME },
        { "ip_netns_missing", f_ip_netns_missing },
        { "nprocs", f_nprocs },
        { "namespaces", f_namespaces },
        { "types", f_types, 0, true },
        TYPE_FIELDS(NET, "net"),
        TYPE_FIELDS(UTS, "uts"),
        TYPE_FIELDS(IPC, "ipc"),
        TYPE_FIELDS(MNT, "mnt"),
        TYPE_FIELDS(PID, "pid"),
        TYPE_FIELDS(USER, "user"),
        TYPE_FIELDS(CGROUP, "cgroup"),
        TYPE_FIELDS(TIME, "time"),
};

/* Whether key is an item of the comma list keys. */
static bool key_in(const char *key, const char *keys)
{
        for (const char *k = keys;;) {
                size_t n = strcspn(k, ",");

                if (strlen(key) == n && strncmp(key, k, n) == 0)
                        return true;
                if (k[n] == '\0')
                        return false;
                k += n + 1;
        }
}

void output_set_json_select(FILE *f, const struct nsk_set_info *s,
                            const struct procscan_result *counts, bool full,
                            const char *const *keys, size_t n_keys)
{
        struct json_obj o = { .f = f, .first = true };

        fputc('{', f);
        for (size_t i = 0; i < ELEMENTSOF(fields); i++) {
                bool want = full && !fields[i].extra;

                for (size_t k = 0; k < n_keys && !want; k++)
                        want = key_in(fields[i].key, keys[k]);
                if (want)
                        fields[i].write(&o, fields[i].key, s, counts, fields[i].type);
        }
        fputc('}', f);
}

void output_set_json(FILE *f, const struct nsk_set_info *s, const struct procscan_result *counts)
{
        output_set_json_select(f, s, counts, true, NULL, 0);
}

static void text_items(FILE *f, const char *label, char *const *v, unsigned n)
{
        for (unsigned i = 0; i < n; i++)
                fprintf(f, "  %-9s %s\n", label, v[i]);
}

static void text_network(FILE *f, const struct nsk_network *n)
{
        fprintf(f, "network:    %s, interface %s\n", n->name, n->ifname);
        if (n->mac[0])
                fprintf(f, "  %-9s %s\n", "mac:", n->mac);
        text_items(f, "address:", n->addresses, n->n_addresses);
        text_items(f, "gateway:", n->gateways, n->n_gateways);
        text_items(f, "route:", n->routes, n->n_routes);
        text_items(f, "dns:", n->nameservers, n->n_nameservers);
}

void output_set_text(FILE *f, const struct nsk_set_info *s, const struct procscan_result *counts)
{
        char created[32], full[NSK_FULL_NAME_MAX + 1];

        output_format_time(s->created, -1, created, sizeof(created));
        const struct nsk_settings *c = &s->settings;

        fprintf(f,
                "name:       %s\nstate:      %s%s%s%s\npin:        %s\nowner:      %u\n"
                "created:    %s\n",
                output_full_name(s, full), nsk_state_name(s->state), s->state_reason[0] ? " (" : "",
                s->state_reason, s->state_reason[0] ? ")" : "", nsk_pin_name(s->pin),
                (unsigned) s->owner, created);
        if (s->keeper_pid > 0)
                fprintf(f, "keeper:     pid %u (init of the pid namespace)\n", s->keeper_pid);
        if (c->hostname[0])
                fprintf(f, "hostname:   %s\n", c->hostname);
        if (c->domainname[0])
                fprintf(f, "domainname: %s\n", c->domainname);
        for (unsigned i = 0; i < c->n_sysctls; i++)
                fprintf(f, "sysctl:     %s\n", c->sysctls[i]);
        if (has_type(s, NSK_TYPE_NET) && c->no_loopback)
                fprintf(f, "loopback:   down\n");
        if (c->ip_netns && s->ip_netns_missing)
                fprintf(f, "ip netns:   removed from outside\n");
        else if (c->ip_netns)
                /* The daemon's --netns-dir decides where: ip(8) sees it
                 * only in /run/netns, the default. */
                fprintf(f,
                        "ip netns:   yes, as %s in nskeeperd's --netns-dir (/run/netns unless "
                        "set otherwise)\n",
                        s->name);
        for (unsigned i = 0; i < c->n_networks; i++)
                text_network(f, &c->networks[i]);
        for (unsigned i = 0; i < c->n_pins_at; i++)
                fprintf(f, "pin at:     %s%s\n", c->pins_at[i],
                        c->release_with_pins ? " (released once all are gone)" : "");
        for (unsigned i = 0; i < c->n_uid_map; i++)
                fprintf(f, "uid_map:    %u %u %u\n", c->uid_map[i].inside, c->uid_map[i].outside,
                        c->uid_map[i].count);
        for (unsigned i = 0; i < c->n_gid_map; i++)
                fprintf(f, "gid_map:    %u %u %u\n", c->gid_map[i].inside, c->gid_map[i].outside,
                        c->gid_map[i].count);
        if (has_type(s, NSK_TYPE_USER))
                fprintf(f, "setgroups:  %s\n", c->setgroups_deny ? "deny" : "allow");
        if (c->monotonic != 0 || c->boottime != 0)
                fprintf(f, "offsets:    monotonic %" PRId64 " s, boottime %" PRId64 " s\n",
                        c->monotonic, c->boottime);
        fprintf(f, "%-6s  %-12s  %6s  %s\n", "TYPE", "INODE", "NPROCS", "PATH");
        for (unsigned i = 0; i < s->n_ns; i++)
                fprintf(f, "%-6s  %-12" PRIu64 "  %6u  %s%s\n", nsk_type_name(s->ns[i].type),
                        s->ns[i].inode, counts->ns_nprocs[s->ns[i].type],
                        s->ns[i].path ? s->ns[i].path : "-",
                        s->ns[i].missing ? " (removed from outside)" : "");
}
