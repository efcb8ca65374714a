/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libnskeeper: the client side of nskeeperd's control socket. Connect,
 * ask for sets, receive their namespace fds and join them. Functions
 * return >= 0 on success and -errno on failure; nsk_client_error() then
 * gives the reason in words ("not found", "already exists"), for the
 * caller to put after the command and set it asked about. libnskeeper(3). */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* --- namespace types --- */

/* The order is the order in which a client joins (setns) a set: the user
 * namespace first, so that the others are entered with the capabilities
 * it grants (as nsenter(1) does), mnt late because it changes the root,
 * and time last. */
enum nsk_type {
        NSK_TYPE_USER,
        NSK_TYPE_CGROUP,
        NSK_TYPE_IPC,
        NSK_TYPE_UTS,
        NSK_TYPE_NET,
        NSK_TYPE_PID,
        NSK_TYPE_MNT,
        NSK_TYPE_TIME,
        NSK_TYPE_MAX,
        NSK_TYPE_INVALID = -EINVAL,
};

/* A set of types: bit (1u << NSK_TYPE_x). */
typedef uint32_t nsk_type_mask_t;
#define NSK_TYPE_BIT(t) ((nsk_type_mask_t) 1 << (t))
#define NSK_TYPE_MASK_ALL (NSK_TYPE_BIT(NSK_TYPE_MAX) - 1)

/* The name of type t as in /proc/PID/ns ("net"), or NULL. */
const char *nsk_type_name(enum nsk_type t);
int nsk_type_clone_flag(enum nsk_type t);

/* NSK_TYPE_INVALID if name is no type. */
enum nsk_type nsk_type_from_name(const char *name);

/* Parses "net,uts,ipc" or "all" (every type in 'supported'). Fails with
 * -EINVAL on an empty item or unknown name, -ENOTUNIQ on a type named
 * twice. On failure *ret_bad (if given) points at the offending item
 * inside 'list' and *ret_bad_len is its length. */
int nsk_type_mask_from_list(const char *list, nsk_type_mask_t supported, nsk_type_mask_t *ret,
                            const char **ret_bad, size_t *ret_bad_len);

/* "net,uts" in table order; returns the length that the full string
 * needs (like snprintf). */
size_t nsk_type_mask_format(nsk_type_mask_t mask, char *buf, size_t size);

unsigned nsk_type_mask_count(nsk_type_mask_t mask);

/* Types the running kernel offers (those with a /proc/self/ns file). */
nsk_type_mask_t nsk_type_mask_supported(void);

/* --- limits --- */

#define NSK_NAME_MAX 64 /* set name */
/* Each user's sets have names of their own: root names another user's
 * set UID/NAME. A request may carry such a full name. */
#define NSK_FULL_NAME_MAX (NSK_NAME_MAX + 11)
#define NSK_MESSAGE_MAX 512 /* human-readable error text, NUL included */
#define NSK_PATH_MAX 4096   /* a pin path, NUL included */

#define NSK_RUNTIME_DIR_DEFAULT "/run/nskeeper"
#define NSK_SOCKET_NAME "control"
#define NSK_SOCKET_DEFAULT NSK_RUNTIME_DIR_DEFAULT "/" NSK_SOCKET_NAME

/* What a set is made of when no types are named. */
#define NSK_TYPES_DEFAULT \
        (NSK_TYPE_BIT(NSK_TYPE_NET) | NSK_TYPE_BIT(NSK_TYPE_UTS) | NSK_TYPE_BIT(NSK_TYPE_IPC))

/* 1-64 characters of [A-Za-z0-9_.-], not starting with '.' or '-'. */
bool nsk_name_is_valid(const char *s);

/* --- sets --- */

enum nsk_pin {
        NSK_PIN_BIND = 0,
        NSK_PIN_FD = 1,
        NSK_PIN_MAX,
};

const char *nsk_pin_name(enum nsk_pin p);
int nsk_pin_from_name(const char *s); /* enum nsk_pin or -EINVAL */

enum nsk_state {
        NSK_STATE_READY = 0,
        NSK_STATE_DEAD = 1, /* e.g. its pid namespace's init died: it cannot be joined */
        /* A pin or its ip netns entry was unmounted or replaced from
         * outside: the namespaces whose pins are left can be joined. */
        NSK_STATE_DAMAGED = 2,
        NSK_STATE_MAX,
};

const char *nsk_state_name(enum nsk_state s);

