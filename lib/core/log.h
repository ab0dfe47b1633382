/* One-line-per-event logging to stderr, with level filter and a per-thread request id. */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

enum log_level { LOG_DEBUG = 0, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Sets the minimum level printed (default LOG_INFO). Thread-safe. */
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
bool log_enabled(enum log_level level);

/* Sets the request id printed with every line from this thread; NULL clears it.
 * The string is copied (truncated to 63 bytes). */
void log_set_request_id(const char *rid);
const char *log_get_request_id(void);

/* Writes one line: timestamp, level, request id, then the message formatted as printf would,
 * except that every %s and %c argument is escaped as log_escape() does and control characters
 * in fmt itself are escaped too, so no value can break the line or forge another one. */
void log_printf(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The formatter log_printf uses (exposed for tests): writes at most size - 1 bytes and a NUL,
 * truncating; returns the length written. Conversions other than diouxXeEfFgGaAcsp and %% are
 * copied as text and never executed. */
size_t log_vformat(char *out, size_t size, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

/* Copies s into out escaped for a log line: \n \r \t \" \\ for those bytes, \xNN for other
 * control bytes (0x00-0x1f, 0x7f), for C1 controls and for bytes that are not valid UTF-8;
 * valid UTF-8 text is kept. Truncates to size - 1 bytes; returns the length written. */
size_t log_escape(char *out, size_t size, const char *s);

#define log_debug(...)                                                                             \
    do {                                                                                           \
        if (log_enabled(LOG_DEBUG))                                                                \
            log_printf(LOG_DEBUG, __VA_ARGS__);                                                    \
    } while (0)
#define log_info(...) log_printf(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_printf(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_printf(LOG_ERROR, __VA_ARGS__)
