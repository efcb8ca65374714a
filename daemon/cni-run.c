/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The plugin chain of one ADD, DEL or CHECK (cni-run.h): each plugin
 * found in the search path, given its configuration with what the
 * runtime injects, and run through cni_exec(). */

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "cni-exec.h"
#include "cni-run.h"
#include "util.h"

static const char *const op_names[CNI_OP_MAX] = {
        [CNI_ADD] = "ADD",
        [CNI_DEL] = "DEL",
        [CNI_CHECK] = "CHECK",
};

const char *cni_run_op_name(enum cni_op op)
{
        return op >= 0 && op < CNI_OP_MAX ? op_names[op] : NULL;
}

/* The spec's rules (section "Parameters"). */
static bool container_id_is_valid(const char *s)
{
        if (!s || !isalnum((unsigned char) s[0]))
                return false;
        for (; *s; s++)
                if (!isalnum((unsigned char) *s) && !strchr("_.-", *s))
                        return false;
        return true;
}

static bool ifname_is_valid(const char *s)
{
        if (!s || !*s || strlen(s) > 15 || streq(s, ".") || streq(s, ".."))
                return false;
        for (; *s; s++)
                if (*s == '/' || *s == ':' || isspace((unsigned char) *s))
                        return false;
        return true;
}

/* "a.b.c" as a number that compares as the version does. */
static long version_number(const char *v)
{
        unsigned a = 0, b = 0, c = 0;

        if (sscanf(v, "%u.%u.%u", &a, &b, &c) < 2)
                return 0;
        return (long) a * 1000000 + (long) b * 1000 + (long) c;
}

/* The first file called type in path that we may execute. */
static int find_plugin(const char *path, const char *type, char **ret)
{
        _cleanup_free_ char *copy = strdup(path);
        char *rest = copy, *dir;

        if (!copy)
                return -ENOMEM;
        while ((dir = strsep(&rest, ":"))) {
                _cleanup_free_ char *file = NULL;
                struct stat st;

                if (!*dir)
                        continue;
                if (asprintf(&file, "%s/%s", dir, type) < 0)
                        return -ENOMEM;
                if (stat(file, &st) == 0 && S_ISREG(st.st_mode) && access(file, X_OK) == 0) {
                        *ret = TAKE_PTR(file);
                        return 0;
                }
        }
        return -ENOENT;
}

/* Plugin i's stdin: its object with the list's name and cniVersion,
 * and prev as prevResult. */
static char *plugin_config(const struct cni_network *net, size_t i, json_t *prev)
{
        _cleanup_json_ json_t *c = json_deep_copy(cni_network_plugin(net, i));

        if (!c || json_object_set_new(c, "name", json_string(cni_network_name(net))) < 0 ||
            json_object_set_new(c, "cniVersion", json_string(cni_network_version(net))) < 0)
                return NULL;
        if (prev && json_object_set(c, "prevResult", prev) < 0)
                return NULL;
        return json_dumps(c, JSON_COMPACT);
}

/* The length of the first line of s. */
static int first_line(const char *s)
{
        return (int) strcspn(s, "\n");
}

/* What a plugin that exited with status != 0 said: its error JSON
 * ({"code", "msg", "details"}) if it printed one. */
static int plugin_error(const char *type, const struct cni_exec_out *o, char *msg, size_t size)
{
        _cleanup_json_ json_t *e = NULL;
        const char *m, *details;

        if (o->out)
                e = json_loadb(o->out, o->out_len, 0, NULL);
        m = json_string_value(json_object_get(e, "msg"));
        details = json_string_value(json_object_get(e, "details"));
        if (m && *m)
                return cni_fail(msg, size, -EIO, "plugin %s: %s%s%s", type, m,
                                details && *details ? ": " : "", details ? details : "");
        if (o->err[0])
                return cni_fail(msg, size, -EIO, "plugin %s: exited with status %d: %.*s", type,
                                o->status, first_line(o->err), o->err);
        return cni_fail(msg, size, -EIO, "plugin %s: exited with status %d", type, o->status);
}