enum nsk_event {
        NSK_EVENT_NONE = 0,
        NSK_EVENT_CREATED = 1,
        NSK_EVENT_RELEASED = 2,
        NSK_EVENT_ADOPTED = 3,
        NSK_EVENT_DEAD = 4,        /* e.g. its keeper died */
        NSK_EVENT_PIN_MISSING = 5, /* a bind pin was found gone or replaced */
        NSK_EVENT_MAX,
};

const char *nsk_event_name(enum nsk_event e);

#define NSK_HOSTNAME_MAX 64 /* HOST_NAME_MAX */
#define NSK_SYSCTL_MAX 32   /* sysctls per set */
#define NSK_SYSCTL_LEN 512  /* "key=value", NUL included */
#define NSK_IDMAP_MAX 16    /* lines per uid or gid map */

struct nsk_idmap {
        uint32_t inside;
        uint32_t outside;
        uint32_t count;
};

/* A CNI network of a set: nskeeperd runs the network's plugins (ADD)
 * after it made the set's net namespace, and their DEL when it releases
 * the set. A request carries only name and ifname (ifname "": the first
 * of eth0, eth1, ... that no other network of the set names); one with
 * the rest is refused. In a set's description the rest says what the
 * ADD made inside the net namespace, from the plugins' result. */
#define NSK_NETWORK_MAX 8        /* networks per set */
#define NSK_NETWORK_NAME_MAX 64  /* a network's "name" in its configuration */
#define NSK_IFNAME_MAX 15        /* IFNAMSIZ - 1 */
#define NSK_NETWORK_ITEMS_MAX 16 /* addresses, gateways, routes, nameservers each */
#define NSK_NET_ITEM_LEN 128     /* one of them, NUL included */

struct nsk_network {
        char name[NSK_NETWORK_NAME_MAX + 1];
        char ifname[NSK_IFNAME_MAX + 1];
        char mac[18]; /* of ifname; "" if the result does not say */
        unsigned n_addresses, n_gateways, n_routes, n_nameservers;
        char **addresses;   /* CIDR: "192.0.2.5/24" */
        char **gateways;    /* "192.0.2.1" */
        char **routes;      /* "DST" or "DST via GW": "0.0.0.0/0 via 192.0.2.1" */
        char **nameservers; /* "192.0.2.53" */
};

/* What a set is created with besides its types. Zeroed means defaults;
 * sysctls and networks are allocated (nsk_settings_done()). */
struct nsk_settings {
        char hostname[NSK_HOSTNAME_MAX + 1];
        char domainname[NSK_HOSTNAME_MAX + 1];
        unsigned n_sysctls;
        char **sysctls; /* "key=value" */
        unsigned n_uid_map, n_gid_map;
        struct nsk_idmap uid_map[NSK_IDMAP_MAX];
        struct nsk_idmap gid_map[NSK_IDMAP_MAX];
        int64_t monotonic; /* time offsets, seconds */
        int64_t boottime;
        bool no_loopback;
        bool setgroups_deny;
        bool ip_netns; /* net also at /run/netns/NAME, for ip-netns(8) */
        unsigned n_networks;
        struct nsk_network *networks; /* CNI networks, attached in this order */
        /* Pins at paths of the creator's choice besides the set's own
         * (root's sets only): "TYPE:/PATH", at most one per type. */
        unsigned n_pins_at;
        char **pins_at;
        /* The set is released once every one of pins_at is gone (its
         * creator removed them, as CRI-O removes pinns' pins). */
        bool release_with_pins;
};

void nsk_settings_done(struct nsk_settings *s);
int nsk_settings_add_sysctl(struct nsk_settings *s, const char *assignment);
/* Adds CNI network name (ifname NULL or "": picked by the daemon).
 * -EINVAL for a name or interface name that is not valid, -E2BIG past
 * NSK_NETWORK_MAX. */
int nsk_settings_add_network(struct nsk_settings *s, const char *name, const char *ifname);
/* Adds a pin at path for the set's namespace of type t (an absolute path
 * of printable characters, no "." or ".." component). -EINVAL if it is
 * none, -E2BIG past NSK_TYPE_MAX pins; a second pin of one type is
 * refused by nsk_settings_check(). */
int nsk_settings_add_pin_at(struct nsk_settings *s, enum nsk_type t, const char *path);

/* A CNI network name: 1-NSK_NETWORK_NAME_MAX of [A-Za-z0-9_.-], starting
 * with a letter or digit (the CNI spec's rule). NULL is none. */
bool nsk_network_name_is_valid(const char *s);
/* An interface name: 1-NSK_IFNAME_MAX bytes, no '/', ':', whitespace,
 * not "." or ".." (what the kernel takes). NULL is none. */
bool nsk_ifname_is_valid(const char *s);
/* Checks settings against the types of the set they are for: each
 * needs its namespace type, names and keys must be valid. -EINVAL with
 * the reason in msg. */
