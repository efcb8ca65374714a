/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* CNI network configurations, found by name in their directories
 * (cni.h). The JSON is jansson's. */

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <jansson.h>

#include "cni.h"
#include "util.h"

/* The files a lookup skipped (broken ones), as its message names them. */
#define NSK_CNI_MSG_MAX 256
/* A configuration is a few KiB; this only bounds a wrong file. */
#define CONF_FILE_MAX (1024 * 1024)

struct cni_network {
        json_t *list; /* "name", "cniVersion", "plugins", maybe "disableCheck" */
        char *origin;
        const char *name;    /* in list */
        const char *version; /* in list */
        bool disable_check;
        size_t n_plugins;
};

/* The spec's versions; plugins answer in the version they are given. */
static const char *const versions[] = { "0.1.0", "0.2.0", "0.3.0", "0.3.1",
                                        "0.4.0", "1.0.0", "1.1.0" };

void cni_sanitize(char *s)
{
        for (; *s; s++)
                if ((unsigned char) *s < 0x20 || *s == 0x7f)
                        *s = '?';
}

int cni_fail(char *msg, size_t size, int error, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(msg, size, fmt, ap);
        va_end(ap);
        cni_sanitize(msg);
        return error;
}

struct cni_network *cni_network_free(struct cni_network *net)
{
        if (!net)
                return NULL;
        json_decref(net->list);
        free(net->origin);
        return mfree(net);
}

static inline void cni_network_freep(struct cni_network **p)
{
        cni_network_free(*p);
}

char *cni_network_text(const struct cni_network *net)
{
        return json_dumps(net->list, JSON_COMPACT);
}

const char *cni_network_name(const struct cni_network *net)
{
        return net->name;
}

const char *cni_network_version(const struct cni_network *net)
{
        return net->version;
}

const char *cni_network_origin(const struct cni_network *net)
{
        return net->origin;
}

size_t cni_network_n_plugins(const struct cni_network *net)
{
        return net->n_plugins;
}

static json_t *plugin(const struct cni_network *net, size_t i)
{
        return json_array_get(json_object_get(net->list, "plugins"), i);
}

const char *cni_network_plugin_type(const struct cni_network *net, size_t i)
{
        return json_string_value(json_object_get(plugin(net, i), "type"));
}

const json_t *cni_network_plugin(const struct cni_network *net, size_t i)
{
        return plugin(net, i);
}

bool cni_network_disable_check(const struct cni_network *net)
{
        return net->disable_check;
}

/* A plugin is looked up by its type as a file name in the search path:
 * never a path of its own choosing. */
static bool type_is_valid(const char *type)
{
        return type && *type && !strchr(type, '/') && !streq(type, ".") && !streq(type, "..");
}

static bool version_is_known(const char *v)
{
        for (size_t i = 0; i < ELEMENTSOF(versions); i++)
                if (streq(v, versions[i]))
                        return true;
        return false;
}

/* Takes root. */
static int network_from_json(json_t *root, bool is_list, const char *origin,
                             struct cni_network **ret, char *msg, size_t size)
{
        _cleanup_json_ json_t *list = root;
        _cleanup_(cni_network_freep) struct cni_network *net = NULL;
        json_t *plugins, *v;

