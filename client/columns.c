/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The columns of list: one table of names (with lsns(8)'s where they mean
 * the same), cells and JSON members; tables aligned or raw. */

#include <inttypes.h>
#include <string.h>
#include <strings.h>

#include "columns.h"
#include "output.h"
#include "util.h"

struct column {
        const char *name;
        const char *alias; /* lsns(8)'s name for the same thing, or NULL */
        const char *help;
        const char *json; /* its members in list --json -o (comma list) */
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
        output_format_time(s->created, -1, b, n);
}

static void cell_types(const struct nsk_set_info *s, const struct procscan_result *p, int t,
                       char *b, size_t n)
{
        output_types(s, b, n);
        if (!b[0])
                snprintf(b, n, "-");
}

static void cell_networks(const struct nsk_set_info *s, const struct procscan_result *p, int t,
                          char *b, size_t n)
{
        output_networks(s, b, n);
        if (!b[0])
                snprintf(b, n, "-");
}

/* '-' for a set whose namespaces the caller may not see: not a count. */
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
#define TYPE_COLUMNS(T, name, key)                                                              \
        { name, NULL, "inode of its " #T " namespace", key, true, cell_inode, NSK_TYPE_##T },   \
        { name "-PATH", NULL, "pin path of its " #T " namespace", key "_path", false, cell_path, \
          NSK_TYPE_##T }
/* clang-format on */

/* lsns's NS, PATH, PID, COMMAND and the rest describe one namespace or a
 * process in it, which a set of several has no one of: no alias. Its USER
 * (a user name) would clash with the USER column of the user namespace. */
static const struct column columns[] = {
        { "NAME", NULL, "set name (UID/NAME for another user's)", "name,full_name", false,
          cell_name },
        { "STATE", NULL, "ready, damaged or dead", "state", false, cell_state },
        { "PIN", NULL, "bind or fd", "pin", false, cell_pin },
        { "OWNER", "UID", "uid that created it", "owner", true, cell_owner },
        { "CREATED", NULL, "creation time (UTC)", "created,created_utc", false, cell_created },
        { "TYPES", "TYPE", "its namespace types", "types", false, cell_types },
        { "NPROCS", NULL, "processes in any of its namespaces", "nprocs", true, cell_nprocs },
        { "KEEPER", NULL, "pid of the init kept in its pid namespace", "keeper_pid", true,
          cell_keeper },
        { "REASON", NULL, "why it is dead or damaged", "state_reason", false, cell_reason },
        { "HOSTNAME", NULL, "host name of its uts namespace", "hostname", false, cell_hostname },
        { "NETWORKS", NULL, "its CNI networks: NAME:IFNAME=ADDRESS,...", "networks", false,
          cell_networks },
        TYPE_COLUMNS(NET, "NET", "net"),
        TYPE_COLUMNS(UTS, "UTS", "uts"),
        TYPE_COLUMNS(IPC, "IPC", "ipc"),
        TYPE_COLUMNS(MNT, "MNT", "mnt"),
        TYPE_COLUMNS(PID, "PID", "pid"),
        TYPE_COLUMNS(USER, "USER", "user"),
        TYPE_COLUMNS(CGROUP, "CGROUP", "cgroup"),
        TYPE_COLUMNS(TIME, "TIME", "time"),
};

#define DEFAULT_COLUMNS "NAME,STATE,PIN,OWNER,CREATED,TYPES,NPROCS"

void columns_help(FILE *f)
{
        for (size_t i = 0; i < ELEMENTSOF(columns); i++) {
                char alias[32] = "";

                if (columns[i].alias)
                        snprintf(alias, sizeof(alias), " (lsns: %s)", columns[i].alias);
                fprintf(f, "  %-12s %s%s\n", columns[i].name, columns[i].help, alias);
        }
        fprintf(f, "Default: " DEFAULT_COLUMNS "\n");
}

static bool name_is(const char *name, const char *p, size_t len)
{
        return name && strlen(name) == len && strncasecmp(name, p, len) == 0;
}

/* Appends the columns of a comma list to ret. */
static int parse_into(const char *p, struct column_list *ret, const char **ret_bad,
                      size_t *ret_bad_len)
{
        for (;;) {
                size_t len = strcspn(p, ",");
                size_t i;

                for (i = 0; i < ELEMENTSOF(columns); i++)
                        if (name_is(columns[i].name, p, len) || name_is(columns[i].alias, p, len))
                                break;
                if (i == ELEMENTSOF(columns) || ret->n >= COLUMNS_MAX) {
                        *ret_bad = p;
                        *ret_bad_len = len;
                        return -EINVAL;
                }
                ret->col[ret->n++] = (int) i;
                if (p[len] == '\0')
                        return 0;
                p += len + 1;
        }
}

int columns_parse(const char *list, struct column_list *ret, const char **ret_bad,
                  size_t *ret_bad_len)
{
        int r;

        *ret = (struct column_list) {};
        if (!list || list[0] == '+') {
                r = parse_into(DEFAULT_COLUMNS, ret, ret_bad, ret_bad_len);
                if (r < 0)
                        return r;
                ret->full = true;
                ret->n_base = ret->n;
        }
        if (list)
                return parse_into(list[0] == '+' ? list + 1 : list, ret, ret_bad, ret_bad_len);
        return 0;
}

void columns_all(struct column_list *ret)
{
        *ret = (struct column_list) { .full = true };
        for (size_t i = 0; i < ELEMENTSOF(columns) && i < COLUMNS_MAX; i++)
                ret->col[ret->n++] = (int) i;
}

/* A raw cell is one word: what would split it or the line is escaped. */
static void print_raw(FILE *f, const char *cell)
{
        for (const unsigned char *p = (const unsigned char *) cell; *p; p++)
                if (*p <= ' ' || *p == '\\' || *p == 0x7f)
                        fprintf(f, "\\x%02x", *p);
                else
                        fputc(*p, f);
}

void columns_print_table(FILE *f, const struct nsk_set_info *sets, size_t n,
                         const struct procscan_result *counts, const struct column_list *cols,
                         bool headings, bool raw)
{
        int width[COLUMNS_MAX] = {};
        char cell[NSK_MESSAGE_MAX];

        /* Two passes: widths first, so the table lines up. */
        for (size_t c = 0; c < cols->n && !raw; c++) {
                const struct column *col = &columns[cols->col[c]];

                width[c] = headings ? (int) strlen(col->name) : 0;
                for (size_t i = 0; i < n; i++) {
                        col->cell(&sets[i], &counts[i], col->type, cell, sizeof(cell));
                        if ((int) strlen(cell) > width[c])
                                width[c] = (int) strlen(cell);
                }
        }
        for (size_t i = headings ? 0 : 1; i <= n; i++) {
                for (size_t c = 0; c < cols->n; c++) {
                        const struct column *col = &columns[cols->col[c]];
                        bool last = c + 1 == cols->n;

                        if (i == 0)
                                snprintf(cell, sizeof(cell), "%s", col->name);
                        else
                                col->cell(&sets[i - 1], &counts[i - 1], col->type, cell,
                                          sizeof(cell));
                        if (raw)
                                print_raw(f, cell);
                        else if (col->right)
                                fprintf(f, "%*s", width[c], cell);
                        else
                                fprintf(f, "%-*s", last ? 0 : width[c], cell);
                        fputs(last ? "\n" : raw ? " " : "  ", f);
                }
        }
}

void columns_print_json(FILE *f, const struct nsk_set_info *sets, size_t n,
                        const struct procscan_result *counts, const struct column_list *cols)
{
        const char *keys[COLUMNS_MAX];
        size_t n_keys = 0;

        for (size_t c = cols->full ? cols->n_base : 0; c < cols->n; c++)
                keys[n_keys++] = columns[cols->col[c]].json;
        fputc('[', f);
        for (size_t i = 0; i < n; i++) {
                if (i)
                        fputc(',', f);
                output_set_json_select(f, &sets[i], &counts[i], cols->full, keys, n_keys);
        }
        fputs("]\n", f);
}
