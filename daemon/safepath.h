/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Paths the daemon trusts with root's work (the runtime directory, the
 * socket's directory, --netns-dir): every directory on the way must be
 * root's, writable by no one else, and no symlink, or another user could
 * swap a component and send the daemon's mounts and unmounts elsewhere. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Checks each directory of the absolute path from / down, making those
 * that do not exist yet (mode 0755) as it goes: one left for later could
 * be made by someone else first. A world-writable directory with the
 * sticky bit, as /tmp, may be on the way (no one else can replace root's
 * entries in it), but not be the last. parent_only: the last component
 * is a file, neither checked nor made. 0, or -EPERM/-ELOOP/... with what
 * is wrong in msg. */
int safepath_check(const char *path, bool parent_only, char *msg, size_t size);
