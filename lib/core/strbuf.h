/* Growable NUL-terminated string buffer with an optional size cap. */
#pragma once

#include <stdarg.h>
#include <stddef.h>

struct strbuf {
    char *buf;  /* always NUL-terminated once anything was appended; NULL before */
    size_t len; /* bytes used, excluding the NUL */
    size_t cap; /* bytes allocated */
    size_t max; /* 0 = unlimited; appends that would exceed it fail with -E2BIG */
};

#define STRBUF_INIT                                                                                \
    {                                                                                              \
        NULL, 0, 0, 0                                                                              \
    }

/* Appends; return 0, -ENOMEM or -E2BIG (buffer unchanged on failure). */
int strbuf_append(struct strbuf *sb, const char *data, size_t len);
int strbuf_puts(struct strbuf *sb, const char *s);
int strbuf_printf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int strbuf_vprintf(struct strbuf *sb, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/* Returns the contents ("" if empty); valid until the next append or strbuf_done. */
const char *strbuf_str(const struct strbuf *sb);

/* Hands the malloc'ed string to the caller (never NULL on success; NULL on -ENOMEM) and resets. */
char *strbuf_steal(struct strbuf *sb);

void strbuf_reset(struct strbuf *sb);
void strbuf_done(struct strbuf *sb);
