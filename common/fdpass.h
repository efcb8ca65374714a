/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One datagram with file descriptors attached (SCM_RIGHTS), both ways. */
#pragma once

#include <stddef.h>
#include <sys/types.h>

#define FDPASS_MAX 16 /* fds one datagram may carry */

/* Sends buf and the n_fds fds (not closed) in one datagram, with
 * MSG_NOSIGNAL. Returns 0 or -errno (-EAGAIN on a full non-blocking
 * socket). */
int fdpass_send(int sock, const void *buf, size_t len, const int *fds, size_t n_fds);

/* Receives one datagram into buf with up to max_fds fds, all of them
 * close-on-exec. Returns the datagram size (0 at end of stream) and the
 * fds in ret_fds/ret_n_fds. Whatever is doubtful is refused and every fd
 * that arrived with it closed: a datagram larger than size (-EMSGSIZE),
 * more fds than max_fds or a truncated control message (-EBADMSG), a
 * control message other than SCM_RIGHTS (-EBADMSG), an empty datagram
 * with fds (-EBADMSG). ret_fds may be NULL when max_fds is 0. */
ssize_t fdpass_recv(int sock, void *buf, size_t size, int *ret_fds, size_t max_fds,
                    size_t *ret_n_fds);
