/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The registry, a balanced tree by set name (tsearch(3)): lookups,
 * inserts and removals in O(log n), iteration in name order. */

#include <search.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

#include "registry.h"

struct registry {
        void *root;
        size_t count;
};

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
                free(reg);
        }
        return NULL;
}

struct set *registry_get(struct registry *reg, const char *name)
{
        struct set key;
        void *node;

        snprintf(key.name, sizeof(key.name), "%s", name);
        node = tfind(&key, &reg->root, compare);
        return node ? *(struct set **) node : NULL;
}

int registry_add(struct registry *reg, struct set *s)
{
        void *node = tsearch(s, &reg->root, compare);

        if (!node)
                return -ENOMEM;
        if (*(struct set **) node != s)
                return -EEXIST;
        reg->count++;
        return 0;
}

void registry_remove(struct registry *reg, struct set *s)
{
        /* Only s itself, never another set of the same name. */
        if (registry_get(reg, s->name) == s && tdelete(s, &reg->root, compare))
                reg->count--;
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
