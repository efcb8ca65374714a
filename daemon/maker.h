/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The maker: a long-lived helper that makes root's sets of net, uts,
 * ipc, cgroup and mnt in place, one after another, with no process per
 * set (its own side, and why it is safe, is maker-child.c). Requests are
 * sent as they come and each process answers its own in order; the event
 * loop never waits. The first process starts at the first create it can
 * make; while every one is at work another starts, up to one per CPU, so
 * creates in parallel get the kernel's parallelism. One that died is
 * started again when needed; a create in flight when it dies fails, as
 * with any helper. */
#pragma once

#include <event2/event.h>
#include <stdbool.h>
#include <sys/types.h>

#include "launch.h"
#include "rundir.h"

struct maker;
struct maker *maker_new(struct event_base *base);
/* Ends the maker and reports each create in flight as -ECANCELED. */
struct maker *maker_free(struct maker *mk);

/* May the maker make this set: for root, of MAKER_TYPES only (mnt only
 * where the daemon has CAP_SYS_CHROOT, which going back into a mount
 * namespace takes)? */
bool maker_can(const struct maker *mk, nsk_type_mask_t types, uid_t uid, gid_t gid);

/* Sends the maker a set to make; done is called once, as a helper's
 * (launch.h), with the maker's error messages. -EAGAIN: the maker
 * cannot take it now (it cannot be started, or has too much in flight):
 * a helper of its own must make it. */
int maker_make(struct maker *mk, const char *name, nsk_type_mask_t types,
               const struct nsk_settings *settings, helper_done_fn done, void *userdata);

/* --pool: keeps n sets of types (MAKER_TYPES but mnt) made ahead with
 * no settings, each bind-pinned ahead in rd (pin.h); a create of exactly
 * those types with no settings takes one (answered on the loop's next
 * turn, without a word with the maker), a bind create its pins too; a
 * pool down to half is filled again in one burst, in the background.
 * What a set made ahead copied from the daemon's namespaces (a uts
 * namespace's hostname) is what they had when it was made. Starts
 * filling the pool now. Up to MAKER_POOLS_MAX pools, of different types
 * (-EEXIST, -E2BIG). */
#define MAKER_POOLS_MAX 4
int maker_pool(struct maker *mk, const struct rundir *rd, nsk_type_mask_t types, unsigned n);

/* Is pid the maker (reaped through its pidfd)? */
bool maker_tracks(const struct maker *mk, pid_t pid);
/* Creates sent to it and not answered yet. */
unsigned maker_pending(const struct maker *mk);
