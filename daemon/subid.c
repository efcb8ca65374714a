/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading subordinate id files. Lines are "user:start:count", where user
 * is a name or a numeric uid; anything else on a line makes it count for
 * nothing. */

#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "subid.h"
#include "util.h"

#define SUBID_FILE_MAX (1 << 20)

static bool parse_u32(const char *s, size_t n, uint32_t *ret)
{
        uint64_t v = 0;

        if (n == 0 || n > 10)
                return false;
        for (size_t i = 0; i < n; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return false;
                v = v * 10 + (uint64_t) (s[i] - '0');
        }
        if (v > UINT32_MAX)
                return false;
        *ret = (uint32_t) v;
        return true;
}

static bool line_is_for(const char *user, size_t n, const char *name, uint32_t id)
{
        uint32_t v;

        if (name && strlen(name) == n && memcmp(user, name, n) == 0)
                return true;
        return parse_u32(user, n, &v) && v == id;
}

bool subid_text_covers(const char *text, const char *name, uint32_t id, uint32_t start,
                       uint32_t count)
{
        uint64_t want = start, end = (uint64_t) start + count;
        bool progress = true;

        if (count == 0)
                return false;
        /* Grow [start, want) over the granted ranges until it reaches end;
         * ranges may come in any order, so go round until nothing helps. */
        while (want < end && progress) {
                const char *p = text;

                progress = false;
                while (*p) {
                        size_t len = strcspn(p, "\n");
                        const char *c1 = memchr(p, ':', len), *c2;
                        uint32_t s, k;

                        c2 = c1 ? memchr(c1 + 1, ':', len - (size_t) (c1 + 1 - p)) : NULL;
                        if (c1 && c2 && line_is_for(p, (size_t) (c1 - p), name, id) &&
                            parse_u32(c1 + 1, (size_t) (c2 - c1 - 1), &s) &&
                            parse_u32(c2 + 1, len - (size_t) (c2 + 1 - p), &k) && s <= want &&
                            (uint64_t) s + k > want) {
                                want = (uint64_t) s + k;
                                progress = true;
                        }
                        p += len;
                        if (*p == '\n')
                                p++;
                }
        }
        return want >= end;
}

static char *read_file(const char *path)
{
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *text = NULL;
        struct stat st;
        ssize_t n;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > SUBID_FILE_MAX)
                return NULL;
        text = malloc((size_t) st.st_size + 1);
        if (!text)
                return NULL;
        n = read(fd, text, (size_t) st.st_size);
        if (n < 0)
                return NULL;
        text[n] = '\0';
        if (strlen(text) != (size_t) n)
                return NULL;
        return TAKE_PTR(text);
}

bool subid_text_owner(const char *text, uint32_t id, char *ret, size_t size)
{
        for (const char *p = text; *p;) {
                size_t len = strcspn(p, "\n");
                const char *c1 = memchr(p, ':', len), *c2;
                uint32_t s, k;

                c2 = c1 ? memchr(c1 + 1, ':', len - (size_t) (c1 + 1 - p)) : NULL;
                if (c1 && c2 && c1 > p && parse_u32(c1 + 1, (size_t) (c2 - c1 - 1), &s) &&
                    parse_u32(c2 + 1, len - (size_t) (c2 + 1 - p), &k) && s <= id &&
                    (uint64_t) s + k > id) {
                        if ((size_t) (c1 - p) >= size)
                                return false;
                        memcpy(ret, p, (size_t) (c1 - p));
                        ret[c1 - p] = '\0';
                        return true;
                }
                p += len;
                if (*p == '\n')
                        p++;
        }
        return false;
}

uid_t subid_owner(const char *path, uid_t uid)
{
        _cleanup_free_ char *text = read_file(path);
        struct passwd pw, *res = NULL;
        char user[256], pwbuf[4096];
        uint32_t v;

        if (!text || !subid_text_owner(text, (uint32_t) uid, user, sizeof(user)))
                return uid;
        if (parse_u32(user, strlen(user), &v))
                return (uid_t) v;
        if (getpwnam_r(user, &pw, pwbuf, sizeof(pwbuf), &res) == 0 && res)
                return res->pw_uid;
        return uid;
}

void subid_grants_load(const char *path, uid_t uid, struct subid_grants *ret)
{
        struct passwd pw, *res = NULL;
        char pwbuf[4096];

        *ret = (struct subid_grants) { .uid = uid, .text = read_file(path) };
        if (ret->text && getpwuid_r(uid, &pw, pwbuf, sizeof(pwbuf), &res) == 0 && res)
                ret->name = strdup(res->pw_name);
}

bool subid_grants_cover(const struct subid_grants *g, uint32_t start, uint32_t count)
{
        return g->text && subid_text_covers(g->text, g->name, (uint32_t) g->uid, start, count);
}

void subid_grants_done(struct subid_grants *g)
{
        g->text = mfree(g->text);
        g->name = mfree(g->name);
}
