/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A namespace set: what the daemon knows of it and how it is pinned. */
#pragma once

#include <stdint.h>
#include <sys/types.h>

#include "name.h"
#include "proto.h"
#include "rundir.h"

enum set_state {
        SET_CREATING, /* name reserved, helper at work; not listed */
        SET_READY,
        SET_DEAD, /* listed, never handed out; release is all it is good for */
        SET_STATE_MAX,
};

struct keeper;

struct set {
        char name[NAME_KEY_MAX + 1]; /* its key (name.h): NAME, or ~UID~NAME */
        enum nsk_pin pin;
        enum set_state state;
        uint64_t created;
        uid_t owner;
        nsk_type_mask_t types;
        uint64_t inode[NSK_TYPE_MAX];
        int fd[NSK_TYPE_MAX]; /* held namespace fds of an fd-pinned set, else -EBADF */
        struct nsk_settings settings;
        struct keeper *keeper; /* sets with pid */
        char *dead_reason;
};

struct set *set_new(const char *name, nsk_type_mask_t types, enum nsk_pin pin, uid_t owner);
/* Frees the memory and closes held fds; bind pins and keepers stay
 * (a keeper with a lifeline, of an fd-pinned set, then exits). */
struct set *set_free(struct set *s);

void set_mark_dead(struct set *s, const char *reason);

/* Pins the namespaces in fds (indexed by type, all of s->types; taken
 * in every case). A bind-pinned set gets its pins, then its state file,
 * which is what makes it exist after a restart. An fd-pinned set keeps
 * the fds, gets a state file too and puts them in systemd's fd store. On failure all that was
 * made is undone, and *ret_reason may explain the error better than
 * its errno. */
int set_pin_take(struct set *s, const struct rundir *rd, int fds[NSK_TYPE_MAX],
                 const char **ret_reason);

/* The reverse. The keeper is killed first, and with it everything in the
 * set's pid namespace; then the state file goes, so a crash midway leaves
 * a dead set or pins without state (which the next start removes), never
 * a live keeper of no set. Fails only if the state file cannot be removed
 * (the set is then marked dead); later errors are logged. */
int set_unpin(struct set *s, const struct rundir *rd);

/* A new fd for namespace t, checked to be the namespace the set was
 * created with: -ESTALE when a bind pin was removed or replaced. */
int set_open(const struct set *s, const struct rundir *rd, enum nsk_type t, int *ret_fd);

/* Describes s in a SET attribute; without details only its name, pin,
 * state, owner and creation time (what others may see of it). */
void set_put(struct nsk_writer *w, const struct set *s, const struct rundir *rd, bool details);
