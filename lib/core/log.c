/* Logging: timestamp, level, request id, message; a single write per line so lines never mix. */
#include "core/log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static atomic_int min_level = LOG_INFO;
static _Thread_local char request_id[64];

static const char *const level_names[] = {"debug", "info", "warn", "error"};

void log_set_level(enum log_level level)
{
    atomic_store(&min_level, (int)level);
}

enum log_level log_get_level(void)
{
    return (enum log_level)atomic_load(&min_level);
}

bool log_enabled(enum log_level level)
{
    return (int)level >= atomic_load(&min_level);
}

void log_set_request_id(const char *rid)
{
    if (!rid) {
        request_id[0] = '\0';
        return;
    }
    /* Ids may come from a client (X-Request-Id, an AMQP correlation id). */
    log_escape(request_id, sizeof(request_id), rid);
}

const char *log_get_request_id(void)
{
    return request_id[0] ? request_id : NULL;
}

void log_printf(enum log_level level, const char *fmt, ...)
{
    if (!log_enabled(level))
        return;

    char line[2048];
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);

    int n = snprintf(line, sizeof(line), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %-5s ",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                     ts.tv_nsec / 1000000, level_names[level]);
    if (request_id[0] && n < (int)sizeof(line))
        n += snprintf(line + n, sizeof(line) - (size_t)n, "rid=%s ", request_id);

    /* The prefix is short (timestamp, level, an id of at most 63 bytes), so it always fits. */
    va_list ap;
    va_start(ap, fmt);
    n += (int)log_vformat(line + n, sizeof(line) - (size_t)n, fmt, ap);
    va_end(ap);
    line[n++] = '\n'; /* over the NUL log_vformat left at most at line[sizeof(line) - 1] */
    /* One write(2) keeps concurrent lines whole. */
    ssize_t ignored = write(STDERR_FILENO, line, (size_t)n);
    (void)ignored;
}
