/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The control socket: accepting clients, reading requests, queueing
 * replies so that a slow client never holds up the others. */
#pragma once

#include <stdbool.h>
#include <sys/socket.h>
#include <event2/event.h>

#include "config.h"

struct server;
struct client;

/* Creates a SOCK_SEQPACKET listener at path, mode 0600, or 0660 and
 * group cfg->group with --group. A stale socket left by a dead daemon is
 * replaced; a live one is not (-EADDRINUSE). */
int server_listen(const char *path, const struct config *cfg, int *ret_fd);

/* What the server tells the layer above, with the userdata given to
 * server_new(). */
struct server_handlers {
        /* One request of c: every request gets a reply, now or later. */
        void (*dispatch)(struct client *c, const void *buf, size_t len, void *userdata);
        /* A connection was accepted (and allowed) or has closed; c is
         * valid during the call. */
        void (*on_open)(struct client *c, void *userdata);
        void (*on_close)(struct client *c, void *userdata);
};

/* Serves on listen_fd (taken). unlink_path, if set, is removed at the end. */
int server_new(struct event_base *base, int listen_fd, const char *unlink_path,
               const struct config *cfg, const struct server_handlers *handlers, void *userdata,
               struct server **ret);
struct server *server_free(struct server *srv);

unsigned server_client_count(const struct server *srv);

/* Clients stay allocated while referenced (a create in flight keeps its
 * client); client_alive() says whether the connection is still open. */
struct client *client_ref(struct client *c);
struct client *client_unref(struct client *c);
bool client_alive(const struct client *c);
const struct ucred *client_cred(const struct client *c);
/* Whom the client's use counts for: root 0; a member's subordinate uid
 * counts for that member (subid_owner()). */
uid_t client_account(const struct client *c);
/* The connection is meant to stay (MONITOR): no idle timeout for it. */
void client_keep_open(struct client *c);

/* Sends one datagram with fds (taken: closed once sent or dropped). On a
 * full socket it is queued; a client that stops reading is dropped. While
 * anything is queued the client's next request waits unread: one request
 * at a time, so what a connection makes the daemon hold stays about one
 * maximal message. */
int client_send(struct client *c, const void *buf, size_t len, int *fds, size_t n_fds);
/* Is a reply of c waiting in the queue (its socket full)? */
bool client_busy(const struct client *c);
/* A reply too long for one go: fn(c, userdata) is called each time c's
 * queue has drained, until it returns 0 (done; free_fn(userdata) is
 * called then, or when the connection closes first). Meanwhile c's next
 * request waits. */
typedef int (*client_resume_fn)(struct client *c, void *userdata);
void client_set_resume(struct client *c, client_resume_fn fn, void *userdata,
                       void (*free_fn)(void *));
