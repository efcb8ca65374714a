/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nskeeper-pinns: CRI-O's pinns, answered by nskeeperd. CRI-O runs its
 * pinns_path as
 *
 *     PINNS -d DIR -f NAME [-s KEY=VALUE]... [--ipc] [--uts] [--user] [--net]
 *           [--cgroup] [--mnt] [--TYPE=host]... [--uid-mapping=C-H-S@...]
 *           [--gid-mapping=C-H-S@...]
 *
 * and expects each namespace bind-pinned at DIR/TYPEns/NAME, nothing on
 * stdout, the reason on stderr and a status other than 0 on failure.
 * Later it removes each pin itself (umount2 MNT_DETACH, then the file).
 * Here the new namespaces are a set of nskeeperd, "crio-NAME", pinned at
 * those paths as well as at its own and released by the daemon once
 * CRI-O has removed them all; a TYPE=host namespace (the caller's own)
 * is pinned by this program, as pinns does. */

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "nskeeper.h"
#include "util.h"

#define SET_PREFIX "crio-"

static const enum nsk_type pin_order[] = {
        NSK_TYPE_USER, NSK_TYPE_UTS, NSK_TYPE_IPC, NSK_TYPE_NET, NSK_TYPE_CGROUP, NSK_TYPE_MNT,
};

struct args {
        const char *dir, *file;
        nsk_type_mask_t types, host; /* asked for; of those, the caller's own */
        const char *uid_mapping, *gid_mapping;
        struct nsk_settings set;
};

_printf_(1, 2) static int fail(const char *fmt, ...)
{
        va_list ap;

        fputs("nskeeper-pinns: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
        return EXIT_FAILURE;
}

static void help(void)
{
        printf("Usage: nskeeper-pinns -d DIR -f NAME [OPTION...]\n"
               "Make new namespaces as a set of nskeeperd (crio-NAME) and pin each at\n"
               "DIR/TYPEns/NAME, as CRI-O's pinns does; the set is released once all those\n"
               "pins are removed.\n"
               "\n"
               "  -d, --dir DIR             where the TYPEns directories are (made if missing)\n"
               "  -f, --filename NAME       the pins' file name\n"
               "  -u, --uts[=host]          a new uts namespace (host: the caller's own)\n"
               "  -i, --ipc[=host]          ipc\n"
               "  -n, --net[=host]          net (loopback left down, as pinns leaves it)\n"
               "  -U, --user[=host]         user; a new one owns the other new namespaces\n"
               "  -c, --cgroup[=host]       cgroup\n"
               "  -m, --mnt[=host]          mnt\n"
               "  -s, --sysctl KEY=VALUE    set a sysctl in the new namespaces; repeatable\n"
               "                            ('K=V'+'K=V' in one argument too)\n"
               "      --uid-mapping MAP     the new user namespace's uid map: INSIDE-OUTSIDE-\n"
               "                            COUNT lines, each ended by '@'\n"
               "      --gid-mapping MAP     its gid map, the same way\n"
               "  -h, --help                show this help\n"
               "\n"
               "nskeeperd is reached at $NSKEEPER_SOCKET, else " NSK_SOCKET_DEFAULT ".\n");
}

/* One decimal u32 of a map, followed by sep (or the end if sep is '@'). */
static int map_number(const char **s, char sep, uint32_t *ret)
{
        unsigned long v;
        char *end;

        if (!isdigit((unsigned char) **s))
                return -EINVAL;
        errno = 0;
        v = strtoul(*s, &end, 10);
        if (errno || v > UINT32_MAX || (*end != sep && !(sep == '@' && *end == '\0')))
                return -EINVAL;
        *ret = (uint32_t) v;
        *s = *end ? end + 1 : end;
        return 0;
}

/* "C-H-S@C-H-S@..." (the last '@' or not) into map lines. */
static int parse_mapping(const char *s, struct nsk_idmap *m, unsigned *n)
{
        while (*s) {
                struct nsk_idmap line;

                if (map_number(&s, '-', &line.inside) < 0 ||
                    map_number(&s, '-', &line.outside) < 0 || map_number(&s, '@', &line.count) < 0)
                        return -EINVAL;
                if (*n >= NSK_IDMAP_MAX)
                        return -E2BIG;
                m[(*n)++] = line;
        }
        return *n > 0 ? 0 : -EINVAL;
}

/* One -s argument: "K=V", or older CRI-O's "'K=V'+'K=V'". */
static int add_sysctls(struct nsk_settings *set, const char *arg)
{
        _cleanup_free_ char *copy = strdup(arg);
        char *save = NULL;

        if (!copy)
                return -ENOMEM;
        for (char *item = strtok_r(copy, "+", &save); item; item = strtok_r(NULL, "+", &save)) {
                size_t n = strlen(item);
                int r;

                if (n >= 2 && item[0] == '\'' && item[n - 1] == '\'') {
                        item[n - 1] = '\0';
                        item++;
                }
                r = nsk_settings_add_sysctl(set, item);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int parse_args(int argc, char **argv, struct args *a)
{
        enum {
                OPT_UID_MAPPING = 0x100,
                OPT_GID_MAPPING,
        };
        static const struct option longopts[] = {
                { "help", no_argument, NULL, 'h' },
                { "uts", optional_argument, NULL, 'u' },
                { "ipc", optional_argument, NULL, 'i' },
                { "net", optional_argument, NULL, 'n' },
                { "user", optional_argument, NULL, 'U' },
                { "cgroup", optional_argument, NULL, 'c' },
                { "mnt", optional_argument, NULL, 'm' },
                { "dir", required_argument, NULL, 'd' },
                { "filename", required_argument, NULL, 'f' },
                { "uid-mapping", required_argument, NULL, OPT_UID_MAPPING },
                { "gid-mapping", required_argument, NULL, OPT_GID_MAPPING },
                { "sysctl", required_argument, NULL, 's' },
                {},
        };
        static const struct {
                int opt;
                enum nsk_type type;
        } type_opts[] = {
                { 'u', NSK_TYPE_UTS },  { 'i', NSK_TYPE_IPC },    { 'n', NSK_TYPE_NET },
                { 'U', NSK_TYPE_USER }, { 'c', NSK_TYPE_CGROUP }, { 'm', NSK_TYPE_MNT },
        };
        int c;

        opterr = 0; /* one line about a bad option: ours */
        while ((c = getopt_long(argc, argv, "hcuUimnd:f:s:", longopts, NULL)) >= 0) {
                bool taken = false;

                for (size_t i = 0; i < ELEMENTSOF(type_opts); i++) {
                        if (c != type_opts[i].opt)
                                continue;
                        if (optarg && !streq(optarg, "host"))
                                return fail("--%s takes only '=host', not '%s'",
                                            nsk_type_name(type_opts[i].type), optarg);
                        a->types |= NSK_TYPE_BIT(type_opts[i].type);
                        if (optarg)
                                a->host |= NSK_TYPE_BIT(type_opts[i].type);
                        taken = true;
                }
                if (taken)
                        continue;
                switch (c) {
                case 'h':
                        help();
                        exit(EXIT_SUCCESS);
                case 'd':
                        a->dir = optarg;
                        break;
                case 'f':
                        a->file = optarg;
                        break;
                case 's':
                        if (add_sysctls(&a->set, optarg) < 0)
                                return fail("invalid or too many sysctls: '%s'", optarg);
                        break;
                case OPT_UID_MAPPING:
                        a->uid_mapping = optarg;
                        break;
                case OPT_GID_MAPPING:
                        a->gid_mapping = optarg;
                        break;
                default:
                        if (optopt && optopt != '?')
                                return fail("unknown option or missing argument: '-%c' (see "
                                            "--help; '=host' goes with the long options)",
                                            optopt);
                        return fail("unknown option or missing argument: '%s' (see --help)",
                                    argv[optind - 1]);
                }
        }
        if (optind < argc)
                return fail("unexpected argument '%s'", argv[optind]);
        if (!a->dir)
                return fail("Path for pinning namespaces not specified");
        if (!a->file)
                return fail("Filename for pinning namespaces not specified");
        if (!a->types)
                return fail("No namespace specified for pinning");
        if (a->dir[0] != '/')
                return fail("-d takes an absolute directory, not '%s'", a->dir);
        /* pinns would write them to the caller's own namespaces. */
        if (a->set.n_sysctls > 0 && !(a->types & ~a->host))
                return fail("sysctls are set in new namespaces, and every one asked for is the "
                            "host's");
        return 0;
}

/* DIR, or DIR/TYPEns: a directory (made 0755 if missing). */
static int make_dir(const char *path)
{
        struct stat st;

        if (mkdir(path, 0755) < 0 && errno != EEXIST)
                return fail("cannot make %s: %m", path);
        if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
                return fail("%s exists but is not a directory", path);
        return 0;
}

/* A mount namespace may be pinned only where it cannot be propagated
 * into itself: DIR/mntns becomes an unbindable mount of its own. */
static int make_unbindable(const char *path)
{
        if (mount(NULL, path, NULL, MS_UNBINDABLE, NULL) == 0)
                return 0;
        if (errno != EINVAL || mount(path, path, NULL, MS_BIND, NULL) < 0)
                return fail("could not make %s an unbindable mount point: %m", path);
        if (mount(NULL, path, NULL, MS_UNBINDABLE, NULL) < 0) {
                int r = fail("could not make %s an unbindable mount point: %m", path);

                (void) umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW);
                return r;
        }
        return 0;
}

/* The caller's own namespace of type t at path, as pinns does for
 * --TYPE=host: onto the file opened here (never through a symlink put
 * there meanwhile). *ret_made: the file is this program's. */
static int pin_host(enum nsk_type t, const char *path, bool *ret_made)
{
        _cleanup_close_ int fd = -EBADF;
        char ns[64], dst[64];

        /* An existing file is opened O_PATH: a FIFO there is not waited on. */
        fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0);
        *ret_made = fd >= 0;
        if (fd < 0 && errno == EEXIST)
                fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return fail("cannot create %s: %m", path);
        snprintf(ns, sizeof(ns), "/proc/self/ns/%s", nsk_type_name(t));
        snprintf(dst, sizeof(dst), "/proc/self/fd/%d", fd);
        if (mount(ns, dst, NULL, MS_BIND, NULL) < 0) {
                int r = fail("cannot pin the caller's %s namespace at %s: %m", nsk_type_name(t),
                             path);

                if (*ret_made)
                        (void) unlink(path);
                return r;
        }
        return 0;
}

/* Undoes pin_host(): the mount, and the file if it was made here. */
static void unpin_host(const char *path, bool made)
{
        (void) umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW);
        if (made)
                (void) unlink(path);
}

int main(int argc, char **argv)
{
        struct args a = {};
        char name[NSK_NAME_MAX + 1], paths[ELEMENTSOF(pin_order)][NSK_PATH_MAX];
        nsk_type_mask_t pinned = 0;
        bool made[ELEMENTSOF(pin_order)] = {};
        struct nsk_client *cl = NULL;
        int r;

        r = parse_args(argc, argv, &a);
        if (r != 0)
                goto out;
        r = EXIT_FAILURE;
        if (a.types & ~a.host & NSK_TYPE_BIT(NSK_TYPE_USER)) {
                if (!a.uid_mapping || !a.gid_mapping) {
                        fail("Creating new user namespace but mappings not specified");
                        goto out;
                }
                if (parse_mapping(a.uid_mapping, a.set.uid_map, &a.set.n_uid_map) < 0 ||
                    parse_mapping(a.gid_mapping, a.set.gid_map, &a.set.n_gid_map) < 0) {
                        fail("invalid mapping (expected INSIDE-OUTSIDE-COUNT@...)");
                        goto out;
                }
        } else if (a.uid_mapping || a.gid_mapping) {
                fail("Mappings specified without creating a new user namespace");
                goto out;
        }
        if ((size_t) snprintf(name, sizeof(name), SET_PREFIX "%s", a.file) >= sizeof(name) ||
            !nsk_name_is_valid(name)) {
                fail("'%s' makes no set name (crio-NAME: up to %d characters of A-Z a-z 0-9 _ . -)",
                     a.file, NSK_NAME_MAX - (int) strlen(SET_PREFIX));
                goto out;
        }
        if (make_dir(a.dir) != 0)
                goto out;
        for (size_t i = 0; i < ELEMENTSOF(pin_order); i++) {
                enum nsk_type t = pin_order[i];
                char dir[NSK_PATH_MAX];

                if (!(a.types & NSK_TYPE_BIT(t)))
                        continue;
                if ((size_t) snprintf(dir, sizeof(dir), "%s/%sns", a.dir, nsk_type_name(t)) >=
                            sizeof(dir) ||
                    (size_t) snprintf(paths[i], sizeof(paths[i]), "%s/%s", dir, a.file) >=
                            sizeof(paths[i])) {
                        fail("%s: path too long", a.dir);
                        goto out;
                }
                if (make_dir(dir) != 0 || (t == NSK_TYPE_MNT && make_unbindable(dir) != 0))
                        goto out;
                if (a.host & NSK_TYPE_BIT(t)) {
                        if (pin_host(t, paths[i], &made[i]) != 0)
                                goto out;
                        pinned |= NSK_TYPE_BIT(t);
                } else if (nsk_settings_add_pin_at(&a.set, t, paths[i]) < 0) {
                        fail("%s is no path to pin at (absolute, printable, no '.' or '..')",
                             paths[i]);
                        goto out;
                }
        }
        if (a.types & ~a.host) {
                /* As pinns: loopback is CNI's business (its loopback plugin). */
                a.set.no_loopback = (a.types & ~a.host & NSK_TYPE_BIT(NSK_TYPE_NET)) != 0;
                a.set.release_with_pins = true;
                r = nsk_connect(NULL, &cl);
                if (r == 0)
                        r = nsk_create(cl, name, a.types & ~a.host, NSK_PIN_BIND, &a.set, NULL);
                if (r < 0) {
                        fail("%s: %s", name, nsk_client_error(cl));
                        r = EXIT_FAILURE;
                        goto out;
                }
        }
        pinned = 0; /* done: the caller's from here on */
        r = EXIT_SUCCESS;
out:
        for (size_t i = 0; i < ELEMENTSOF(pin_order); i++)
                if (pinned & NSK_TYPE_BIT(pin_order[i]))
                        unpin_host(paths[i], made[i]);
        nsk_client_free(cl);
        nsk_settings_done(&a.set);
        return r;
}
