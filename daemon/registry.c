/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The registry, a balanced tree by set name (tsearch(3)): lookups,
 * inserts and removals in O(log n), iteration in name order. */

#include <search.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

#include "fault.h"
#include "registry.h"

struct usage {
        uid_t uid;
        unsigned sets;
        unsigned namespaces;
};

struct registry {
        void *root;
        void *usage; /* struct usage by uid */
        size_t count;
};

static int compare_usage(const void *a, const void *b)
{
        uid_t x = ((const struct usage *) a)->uid, y = ((const struct usage *) b)->uid;
        return x < y ? -1 : x > y;
}

/* Adds sign * s to its owner's usage; drops entries that reach zero. */
static int account(struct registry *reg, const struct set *s, int sign)
{
        struct usage key = { .uid = s->owner }, *u;
        void *node = tfind(&key, &reg->usage, compare_usage);

        if (!node) {
                if (sign < 0)
                        return 0;
                u = calloc(1, sizeof(*u));
                if (!u)
                        return -ENOMEM;
                u->uid = s->owner;
                node = tsearch(u, &reg->usage, compare_usage);
                if (!node) {
                        free(u);
                        return -ENOMEM;
                }
        }
        u = *(struct usage **) node;
        u->sets += (unsigned) sign;
        u->namespaces += (unsigned) sign * nsk_type_mask_count(s->types);
        if (u->sets == 0) {
                tdelete(u, &reg->usage, compare_usage);
                free(u);
        }
        return 0;
}

void registry_usage(struct registry *reg, uid_t uid, unsigned *ret_sets, unsigned *ret_namespaces)
{
        struct usage key = { .uid = uid };
        void *node = tfind(&key, &reg->usage, compare_usage);
        const struct usage *u = node ? *(struct usage **) node : NULL;

        *ret_sets = u ? u->sets : 0;
        *ret_namespaces = u ? u->namespaces : 0;
}

struct usage_sum {
        bool (*counts)(uid_t owner, void *userdata);
        void *userdata;
        unsigned sets, namespaces;
};

static void sum_node(const void *node, VISIT which, void *closure)
{
        const struct usage *u = *(struct usage *const *) node;
        struct usage_sum *sum = closure;

        if ((which == postorder || which == leaf) && sum->counts(u->uid, sum->userdata)) {
                sum->sets += u->sets;
                sum->namespaces += u->namespaces;
        }
}

void registry_usage_sum(struct registry *reg, bool (*counts)(uid_t owner, void *userdata),
                        void *userdata, unsigned *ret_sets, unsigned *ret_namespaces)
{
        struct usage_sum sum = { .counts = counts, .userdata = userdata };

        twalk_r(reg->usage, sum_node, &sum);
        *ret_sets = sum.sets;
        *ret_namespaces = sum.namespaces;
}

static int compare(const void *a, const void *b)
{
        return strcmp(((const struct set *) a)->name, ((const struct set *) b)->name);
}

struct registry *registry_new(void)
{
        return calloc(1, sizeof(struct registry));
}

static void free_node(void *p)
{
        set_free(p);
}

struct registry *registry_free(struct registry *reg)
{
        if (reg) {
                tdestroy(reg->root, free_node);
                tdestroy(reg->usage, free);
                free(reg);
        }
        return NULL;
}

struct set *registry_get(struct registry *reg, const char *name)
{
        struct set key;
        void *node;

        /* A longer name would be cut to one that may exist. */
        if (strlen(name) > NAME_KEY_MAX)
                return NULL;
        snprintf(key.name, sizeof(key.name), "%s", name);
        node = tfind(&key, &reg->root, compare);
        return node ? *(struct set **) node : NULL;
}

int registry_add(struct registry *reg, struct set *s)
{
        void *node;
        int r;

        if (registry_get(reg, s->name))
                return -EEXIST;
        r = fault_point(FAULT_REGISTRY_ADD);
        if (r < 0)
                return r;
        if (account(reg, s, +1) < 0)
                return -ENOMEM;
        node = tsearch(s, &reg->root, compare);
        if (!node) {
                (void) account(reg, s, -1);
                return -ENOMEM;
        }
        reg->count++;
        return 0;
}

void registry_remove(struct registry *reg, struct set *s)
{
        /* Only s itself, never another set of the same name. */
        if (registry_get(reg, s->name) == s && tdelete(s, &reg->root, compare)) {
                reg->count--;
                (void) account(reg, s, -1);
        }
}

size_t registry_count(const struct registry *reg)
{
        return reg->count;
}

struct walk {
        registry_fn fn;
        void *userdata;
        int r;
};

static void walk_node(const void *node, VISIT which, void *closure)
{
        struct walk *w = closure;

        if (w->r < 0 || (which != postorder && which != leaf))
                return;
        w->r = w->fn(*(struct set *const *) node, w->userdata);
}

int registry_foreach(struct registry *reg, registry_fn fn, void *userdata)
{
        struct walk w = { .fn = fn, .userdata = userdata };

        twalk_r(reg->root, walk_node, &w);
        return w.r;
}
