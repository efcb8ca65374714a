/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What systemd hands over at start (sd_listen_fds_with_names(3)): a
 * socket-activated control socket, and its fd store, which keeps the
 * namespaces of fd-pinned sets across restarts of the daemon. */
#pragma once

#include <stddef.h>

#include "set.h"

/* Takes the fds passed at start. *ret_listen_fd gets the control socket
 * (an AF_UNIX SOCK_SEQPACKET listener) if one came, else -EBADF; every
 * other fd is kept for fdstore_claim(). Nothing without systemd. */
int fdstore_receive(int *ret_listen_fd);

/* Keeps fd (taken) under name as if it had been passed at start. */
int fdstore_put_take(const char *name, int fd);
size_t fdstore_pending(void);

/* Gives fd-pinned set s (read from its state file) its namespace fds
 * back. Each must have come, under "NAME.TYPE", be a namespace of that
 * type (NS_GET_NSTYPE) and have the inode the state file recorded;
 * otherwise nothing is taken and the result is -ENOENT or -ESTALE.
 * *ret_lifeline gets the keeper's lifeline ("NAME.lifeline"), or -EBADF. */
int fdstore_claim(struct set *s, int *ret_lifeline);

/* Closes every fd no set claimed and removes it from the store. */
void fdstore_flush(void);

/* FDSTORE=1 for each namespace of fd-pinned set s, and for its keeper's
 * lifeline; FDSTOREREMOVE=1 for all of them. No-ops without systemd. */
int fdstore_add_set(const struct set *s);
void fdstore_remove_set(const struct set *s);
