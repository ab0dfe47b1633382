/* The one error type: a negative errno for code, plus what a client is told (a stable API
 * problem code, the field at fault, a detail). REST replies (lib/http) and AMQP error replies
 * (lib/mq) are both built from it, so both speak the same codes. */
#pragma once

#include <stdarg.h>
#include <stddef.h>

#include "core/api_error.h"

#define POP_ERROR_FIELD_MAX 128
#define POP_ERROR_DETAIL_MAX 512

struct pop_error {
    int r;                             /* negative errno; 0 = no error recorded */
    enum api_error api;                /* API_ERROR_COUNT = not chosen: map r by default */
    char field[POP_ERROR_FIELD_MAX];   /* "" or the field path at fault, "endpoints.a.ipv4" */
    char detail[POP_ERROR_DETAIL_MAX]; /* "" or what went wrong, for a person */
};

/* A pop_error holding nothing; POP_ERROR_INIT is the same as an initializer. */
#define POP_ERROR_INIT                                                                             \
    {                                                                                              \
        .r = 0, .api = API_ERROR_COUNT, .field = "", .detail = ""                                  \
    }
void pop_error_clear(struct pop_error *e);

/* Records an error and returns r (so `return pop_error_set(...)` reads naturally). api may be
 * API_ERROR_COUNT to let the default mapping of r decide; field may be NULL; fmt may be NULL
 * (detail left empty: the API title is used). e may be NULL (nothing recorded). Field and
 * detail are truncated to fit, on a UTF-8 character boundary. */
int pop_error_set(struct pop_error *e, int r, enum api_error api, const char *field,
                  const char *fmt, ...) __attribute__((format(printf, 5, 6)));
int pop_error_setv(struct pop_error *e, int r, enum api_error api, const char *field,
                   const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));

/* Only fills what is still empty: keeps a more precise error recorded deeper down, adds
 * context (a detail) when there was none. Returns r. */
int pop_error_default(struct pop_error *e, int r, enum api_error api, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The API code the error stands for: e->api when chosen, else api_error_from_errno(e->r). */
enum api_error pop_error_api(const struct pop_error *e);

/* For the few APIs that report into a caller's text buffer (configuration, route tables):
 * writes the message into buf, truncated on a UTF-8 boundary; buf NULL or size 0 writes
 * nothing. */
void errbuf_setf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The default mapping from a negative errno to an API problem (the one table, see error.c):
 * -EINVAL bad-request, -ENOENT not-found, -EEXIST conflict, -EBUSY/-ESTALE state-conflict,
 * -ENOSPC exhausted, -EACCES unauthorized, -EPERM forbidden, -E2BIG (too many of something)
 * bad-request, -EMSGSIZE body-too-large, -EAGAIN too-many-requests, -ETIMEDOUT gateway-timeout,
 * engine and upstream failures (-EIO, -ECONNREFUSED, -ECONNRESET, -EPROTO, -EHOSTUNREACH, -EPIPE)
 * bad-gateway, -ESHUTDOWN/-ENOTCONN unavailable, anything else (-ENOMEM) internal. */
enum api_error api_error_from_errno(int r);
