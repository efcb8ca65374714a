/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Pins at paths a set's creator chose (settings.pins_at), besides the
 * set's own: where a caller such as CRI-O expects its pinns' pins. Root's
 * sets only; the paths are the creator's, so they are reached by name
 * (a symlinked /var/run included) but never through a symlink at the
 * pin itself. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "mountwatch.h"
#include "set.h"

/* Bind-mounts nsfd onto path: a new file (mode 0, as pinns makes them;
 * *ret_made is then true), or an empty regular file the caller made (and
 * maybe chowned) for it. Every directory and symlink on the way must be
 * root's (-EPERM, msg says which is not). -EBUSY if a namespace is
 * mounted there already; -ENOENT if its directory is missing. */
int extpin_add(const char *path, int nsfd, bool *ret_made, char *msg, size_t size);

/* Unmounts the pins of the namespace with that inode at path; anything
 * else there (or nothing) is left alone, and so is the file, which is
 * its creator's. */
int extpin_remove(const char *path, uint64_t inode);

/* The directories of pins at creators' paths with their symlinks
 * resolved, kept for one look at the mount table: CRI-O's pods share a
 * few, so each is resolved once a scan, not once a pod. */
#define EXTPIN_DIRS_MAX 16
struct extpin_dir {
        char *dir, *real; /* real: NULL if it cannot be resolved (err) */
        int err;
};
struct extpin_dirs {
        unsigned n;
        struct extpin_dir e[EXTPIN_DIRS_MAX];
};
void extpin_dirs_done(struct extpin_dirs *dirs);

/* Whether the mount table m still has one of s's pins at its creator's
 * paths (each as the kernel spells it: its directory's symlinks
 * resolved, through dirs, which starts zeroed). */
bool extpin_set_present(const struct set *s, const struct mounts *m, struct extpin_dirs *dirs);

/* extpin_remove() of each of s's pins at its creator's paths; what
 * cannot be removed is logged. */
void extpin_remove_set(const struct set *s);
