/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Keepers: the init process kept alive in a set's pid namespace. A
 * keeper that dies is reported to whoever attached it. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <event2/event.h>

struct set;
struct keeper;
struct keepers;

/* Every keeper the daemon watches, and those it released that are still
 * dying (to be reaped). */
struct keepers *keepers_new(struct event_base *base);
/* At exit: stops watching every keeper (each lives on unless its
 * lifeline closes) and forgets those still dying (init reaps them). */
struct keepers *keepers_free(struct keepers *ks);
/* Is pid a keeper we watch (and reap through its pidfd)? */
bool keepers_tracks(const struct keepers *ks, pid_t pid);

/* Called once when the keeper of s exits, with what is known of how. */
typedef void (*keeper_exit_fn)(struct set *s, const char *reason, void *userdata);

/* Watches the keeper of set s (pidfd and lifeline taken) and makes it
 * s->keeper; on_exit(s, reason, userdata) when it exits. */
int keeper_attach(struct keepers *ks, struct set *s, pid_t pid, int pidfd, int lifeline,
                  keeper_exit_fn on_exit, void *userdata);

/* Watches pid (pidfd taken), the init of an adopted pid namespace that is
 * not ours, as s->keeper: on_exit when it dies, but releasing s only
 * stops the watch. s->keeper_pid stays 0 (it is no keeper of ours). */
int keeper_watch(struct keepers *ks, struct set *s, pid_t pid, int pidfd, keeper_exit_fn on_exit,
                 void *userdata);

/* After a restart: a pidfd of pid if it is still the live init of the
 * pid namespace pid_ns_inode (not a process that got the pid since),
 * else -ESRCH. */
int keeper_find(pid_t pid, uint64_t pid_ns_inode);

/* The init of the pid namespace pid_ns_inode (the process that is pid 1
 * in it), found by a walk over /proc, and a pidfd of it (keeper_find's
 * checks); -ESRCH if there is none to be found (it died, or this /proc
 * is another pid namespace's). */
int keeper_find_init(uint64_t pid_ns_inode, pid_t *ret_pid, int *ret_pidfd);

/* After a restart: kills the process with this pid if it is the init of
 * the pid namespace pid_ns_inode, a keeper no set owns. True if it did. */
bool keeper_kill_stray(pid_t pid, uint64_t pid_ns_inode);

/* Kills the keeper, and with it every process in the pid namespace, and
 * detaches it from its set; it is reaped (and freed) when it is gone. */
void keeper_release(struct keeper *k);
/* Tells the keeper through its lifeline that its set is for good (a
 * bind set, recorded in its state file): it stays when the lifeline
 * closes, which it then does. Until then, the keeper exits when the
 * daemon's end of its lifeline closes, the daemon dying included, so a
 * set cut short by a crash leaves no keeper behind. */
void keeper_make_permanent(struct keeper *k);
/* The daemon's end of the lifeline (still owned by k), or -EBADF. */
int keeper_lifeline(const struct keeper *k);
