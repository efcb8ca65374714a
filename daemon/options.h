/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nskeeperd's command line. */
#pragma once

#include "config.h"
#include "maker.h"
#include "nskeeper.h"

struct options {
        const char *socket;
        const char *runtime_dir;
        const char *spawner;      /* NULL: the default, if installed */
        const char *cni_conf_dir; /* NULL: CNI_CONF_DIR_DEFAULT */
        const char *cni_path;     /* NULL: CNI_PATH_DEFAULT */
        struct config cfg;
        struct {
                nsk_type_mask_t types;
                unsigned size;
        } pools[MAKER_POOLS_MAX]; /* --pool TYPES:N, each of other types */
        unsigned n_pools;
        char *owned[4]; /* paths made absolute (options_absolute_paths) */
};

/* 0 to go on, 1 to exit successfully (--help, --version), -1 on a usage
 * error (said on stderr). */
int options_parse(int argc, char **argv, struct options *o);

/* Relative paths given on the command line, made absolute from the
 * directory the daemon was started in: it then goes to "/". 0 or
 * -errno, logged. */
int options_absolute_paths(struct options *o);
