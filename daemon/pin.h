/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Bind pins: a namespace bind-mounted onto a file in the runtime
 * directory, so it lives without any process or fd. */
#pragma once

#include "nstype.h"
#include "rundir.h"

/* RUNDIR/ns/NAME, which must not exist yet (-EEXIST). */
int pin_dir_make(const struct rundir *rd, const char *name);
/* Removes RUNDIR/ns/NAME; a missing directory is fine. */
int pin_dir_remove(const struct rundir *rd, const char *name);

/* Bind-mounts nsfd onto a new file for namespace t of set 'name'. An
 * existing file is never reused (-EEXIST). */
int pin_make(const struct rundir *rd, const char *name, enum nsk_type t, int nsfd);

/* Unmounts every mount stacked on dirfd/file, through an fd opened there
 * without following a symlink (never by path: a component swapped
 * meanwhile cannot send the unmount elsewhere). A missing file is fine. */
int pin_umount_at(int dirfd, const char *file);

/* Unmounts and removes the pin; one that is already gone is fine. */
int pin_remove(const struct rundir *rd, const char *name, enum nsk_type t);

/* Opens the pin and checks it still holds a namespace of type t:
 * -ENOENT if the file is gone, -ESTALE if it is no longer a mount of one. */
int pin_open(const struct rundir *rd, const char *name, enum nsk_type t, int *ret_fd);

/* Pins every namespace of types (fds indexed by type) for set 'name',
 * in a directory of its own (-EEXIST if there is one). On failure
 * removes what it made, and only that. */
int pin_make_all(const struct rundir *rd, const char *name, nsk_type_mask_t types,
                 const int fds[NSK_TYPE_MAX]);
/* Removes the pins of the types in mask, and the set's pin directory
 * unless mask is mnt alone; errors are logged, the first returned. */
int pin_remove_all(const struct rundir *rd, const char *name, nsk_type_mask_t mask);
