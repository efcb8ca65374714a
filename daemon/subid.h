/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Subordinate id ranges (subuid(5), subgid(5)): which outside ids a user
 * may map into a user namespace beyond its own. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Is [start, start + count) inside the ranges that 'text' (the contents
 * of a subuid or subgid file) grants to the user called 'name' or to
 * numeric id 'id'? Ranges of several lines may be joined. Pure. */
bool subid_text_covers(const char *text, const char *name, uint32_t id, uint32_t start,
                       uint32_t count);

/* What a subid file grants one user: read once, asked per map line. */
struct subid_grants {
        char *text; /* NULL: the file is missing or unreadable, it grants nothing */
        char *name; /* the user's name, if it has one */
        uid_t uid;
};

void subid_grants_load(const char *path, uid_t uid, struct subid_grants *ret);
bool subid_grants_cover(const struct subid_grants *g, uint32_t start, uint32_t count);
void subid_grants_done(struct subid_grants *g);

/* The user field ("name" or numeric uid) of the first line of 'text'
 * whose range holds id, copied into ret (NUL-terminated); false if no
 * line does or the field does not fit. Pure. */
bool subid_text_owner(const char *text, uint32_t id, char *ret, size_t size);
/* The uid whose subordinate range (in the file at path) holds uid, or
 * uid itself if none does: whom that id's use counts for. */
uid_t subid_owner(const char *path, uid_t uid);
