/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What one request and its answer between two processes cost here, with
 * no work on either side: the part of a daemon's create that no daemon
 * can leave out, whatever it does. A client and nskeeperd exchange one
 * such pair per create; the daemon and its maker one more.
 *
 *   ipc-rtt [-n N]
 *
 * N round trips of 8 bytes over a SOCK_SEQPACKET socket pair (the
 * control socket's kind), back to back, each side blocked in recv(2)
 * while the other works, as a client waits for its answer: first with
 * both processes on CPU 0, then on CPUs 0 and 1 (when there are two),
 * then wherever the kernel puts them. Prints one JSON object with the
 * per-round-trip times of each; a placement the machine cannot give is
 * left out. */

#include <getopt.h>
#include <sched.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "stats.h"

/* -1: anywhere. */
static int set_cpu(int cpu)
{
        cpu_set_t set;

        if (cpu < 0)
                return 0;
        CPU_ZERO(&set);
        CPU_SET(cpu, &set);
        return sched_setaffinity(0, sizeof(set), &set);
}

/* The other side: answers each message until the socket closes. */
_Noreturn static void echo(int sock, int cpu)
{
        char buf[8];
        ssize_t k;

        if (set_cpu(cpu) < 0)
                _exit(2);
        while ((k = recv(sock, buf, sizeof(buf), 0)) > 0)
                if (send(sock, buf, (size_t) k, MSG_NOSIGNAL) != k)
                        _exit(1);
        _exit(k == 0 ? 0 : 1);
}

/* Fills v[0..n) with round trip times, this process on cpu_a and the
 * echo on cpu_b. Returns 0, or -1 where the placement cannot be had. */
static int measure(int cpu_a, int cpu_b, double *v, unsigned n, double *wall_us)
{
        char buf[8] = "request";
        int sv[2], status, r = 0;
        cpu_set_t all;
        double start = 0;
        pid_t pid;

        if (sched_getaffinity(0, sizeof(all), &all) < 0 ||
            socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
                return -1;
        pid = fork();
        if (pid < 0) {
                close(sv[0]);
                close(sv[1]);
                return -1;
        }
        if (pid == 0) {
                close(sv[0]);
                echo(sv[1], cpu_b);
        }
        close(sv[1]);
        if (set_cpu(cpu_a) < 0)
                r = -1;
        /* A few first, not counted: both sides start up. */
        for (unsigned i = 0; r == 0 && i < 100 + n; i++) {
                double t0 = stats_now_us();

                if (i == 100)
                        start = t0;
                if (send(sv[0], buf, sizeof(buf), MSG_NOSIGNAL) != sizeof(buf) ||
                    recv(sv[0], buf, sizeof(buf), 0) != sizeof(buf))
                        r = -1;
                else if (i >= 100)
                        v[i - 100] = stats_now_us() - t0;
        }
        if (r == 0)
                *wall_us = stats_now_us() - start;
        close(sv[0]);
        if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
                r = -1;
        (void) sched_setaffinity(0, sizeof(all), &all);
        return r;
}

int main(int argc, char **argv)
{
        static const struct {
                const char *key;
                int a, b;
        } placements[] = {
                { "one_cpu", 0, 0 },
                { "two_cpus", 0, 1 },
                { "anywhere", -1, -1 },
        };
        unsigned n = 2000;
        const char *sep = "";
        double *v;
        int c;

        while ((c = getopt(argc, argv, "n:")) != -1) {
                if (c != 'n' || (n = (unsigned) strtoul(optarg, NULL, 10)) == 0) {
                        fprintf(stderr, "usage: ipc-rtt [-n N]\n");
                        return 2;
                }
        }
        v = calloc(n, sizeof(*v));
        if (!v)
                return 1;
        printf("{");
        for (size_t i = 0; i < ELEMENTSOF(placements); i++) {
                double wall = 0;

                if (measure(placements[i].a, placements[i].b, v, n, &wall) < 0)
                        continue;
                printf("%s", sep);
                stats_print_json(stdout, placements[i].key, v, n, wall);
                sep = ",";
        }
        printf("}\n");
        free(v);
        return 0;
}
