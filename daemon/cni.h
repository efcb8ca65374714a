/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* CNI networks (the Container Network Interface, spec 1.0.0 and the
 * versions before it that plugins still speak): a network configuration
 * found by name in the configuration directories. cni-run.h runs its
 * plugins. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

#include "util.h"

#define CNI_CONF_DIR_DEFAULT "/etc/cni/net.d"

static inline void cni_json_decrefp(json_t **j)
{
        json_decref(*j);
}
#define _cleanup_json_ __attribute__((cleanup(cni_json_decrefp)))

/* A network configuration list as read: a .conflist, or a single
 * configuration (.conf, .json) taken as a list of one plugin. */
struct cni_network;

/* Looks for the network called name in conf_dirs (':'-separated; NULL:
 * CNI_CONF_DIR_DEFAULT): in each directory, its *.conflist, *.conf and
 * *.json files in lexical order, the first whose "name" matches. A file
 * that is not a valid configuration fails the search, naming the file
 * (-EINVAL), as does a match without a known cniVersion or with a
 * plugin type that is not a plain file name; -ENOENT: no such network.
 * The message says which. */
int cni_network_find(const char *conf_dirs, const char *name, struct cni_network **ret, char *msg,
                     size_t size);

/* The same checks on one file's text; origin names it in messages.
 * is_list: a network configuration list, else a single configuration. */
int cni_network_parse(const char *text, size_t len, bool is_list, const char *origin,
                      struct cni_network **ret, char *msg, size_t size);

struct cni_network *cni_network_free(struct cni_network *net);

/* Replaces each control character of s with '?': what plugins and
 * configurations say reaches logs, terminals and monitors. */
void cni_sanitize(char *s);
/* Writes the message into msg (size bytes), sanitized, and returns
 * error: how the CNI modules fail with a reason. */
_printf_(4, 5) int cni_fail(char *msg, size_t size, int error, const char *fmt, ...);
/* The list as one line of JSON (malloc'd), for cni_network_parse() later:
 * a DEL runs with the configuration its ADD had. */
char *cni_network_text(const struct cni_network *net);
const char *cni_network_name(const struct cni_network *net);
const char *cni_network_version(const struct cni_network *net);
/* The file it was read from. */
const char *cni_network_origin(const struct cni_network *net);
size_t cni_network_n_plugins(const struct cni_network *net);
const char *cni_network_plugin_type(const struct cni_network *net, size_t i);
/* Plugin i's configuration as the file has it (an object, net's). */
const json_t *cni_network_plugin(const struct cni_network *net, size_t i);
bool cni_network_disable_check(const struct cni_network *net);
