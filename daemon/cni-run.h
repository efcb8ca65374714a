/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The ADD, DEL or CHECK of a CNI network's plugins for one attachment (a
 * net namespace and an interface name in it), as the CNI spec says. */
#pragma once

#include <stddef.h>

#include "cni.h"

/* Debian's plugins (containernetworking-plugins), then upstream's place. */
#define CNI_PATH_DEFAULT "/usr/lib/cni:/opt/cni/bin"
#define CNI_TIMEOUT_MS_DEFAULT 30000

enum cni_op {
        CNI_ADD,
        CNI_DEL,
        CNI_CHECK,
        CNI_OP_MAX
};

/* "ADD", "DEL", "CHECK": CNI_COMMAND's values; NULL for others. */
const char *cni_run_op_name(enum cni_op op);

/* One attachment: what the plugins get in CNI_CONTAINERID, CNI_NETNS,
 * CNI_IFNAME and CNI_ARGS. container_id is the same for every ADD,
 * CHECK and DEL of one attachment (IPAM leases are keyed on it). */
struct cni_attachment {
        const char *container_id;
        const char *netns; /* a path to the namespace; may be NULL for DEL */
        const char *ifname;
        const char *args; /* "K=V;K=V", or NULL */
};

/* How plugins are run. */
struct cni_runtime {
        const char *path;    /* search path, ':'-separated; NULL: CNI_PATH_DEFAULT */
        unsigned timeout_ms; /* per plugin; 0: CNI_TIMEOUT_MS_DEFAULT */
};

/* Runs op for a on each of net's plugins, as the spec says: ADD in
 * order, each plugin given the one before's result as prevResult; DEL
 * in reverse order and CHECK in order, each plugin given cached (the
 * JSON result of the list's ADD; required for CHECK, NULL for a DEL
 * without one). A DEL goes on past a failing plugin (it undoes what it
 * can) and reports the first failure. CHECK is refused before version
 * 0.4.0 (-EOPNOTSUPP) and does nothing if the list says disableCheck.
 *
 * ADD: 0 and *ret_result, the list's result (JSON text, the caller's to
 * free), which is what DEL and CHECK want as cached later. When a plugin
 * fails, the ADD is undone before returning: DEL of the whole list in
 * reverse order, without a prevResult.
 *
 * -errno and msg on failure: "plugin bridge: failed to ...: details"
 * from the plugin's error, -ETIMEDOUT when one did not answer in time
 * (killed), -ENOENT when one is not in the path, -EIO when it failed,
 * -EPROTO when it printed what is no result.
 *
 * Synchronous: each plugin is a child process, waited for. It is meant
 * for a process of its own (cni-child.h); a caller that runs it itself
 * waits for as long as the plugins take. */
int cni_run(const struct cni_network *net, enum cni_op op, const struct cni_attachment *a,
            const struct cni_runtime *rt, const char *cached, char **ret_result, char *msg,
            size_t size);
