/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the benchmark programs share: a clock, progress lines on stderr
 * and a JSON summary (median and percentiles) of per-operation times.
 * Header only; the bench programs are small. */
#pragma once

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "util.h"

static inline double stats_now_us(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec * 1e6 + (double) ts.tv_nsec / 1e3;
}

/* "  LABEL 3000/10000 (30%)" on stderr at every tenth, for long steps. */
static inline void stats_progress(const char *label, unsigned done, unsigned total)
{
        if (total >= 1000 && (done == total || done % (total / 10) == 0))
                fprintf(stderr, "    %s: %u/%u (%u%%)\n", label, done, total,
                        (unsigned) ((unsigned long long) done * 100 / total));
}

static inline int stats_cmp(const void *a, const void *b)
{
        double x = *(const double *) a, y = *(const double *) b;
        return x < y ? -1 : x > y;
}

/* The q-quantile of sorted v (nearest rank). */
static inline double stats_quantile(const double *v, size_t n, double q)
{
        size_t i = (size_t) (q * (double) (n - 1) + 0.5);
        return n ? v[i < n ? i : n - 1] : 0;
}

/* "KEY":{...} with per-operation times in microseconds (v is sorted in
 * place) and the wall time of all of them; rate is operations per
 * second of wall time. */
static inline void stats_print_json(FILE *f, const char *key, double *v, size_t n, double wall_us)
{
        double sum = 0;

        qsort(v, n, sizeof(double), stats_cmp);
        for (size_t i = 0; i < n; i++)
                sum += v[i];
        fprintf(f,
                "\"%s\":{\"n\":%zu,\"wall_s\":%.6f,\"per_s\":%.1f,\"mean_us\":%.1f,"
                "\"median_us\":%.1f,\"p10_us\":%.1f,\"p90_us\":%.1f,\"p99_us\":%.1f,"
                "\"max_us\":%.1f}",
                key, n, wall_us / 1e6, wall_us > 0 ? (double) n * 1e6 / wall_us : 0,
                n ? sum / (double) n : 0, stats_quantile(v, n, 0.5), stats_quantile(v, n, 0.1),
                stats_quantile(v, n, 0.9), stats_quantile(v, n, 0.99), n ? v[n - 1] : 0);
}
