/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A CNI result (what a network's ADD printed) read into a struct: the
 * interfaces, addresses, routes and DNS settings it made, for show and
 * the state file; the JSON text is kept too, as DEL and CHECK want it
 * back. */
#pragma once

#include <stddef.h>

struct cni_interface {
        char *name;
        char *mac;     /* or NULL */
        char *sandbox; /* the net namespace's path, NULL for the host's */
};

struct cni_ip {
        char *address; /* CIDR: "192.0.2.5/24" */
        char *gateway; /* or NULL */
        int interface; /* index into interfaces, -1: not said */
};

struct cni_route {
        char *dst; /* CIDR */
        char *gw;  /* or NULL */
};

struct cni_result {
        char *json; /* as printed, for DEL and CHECK's prevResult */
        char *cni_version;
        struct cni_interface *interfaces;
        size_t n_interfaces;
        struct cni_ip *ips;
        size_t n_ips;
        struct cni_route *routes;
        size_t n_routes;
        char **nameservers;
        size_t n_nameservers;
        char *domain; /* or NULL */
        char **search;
        size_t n_search;
        char **options;
        size_t n_options;
};

/* Reads json, a result of any spec version (0.3.0 on: "interfaces",
 * "ips", "routes", "dns"; before: "ip4", "ip6", "dns"). -EPROTO and msg
 * when it is no result. */
int cni_result_parse(const char *json, struct cni_result **ret, char *msg, size_t size);
struct cni_result *cni_result_free(struct cni_result *r);
static inline void cni_result_freep(struct cni_result **p)
{
        cni_result_free(*p);
}