struct env {
        char *v[8];
};

static void env_done(struct env *e)
{
        for (size_t i = 0; i < ELEMENTSOF(e->v); i++)
                e->v[i] = mfree(e->v[i]);
}

/* Only what the spec defines, and a PATH for plugins that run tools:
 * nothing of the daemon's own environment. */
static int env_make(struct env *e, enum cni_op op, const struct cni_attachment *a, const char *path)
{
        const char *key[] = {
                "CNI_COMMAND", "CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME",
                "CNI_ARGS",    "CNI_PATH",        "PATH",
        };
        const char *val[] = {
                op_names[op],
                a->container_id,
                a->netns ? a->netns : "",
                a->ifname,
                a->args ? a->args : "",
                path,
                "/usr/sbin:/usr/bin:/sbin:/bin",
        };

        *e = (struct env) {};
        for (size_t i = 0; i < ELEMENTSOF(key); i++)
                if (asprintf(&e->v[i], "%s=%s", key[i], val[i]) < 0) {
                        e->v[i] = NULL;
                        env_done(e);
                        return -ENOMEM;
                }
        return 0;
}

/* Runs plugin i for op with prev as prevResult. For ADD, its result in
 * *ret_result (a JSON object); the others print none. */
static int invoke(const struct cni_network *net, size_t i, enum cni_op op,
                  const struct cni_attachment *a, const struct cni_runtime *rt, json_t *prev,
                  json_t **ret_result, char *msg, size_t size)
{
        const char *type = cni_network_plugin_type(net, i);
        const char *path = rt && rt->path ? rt->path : CNI_PATH_DEFAULT;
        unsigned timeout = rt && rt->timeout_ms ? rt->timeout_ms : CNI_TIMEOUT_MS_DEFAULT;
        _cleanup_free_ char *file = NULL, *config = NULL;
        _cleanup_(env_done) struct env env = {};
        struct cni_exec_out o;
        int r;

        r = find_plugin(path, type, &file);
        if (r < 0)
                return cni_fail(msg, size, r, "plugin %s: not found in %s", type, path);
        config = plugin_config(net, i, prev);
        if (!config || env_make(&env, op, a, path) < 0)
                return cni_fail(msg, size, -ENOMEM, "plugin %s: out of memory", type);
        r = cni_exec(file, (char *[]) { file, NULL }, env.v, config, strlen(config), timeout, &o);
        if (r < 0)
                return cni_fail(msg, size, r, "plugin %s: cannot run it: %s", type, strerror(-r));
        if (o.timed_out)
                r = cni_fail(msg, size, -ETIMEDOUT, "plugin %s: no answer to %s in %u ms (killed)",
                             type, op_names[op], timeout);
        else if (o.out_overflow)
                r = cni_fail(msg, size, -EPROTO, "plugin %s: printed more than %d bytes (killed)",
                             type, CNI_EXEC_OUT_MAX);
        else if (o.code != CLD_EXITED)
                r = cni_fail(msg, size, -EIO, "plugin %s: killed by signal %d", type, o.status);
        else if (o.status != 0)
                r = plugin_error(type, &o, msg, size);
        else if (ret_result) {
                json_error_t e;

                *ret_result = o.out ? json_loadb(o.out, o.out_len, 0, &e) : NULL;
                if (!o.out)
                        r = cni_fail(msg, size, -EPROTO, "plugin %s: printed no result", type);
                else if (!*ret_result)
                        r = cni_fail(msg, size, -EPROTO, "plugin %s: printed no JSON result: %s",
                                     type, e.text);
                else if (!json_is_object(*ret_result)) {
                        *ret_result = (json_decref(*ret_result), NULL);
                        r = cni_fail(msg, size, -EPROTO, "plugin %s: its result is no JSON object",
                                     type);
                }
        }
        cni_exec_out_done(&o);
        return r;
}

