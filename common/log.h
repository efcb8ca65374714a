/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Logging to stderr with syslog levels; under systemd the journal reads
 * the "<N>" level prefix. */
#pragma once

#include <syslog.h>

#include "util.h"

void log_open(const char *ident);
void log_set_level(int level);
int log_get_level(void);
/* "error", "warning", "notice", "info", "debug" or a digit 0-7. */
int log_level_from_string(const char *s);

void log_emit(int level, const char *fmt, ...) _printf_(2, 3);
/* Logs with errno set to -error (so %m names it) and returns error. */
int log_emit_errno(int level, int error, const char *fmt, ...) _printf_(3, 4);

#define log_error(...) log_emit(LOG_ERR, __VA_ARGS__)
#define log_error_errno(error, ...) log_emit_errno(LOG_ERR, error, __VA_ARGS__)
#define log_warning(...) log_emit(LOG_WARNING, __VA_ARGS__)
#define log_notice(...) log_emit(LOG_NOTICE, __VA_ARGS__)
#define log_info(...) log_emit(LOG_INFO, __VA_ARGS__)
#define log_debug(...)                                    \
        do {                                              \
                if (log_get_level() >= LOG_DEBUG)         \
                        log_emit(LOG_DEBUG, __VA_ARGS__); \
        } while (0)
