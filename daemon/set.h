/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A namespace set: what the daemon knows of it. Data and queries only;
 * lifecycle.c makes, pins and ends sets. */
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
        struct keeper *keeper; /* sets with pid: watched by keeper.c */
        pid_t keeper_pid;      /* its pid while attached, else 0 */
        char *dead_reason;
        /* Removed from outside (a ready set is then damaged): the types
         * whose bind pins are gone or replaced, and the ip netns entry. */
        nsk_type_mask_t missing;
        bool ip_netns_missing;
        /* Per network of settings.networks: the JSON result of its ADD
         * (for its DEL and CHECK), NULL while it is not attached. */
        char **net_results;
        char **net_configs; /* ... and the configuration list it ran with (one line of JSON) */
        bool busy;          /* a network's chain is at work for it: no release */
};

/* Room for a result per network of s->settings (all NULL). */
int set_networks_init(struct set *s);

struct set *set_new(const char *name, nsk_type_mask_t types, enum nsk_pin pin, uid_t owner);
/* Frees the memory and closes held fds. Pins stay, and so does a keeper
 * (keepers_free() or keeper_release() it first: it points to s). */
struct set *set_free(struct set *s);

/* The set is dead for reason; it will only ever be released. */
void set_mark_dead(struct set *s, const char *reason);

/* A new fd for namespace t, checked to be the namespace the set was
 * created with: -ESTALE when a bind pin was removed or replaced. */
int set_open(const struct set *s, const struct rundir *rd, enum nsk_type t, int *ret_fd);

/* Describes s in a SET attribute; without details only its name, pin,
 * state, owner and creation time (what others may see of it). */
void set_put(struct nsk_writer *w, const struct set *s, const struct rundir *rd, bool details);
