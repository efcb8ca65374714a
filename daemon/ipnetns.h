/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The ip-netns(8) view of a set's net namespace: a bind mount at
 * NETNS_DIR/NAME (default /run/netns), so ip netns list/exec and ip -n
 * work with it. */
#pragma once

#include <stdint.h>

/* Prepares dir as ip(8) does (a shared mount of its own, set up under a
 * lock on the directory) and bind-mounts nsfd onto dir/name, which must
 * not exist (-EEXIST). */
int ipnetns_add(const char *dir, const char *name, int nsfd);

/* Removes dir/name if it is still the namespace with that inode. */
int ipnetns_remove(const char *dir, const char *name, uint64_t inode);
