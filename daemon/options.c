/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nskeeperd's command line (options.h). */

#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>

#include "helper-proto.h"
#include "log.h"
#include "nstype.h"
#include "options.h"
#include "parse.h"
#include "util.h"

static void help(void)
{
        printf("Usage: nskeeperd [OPTION...]\n"
               "Keep Linux namespace sets alive and hand their fds to clients.\n"
               "\n"
               "  -s, --socket PATH        control socket (default: RUNTIME_DIR/" NSK_SOCKET_NAME
               ")\n"
               "  -r, --runtime-dir DIR    pins, state and lock (default: " NSK_RUNTIME_DIR_DEFAULT
               ")\n"
               "  -l, --log-level LEVEL    error, warning, notice, info or debug (default: info)\n"
               "  -g, --group GROUP        members of GROUP may connect too (socket mode 0660);\n"
               "                           they may create only sets with a user namespace,\n"
               "                           map only their own ids and subuid/subgid ranges, and\n"
               "                           see, join and release only their own sets\n"
               "      --max-sets-per-user N         sets a uid other than root may own (64)\n"
               "      --max-namespaces-per-user N   namespaces in them (512)\n"
               "      --max-clients-per-user N      connections of one such uid, its\n"
               "                                    subordinate uids included (32)\n"
               "      --max-clients N               connections of all but root (4096;\n"
               "                                    root has 16 more of its own)\n"
               "      --idle-timeout SECS  close a connection idle that long; 0: never (60)\n"
               "      --subuid-file PATH   subordinate uids (default: /etc/subuid)\n"
               "      --subgid-file PATH   subordinate gids (default: /etc/subgid)\n"
               "      --netns-dir DIR      where sets made with --ip-netns appear (default:\n"
               "                           /run/netns, where ip-netns(8) looks)\n"
               "      --pool TYPES:N       keep N (up to 1024) sets of TYPES (net, uts, ipc,\n"
               "                           cgroup) made ahead, for root's creates of just\n"
               "                           those types with no settings; up to 4 pools\n"
               "      --cni-conf-dir DIRS  where CNI network configurations are found, ':'\n"
               "                           between directories (default: /etc/cni/net.d)\n"
               "      --cni-path DIRS      where CNI plugins are found, ':' between\n"
               "                           directories (default: /usr/lib/cni:/opt/cni/bin)\n"
               "      --spawner PATH       the program that starts helpers (default:\n"
               "                           " NSK_SPAWNER_PATH ");\n"
               "                           'none': the daemon forks them itself (slower)\n"
               "  -h, --help               show this help\n"
               "  -V, --version            show the version\n"
               "\n"
               "Runs in the foreground and logs to stderr; SIGTERM or SIGINT stops it.\n"
               "Sets pinned by bind mount (the default) survive a restart and are adopted\n"
               "again from the runtime directory; sets pinned by held fd end with the daemon,\n"
               "unless systemd keeps their fds in its fd store (a restart, not a stop).\n"
               "SIGHUP adopts sets that appeared in the runtime directory since the start.\n");
}

enum {
        OPT_MAX_SETS = 0x100,
        OPT_MAX_NAMESPACES,
        OPT_MAX_CLIENTS_PER_USER,
        OPT_MAX_CLIENTS,
        OPT_IDLE_TIMEOUT,
        OPT_SUBUID,
        OPT_SUBGID,
        OPT_NETNS_DIR,
        OPT_SPAWNER,
        OPT_POOL,
        OPT_CNI_CONF_DIR,
        OPT_CNI_PATH,
};

static int parse_unsigned(const char *opt, const char *s, unsigned min, unsigned *ret)
{
        uint32_t v;

        if (parse_u32(s, &v) < 0 || v > 1000000000 || v < min) {
                fprintf(stderr, "nskeeperd: %s takes a number of at least %u, not '%s'\n", opt, min,
                        s);
                return -1;
        }
        *ret = (unsigned) v;
        return 0;
}

static int parse_group(const char *s, gid_t *ret)
{
        struct group gr, *res = NULL;
        char buf[4096];
        unsigned id;

        if (getgrnam_r(s, &gr, buf, sizeof(buf), &res) == 0 && res) {
                *ret = res->gr_gid;
                return 0;
        }
        if (s[0] >= '0' && s[0] <= '9' && parse_unsigned("--group", s, 1, &id) == 0) {
                *ret = (gid_t) id;
                return 0;
        }
        fprintf(stderr, "nskeeperd: no group '%s'\n", s);
        return -1;
}

