/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* CNI results read into struct cni_result (cni-result.h), with jansson.
 * What the struct has no place for is kept in the JSON text. */

#include <stdarg.h>
#include <stdio.h>
#include <jansson.h>

#include "cni-result.h"
#include "util.h"

struct cni_result *cni_result_free(struct cni_result *r)
{
        if (!r)
                return NULL;
        for (size_t i = 0; i < r->n_interfaces; i++) {
                free(r->interfaces[i].name);
                free(r->interfaces[i].mac);
                free(r->interfaces[i].sandbox);
        }
        free(r->interfaces);
        for (size_t i = 0; i < r->n_ips; i++) {
                free(r->ips[i].address);
                free(r->ips[i].gateway);
        }
        free(r->ips);
        for (size_t i = 0; i < r->n_routes; i++) {
                free(r->routes[i].dst);
                free(r->routes[i].gw);
        }
        free(r->routes);
        free_strv(r->nameservers, r->n_nameservers);
        free_strv(r->search, r->n_search);
        free_strv(r->options, r->n_options);
        free(r->domain);
        free(r->cni_version);
        free(r->json);
        return mfree(r);
}

struct parse {
        json_t *root;
        const char *what; /* the member that was wrong, for the message */
};

/* A copy of o's string member key, NULL when absent: 0, or -EPROTO when
 * it is there but no string. */
static int str(struct parse *p, json_t *o, const char *key, bool required, char **ret)
{
        json_t *v = json_object_get(o, key);

        *ret = NULL;
        if (!v && !required)
                return 0;
        if (!json_is_string(v)) {
                p->what = key;
                return -EPROTO;
        }
        *ret = strdup(json_string_value(v));
        return *ret ? 0 : -ENOMEM;
}

static int strv(struct parse *p, json_t *o, const char *key, char ***ret, size_t *ret_n)
{
        json_t *a = json_object_get(o, key), *v;
        size_t i;

        if (!a)
                return 0;
        if (!json_is_array(a)) {
                p->what = key;
                return -EPROTO;
        }
        *ret = calloc(json_array_size(a) ?: 1, sizeof(char *));
        if (!*ret)
                return -ENOMEM;
        json_array_foreach(a, i, v)
        {
                if (!json_is_string(v)) {
                        p->what = key;
                        return -EPROTO;
                }
                if (!((*ret)[i] = strdup(json_string_value(v))))
                        return -ENOMEM;
                (*ret_n)++;
        }
        return 0;
}

/* Room for n more elements of size sz in *v, which holds *count. */
static int grow(void **v, size_t count, size_t n, size_t sz)
{
        void *p = reallocarray(*v, count + n ?: 1, sz);

        if (!p)
                return -ENOMEM;
        memset((char *) p + count * sz, 0, n * sz);
        *v = p;
        return 0;
}

static int routes(struct parse *p, json_t *a, struct cni_result *r)
{
        json_t *v;
        size_t i;
        int k;

        if (!a)
                return 0;
        if (!json_is_array(a)) {
                p->what = "routes";
                return -EPROTO;
        }
        if ((k = grow((void **) &r->routes, r->n_routes, json_array_size(a), sizeof(*r->routes))))
                return k;
        json_array_foreach(a, i, v)
        {
                struct cni_route *rt = &r->routes[r->n_routes];

                if (!json_is_object(v)) {
                        p->what = "routes";
                        return -EPROTO;
                }
                r->n_routes++;
                if ((k = str(p, v, "dst", true, &rt->dst)) || (k = str(p, v, "gw", false, &rt->gw)))
                        return k;
        }
        return 0;
}

static int interfaces(struct parse *p, struct cni_result *r)
{
        json_t *a = json_object_get(p->root, "interfaces"), *v;
        size_t i;
        int k;

        if (!a)
                return 0;
        if (!json_is_array(a)) {
                p->what = "interfaces";
                return -EPROTO;
        }
        if ((k = grow((void **) &r->interfaces, 0, json_array_size(a), sizeof(*r->interfaces))))
                return k;
        json_array_foreach(a, i, v)
        {
                struct cni_interface *in = &r->interfaces[i];

                if (!json_is_object(v)) {
                        p->what = "interfaces";
                        return -EPROTO;
                }
                r->n_interfaces++;
                if ((k = str(p, v, "name", true, &in->name)) ||
                    (k = str(p, v, "mac", false, &in->mac)) ||
                    (k = str(p, v, "sandbox", false, &in->sandbox)))
                        return k;
        }
        return 0;
}

