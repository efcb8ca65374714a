/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libnskeeper: the client side of nskeeperd's control socket. Connect,
 * ask for sets, receive their namespace fds and join them. Functions
 * return >= 0 on success and -errno on failure; nsk_client_error() then
 * gives the reason in words ("not found", "already exists"), for the
 * caller to put after the command and set it asked about. */
#pragma once

#include <stddef.h>
#include <sys/types.h>

#include "proto.h"

struct nsk_client;

/* path NULL: $NSKEEPER_SOCKET, else NSK_SOCKET_DEFAULT. Refuses a socket
 * whose server is not root (-EPERM). On failure *ret gets a client that
 * only carries the error text (or NULL when out of memory); free it. */
int nsk_connect(const char *path, struct nsk_client **ret);
struct nsk_client *nsk_client_free(struct nsk_client *c);
const char *nsk_client_error(const struct nsk_client *c);

/* types 0: the daemon's default (net,uts,ipc). */
int nsk_create(struct nsk_client *c, const char *name, nstype_mask_t types, enum nsk_pin pin,
               const struct nsk_settings *settings, struct nsk_set_info *ret_set);

/* Asks for the fds of the types in 'types' (0: all the set has). Each
 * received fd is checked with NS_GET_NSTYPE. ret_fds is indexed by
 * enum nstype; types not received are -EBADF. */
int nsk_get_fds(struct nsk_client *c, const char *name, nstype_mask_t types,
                int ret_fds[NSTYPE_MAX], struct nsk_set_info *ret_set);

int nsk_list(struct nsk_client *c, struct nsk_set_info **ret_sets, size_t *ret_n);
int nsk_show(struct nsk_client *c, const char *name, struct nsk_set_info *ret_set);
int nsk_release(struct nsk_client *c, const char *name);

void nsk_sets_free(struct nsk_set_info *sets, size_t n);

/* Takes existing namespaces under management as set 'name' (root only):
 * those of process pid (pid > 0: every type that differs from PID 1's,
 * or those in 'types'), or the namespace files at paths. */
int nsk_adopt(struct nsk_client *c, const char *name, pid_t pid, const char *const *paths,
              size_t n_paths, nstype_mask_t types, enum nsk_pin pin, struct nsk_set_info *ret_set);

/* Streams events: fn is called for each (the set is described fully if
 * it is the caller's) until it returns < 0, which nsk_monitor returns,
 * or the daemon goes away (-ECONNRESET). */
typedef int (*nsk_event_fn)(enum nsk_event e, const struct nsk_set_info *set, void *userdata);
int nsk_monitor(struct nsk_client *c, nsk_event_fn fn, void *userdata);

/* setns() into each fd that is set, always naming the expected type.
 * Two passes around the user namespace, as nsenter(1) does: first every
 * other type (those refused with EPERM are put off), then user, then
 * what was put off, which the user namespace may now allow. On failure
 * *ret_failed (if given) is the type that could not be joined. The
 * caller must be single-threaded for mnt and user. pid and time apply to
 * children: fork afterwards. */
int nsk_join_fds(const int fds[NSTYPE_MAX], enum nstype *ret_failed);

/* The namespace of type t that set s has, or NULL. */
const struct nsk_ns_info *nsk_set_ns(const struct nsk_set_info *s, enum nstype t);
