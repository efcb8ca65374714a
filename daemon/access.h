/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Who may do what. Root may do everything; another uid (a member of
 * --group) only what cannot reach beyond itself: sets with a user
 * namespace of its own, mapping only ids it owns, within its quota. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "config.h"
#include "registry.h"
#include "set.h"

/* 0, or -EPERM/-EDQUOT with the reason in msg. */
int access_check_create(const struct config *cfg, struct registry *reg, const struct ucred *cred,
                        uid_t account, nsk_type_mask_t types, const struct nsk_settings *s,
                        char *msg, size_t size);

/* Is uid a member of --group (by its primary group or the group's member
 * list)? False without --group. Looks the user up (NSS). */
bool access_is_member(const struct config *cfg, uid_t uid);

/* May cred see the details of s, get its fds or release it? */
bool access_owns(const struct ucred *cred, const struct set *s);