/* --pool TYPES:N: types the maker makes (helper-proto.h) but mnt, N
 * from 1 to POOL_MAX (each set ahead holds an fd per type); one per set
 * of types. */
#define POOL_MAX 1024
/* "/a:/b": each directory absolute (the daemon works from "/"). */
static bool dirs_absolute(const char *s)
{
        for (;;) {
                size_t n = strcspn(s, ":");

                if (n == 0 || s[0] != '/')
                        return false;
                if (!s[n])
                        return true;
                s += n + 1;
        }
}

static int parse_pool(const char *s, struct options *o)
{
        nsk_type_mask_t mask;
        const char *colon = strrchr(s, ':');
        char types[128];
        const char *bad = NULL;
        size_t bad_len = 0;

        if (!colon || (size_t) (colon - s) >= sizeof(types)) {
                fprintf(stderr, "nskeeperd: --pool takes TYPES:N, such as uts:64, not '%s'\n", s);
                return -1;
        }
        memcpy(types, s, (size_t) (colon - s));
        types[colon - s] = '\0';
        if (nsk_type_mask_from_list(types, NSK_TYPE_MASK_ALL, &mask, &bad, &bad_len) < 0) {
                fprintf(stderr, "nskeeperd: --pool: bad namespace type '%.*s'\n", (int) bad_len,
                        bad ? bad : types);
                return -1;
        }
        /* Not mnt: a mount namespace made ahead would keep every mount
         * of the time it was made, unmounted since or not. */
        if (mask & ~(MAKER_TYPES & ~NSK_TYPE_BIT(NSK_TYPE_MNT))) {
                fprintf(stderr, "nskeeperd: --pool: only net, uts, ipc and cgroup can be made "
                                "ahead (user, pid and time need a process of their own; a mnt "
                                "namespace would keep the mounts of when it was made)\n");
                return -1;
        }
        for (unsigned i = 0; i < o->n_pools; i++)
                if (o->pools[i].types == mask) {
                        fprintf(stderr, "nskeeperd: --pool: '%s' has a pool already\n", types);
                        return -1;
                }
        if (o->n_pools == ELEMENTSOF(o->pools)) {
                fprintf(stderr, "nskeeperd: --pool: at most %zu pools\n", ELEMENTSOF(o->pools));
                return -1;
        }
        if (parse_unsigned("--pool", colon + 1, 1, &o->pools[o->n_pools].size) < 0)
                return -1;
        if (o->pools[o->n_pools].size > POOL_MAX) {
                fprintf(stderr, "nskeeperd: --pool: at most %u sets ahead per pool\n", POOL_MAX);
                return -1;
        }
        o->pools[o->n_pools++].types = mask;
        return 0;
}

