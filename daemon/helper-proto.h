/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a helper and the daemon say to each other on their socketpair
 * (see helper.c); shared by the two sides only. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "name.h"
#include "nskeeper.h"

enum helper_phase {
        PHASE_USERNS = 1, /* helper: user namespace made, write the maps */
        PHASE_GO,         /* daemon: maps written, go on */
        PHASE_DONE,       /* helper: result (error, or fds) */
};

enum helper_step {
        STEP_CREDENTIALS,
        STEP_UNSHARE,
        STEP_PROPAGATION,
        STEP_HOSTNAME,
        STEP_DOMAINNAME,
        STEP_LOOPBACK,
        STEP_SYSCTL,
        STEP_TIME_OFFSETS,
        STEP_KEEPER,
        STEP_PROC,
        STEP_OPEN,
        STEP_SEND,
        STEP_KEEPER_PRIVILEGES,
        STEP_MAX,
};

struct helper_msg {
        int32_t phase;
        int32_t error;      /* positive errno, 0 on success */
        int32_t step;       /* enum helper_step that failed */
        int32_t detail;     /* the nstype or sysctl index concerned, or -1 */
        int32_t keeper_pid; /* in the daemon's pid namespace */
};

/* The byte on a keeper's lifeline that makes it permanent. */
#define LIFELINE_PERMANENT 'P'

/* The types the maker (maker.h) makes, in place, for root's sets: the
 * ones that need no process of their own (pid and time do, a keeper) and
 * no credentials but root's (a user namespace is owned by its creator). */
#define MAKER_TYPES                                                                             \
        (NSK_TYPE_BIT(NSK_TYPE_NET) | NSK_TYPE_BIT(NSK_TYPE_UTS) | NSK_TYPE_BIT(NSK_TYPE_IPC) | \
         NSK_TYPE_BIT(NSK_TYPE_CGROUP) | NSK_TYPE_BIT(NSK_TYPE_MNT))

/* struct helper_start's flags: this helper is to stay as the maker,
 * making this set and every one it is sent after it. */
#define HELPER_SERVE 1u

/* daemon -> a helper the spawner made: what to make. Only the sysctls
 * the settings have are sent: the message is helper_start_size() bytes.
 * (A helper the daemon forks itself has all this in its memory.) */
struct helper_start {
        uint32_t abi;   /* SPAWN_ABI */
        uint32_t size;  /* helper_start_size(settings.n_sysctls) */
        uint32_t flags; /* HELPER_SERVE or 0 */
        nsk_type_mask_t types;
        uint32_t uid, gid;
        char name[NAME_KEY_MAX + 1];  /* the set's key, for the command line */
        struct nsk_settings settings; /* .sysctls points nowhere: see below */
        char sysctls[NSK_SYSCTL_MAX][NSK_SYSCTL_LEN];
};

static inline size_t helper_start_size(unsigned n_sysctls)
{
        return offsetof(struct helper_start, sysctls) + (size_t) n_sysctls * NSK_SYSCTL_LEN;
}
