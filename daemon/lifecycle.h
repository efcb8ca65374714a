/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The lifecycle of a set: the one place that sequences the mechanisms
 * (keeper, pins, state file, fd store, ip netns) to make a set exist, to
 * end it or to mark it dead, and that reports each change upward. */
#pragma once

#include <stddef.h>
#include <event2/event.h>

#include "helper.h"
#include "keeper.h"
#include "mountwatch.h"
#include "registry.h"
#include "rundir.h"

struct lifecycle;

/* Every change the outside may see: a set created, adopted, released,
 * dead, or a pin or ip netns entry found missing. */
typedef void (*lifecycle_event_fn)(enum nsk_event e, const struct set *s, void *userdata);

struct lifecycle *lifecycle_new(const struct rundir *rd, struct registry *reg, struct keepers *ks,
                                lifecycle_event_fn on_event, void *userdata);
struct lifecycle *lifecycle_free(struct lifecycle *lc);

/*
 * Publishing a set, for create and adopt alike:
 *   1. lifecycle_reserve(): the name is taken (the set is SET_CREATING:
 *      not listed, not handed out), so a second create of it fails at
 *      once while the first is at work;
 *   2. lifecycle_publish(): its keeper is watched, its namespaces
 *      pinned, its state file committed; then it is SET_READY and the
 *      event goes out;
 *   or lifecycle_abandon(), if it never got its namespaces.
 * A bind set is pinned, then committed in three steps: .NAME.tmp
 * written, the keeper made permanent, the file renamed into place. A crash
 * before the rename leaves .NAME.tmp, whose keeper the next start ends
 * (recover.c); after it, the set is whole. On any failure exactly what
 * was made is undone, the name freed and the set freed.
 */
int lifecycle_reserve(struct lifecycle *lc, const char *key, nsk_type_mask_t types,
                      enum nsk_pin pin, uid_t owner, struct set **ret);
/* Takes every fd of res (indexed by type, all of s->types; a keeper if
 * a helper made one). e is NSK_EVENT_CREATED or NSK_EVENT_ADOPTED. On failure
 * msg says which step failed and why, and s is gone. */
int lifecycle_publish(struct lifecycle *lc, struct set *s, struct helper_result *res,
                      enum nsk_event e, char *msg, size_t size);
void lifecycle_abandon(struct lifecycle *lc, struct set *s);
/* lifecycle_publish() in two steps, for a set that has more to do
 * between them (its networks): committed (pinned, state file in place)
 * but still SET_CREATING, then ready and announced. A committed set
 * that is not to be is withdrawn: unpinned and forgotten without an
 * event (if its state file cannot be removed it is marked dead, and
 * that is announced). */
int lifecycle_commit(struct lifecycle *lc, struct set *s, struct helper_result *res, char *msg,
                     size_t size);
void lifecycle_announce(struct lifecycle *lc, struct set *s, enum nsk_event e);
void lifecycle_withdraw(struct lifecycle *lc, struct set *s);
/* Writes s's state file anew (its networks' results changed). */
int lifecycle_save(struct lifecycle *lc, struct set *s);

/* The reverse, for a ready or dead set. The keeper is killed first, and
 * with it everything in the set's pid namespace; then the state file
 * goes, so a crash midway leaves a dead set or pins without state (which
 * the next start removes), never a live keeper of no set. 0: the set is
 * gone (freed). Fails only if the state file cannot be removed: the set
 * is then dead, s->dead_reason says why. */
int lifecycle_release(struct lifecycle *lc, struct set *s);

/* Pins of the types in mask (and with ip_netns, its ip netns entry)
 * were found gone or replaced: the set is damaged, for good (the daemon
 * never pins again what someone else removed). The event goes out once
 * for what was not known missing already. */
void lifecycle_pins_missing(struct lifecycle *lc, struct set *s, nsk_type_mask_t mask,
                            bool ip_netns);
/* Compares every ready set's bind pins and ip netns entry with the
 * mount table m. Never races the daemon's own pins: a set is pinned and
 * made ready, or unpinned and forgotten, within one callback of the
 * event loop, and m is read afterwards (mountwatch.h). */
void lifecycle_check_mounts(struct lifecycle *lc, const struct mounts *m);

/* After a restart: watches the keeper of recovered set s (lifeline
 * taken, may be -EBADF) if it is still the init of the set's pid
 * namespace, else marks s dead. One it cannot watch (out of memory) is
 * logged, and s left as it is. */
void lifecycle_rewatch_keeper(struct lifecycle *lc, struct set *s, pid_t pid, int lifeline);

/* An adopted set with a pid namespace: watches its own init (never
 * killing it), so that the set is marked dead when it dies, as it can
 * take no new process then. Logged if it cannot be found. Publishing an
 * adopted set does this; recovery calls it itself. */
void lifecycle_watch_init(struct lifecycle *lc, struct set *s);

/* At a stop without a service manager to keep their fds: fd-pinned sets
 * end, leaving nothing that looks like one (state file, ip netns entry,
 * keeper). No events, but for a set whose state file cannot be removed:
 * it is marked dead. */
void lifecycle_end_fd_sets(struct lifecycle *lc);
