/* One-line-per-event logging to stderr, with level filter and a per-thread request id. */
#pragma once

#include <stdbool.h>

enum log_level { LOG_DEBUG = 0, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Sets the minimum level printed (default LOG_INFO). Thread-safe. */
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
bool log_enabled(enum log_level level);

/* Sets the request id printed with every line from this thread; NULL clears it.
 * The string is copied (truncated to 63 bytes). */
void log_set_request_id(const char *rid);
const char *log_get_request_id(void);

void log_printf(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_debug(...)                                                                             \
    do {                                                                                           \
        if (log_enabled(LOG_DEBUG))                                                                \
            log_printf(LOG_DEBUG, __VA_ARGS__);                                                    \
    } while (0)
#define log_info(...) log_printf(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_printf(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_printf(LOG_ERROR, __VA_ARGS__)
