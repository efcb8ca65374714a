/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Set names: what the daemon accepts as a name and as a file name. */
#pragma once

#include <stdbool.h>

#include "nskeeper.h"

/* 1-64 characters of [A-Za-z0-9_.-], not starting with '.' or '-'. Such a
 * name is safe as a single path component: never "", ".", ".." or "a/b". */
bool name_is_valid(const char *s);

/* A host or domain name for a new uts namespace: 1-64 characters of
 * [A-Za-z0-9.-], not starting with '.' or '-'. */
bool name_is_valid_hostname(const char *s);
