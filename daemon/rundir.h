/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The runtime directory: its lock, its layout and the two pin mounts. */
#pragma once

#include <stdbool.h>

#include "nstype.h"

/* RUNDIR/lock     held (flock) for the daemon's lifetime: one daemon a directory
 * RUNDIR/state/   one metadata file per set (see state.c)
 * RUNDIR/ns/      pins of every type but mnt: RUNDIR/ns/NAME/TYPE; a shared
 *                 self-bind mount, so later pins reach mount namespaces that
 *                 copied it (as ip-netns(8) does for /run/netns)
 * RUNDIR/mnt/     mnt pins: RUNDIR/mnt/NAME; a private self-bind mount,
 *                 because binding a mount namespace onto a shared mount
 *                 fails with EINVAL (it could create a loop, mount(2)) */
struct rundir {
        char *path;
        const char *netns_dir; /* where --ip-netns sets appear, /run/netns */
        int fd;
        int lock_fd;
        int state_fd;
        int ns_fd;
        int mnt_fd;
        unsigned made; /* what rundir_open() created (rundir.c), for rundir_discard() */
};

/* Creates what is missing, refuses a directory that is not root's or is
 * writable by others and takes the lock (-EBUSY when another daemon
 * holds it). */
int rundir_open(const char *path, struct rundir **ret);
/* Makes ns/ and mnt/ the mounts described above; done under the lock,
 * once the daemon knows it can start, and idempotent. */
int rundir_prepare_mounts(struct rundir *rd);
struct rundir *rundir_free(struct rundir *rd);
/* For a start that was refused: removes what rundir_open() created (its
 * lock, unlinked while still held, and empty subdirectories), the
 * directory itself too if dir_too and it is empty, and frees rd. What
 * existed before stays. */
struct rundir *rundir_discard(struct rundir *rd, bool dir_too);

/* The path of the pin of namespace t of set 'name' ("" on overflow). */
int rundir_pin_path(const struct rundir *rd, const char *name, enum nsk_type t, char *buf,
                    size_t size);