        if (!json_is_object(list))
                return cni_fail(msg, size, -EINVAL, "%s: not a JSON object", origin);
        if (!is_list) {
                /* A single configuration is a list of one plugin: itself. */
                json_t *conf = list;
                list = json_pack("{s:O?, s:O?, s:[O]}", "name", json_object_get(conf, "name"),
                                 "cniVersion", json_object_get(conf, "cniVersion"), "plugins",
                                 conf);
                json_decref(conf);
                if (!list)
                        return cni_fail(msg, size, -ENOMEM, "%s: out of memory", origin);
        }
        net = calloc(1, sizeof(*net));
        if (!net || !(net->origin = strdup(origin)))
                return cni_fail(msg, size, -ENOMEM, "%s: out of memory", origin);
        net->list = TAKE_PTR(list);
        net->name = json_string_value(json_object_get(net->list, "name"));
        if (!net->name || !*net->name)
                return cni_fail(msg, size, -EINVAL, "%s: no \"name\"", origin);
        net->version = json_string_value(json_object_get(net->list, "cniVersion"));
        if (!net->version)
                return cni_fail(msg, size, -EINVAL, "%s: network '%s' has no \"cniVersion\"",
                                origin, net->name);
        if (!version_is_known(net->version))
                return cni_fail(msg, size, -EINVAL, "%s: network '%s': unknown cniVersion \"%s\"",
                                origin, net->name, net->version);
        v = json_object_get(net->list, "disableCheck");
        if (v && !json_is_boolean(v))
                return cni_fail(msg, size, -EINVAL, "%s: network '%s': disableCheck is no boolean",
                                origin, net->name);
        net->disable_check = json_is_true(v);
        plugins = json_object_get(net->list, "plugins");
        if (!json_is_array(plugins) || json_array_size(plugins) == 0)
                return cni_fail(msg, size, -EINVAL, "%s: network '%s' has no \"plugins\"", origin,
                                net->name);
        net->n_plugins = json_array_size(plugins);
        for (size_t i = 0; i < net->n_plugins; i++) {
                const char *type;

                if (!json_is_object(plugin(net, i)))
                        return cni_fail(msg, size, -EINVAL,
                                        "%s: network '%s': plugin %zu is no object", origin,
                                        net->name, i + 1);
                type = cni_network_plugin_type(net, i);
                if (!type)
                        return cni_fail(msg, size, -EINVAL,
                                        "%s: network '%s': plugin %zu has no \"type\"", origin,
                                        net->name, i + 1);
                if (!type_is_valid(type))
                        return cni_fail(msg, size, -EINVAL,
                                        "%s: network '%s': plugin type \"%s\" is not a file name",
                                        origin, net->name, type);
        }
        *ret = TAKE_PTR(net);
        return 0;
}

static json_t *load(const char *text, size_t len, const char *origin, char *msg, size_t size)
{
        json_error_t e;
        json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &e);

        if (!j)
                cni_fail(msg, size, -EINVAL, "%s: line %d: %s", origin, e.line, e.text);
        return j;
}

int cni_network_parse(const char *text, size_t len, bool is_list, const char *origin,
                      struct cni_network **ret, char *msg, size_t size)
{
        json_t *root = load(text, len, origin, msg, size);

        if (!root)
                return -EINVAL;
        return network_from_json(root, is_list, origin, ret, msg, size);
}

static bool has_suffix(const char *s, const char *suffix)
{
        size_t n = strlen(s), k = strlen(suffix);

        return n > k && streq(s + n - k, suffix);
}

static bool is_conf_file(const char *name)
{
        return has_suffix(name, ".conflist") || has_suffix(name, ".conf") ||
               has_suffix(name, ".json");
}

static int cmp_names(const void *a, const void *b)
{
        return strcmp(*(char *const *) a, *(char *const *) b);
}

static void free_names(char **names, size_t n)
{
        for (size_t i = 0; i < n; i++)
                free(names[i]);
        free(names);
}

/* The configuration files of dir, sorted: -ENOENT if it does not exist. */
static int list_dir(const char *dir, char ***ret, size_t *ret_n)
{
        DIR *d = opendir(dir); /* O_CLOEXEC in glibc */
        char **names = NULL;
        size_t n = 0;
        struct dirent *de;
        int r = 0;

        if (!d)
                return negative_errno();
        while ((errno = 0, de = readdir(d))) {
                char **p;

                if (!is_conf_file(de->d_name))
                        continue;
                p = reallocarray(names, n + 1, sizeof(*names));
                if (!p || !(p[n] = strdup(de->d_name))) {
                        names = p ? p : names;
                        r = -ENOMEM;
                        break;
                }
                names = p;
                n++;
        }
        if (r == 0 && errno != 0)
                r = negative_errno();
        closedir(d);
        if (r < 0) {
                free_names(names, n);
                return r;
        }
        qsort(names, n, sizeof(*names), cmp_names);
        *ret = names;
        *ret_n = n;
        return 0;
}

