/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Text and JSON output of sets. JSON field names are a contract: see
 * nskeeperctl(1). */

#include <inttypes.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "output.h"

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

static bool has_type(const struct nsk_set_info *s, enum nstype t)
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
        if (has_type(s, NSTYPE_NET))
                fprintf(f, ",\"loopback\":%s", c->no_loopback ? "false" : "true");
        if (has_type(s, NSTYPE_USER)) {
                json_idmap(f, "uid_map", c->uid_map, c->n_uid_map);
                json_idmap(f, "gid_map", c->gid_map, c->n_gid_map);
                fprintf(f, ",\"setgroups\":\"%s\"", c->setgroups_deny ? "deny" : "allow");
        }
        if (has_type(s, NSTYPE_TIME))
                fprintf(f, ",\"monotonic_offset\":%" PRId64 ",\"boottime_offset\":%" PRId64,
                        c->monotonic, c->boottime);
}

void output_set_json(FILE *f, const struct nsk_set_info *s)
{
        char created[32];

        format_time(s->created, created, sizeof(created));
        fputs("{\"name\":", f);
        output_json_string(f, s->name);
        fprintf(f, ",\"pin\":\"%s\",\"state\":\"%s\",\"state_reason\":",
                nsk_pin_name(s->pin), nsk_state_name(s->state));
        if (s->state_reason[0])
                output_json_string(f, s->state_reason);
        else
                fputs("null", f);
        fputs(",\"keeper_pid\":", f);
        if (s->keeper_pid > 0)
                fprintf(f, "%u", s->keeper_pid);
        else
                fputs("null", f);
        fprintf(f, ",\"created\":%" PRIu64 ",\"created_utc\":\"%s\",\"owner\":%u",
                s->created, created, (unsigned) s->owner);
        json_settings(f, s);
        fputs(",\"namespaces\":[", f);
        for (unsigned i = 0; i < s->n_ns; i++) {
                fprintf(f, "%s{\"type\":\"%s\",\"inode\":%" PRIu64 ",\"path\":", i ? "," : "",
                        nstype_name(s->ns[i].type), s->ns[i].inode);
                if (s->ns[i].path)
                        output_json_string(f, s->ns[i].path);
                else
                        fputs("null", f);
                fputc('}', f);
        }
        fputs("]}", f);
}

void output_sets_json(FILE *f, const struct nsk_set_info *sets, size_t n)
{
        fputc('[', f);
        for (size_t i = 0; i < n; i++) {
                if (i)
                        fputc(',', f);
                output_set_json(f, &sets[i]);
        }
        fputs("]\n", f);
}

static void types_of(const struct nsk_set_info *s, char *buf, size_t size)
{
        nstype_mask_t mask = 0;

        for (unsigned i = 0; i < s->n_ns; i++)
                mask |= NSTYPE_BIT(s->ns[i].type);
        nstype_mask_format(mask, buf, size);
}

void output_sets_table(FILE *f, const struct nsk_set_info *sets, size_t n)
{
        int w = 4; /* strlen("NAME") */

        for (size_t i = 0; i < n; i++) {
                int l = (int) strlen(sets[i].name);
                if (l > w)
                        w = l;
        }
        fprintf(f, "%-*s  %-5s  %-4s  %5s  %-20s  %s\n", w, "NAME", "STATE", "PIN", "OWNER",
                "CREATED", "TYPES");
        for (size_t i = 0; i < n; i++) {
                char created[32], types[64];

                format_time(sets[i].created, created, sizeof(created));
                types_of(&sets[i], types, sizeof(types));
                fprintf(f, "%-*s  %-5s  %-4s  %5u  %-20s  %s\n", w, sets[i].name,
                        nsk_state_name(sets[i].state), nsk_pin_name(sets[i].pin),
                        (unsigned) sets[i].owner, created, types);
        }
}

void output_set_text(FILE *f, const struct nsk_set_info *s)
{
        char created[32];

        format_time(s->created, created, sizeof(created));
        const struct nsk_settings *c = &s->settings;

        fprintf(f, "name:       %s\nstate:      %s%s%s%s\npin:        %s\nowner:      %u\n"
                   "created:    %s\n",
                s->name, nsk_state_name(s->state), s->state_reason[0] ? " (" : "", s->state_reason,
                s->state_reason[0] ? ")" : "", nsk_pin_name(s->pin), (unsigned) s->owner,
                created);
        if (s->keeper_pid > 0)
                fprintf(f, "keeper:     pid %u (init of the pid namespace)\n", s->keeper_pid);
        if (c->hostname[0])
                fprintf(f, "hostname:   %s\n", c->hostname);
        if (c->domainname[0])
                fprintf(f, "domainname: %s\n", c->domainname);
        for (unsigned i = 0; i < c->n_sysctls; i++)
                fprintf(f, "sysctl:     %s\n", c->sysctls[i]);
        if (has_type(s, NSTYPE_NET) && c->no_loopback)
                fprintf(f, "loopback:   down\n");
        for (unsigned i = 0; i < c->n_uid_map; i++)
                fprintf(f, "uid_map:    %u %u %u\n", c->uid_map[i].inside, c->uid_map[i].outside,
                        c->uid_map[i].count);
        for (unsigned i = 0; i < c->n_gid_map; i++)
                fprintf(f, "gid_map:    %u %u %u\n", c->gid_map[i].inside, c->gid_map[i].outside,
                        c->gid_map[i].count);
        if (has_type(s, NSTYPE_USER))
                fprintf(f, "setgroups:  %s\n", c->setgroups_deny ? "deny" : "allow");
        if (c->monotonic != 0 || c->boottime != 0)
                fprintf(f, "offsets:    monotonic %" PRId64 " s, boottime %" PRId64 " s\n",
                        c->monotonic, c->boottime);
        fprintf(f, "%-6s  %-12s  %s\n", "TYPE", "INODE", "PATH");
        for (unsigned i = 0; i < s->n_ns; i++)
                fprintf(f, "%-6s  %-12" PRIu64 "  %s\n", nstype_name(s->ns[i].type),
                        s->ns[i].inode, s->ns[i].path ? s->ns[i].path : "-");
}