/* Every plugin in reverse order, on past failures; the first one's
 * message in msg. */
static int del_all(const struct cni_network *net, const struct cni_attachment *a,
                   const struct cni_runtime *rt, json_t *cached, char *msg, size_t size)
{
        char m[512];
        int r = 0;

        for (size_t i = cni_network_n_plugins(net); i-- > 0;) {
                int k = invoke(net, i, CNI_DEL, a, rt, cached, NULL, m, sizeof(m));
                if (k < 0 && r == 0) {
                        r = k;
                        snprintf(msg, size, "%s", m);
                }
        }
        return r;
}

static int add(const struct cni_network *net, const struct cni_attachment *a,
               const struct cni_runtime *rt, char **ret_result, char *msg, size_t size)
{
        _cleanup_json_ json_t *prev = NULL;
        char undo[512];
        int r = 0;

        for (size_t i = 0; i < cni_network_n_plugins(net) && r == 0; i++) {
                json_t *res = NULL;

                r = invoke(net, i, CNI_ADD, a, rt, prev, &res, msg, size);
                json_decref(prev);
                prev = res;
        }
        if (r == 0) {
                *ret_result = json_dumps(prev, JSON_COMPACT);
                if (*ret_result)
                        return 0;
                r = cni_fail(msg, size, -ENOMEM, "out of memory");
        }
        /* The spec: a failed ADD is followed by a DEL of the list, so
         * what the plugins before the failing one made is undone. */
        if (del_all(net, a, rt, NULL, undo, sizeof(undo)) < 0) {
                size_t len = strlen(msg);
                snprintf(msg + len, size - len, "; undoing the ADD: %s", undo);
        }
        return r;
}

int cni_run(const struct cni_network *net, enum cni_op op, const struct cni_attachment *a,
            const struct cni_runtime *rt, const char *cached, char **ret_result, char *msg,
            size_t size)
{
        _cleanup_json_ json_t *c = NULL;

        if (op < 0 || op >= CNI_OP_MAX)
                return cni_fail(msg, size, -EINVAL, "unknown CNI operation %d", (int) op);
        if (!container_id_is_valid(a->container_id))
                return cni_fail(msg, size, -EINVAL, "container id \"%s\" is not valid for CNI",
                                a->container_id ? a->container_id : "");
        if (!ifname_is_valid(a->ifname))
                return cni_fail(msg, size, -EINVAL, "interface name \"%s\" is not valid",
                                a->ifname ? a->ifname : "");
        if (op != CNI_DEL && (!a->netns || a->netns[0] != '/'))
                return cni_fail(msg, size, -EINVAL, "%s needs the net namespace's path",
                                op_names[op]);
        if (op == CNI_CHECK) {
                if (version_number(cni_network_version(net)) < version_number("0.4.0"))
                        return cni_fail(
                                msg, size, -EOPNOTSUPP,
                                "network '%s': CHECK needs cniVersion 0.4.0 or later, it has %s",
                                cni_network_name(net), cni_network_version(net));
                if (cni_network_disable_check(net))
                        return 0;
                if (!cached)
                        return cni_fail(msg, size, -EINVAL, "CHECK needs the result of the ADD");
        }
        if (cached) {
                json_error_t e;

                c = json_loads(cached, 0, &e);
                if (!json_is_object(c))
                        return cni_fail(msg, size, -EINVAL,
                                        "the cached result is no JSON object%s%s", c ? "" : ": ",
                                        c ? "" : e.text);
        }
        switch (op) {
        case CNI_ADD:
                return add(net, a, rt, ret_result, msg, size);
        case CNI_DEL:
                return del_all(net, a, rt, c, msg, size);
        default:
                for (size_t i = 0; i < cni_network_n_plugins(net); i++) {
                        int r = invoke(net, i, CNI_CHECK, a, rt, c, NULL, msg, size);
                        if (r < 0)
                                return r;
                }
                return 0;
        }
}
