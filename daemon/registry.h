/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The registry: every set the daemon knows, by name. */
#pragma once

#include <stddef.h>
#include <sys/types.h>

#include "set.h"

struct registry;

struct registry *registry_new(void);
/* Frees every set too (held fds close; bind pins stay). */
struct registry *registry_free(struct registry *reg);

struct set *registry_get(struct registry *reg, const char *name);
/* -EEXIST if the name is taken. The registry does not own the set until
 * this succeeds. */
int registry_add(struct registry *reg, struct set *s);
/* Forgets s (does not free it). */
void registry_remove(struct registry *reg, struct set *s);
size_t registry_count(const struct registry *reg);

/* Sets and namespaces that uid owns, for quotas; kept as sets come and go. */
void registry_usage(struct registry *reg, uid_t uid, unsigned *ret_sets, unsigned *ret_namespaces);
/* The same summed over every owner for which counts(owner, userdata). */
void registry_usage_sum(struct registry *reg, bool (*counts)(uid_t owner, void *userdata),
                        void *userdata, unsigned *ret_sets, unsigned *ret_namespaces);

/* Calls fn for every set in name order; stops early when fn returns < 0
 * and returns that. */
typedef int (*registry_fn)(struct set *s, void *userdata);
int registry_foreach(struct registry *reg, registry_fn fn, void *userdata);