static int read_file(const char *path, char **ret, size_t *ret_len)
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        _cleanup_free_ char *buf = NULL;
        struct stat st;
        size_t len = 0;

        if (fd < 0)
                return negative_errno();
        if (fstat(fd, &st) < 0)
                return negative_errno();
        if (!S_ISREG(st.st_mode))
                return -EBADFD;
        if (st.st_size > CONF_FILE_MAX)
                return -EFBIG;
        buf = malloc((size_t) st.st_size + 1);
        if (!buf)
                return -ENOMEM;
        while (len < (size_t) st.st_size) {
                ssize_t n = read(fd, buf + len, (size_t) st.st_size - len);
                if (n < 0)
                        return negative_errno();
                if (n == 0)
                        break;
                len += (size_t) n;
        }
        buf[len] = '\0';
        *ret = TAKE_PTR(buf);
        *ret_len = len;
        return 0;
}

/* 0 and *ret when dir has the network, -ENOENT when not. */
/* A file that cannot be read or is no configuration is skipped (as
 * container runtimes do: one broken file must not take every network
 * down); the first one skipped is said in *skipped, for a network that
 * is not found. */
static int find_in_dir(const char *dir, const char *name, struct cni_network **ret, char *msg,
                       size_t size, char *skipped, size_t skipped_size)
{
        char **names = NULL;
        size_t n = 0;
        int r;

        r = list_dir(dir, &names, &n);
        if (r == -ENOENT)
                return -ENOENT;
        if (r < 0)
                return cni_fail(msg, size, r, "cannot read %s: %s", dir, strerror(-r));
        r = -ENOENT;
        for (size_t i = 0; i < n && r == -ENOENT; i++) {
                _cleanup_free_ char *path = NULL, *text = NULL;
                _cleanup_json_ json_t *root = NULL;
                const char *found;
                size_t len;
                int k;

                if (asprintf(&path, "%s/%s", dir, names[i]) < 0) {
                        path = NULL;
                        r = cni_fail(msg, size, -ENOMEM, "out of memory");
                        break;
                }
                k = read_file(path, &text, &len);
                if (k < 0)
                        cni_fail(msg, size, k, "%s: %s", path, strerror(-k));
                else if (!(root = load(text, len, path, msg, size)))
                        k = -EINVAL;
                else if (!(found = json_string_value(json_object_get(root, "name"))))
                        k = cni_fail(msg, size, -EINVAL, "%s: no \"name\"", path);
                if (k < 0) {
                        if (!skipped[0])
                                snprintf(skipped, skipped_size, "%s", msg);
                        continue;
                }
                if (streq(found, name))
                        r = network_from_json(TAKE_PTR(root), has_suffix(path, ".conflist"), path,
                                              ret, msg, size);
        }
        free_names(names, n);
        return r;
}

int cni_network_find(const char *conf_dirs, const char *name, struct cni_network **ret, char *msg,
                     size_t size)
{
        _cleanup_free_ char *copy = strdup(conf_dirs ? conf_dirs : CNI_CONF_DIR_DEFAULT);
        char skipped[NSK_CNI_MSG_MAX] = "";
        char *rest = copy, *dir;

        if (!copy)
                return cni_fail(msg, size, -ENOMEM, "out of memory");

        while ((dir = strsep(&rest, ":"))) {
                int r;

                if (!*dir)
                        continue;
                r = find_in_dir(dir, name, ret, msg, size, skipped, sizeof(skipped));
                if (r != -ENOENT)
                        return r;
        }
        return cni_fail(msg, size, -ENOENT, "no network '%s' in %s%s%s%s", name,
                        conf_dirs ? conf_dirs : CNI_CONF_DIR_DEFAULT,
                        skipped[0] ? " (skipped " : "", skipped, skipped[0] ? ")" : "");
}
