/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Logging to stderr. When stderr is the journal (JOURNAL_STREAM names it)
 * each line carries a "<N>" prefix so journald keeps the priority. */

#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>

#include "log.h"

static const char *log_ident = "nskeeper";
static int log_level = LOG_INFO;
static bool log_to_journal;

static bool stderr_is_journal(void)
{
        const char *e = getenv("JOURNAL_STREAM");
        unsigned long long dev, ino;
        struct stat st;

        if (!e || sscanf(e, "%llu:%llu", &dev, &ino) != 2)
                return false;
        if (fstat(STDERR_FILENO, &st) < 0)
                return false;
        return st.st_dev == dev && st.st_ino == ino;
}

void log_open(const char *ident)
{
        log_ident = ident;
        log_to_journal = stderr_is_journal();
}

void log_set_level(int level)
{
        log_level = level;
}

int log_get_level(void)
{
        return log_level;
}

int log_level_from_string(const char *s)
{
        static const char *const names[] = {
                [LOG_EMERG] = "emerg", [LOG_ALERT] = "alert",     [LOG_CRIT] = "crit",
                [LOG_ERR] = "error",   [LOG_WARNING] = "warning", [LOG_NOTICE] = "notice",
                [LOG_INFO] = "info",   [LOG_DEBUG] = "debug",
        };

        if (s[0] >= '0' && s[0] <= '7' && s[1] == '\0')
                return s[0] - '0';
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (streq(s, names[i]))
                        return (int) i;
        if (streq(s, "err"))
                return LOG_ERR;
        return -EINVAL;
}

_printf_(2, 0) static void log_emitv(int level, const char *fmt, va_list ap)
{
        char line[1024];
        int saved = errno;

        if (level > log_level)
                return;
        vsnprintf(line, sizeof(line), fmt, ap);
        if (log_to_journal)
                fprintf(stderr, "<%d>%s\n", level, line);
        else
                fprintf(stderr, "%s: %s\n", log_ident, line);
        errno = saved;
}

void log_emit(int level, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        log_emitv(level, fmt, ap);
        va_end(ap);
}

int log_emit_errno(int level, int error, const char *fmt, ...)
{
        int saved = errno;
        va_list ap;

        errno = error < 0 ? -error : error;
        va_start(ap, fmt);
        log_emitv(level, fmt, ap);
        va_end(ap);
        errno = saved;
        return error;
}
