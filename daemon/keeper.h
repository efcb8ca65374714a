/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Keepers: the init process kept alive in a set's pid namespace, and
 * what happens when one dies. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <event2/event.h>

struct set;
struct keeper;

/* Watches the keeper of set s (pidfd and lifeline taken). When it exits
 * the set is marked dead, with the reason. */
int keeper_attach(struct set *s, struct event_base *base, pid_t pid, int pidfd, int lifeline);

/* After a restart: finds the keeper by pid again, making sure it is the
 * init of the set's pid namespace (pid_ns_inode) and not a process that
 * got the pid since. Marks the set dead if it is gone. lifeline (taken,
 * may be -EBADF) is the one an fd-pinned set's keeper got back from the
 * fd store. */
int keeper_reattach(struct set *s, struct event_base *base, pid_t pid, uint64_t pid_ns_inode,
                    int lifeline);

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
/* Stops watching; the keeper lives on unless its lifeline closes. */
struct keeper *keeper_free(struct keeper *k);
/* At exit: forgets keepers still dying (init reaps them). */
void keeper_forget_dying(void);
pid_t keeper_pid(const struct keeper *k);
/* Is pid a keeper we watch (and reap through its pidfd)? */
bool keeper_tracks(pid_t pid);
/* The daemon's end of the lifeline (still owned by k), or -EBADF. */
int keeper_lifeline(const struct keeper *k);
