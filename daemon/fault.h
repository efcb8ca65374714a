/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Named fault points for the tests: places in the daemon, the spawner
 * and the helpers where a test can make the process stop, die, fail the
 * step or wait. Only the test build (tests/fault/, built by make check)
 * has them; in the installed programs fault_point() is an empty inline
 * and no environment variable is read. The rules are in fault.c. */
#pragma once

enum fault_id {
        FAULT_SPAWNER_BEFORE_CLONE, /* spawner, before it clones a helper */
        FAULT_SPAWNER_CLONE3,       /* spawner, in place of clone3 (fail: refused) */
        FAULT_SPAWNER_CLONE,        /* spawner, in place of clone (fail: refused) */
        FAULT_HELPER_AFTER_UNSHARE, /* helper, all namespaces made */
        FAULT_HELPER_AFTER_KEEPER,  /* helper, its keeper running */
        FAULT_HELPER_BEFORE_REPLY,  /* helper, fds open, not yet sent */
        FAULT_MAKER_UNSHARE,       /* maker, in place of unshare (fail: left out, a broken maker) */
        FAULT_REGISTRY_ADD,        /* daemon, a set's name about to be taken */
        FAULT_CREATE_AFTER_PINS,   /* daemon, pins made, no state file */
        FAULT_STATE_BEFORE_RENAME, /* daemon, .NAME.tmp written, keeper permanent */
        FAULT_CREATE_AFTER_NETWORKS, /* daemon, networks attached, results not yet saved */
        FAULT_CREATE_BEFORE_REPLY,   /* daemon, set committed, client not told */
        FAULT_REPLY_FDS,             /* daemon, before a reply with fds is sent */
        FAULT_LIST_PAUSE,            /* daemon, a LIST stops for its client to read */
        FAULT_LIST_RESUME,           /* daemon, a LIST goes on once its client read */
        FAULT_RELEASE_AFTER_KEEPER,  /* daemon, the set's keeper killed, pins still there */
        FAULT_RELEASE_AFTER_UMOUNT,  /* daemon, a pin unmounted, its file not yet removed */
        FAULT_RELEASE_BEFORE_REPLY,  /* daemon, set gone, client not told */
        FAULT_MAX,
};

#ifdef NSK_FAULTS
/* Checks NSK_FAULTS at start: 0, or -EINVAL with the bad entry in
 * *ret_bad (pointing into the environment). */
int fault_setup(const char **ret_bad);
/* What the test armed at this point happens here (stop, exit, kill,
 * delay); returns 0, or -errno where the test asked the step to fail. */
int fault_point(enum fault_id id);
#else
static inline int fault_setup(const char **ret_bad)
{
        *ret_bad = NULL;
        return 0;
}
static inline int fault_point(enum fault_id id)
{
        (void) id;
        return 0;
}
#endif
