/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Set names: what the daemon accepts as a name and as a file name. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nskeeper.h"

/* 1-64 characters of [A-Za-z0-9_.-], not starting with '.' or '-'. Such a
 * name is safe as a single path component: never "", ".", ".." or "a/b". */
bool name_is_valid(const char *s);

/* A name as a request may give it: NAME, or UID/NAME (a decimal uid from
 * 1 to 4294967294 without leading zeros): the set NAME of user UID. */
bool name_full_is_valid(const char *s);
/* Splits a valid full name: *ret_name is its NAME; true and *ret_owner
 * the UID if one was given, false for a plain NAME. */
bool name_split(const char *s, uint32_t *ret_owner, const char **ret_name);

/* How the daemon files a set (registry, pins, state file, fd store): NAME
 * for root's, ~UID~NAME for a set of uid UID. '~' is in no name, so the
 * two never meet, and a key is a single path component. */
#define NAME_KEY_MAX (NSK_NAME_MAX + 12)
/* -ENAMETOOLONG if buf (at least NAME_KEY_MAX + 1) is too small. */
int name_key_make(uint32_t owner, const char *name, char *buf, size_t size);
/* Is key a valid key? Its owner and NAME part, if so. */
bool name_key_parse(const char *key, uint32_t *ret_owner, const char **ret_name);

/* A host or domain name for a new uts namespace: 1-64 characters of
 * [A-Za-z0-9.-], not starting with '.' or '-'. */
bool name_is_valid_hostname(const char *s);
