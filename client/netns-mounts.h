/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The file system view ip-netns(8) exec gives a command, for join: a
 * private mount namespace with a sysfs of the joined network namespace on
 * /sys and the files of /etc/netns/NAME bound over their names in /etc. */
#pragma once

#include <stdint.h>

#include "nskeeper.h"

/* Does a join of these types need it? Only one that enters a network
 * namespace but no mount namespace of the set: where it enters the set's
 * mount namespace, the set's own mounts are what the command sees. */
static inline bool netns_mounts_needed(nsk_type_mask_t joined)
{
        return (joined & NSK_TYPE_BIT(NSK_TYPE_NET)) && !(joined & NSK_TYPE_BIT(NSK_TYPE_MNT));
}

/* Call in the namespaces joined, before running the command. set names
 * the set in messages; owner and name say which directory of /etc/netns
 * is the set's. Returns 0, or the exit status after saying why. */
int netns_mounts_setup(const char *set, uint32_t owner, const char *name);