int options_parse(int argc, char **argv, struct options *o)
{
        static const struct option longopts[] = {
                { "socket", required_argument, NULL, 's' },
                { "runtime-dir", required_argument, NULL, 'r' },
                { "log-level", required_argument, NULL, 'l' },
                { "group", required_argument, NULL, 'g' },
                { "max-sets-per-user", required_argument, NULL, OPT_MAX_SETS },
                { "max-namespaces-per-user", required_argument, NULL, OPT_MAX_NAMESPACES },
                { "max-clients-per-user", required_argument, NULL, OPT_MAX_CLIENTS_PER_USER },
                { "max-clients", required_argument, NULL, OPT_MAX_CLIENTS },
                { "idle-timeout", required_argument, NULL, OPT_IDLE_TIMEOUT },
                { "subuid-file", required_argument, NULL, OPT_SUBUID },
                { "subgid-file", required_argument, NULL, OPT_SUBGID },
                { "netns-dir", required_argument, NULL, OPT_NETNS_DIR },
                { "spawner", required_argument, NULL, OPT_SPAWNER },
                { "pool", required_argument, NULL, OPT_POOL },
                { "cni-conf-dir", required_argument, NULL, OPT_CNI_CONF_DIR },
                { "cni-path", required_argument, NULL, OPT_CNI_PATH },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, 'V' },
                {},
        };
        int c, level;

        while ((c = getopt_long(argc, argv, "s:r:l:g:hV", longopts, NULL)) >= 0)
                switch (c) {
                case 'g':
                        if (parse_group(optarg, &o->cfg.group) < 0)
                                return -1;
                        o->cfg.have_group = true;
                        break;
                case OPT_MAX_SETS:
                        if (parse_unsigned("--max-sets-per-user", optarg, 0,
                                           &o->cfg.max_sets_per_user) < 0)
                                return -1;
                        break;
                case OPT_MAX_NAMESPACES:
                        if (parse_unsigned("--max-namespaces-per-user", optarg, 0,
                                           &o->cfg.max_namespaces_per_user) < 0)
                                return -1;
                        break;
                case OPT_MAX_CLIENTS_PER_USER:
                        if (parse_unsigned("--max-clients-per-user", optarg, 1,
                                           &o->cfg.max_clients_per_user) < 0)
                                return -1;
                        break;
                case OPT_MAX_CLIENTS:
                        if (parse_unsigned("--max-clients", optarg, 1, &o->cfg.max_clients) < 0)
                                return -1;
                        break;
                case OPT_IDLE_TIMEOUT:
                        if (parse_unsigned("--idle-timeout", optarg, 0, &o->cfg.idle_timeout_sec) <
                            0)
                                return -1;
                        break;
                case OPT_SUBUID:
                        o->cfg.subuid_path = optarg;
                        break;
                case OPT_SUBGID:
                        o->cfg.subgid_path = optarg;
                        break;
                case OPT_NETNS_DIR:
                        if (optarg[0] != '/') {
                                fprintf(stderr, "nskeeperd: --netns-dir takes an absolute path\n");
                                return -1;
                        }
                        o->cfg.netns_dir = optarg;
                        break;
                case OPT_POOL:
                        if (parse_pool(optarg, o) < 0)
                                return -1;
                        break;
                case OPT_CNI_CONF_DIR:
                case OPT_CNI_PATH:
                        if (!dirs_absolute(optarg)) {
                                fprintf(stderr,
                                        "nskeeperd: --%s takes absolute directories, ':' "
                                        "between them\n",
                                        c == OPT_CNI_PATH ? "cni-path" : "cni-conf-dir");
                                return -1;
                        }
                        *(c == OPT_CNI_PATH ? &o->cni_path : &o->cni_conf_dir) = optarg;
                        break;
                case OPT_SPAWNER:
                        if (!streq(optarg, "none") && optarg[0] != '/') {
                                fprintf(stderr,
                                        "nskeeperd: --spawner takes an absolute path or 'none'\n");
                                return -1;
                        }
                        o->spawner = optarg;
                        break;
                case 's':
                        o->socket = optarg;
                        break;
                case 'r':
                        o->runtime_dir = optarg;
                        break;
                case 'l':
                        level = log_level_from_string(optarg);
                        if (level < 0) {
                                fprintf(stderr, "nskeeperd: unknown log level '%s'\n", optarg);
                                return -1;
                        }
                        log_set_level(level);
                        break;
                case 'h':
                        help();
                        return 1;
                case 'V':
                        printf("nskeeperd %s\n", PACKAGE_VERSION);
                        return 1;
                default:
                        fprintf(stderr, "Try 'nskeeperd --help'.\n");
                        return -1;
                }
        if (optind < argc) {
                fprintf(stderr, "nskeeperd: unexpected argument '%s'\nTry 'nskeeperd --help'.\n",
                        argv[optind]);
                return -1;
        }
        return 0;
}

/* Relative paths given on the command line, made absolute from the
 * directory the daemon was started in: it then goes to "/". */
int options_absolute_paths(struct options *o)
{
        const char **paths[] = { &o->socket, &o->runtime_dir, &o->cfg.subuid_path,
                                 &o->cfg.subgid_path };
        char cwd[PATH_MAX];

        _Static_assert(ELEMENTSOF(paths) == ELEMENTSOF(o->owned), "one owned slot per path");
        for (size_t i = 0; i < ELEMENTSOF(paths); i++) {
                const char *p = *paths[i];

                if (!p || p[0] == '/')
                        continue;
                if (!getcwd(cwd, sizeof(cwd)))
                        return log_error_errno(negative_errno(), "cannot make '%s' absolute: %m",
                                               p);
                if (asprintf(&o->owned[i], "%s/%s", cwd, p) < 0) {
                        o->owned[i] = NULL;
                        return log_error_errno(-ENOMEM, "out of memory");
                }
                *paths[i] = o->owned[i];
        }
        return 0;
}
