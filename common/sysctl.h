/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Per-namespace sysctls: checking "key=value" and finding the file. */
#pragma once

#include <stddef.h>

#include "nstype.h"

/* Splits "key=value", converts the key as sysctl.d(5) does (dots
 * separate unless the first separator is a slash, then the other way
 * round: "net.ipv4.conf.eth0/1.forwarding" and
 * "net/ipv4/conf/eth0.1/forwarding" are the same file) into a path
 * relative to /proc/sys, and says which namespace type owns it.
 *   -EINVAL        no '=', empty key, empty or "."/".." component, a
 *                  character outside [A-Za-z0-9_.:@+-], a newline in the
 *                  value
 *   -EOPNOTSUPP    a key that belongs to no namespace nskeeper makes
 *                  (only net.* and the ipc ones: kernel.shm*, kernel.msg*,
 *                  kernel.sem*, fs.mqueue.*)
 *   -ENAMETOOLONG  longer than the buffer
 * ret_value points into assignment. */
int sysctl_parse(const char *assignment, char *ret_path, size_t size, const char **ret_value,
                 enum nsk_type *ret_type);