int nsk_settings_check(const struct nsk_settings *s, nsk_type_mask_t types, char *msg, size_t size);

struct nsk_ns_info {
        enum nsk_type type;
        uint64_t inode;
        char *path;   /* NULL unless the namespace has a bind pin */
        bool missing; /* its bind pin was unmounted or replaced from outside */
};

struct nsk_set_info {
        char name[NSK_NAME_MAX + 1];
        enum nsk_pin pin;
        enum nsk_state state;
        char state_reason[NSK_MESSAGE_MAX];
        uint32_t keeper_pid; /* 0: none */
        uint64_t created;
        uint32_t owner;
        struct nsk_settings settings;
        bool ip_netns_missing; /* settings.ip_netns, but NETNS_DIR/NAME is gone */
        unsigned n_ns;
        struct nsk_ns_info ns[NSK_TYPE_MAX]; /* in enum nsk_type order */
};

void nsk_set_info_done(struct nsk_set_info *s);
/* The namespace of type t that set s has, or NULL. */
const struct nsk_ns_info *nsk_set_ns(const struct nsk_set_info *s, enum nsk_type t);

/* --- talking to nskeeperd --- */

struct nsk_client;

/* path NULL: $NSKEEPER_SOCKET, else NSK_SOCKET_DEFAULT. Refuses a socket
 * whose server is not root (-EPERM). On failure *ret gets a client that
 * only carries the error text (or NULL when out of memory); free it. */
int nsk_connect(const char *path, struct nsk_client **ret);
struct nsk_client *nsk_client_free(struct nsk_client *c);
const char *nsk_client_error(const struct nsk_client *c);

/* Functions with a ret_set argument (may be NULL) empty it first and, on
 * success, fill it; its memory is then freed with nsk_set_info_done().
 *
 * types 0: the daemon's default (net,uts,ipc). */
int nsk_create(struct nsk_client *c, const char *name, nsk_type_mask_t types, enum nsk_pin pin,
               const struct nsk_settings *settings, struct nsk_set_info *ret_set);

/* Asks for the fds of the types in 'types' (0: all the set has). Each
 * received fd is checked with NS_GET_NSTYPE. ret_fds is indexed by
 * enum nsk_type; types not received are -EBADF. */
int nsk_get_fds(struct nsk_client *c, const char *name, nsk_type_mask_t types,
                int ret_fds[NSK_TYPE_MAX], struct nsk_set_info *ret_set);

int nsk_list(struct nsk_client *c, struct nsk_set_info **ret_sets, size_t *ret_n);
int nsk_show(struct nsk_client *c, const char *name, struct nsk_set_info *ret_set);
/* Releases a set. A set with networks has their DEL run first; one that
 * fails does not keep the set: nsk_release() still returns 0, and
 * nsk_client_error() then says what failed ("" when nothing did). */
int nsk_release(struct nsk_client *c, const char *name);
/* Runs the CNI CHECK of each of the set's networks: 0 when every plugin
 * says its network is as the ADD left it, else -errno and
 * nsk_client_error() says which network and why. */
int nsk_check(struct nsk_client *c, const char *name);

void nsk_sets_free(struct nsk_set_info *sets, size_t n);

/* Takes existing namespaces under management as set 'name' (root only):
 * those of process pid (pid > 0: every type that differs from PID 1's,
 * or those in 'types'), or the namespace files at paths. */
int nsk_adopt(struct nsk_client *c, const char *name, pid_t pid, const char *const *paths,
              size_t n_paths, nsk_type_mask_t types, enum nsk_pin pin,
              struct nsk_set_info *ret_set);

/* Streams events: fn is called for each (the set is described fully if
 * it is the caller's) until it returns < 0, which nsk_monitor returns,
 * or the daemon goes away (-ECONNRESET). */
typedef int (*nsk_event_fn)(enum nsk_event e, const struct nsk_set_info *set, void *userdata);
int nsk_monitor(struct nsk_client *c, nsk_event_fn fn, void *userdata);

/* setns() into each fd that is set, always naming the expected type.
 * Two passes around the user namespace, as nsenter(1) does: first every
 * other type (those refused with EPERM are put off), then user, then
 * what was put off, which the user namespace may now allow. On failure
 * *ret_failed (if given) is the type that could not be joined. The
 * caller must be single-threaded for mnt and user. pid and time apply to
 * children: fork afterwards. */
int nsk_join_fds(const int fds[NSK_TYPE_MAX], enum nsk_type *ret_failed);

#ifdef __cplusplus
}
#endif
