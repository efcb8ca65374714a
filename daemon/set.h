/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A namespace set: what the daemon knows of it and how it is pinned. */
#pragma once

#include <stdint.h>
#include <sys/types.h>

#include "proto.h"
#include "rundir.h"

enum set_state {
        SET_CREATING, /* name reserved, helper at work; not listed */
        SET_READY,
        SET_STATE_MAX,
};

struct set {
        char name[NSK_NAME_MAX + 1];
        enum nsk_pin pin;
        enum set_state state;
        uint64_t created;
        uid_t owner;
        nstype_mask_t types;
        uint64_t inode[NSTYPE_MAX];
        int fd[NSTYPE_MAX]; /* held namespace fds of an fd-pinned set, else -EBADF */
};

struct set *set_new(const char *name, nstype_mask_t types, enum nsk_pin pin, uid_t owner);
/* Frees the memory and closes held fds; bind pins stay where they are. */
struct set *set_free(struct set *s);

/* Pins the namespaces in fds (indexed by type, all of s->types; taken
 * in every case). A bind-pinned set gets its pins, then its state file,
 * which is what makes it exist after a restart. On failure all that was
 * made is undone. */
int set_pin_take(struct set *s, const struct rundir *rd, int fds[NSTYPE_MAX]);

/* The reverse: state file first, so a crash midway leaves only pins
 * without state, which the next start removes. */
int set_unpin(struct set *s, const struct rundir *rd);

/* A new fd for namespace t, checked to be the namespace the set was
 * created with: -ESTALE when a bind pin was removed or replaced. */
int set_open(const struct set *s, const struct rundir *rd, enum nstype t, int *ret_fd);

void set_put(struct nsk_writer *w, const struct set *s, const struct rundir *rd);
