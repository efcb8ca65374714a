/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Benchmark floor: what keeping a namespace costs with nothing around it.
 * Per set: create a file, fork, unshare() in the child, bind-mount the
 * child's /proc/self/ns/TYPE files onto it, reap. Then the reverse
 * (umount2(MNT_DETACH) + unlink per set), timed on its own.
 *
 *   raw-baseline -d DIR [-n N] [-j JOBS] [-t TYPES] [--loopback] [--ballast MIB] [--keep]
 *
 * DIR should be a private mount (the bench makes one). TYPES is a comma
 * list of net, uts, ipc (default net); with several, each set gets one
 * file per type, as nskeeperd's bind pins do. -j: JOBS processes share
 * the creates (the most the kernel lets run side by side). --loopback:
 * the child also brings lo up, as nskeeperd does by default. --ballast:
 * the parent first fills MIB MiB of heap, as a daemon holding many sets
 * does, to show what fork() pays for the parent's memory. Prints one
 * JSON object: per-set times for create and release (release omitted
 * with --keep), and the CPU time (user + system, all processes) that the
 * creates took per set.
 *
 * --in-process: the physical floor. No process per set: this process
 * unshares again and again, pins what it made, and setns()es back to the
 * namespaces it started in (uts and ipc copy the current ones, so each
 * set starts from the same). What is left is the kernel's work alone. */

#include <fcntl.h>
#include <getopt.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "stats.h"

static bool loopback;
static bool in_process;
/* --in-process: this process's own namespaces, to go back to. */
static int home_fd[3] = { -1, -1, -1 };

struct rtype {
        const char *name;
        int flag;
};

static const struct rtype rtypes[] = {
        { "net", CLONE_NEWNET },
        { "uts", CLONE_NEWUTS },
        { "ipc", CLONE_NEWIPC },
};

static int parse_types(const char *list, int *ret_flags, const char **ret_names, size_t *ret_n)
{
        char buf[64], *save = NULL;
        size_t n = 0;

        if (strlen(list) >= sizeof(buf))
                return -EINVAL;
        strcpy(buf, list);
        *ret_flags = 0;
        for (char *w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
                size_t i;

                for (i = 0; i < ELEMENTSOF(rtypes); i++)
                        if (streq(w, rtypes[i].name))
                                break;
                if (i == ELEMENTSOF(rtypes) || (*ret_flags & rtypes[i].flag))
                        return -EINVAL;
                *ret_flags |= rtypes[i].flag;
                ret_names[n++] = rtypes[i].name;
        }
        *ret_n = n;
        return n > 0 ? 0 : -EINVAL;
}

/* Unshare, then pin each namespace onto its file: 0, or what failed (10
 * unshare, 11 mount, 12 loopback up). Only system calls, as in
 * nskeeperd's helper. */
static int unshare_pin(int flags, const char *dir, unsigned idx, const char *const *names, size_t n)
{
        char src[64], dst[4096];

        if (unshare(flags) < 0)
                return 10;
        if (loopback && (flags & CLONE_NEWNET)) {
                struct ifreq ifr = { .ifr_name = "lo" };
                int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

                if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
                        return 12;
                ifr.ifr_flags |= IFF_UP;
                if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
                        return 12;
                close(fd);
        }
        for (size_t i = 0; i < n; i++) {
                snprintf(src, sizeof(src), "/proc/thread-self/ns/%s", names[i]);
                snprintf(dst, sizeof(dst), "%s/%u.%s", dir, idx, names[i]);
                if (mount(src, dst, NULL, MS_BIND, NULL) < 0)
                        return 11;
        }
        return 0;
}

/* --in-process: back to where this process started, before the next set. */
static int go_home(int flags)
{
        for (size_t i = 0; i < ELEMENTSOF(rtypes); i++)
                if ((flags & rtypes[i].flag) && setns(home_fd[i], rtypes[i].flag) < 0)
                        return 13;
        return 0;
}

