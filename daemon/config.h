/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the daemon was told on its command line that its modules need. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

/* Where ip-netns(8) looks for named network namespaces. */
#define NSK_NETNS_DIR_DEFAULT "/run/netns"

struct config {
        bool have_group; /* --group: members may connect (socket 0660) */
        gid_t group;
        unsigned max_sets_per_user; /* for uids other than 0 */
        unsigned max_namespaces_per_user;
        unsigned max_clients_per_user;
        unsigned max_clients;
        unsigned idle_timeout_sec; /* a connection with nothing in flight */
        const char *subuid_path;   /* ranges a uid may map, subuid(5) */
        const char *subgid_path;
        const char *netns_dir; /* --ip-netns entries, ip-netns(8) */
};

#define CONFIG_DEFAULTS                                                                  \
        {                                                                                \
                .max_sets_per_user = 64, .max_namespaces_per_user = 512,                 \
                .max_clients_per_user = 32, .max_clients = 4096, .idle_timeout_sec = 60, \
                .subuid_path = "/etc/subuid", .subgid_path = "/etc/subgid",              \
                .netns_dir = NSK_NETNS_DIR_DEFAULT,                                      \
        }
