/* struct pop_error: recording an error once, where it is understood, and the default mapping
 * from errno to an API problem code. */
#include "core/error.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Cuts s (NUL-terminated, in a buffer) back to a whole UTF-8 character if vsnprintf cut one. */
static void utf8_tail_trim(char *s)
{
    size_t n = strlen(s), i = n;
    while (i > 0 && ((unsigned char)s[i - 1] & 0xc0) == 0x80)
        i--;
    if (i == 0)
        return;
    unsigned char lead = (unsigned char)s[i - 1];
    size_t need = lead < 0x80 ? 1 : lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
    if (n - (i - 1) < need)
        s[i - 1] = '\0';
}

void errbuf_setf(char *buf, size_t size, const char *fmt, ...)
{
    if (!buf || !size)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    utf8_tail_trim(buf);
}

void pop_error_clear(struct pop_error *e)
{
    if (e)
        *e = (struct pop_error)POP_ERROR_INIT;
}

int pop_error_setv(struct pop_error *e, int r, enum api_error api, const char *field,
                   const char *fmt, va_list ap)
{
    if (!e)
        return r;
    e->r = r;
    e->api = api;
    snprintf(e->field, sizeof(e->field), "%s", field ? field : "");
    utf8_tail_trim(e->field);
    e->detail[0] = '\0';
    if (fmt) {
        vsnprintf(e->detail, sizeof(e->detail), fmt, ap);
        utf8_tail_trim(e->detail);
    }
    return r;
}

int pop_error_set(struct pop_error *e, int r, enum api_error api, const char *field,
                  const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    pop_error_setv(e, r, api, field, fmt, ap);
    va_end(ap);
    return r;
}

int pop_error_default(struct pop_error *e, int r, enum api_error api, const char *fmt, ...)
{
    if (!e)
        return r;
    if (!e->r)
        e->r = r;
    if (e->api == API_ERROR_COUNT)
        e->api = api;
    if (!e->detail[0] && fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->detail, sizeof(e->detail), fmt, ap);
        va_end(ap);
        utf8_tail_trim(e->detail);
    }
    return r;
}

enum api_error pop_error_api(const struct pop_error *e)
{
    if ((unsigned)e->api < API_ERROR_COUNT)
        return e->api;
    return api_error_from_errno(e->r);
}

enum api_error api_error_from_errno(int r)
{
    switch (r) {
    case -EINVAL:
        return API_BAD_REQUEST;
    case -ENOENT:
        return API_NOT_FOUND;
    case -EEXIST:
        return API_CONFLICT;
    case -EBUSY:
    case -ESTALE:
        return API_STATE_CONFLICT;
    case -ENOSPC:
        return API_EXHAUSTED;
    case -EACCES:
        return API_UNAUTHORIZED;
    case -EPERM:
        return API_FORBIDDEN;
    case -E2BIG:
        return API_BAD_REQUEST;
    case -EMSGSIZE:
        return API_BODY_TOO_LARGE;
    case -EAGAIN:
        return API_TOO_MANY_REQUESTS;
    case -ETIMEDOUT:
        return API_GATEWAY_TIMEOUT;
    case -EIO:
    case -ECONNREFUSED:
    case -ECONNRESET:
    case -EPROTO:
    case -EHOSTUNREACH:
    case -EPIPE:
        return API_BAD_GATEWAY;
    case -ESHUTDOWN:
    case -ENOTCONN:
        return API_UNAVAILABLE;
    default:
        return API_INTERNAL;
    }
}