static int make_set(int flags, const char *dir, unsigned idx, const char *const *names, size_t n)
{
        char path[4096];
        int status;
        pid_t pid;

        for (size_t i = 0; i < n; i++) {
                int fd;

                snprintf(path, sizeof(path), "%s/%u.%s", dir, idx, names[i]);
                fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0444);
                if (fd < 0) {
                        fprintf(stderr, "raw-baseline: %s: %m\n", path);
                        return -1;
                }
                close(fd);
        }
        if (in_process) {
                int r = unshare_pin(flags, dir, idx, names, n);

                if (r == 0)
                        r = go_home(flags);
                status = r << 8; /* as an exit status, for the message below */
        } else {
                pid = fork();
                if (pid < 0) {
                        fprintf(stderr, "raw-baseline: fork: %m\n");
                        return -1;
                }
                if (pid == 0)
                        _exit(unshare_pin(flags, dir, idx, names, n));
                if (waitpid(pid, &status, 0) < 0)
                        status = 0xff00;
        }
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                fprintf(stderr, "raw-baseline: set %u: child failed (status 0x%x: %s)\n", idx,
                        status,
                        WEXITSTATUS(status) == 10   ? "unshare"
                        : WEXITSTATUS(status) == 11 ? "mount"
                        : WEXITSTATUS(status) == 12 ? "loopback up"
                        : WEXITSTATUS(status) == 13 ? "setns back"
                                                    : "?");
                return -1;
        }
        return 0;
}

static int remove_set(const char *dir, unsigned idx, const char *const *names, size_t n)
{
        char path[4096];
        int r = 0;

        for (size_t i = 0; i < n; i++) {
                snprintf(path, sizeof(path), "%s/%u.%s", dir, idx, names[i]);
                if (umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW) < 0 && errno != EINVAL &&
                    errno != ENOENT) {
                        fprintf(stderr, "raw-baseline: umount %s: %m\n", path);
                        r = -1;
                }
                if (unlink(path) < 0 && errno != ENOENT) {
                        fprintf(stderr, "raw-baseline: unlink %s: %m\n", path);
                        r = -1;
                }
        }
        return r;
}

/* User + system time of this process and its reaped children. */
static double cpu_us(void)
{
        struct rusage self, children;

        getrusage(RUSAGE_SELF, &self);
        getrusage(RUSAGE_CHILDREN, &children);
        return (double) (self.ru_utime.tv_sec + self.ru_stime.tv_sec + children.ru_utime.tv_sec +
                         children.ru_stime.tv_sec) *
                       1e6 +
               (double) (self.ru_utime.tv_usec + self.ru_stime.tv_usec + children.ru_utime.tv_usec +
                         children.ru_stime.tv_usec);
}

/* Creates sets first, first + stride, ... below n; 0 or -1. */
static int create_range(int flags, const char *dir, const char *const *names, size_t n_names,
                        unsigned first, unsigned stride, unsigned n, double *create_us,
                        bool progress)
{
        for (unsigned i = first; i < n; i += stride) {
                double t = stats_now_us();

                if (make_set(flags, dir, i, names, n_names) < 0)
                        return -1;
                create_us[i] = stats_now_us() - t;
                if (progress)
                        stats_progress("raw create", i + 1, n);
        }
        return 0;
}

static void usage(void)
{
        fprintf(stderr,
                "Usage: raw-baseline -d DIR [-n N] [-j JOBS] [-t net,uts,ipc] [--loopback]\n"
                "                    [--ballast MIB] [--keep] [--progress] [--in-process]\n");
        exit(2);
}