static int ips(struct parse *p, struct cni_result *r)
{
        json_t *a = json_object_get(p->root, "ips"), *v;
        size_t i;
        int k;

        if (!a)
                return 0;
        if (!json_is_array(a)) {
                p->what = "ips";
                return -EPROTO;
        }
        if ((k = grow((void **) &r->ips, 0, json_array_size(a), sizeof(*r->ips))))
                return k;
        json_array_foreach(a, i, v)
        {
                struct cni_ip *ip = &r->ips[i];
                json_t *idx = json_object_get(v, "interface");

                if (!json_is_object(v) || (idx && !json_is_integer(idx))) {
                        p->what = "ips";
                        return -EPROTO;
                }
                r->n_ips++;
                ip->interface = -1;
                if (idx && json_integer_value(idx) >= 0 &&
                    (size_t) json_integer_value(idx) < r->n_interfaces)
                        ip->interface = (int) json_integer_value(idx);
                if ((k = str(p, v, "address", true, &ip->address)) ||
                    (k = str(p, v, "gateway", false, &ip->gateway)))
                        return k;
        }
        return 0;
}

/* Before 0.3.0: "ip4" and "ip6", each an address, a gateway and routes. */
static int ip_old(struct parse *p, const char *key, struct cni_result *r)
{
        json_t *o = json_object_get(p->root, key);
        struct cni_ip *ip;
        int k;

        if (!o)
                return 0;
        if (!json_is_object(o)) {
                p->what = key;
                return -EPROTO;
        }
        if ((k = grow((void **) &r->ips, r->n_ips, 1, sizeof(*r->ips))))
                return k;
        ip = &r->ips[r->n_ips++];
        ip->interface = -1;
        if ((k = str(p, o, "ip", true, &ip->address)) ||
            (k = str(p, o, "gateway", false, &ip->gateway)))
                return k;
        return routes(p, json_object_get(o, "routes"), r);
}

static int dns(struct parse *p, struct cni_result *r)
{
        json_t *d = json_object_get(p->root, "dns");
        int k;

        if (!d)
                return 0;
        if (!json_is_object(d)) {
                p->what = "dns";
                return -EPROTO;
        }
        if ((k = strv(p, d, "nameservers", &r->nameservers, &r->n_nameservers)) ||
            (k = str(p, d, "domain", false, &r->domain)) ||
            (k = strv(p, d, "search", &r->search, &r->n_search)) ||
            (k = strv(p, d, "options", &r->options, &r->n_options)))
                return k;
        return 0;
}

int cni_result_parse(const char *json, struct cni_result **ret, char *msg, size_t size)
{
        _cleanup_(cni_result_freep) struct cni_result *r = calloc(1, sizeof(*r));
        struct parse p = {};
        json_error_t e;
        int k;

        if (!r || !(r->json = strdup(json))) {
                snprintf(msg, size, "out of memory");
                return -ENOMEM;
        }
        p.root = json_loads(json, 0, &e);
        if (!json_is_object(p.root)) {
                snprintf(msg, size, "the CNI result is no JSON object%s%s", p.root ? "" : ": ",
                         p.root ? "" : e.text);
                json_decref(p.root);
                return -EPROTO;
        }
        if ((k = str(&p, p.root, "cniVersion", false, &r->cni_version)) ||
            (k = interfaces(&p, r)) || (k = ips(&p, r)) ||
            (k = routes(&p, json_object_get(p.root, "routes"), r)) || (k = ip_old(&p, "ip4", r)) ||
            (k = ip_old(&p, "ip6", r)) || (k = dns(&p, r))) {
                if (k == -ENOMEM)
                        snprintf(msg, size, "out of memory");
                else
                        snprintf(msg, size, "the CNI result's \"%s\" is not as the spec says",
                                 p.what);
                json_decref(p.root);
                return k;
        }
        json_decref(p.root);
        *ret = TAKE_PTR(r);
        return 0;
}
