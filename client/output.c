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

static void format_time(uint64_t t, char *buf, size_t size)
{
        time_t tt = (time_t) t;
        struct tm tm;

        if (!gmtime_r(&tt, &tm) || strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
                snprintf(buf, size, "%" PRIu64, t);
}

static void json_idmap(FILE *f, const char *key, const struct nsk_idmap *m, unsigned n)
{
        fprintf(f, ",\"%s\":[", key);
        for (unsigned i = 0; i < n; i++)
                fprintf(f, "%s{\"inside\":%u,\"outside\":%u,\"count\":%u}", i ? "," : "",
                        m[i].inside, m[i].outside, m[i].count);
        fputc(']', f);
}

static bool has_type(const struct nsk_set_info *s, enum nsk_type t)
{
        return nsk_set_ns(s, t) != NULL;
}

static void json_settings(FILE *f, const struct nsk_set_info *s)
{
        const struct nsk_settings *c = &s->settings;

        fputs(",\"hostname\":", f);
        if (c->hostname[0])
                output_json_string(f, c->hostname);
        else
                fputs("null", f);
        fputs(",\"domainname\":", f);
        if (c->domainname[0])
                output_json_string(f, c->domainname);
        else
                fputs("null", f);
        fputs(",\"sysctls\":{", f);
        for (unsigned i = 0; i < c->n_sysctls; i++) {
                const char *eq = strchr(c->sysctls[i], '=');
                char key[NSK_SYSCTL_LEN];

                if (!eq)
                        continue;
                snprintf(key, sizeof(key), "%.*s", (int) (eq - c->sysctls[i]), c->sysctls[i]);
                if (i)
                        fputc(',', f);
                output_json_string(f, key);
                fputc(':', f);
                output_json_string(f, eq + 1);
        }
        fputc('}', f);
        if (has_type(s, NSK_TYPE_NET))
                fprintf(f, ",\"loopback\":%s,\"ip_netns\":%s", c->no_loopback ? "false" : "true",
                        c->ip_netns ? "true" : "false");
        if (has_type(s, NSK_TYPE_USER)) {
                json_idmap(f, "uid_map", c->uid_map, c->n_uid_map);
                json_idmap(f, "gid_map", c->gid_map, c->n_gid_map);
                fprintf(f, ",\"setgroups\":\"%s\"", c->setgroups_deny ? "deny" : "allow");
        }
        if (has_type(s, NSK_TYPE_TIME))
                fprintf(f, ",\"monotonic_offset\":%" PRId64 ",\"boottime_offset\":%" PRId64,
                        c->monotonic, c->boottime);
}

const char *output_full_name(const struct nsk_set_info *s, char buf[static NSK_FULL_NAME_MAX + 1])
{
        if (s->owner == 0)
                snprintf(buf, NSK_FULL_NAME_MAX + 1, "%s", s->name);
        else
                snprintf(buf, NSK_FULL_NAME_MAX + 1, "%u/%s", (unsigned) s->owner, s->name);
        return buf;
}

void output_set_json(FILE *f, const struct nsk_set_info *s, const struct procscan_result *counts)
{
        char created[32], full[NSK_FULL_NAME_MAX + 1];

        format_time(s->created, created, sizeof(created));
        fputs("{\"name\":", f);
        output_json_string(f, s->name);
        fputs(",\"full_name\":", f);
        output_json_string(f, output_full_name(s, full));
        fprintf(f, ",\"pin\":\"%s\",\"state\":\"%s\",\"state_reason\":", nsk_pin_name(s->pin),
                nsk_state_name(s->state));
        if (s->state_reason[0])
                output_json_string(f, s->state_reason);
        else
                fputs("null", f);
        fputs(",\"keeper_pid\":", f);
        if (s->keeper_pid > 0)
                fprintf(f, "%u", s->keeper_pid);
        else
                fputs("null", f);
        fprintf(f, ",\"created\":%" PRIu64 ",\"created_utc\":\"%s\",\"owner\":%u", s->created,
                created, (unsigned) s->owner);
        json_settings(f, s);
        /* Removed from outside (state "damaged"): the ip netns entry here,
         * a bind pin in its namespace's "missing". */
        fprintf(f, ",\"ip_netns_missing\":%s", s->ip_netns_missing ? "true" : "false");
        if (counts)
                fprintf(f, ",\"nprocs\":%u", counts->nprocs);
        fputs(",\"namespaces\":[", f);
        for (unsigned i = 0; i < s->n_ns; i++) {
                fprintf(f, "%s{\"type\":\"%s\",\"inode\":%" PRIu64, i ? "," : "",
                        nsk_type_name(s->ns[i].type), s->ns[i].inode);
                if (counts)
                        fprintf(f, ",\"nprocs\":%u", counts->ns_nprocs[s->ns[i].type]);
                fputs(",\"path\":", f);
                if (s->ns[i].path)
                        output_json_string(f, s->ns[i].path);
                else
                        fputs("null", f);
                fprintf(f, ",\"missing\":%s}", s->ns[i].missing ? "true" : "false");
        }
        fputs("]}", f);
}

void output_sets_json(FILE *f, const struct nsk_set_info *sets, size_t n,
                      const struct procscan_result *counts)
{
        fputc('[', f);
        for (size_t i = 0; i < n; i++) {
                if (i)
                        fputc(',', f);
                output_set_json(f, &sets[i], counts ? &counts[i] : NULL);
        }
        fputs("]\n", f);
}

static void types_of(const struct nsk_set_info *s, char *buf, size_t size)
{
        nsk_type_mask_t mask = 0;

        for (unsigned i = 0; i < s->n_ns; i++)
                mask |= NSK_TYPE_BIT(s->ns[i].type);
        nsk_type_mask_format(mask, buf, size);
}

/* --- tables, with columns chosen like lsns -o --- */

struct column {
        const char *name;
        const char *help;
        bool right;
        /* Writes the cell of set s (with its process counts p) into buf. */
        void (*cell)(const struct nsk_set_info *s, const struct procscan_result *p, int type,
                     char *buf, size_t size);
        int type; /* for the per-type columns */
};

static void cell_name(const struct nsk_set_info *s, const struct procscan_result *p, int t, char *b,
                      size_t n)
{
        char full[NSK_FULL_NAME_MAX + 1];

        snprintf(b, n, "%s", output_full_name(s, full));
}

static void cell_state(const struct nsk_set_info *s, const struct procscan_result *p, int t,
                       char *b, size_t n)
{
        snprintf(b, n, "%s", nsk_state_name(s->state));
}

static void cell_reason(const struct nsk_set_info *s, const struct procscan_result *p, int t,
                        char *b, size_t n)
{
        snprintf(b, n, "%s", s->state_reason[0] ? s->state_reason : "-");
}

static void cell_pin(const struct nsk_set_info *s, const struct procscan_result *p, int t, char *b,
                     size_t n)
{
        snprintf(b, n, "%s", nsk_pin_name(s->pin));
}

static void cell_owner(const struct nsk_set_info *s, const struct procscan_result *p, int t,
                       char *b, size_t n)
{
        snprintf(b, n, "%u", (unsigned) s->owner);
}

static void cell_created(const struct nsk_set_info *s, const struct procscan_result *p, int t,
                         char *b, size_t n)
{
        format_time(s->created, b, n);
}

static void cell_types(const struct nsk_set_info *s, const struct procscan_result *p, int t,
                       char *b, size_t n)
{
        types_of(s, b, n);
        if (!b[0])
                snprintf(b, n, "-");
}

static void cell_nprocs(const struct nsk_set_info *s, const struct procscan_result *p, int t,
                        char *b, size_t n)
{
        if (s->n_ns == 0)
                snprintf(b, n, "-");
        else
                snprintf(b, n, "%u", p->nprocs);
}

static void cell_keeper(const struct nsk_set_info *s, const struct procscan_result *p, int t,
                        char *b, size_t n)
{
        if (s->keeper_pid > 0)
                snprintf(b, n, "%u", s->keeper_pid);
        else
                snprintf(b, n, "-");
}

static void cell_hostname(const struct nsk_set_info *s, const struct procscan_result *p, int t,
                          char *b, size_t n)
{
        snprintf(b, n, "%s", s->settings.hostname[0] ? s->settings.hostname : "-");
}

static void cell_inode(const struct nsk_set_info *s, const struct procscan_result *p, int t,
                       char *b, size_t n)
{
        const struct nsk_ns_info *ns = nsk_set_ns(s, t);

        if (ns)
                snprintf(b, n, "%" PRIu64, ns->inode);
        else
                snprintf(b, n, "-");
}

static void cell_path(const struct nsk_set_info *s, const struct procscan_result *p, int t, char *b,
                      size_t n)
{
        const struct nsk_ns_info *ns = nsk_set_ns(s, t);

        snprintf(b, n, "%s", ns && ns->path ? ns->path : "-");
}

/* Two rows of the table below; clang-format would break the second. */
/* clang-format off */
#define TYPE_COLUMNS(T, name)                                                                   \
        { name, "inode of its " #T " namespace", true, cell_inode, NSK_TYPE_##T },              \
        { name "-PATH", "pin path of its " #T " namespace", false, cell_path, NSK_TYPE_##T }
/* clang-format on */

static const struct column columns[] = {
        { "NAME", "set name", false, cell_name, 0 },
        { "STATE", "ready, damaged or dead", false, cell_state, 0 },
        { "PIN", "bind or fd", false, cell_pin, 0 },
        { "OWNER", "uid that created it", true, cell_owner, 0 },
        { "CREATED", "creation time (UTC)", false, cell_created, 0 },
        { "TYPES", "its namespace types", false, cell_types, 0 },
        { "NPROCS", "processes in any of its namespaces", true, cell_nprocs, 0 },
        { "KEEPER", "pid of the init kept in its pid namespace", true, cell_keeper, 0 },
        { "REASON", "why it is dead", false, cell_reason, 0 },
        { "HOSTNAME", "host name of its uts namespace", false, cell_hostname, 0 },
        TYPE_COLUMNS(NET, "NET"),
        TYPE_COLUMNS(UTS, "UTS"),
        TYPE_COLUMNS(IPC, "IPC"),
        TYPE_COLUMNS(MNT, "MNT"),
        TYPE_COLUMNS(PID, "PID"),
        TYPE_COLUMNS(USER, "USER"),
        TYPE_COLUMNS(CGROUP, "CGROUP"),
        TYPE_COLUMNS(TIME, "TIME"),
};

#define DEFAULT_COLUMNS "NAME,STATE,PIN,OWNER,CREATED,TYPES,NPROCS"

void output_columns_help(FILE *f)
{
        for (size_t i = 0; i < ELEMENTSOF(columns); i++)
                fprintf(f, "  %-12s %s\n", columns[i].name, columns[i].help);
        fprintf(f, "Default: " DEFAULT_COLUMNS "\n");
}

int output_parse_columns(const char *list, int *ret, size_t max, size_t *ret_n,
                         const char **ret_bad, size_t *ret_bad_len)
{
        const char *p = list ? list : DEFAULT_COLUMNS;
        size_t n = 0;

        for (;;) {
                size_t len = strcspn(p, ",");
                size_t i;

                for (i = 0; i < ELEMENTSOF(columns); i++)
                        if (strlen(columns[i].name) == len &&
                            strncasecmp(columns[i].name, p, len) == 0)
                                break;
                if (i == ELEMENTSOF(columns) || n >= max) {
                        *ret_bad = p;
                        *ret_bad_len = len;
                        return -EINVAL;
                }
                ret[n++] = (int) i;
                if (p[len] == '\0')
                        break;
                p += len + 1;
        }
        *ret_n = n;
        return 0;
}

void output_sets_table(FILE *f, const struct nsk_set_info *sets, size_t n,
                       const struct procscan_result *counts, const int *cols, size_t n_cols,
                       bool headings)
{
        int width[ELEMENTSOF(columns)] = {};
        char cell[NSK_MESSAGE_MAX];

        /* Two passes: widths first, so the table lines up. */
        for (size_t c = 0; c < n_cols; c++) {
                const struct column *col = &columns[cols[c]];

                width[c] = headings ? (int) strlen(col->name) : 0;
                for (size_t i = 0; i < n; i++) {
                        col->cell(&sets[i], &counts[i], col->type, cell, sizeof(cell));
                        if ((int) strlen(cell) > width[c])
                                width[c] = (int) strlen(cell);
                }
        }
        for (size_t i = headings ? 0 : 1; i <= n; i++) {
                for (size_t c = 0; c < n_cols; c++) {
                        const struct column *col = &columns[cols[c]];
                        bool last = c + 1 == n_cols;

                        if (i == 0)
                                snprintf(cell, sizeof(cell), "%s", col->name);
                        else
                                col->cell(&sets[i - 1], &counts[i - 1], col->type, cell,
                                          sizeof(cell));
                        if (col->right)
                                fprintf(f, "%*s", width[c], cell);
                        else
                                fprintf(f, "%-*s", last ? 0 : width[c], cell);
                        fputs(last ? "\n" : "  ", f);
                }
        }
}

void output_set_text(FILE *f, const struct nsk_set_info *s, const struct procscan_result *counts)
{
        char created[32], full[NSK_FULL_NAME_MAX + 1];

        format_time(s->created, created, sizeof(created));
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
                fprintf(f, "ip netns:   yes (ip -n %s ...)\n", s->name);
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