int main(int argc, char **argv)
{
        static const struct option longopts[] = {
                { "dir", required_argument, NULL, 'd' },
                { "count", required_argument, NULL, 'n' },
                { "jobs", required_argument, NULL, 'j' },
                { "types", required_argument, NULL, 't' },
                { "keep", no_argument, NULL, 'k' },
                { "progress", no_argument, NULL, 'p' },
                { "loopback", no_argument, NULL, 'L' },
                { "ballast", required_argument, NULL, 'b' },
                { "in-process", no_argument, NULL, 'I' },
                {},
        };
        const char *dir = NULL, *types = "net", *names[ELEMENTSOF(rtypes)];
        unsigned n = 100, jobs = 1, ballast_mib = 0;
        bool keep = false, progress = false;
        double *create_us, *release_us, t0, c0, wall_create, cpu_create, wall_release = 0;
        size_t n_names;
        int c, flags, rc = 0;

        while ((c = getopt_long(argc, argv, "d:n:j:t:", longopts, NULL)) >= 0)
                switch (c) {
                case 'd':
                        dir = optarg;
                        break;
                case 'n':
                        n = (unsigned) strtoul(optarg, NULL, 10);
                        break;
                case 'j':
                        jobs = (unsigned) strtoul(optarg, NULL, 10);
                        break;
                case 't':
                        types = optarg;
                        break;
                case 'k':
                        keep = true;
                        break;
                case 'p':
                        progress = true;
                        break;
                case 'L':
                        loopback = true;
                        break;
                case 'b':
                        ballast_mib = (unsigned) strtoul(optarg, NULL, 10);
                        break;
                case 'I':
                        in_process = true;
                        break;
                default:
                        usage();
                }
        if (!dir || n == 0 || jobs == 0 || jobs > n || optind != argc)
                usage();
        if (parse_types(types, &flags, names, &n_names) < 0) {
                fprintf(stderr, "raw-baseline: bad type list '%s'\n", types);
                return 2;
        }
        for (size_t i = 0; in_process && i < ELEMENTSOF(rtypes); i++) {
                char path[64];

                snprintf(path, sizeof(path), "/proc/self/ns/%s", rtypes[i].name);
                home_fd[i] = open(path, O_RDONLY | O_CLOEXEC);
                if (home_fd[i] < 0) {
                        fprintf(stderr, "raw-baseline: %s: %m\n", path);
                        return 1;
                }
        }
        /* Shared, so that workers of -j report their times here. */
        create_us = mmap(NULL, n * sizeof(double), PROT_READ | PROT_WRITE,
                         MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        release_us = calloc(n, sizeof(double));
        if (create_us == MAP_FAILED || !release_us)
                return 1;

        if (ballast_mib > 0) {
                /* Small blocks, as a registry's are: heap, not one mmap. */
                for (size_t i = 0; i < (size_t) ballast_mib * 1024; i++) {
                        char *p = malloc(1000);
                        if (!p)
                                return 1;
                        memset(p, 1, 1000);
                }
        }

        t0 = stats_now_us();
        c0 = cpu_us();
        if (jobs == 1)
                rc = create_range(flags, dir, names, n_names, 0, 1, n, create_us, progress);
        else {
                for (unsigned w = 0; w < jobs; w++) {
                        pid_t pid = fork();

                        if (pid < 0) {
                                fprintf(stderr, "raw-baseline: fork: %m\n");
                                rc = -1;
                                break;
                        }
                        if (pid == 0)
                                _exit(create_range(flags, dir, names, n_names, w, jobs, n,
                                                   create_us, false) < 0);
                }
                for (;;) {
                        int status;
                        pid_t pid = wait(&status);

                        if (pid < 0)
                                break;
                        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                                rc = -1;
                }
        }
        wall_create = stats_now_us() - t0;
        cpu_create = cpu_us() - c0;

        /* Every index, also after a failure: a file that is not there is
         * no error. */
        if (!keep || rc != 0) {
                t0 = stats_now_us();
                for (unsigned i = 0; i < n; i++) {
                        double t = stats_now_us();

                        if (remove_set(dir, i, names, n_names) < 0)
                                rc = -1;
                        release_us[i] = stats_now_us() - t;
                }
                wall_release = stats_now_us() - t0;
        }
        if (rc != 0)
                return 1;

        printf("{\"tool\":\"raw-baseline\",\"mode\":\"%s\",\"types\":\"%s\",\"jobs\":%u,"
               "\"ballast_mib\":%u,\"n\":%u,",
               in_process ? "in-process" : "fork", types, jobs, ballast_mib, n);
        printf("\"create_cpu_us\":%.1f,", cpu_create / n);
        stats_print_json(stdout, "create", create_us, n, wall_create);
        if (!keep) {
                putchar(',');
                stats_print_json(stdout, "release", release_us, n, wall_release);
        }
        printf("}\n");
        free(release_us);
        return 0;
}
