/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Text and JSON output of sets. JSON field names are a contract: see
 * nskeeperctl(1). */

#include <inttypes.h>
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

void output_set_json(FILE *f, const struct nsk_set_info *s)
{
        char created[32];

        format_time(s->created, created, sizeof(created));
        fputs("{\"name\":", f);
        output_json_string(f, s->name);
        fprintf(f, ",\"pin\":\"%s\",\"created\":%" PRIu64 ",\"created_utc\":\"%s\",\"owner\":%u,"
                   "\"namespaces\":[",
                nsk_pin_name(s->pin), s->created, created, (unsigned) s->owner);
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
        fprintf(f, "%-*s  %-4s  %5s  %-20s  %s\n", w, "NAME", "PIN", "OWNER", "CREATED", "TYPES");
        for (size_t i = 0; i < n; i++) {
                char created[32], types[64];

                format_time(sets[i].created, created, sizeof(created));
                types_of(&sets[i], types, sizeof(types));
                fprintf(f, "%-*s  %-4s  %5u  %-20s  %s\n", w, sets[i].name,
                        nsk_pin_name(sets[i].pin), (unsigned) sets[i].owner, created, types);
        }
}

void output_set_text(FILE *f, const struct nsk_set_info *s)
{
        char created[32];

        format_time(s->created, created, sizeof(created));
        fprintf(f, "name:    %s\npin:     %s\nowner:   %u\ncreated: %s\n", s->name,
                nsk_pin_name(s->pin), (unsigned) s->owner, created);
        fprintf(f, "%-6s  %-12s  %s\n", "TYPE", "INODE", "PATH");
        for (unsigned i = 0; i < s->n_ns; i++)
                fprintf(f, "%-6s  %-12" PRIu64 "  %s\n", nstype_name(s->ns[i].type),
                        s->ns[i].inode, s->ns[i].path ? s->ns[i].path : "-");
}
