/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A set's CNI networks (settings.networks): attached after its net
 * namespace is pinned, detached before it is released, checked on
 * request. Each network's chain runs in a child process of its own
 * (cni-child.h), one network after the other, watched on the event loop:
 * a slow plugin delays only the set it works for. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>
#include <event2/event.h>

#include "rundir.h"
#include "set.h"

struct networks;

/* Where configurations and plugins are found (NULL: the defaults of
 * cni.h and cni-run.h). The strings must outlive the object. */
struct networks *networks_new(struct event_base *base, const struct rundir *rd,
                              const char *conf_dirs, const char *cni_path);
/* Kills every chain still at work (its set keeps what it had). */
struct networks *networks_free(struct networks *nw);

/* Is pid a chain's child (reaped through its pidfd)? */
bool networks_tracks(const struct networks *nw, pid_t pid);

/* Whether networks cannot be attached here at all (our sandbox refuses
 * what plugins need); msg says why. */
bool networks_refused(const struct networks *nw, char *msg, size_t size);

/* error 0, or -errno and msg (which names the network and the plugin). */
typedef void (*network_done_fn)(int error, const char *msg, void *userdata);

/* The ADD of each of s's networks, in order; each result is kept in s
 * (s->net_results[i], and what it made in settings.networks[i]). When
 * one fails, those added before are DELeted, in reverse, before done is
 * called with the ADD's error. s must stay until done is called. */
int network_attach(struct networks *nw, struct set *s, network_done_fn done, void *userdata);
/* The DEL of each of s's networks, in reverse order, with the result of
 * its ADD if there is one. Goes on past failures; done gets the first
 * error, msg all of them. */
int network_detach(struct networks *nw, struct set *s, network_done_fn done, void *userdata);
/* The CHECK of each network, in order; done gets the first error, msg
 * every network that failed. */
int network_check(struct networks *nw, struct set *s, network_done_fn done, void *userdata);

/* At a stop where fd-pinned sets end with the daemon: each network of
 * each of them is DELeted now, waited for (the event loop is over), so
 * that no address lease outlives its namespace; a CHECK or release at
 * work on one is cancelled first (answered -ECANCELED). */
struct registry;
void networks_detach_fd_sets(struct networks *nw, struct registry *reg);

/* Fills n's result fields (mac, addresses, gateways, routes,
 * nameservers) from result, the JSON of its ADD: what it made on the
 * interface n->ifname inside the namespace. */
int network_fill(struct nsk_network *n, const char *result);
