/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Bind pins: a namespace bind-mounted onto a file in the runtime
 * directory, so it lives without any process or fd. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "nstype.h"
#include "rundir.h"

/* Unmounts every mount stacked on dirfd/file and removes the file,
 * found through dirfd without following a symlink (never by a path of
 * names: a component swapped meanwhile cannot send the unmount
 * elsewhere). A missing file is fine. */
int pin_unlink_at(int dirfd, const char *file);

/* Unmounts the mount on top of dirfd/file, reached through the
 * directory's fd without following a symlink at file. 0, or -EINVAL if
 * it is no mount point, -ENOENT if there is no file. */
int pin_umount_top(int dirfd, const char *file);

/* The device of nsfs, the file system every namespace file is on. */
int nsfs_dev(dev_t *ret);

/* Bind-mounts the namespace nsfd onto the file fd is open on (O_PATH will
 * do), as a private mount where mount_setattr(2) works (a caller that
 * must have it private everywhere makes it so through a path to it:
 * extpin.c). */
int pin_bind_fd(int nsfd, int fd);

/* Opens the pin and checks it still holds a namespace of type t:
 * -ENOENT if the file is gone, -ESTALE if it is no longer a mount of one. */
int pin_open(const struct rundir *rd, const char *name, enum nsk_type t, int *ret_fd);

/* Pins every namespace of types (fds indexed by type) for set 'name':
 * each bind-mounted onto a new file (an existing one is never reused:
 * -EEXIST), in RUNDIR/ns/NAME, a directory of its own that must not
 * exist yet (mnt pins live apart, rundir.h). On failure removes what it
 * made, and only that. */
int pin_make_all(const struct rundir *rd, const char *name, nsk_type_mask_t types,
                 const int fds[NSK_TYPE_MAX]);
/* Unmounts and removes the pins of the types in mask (one already gone
 * is fine), and the set's pin directory unless mask is mnt alone;
 * errors are logged, the first returned. */
int pin_remove_all(const struct rundir *rd, const char *name, nsk_type_mask_t mask);

/*
 * Pinned ahead: a set made ahead for a pool (maker.h) is bind-pinned at
 * once, in RUNDIR/ns/.pool-ID (a name no set can have), so that a bind
 * create that takes it renames that directory to its own name: one
 * rename, where pinning costs a mount per type. Not mnt: its pin is a
 * mount point, which cannot be renamed.
 */
#define PIN_STAGED_PREFIX ".pool-"
#define PIN_STAGED_NAME_MAX 32
/* Pins fds (indexed by type) in .pool-ID; on failure leaves nothing. */
int pin_stage(const struct rundir *rd, uint64_t id, nsk_type_mask_t types,
              const int fds[NSK_TYPE_MAX]);
/* Makes .pool-ID the pin directory of set name, after checking that each
 * pin of types still holds the namespace of that inode: -EEXIST if name
 * has one (.pool-ID is left), -ESTALE if a pin does not (.pool-ID is
 * gone then), or another -errno from the rename. .pool-ID is made mode
 * 0700 and becomes 0755, as any set's, when taken. */
int pin_take_staged(const struct rundir *rd, uint64_t id, const char *name, nsk_type_mask_t types,
                    const uint64_t inode[NSK_TYPE_MAX]);
/* Unmounts and removes .pool-ID, one not taken. */
int pin_unstage(const struct rundir *rd, uint64_t id, nsk_type_mask_t types);
/* Is file (an entry of RUNDIR/ns) such a directory? After a crash the
 * next start removes each with pin_unstage_name(). */
bool pin_staged_name(const char *file);
int pin_unstage_name(const struct rundir *rd, const char *file);
