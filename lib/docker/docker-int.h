/* Internals shared by the lib/docker sources: the client struct, the request helper that maps
 * engine statuses to errno values, and JSON helpers (jansson stays inside lib/docker). */
#pragma once

#include <jansson.h>
#include <stdbool.h>

#include "core/cleanup.h"
#include "core/strbuf.h"
#include "core/strv.h"
#include "docker/docker.h"
#include "httpc/httpc.h"
#include "json/cleanup.h"

#define DOCKER_API_PREFIX "/v1.41"
#define DOCKER_MAX_RESPONSE ((size_t)64 << 20)
#define DOCKER_TIMEOUT_MS 60000L
#define DOCKER_CONNECT_TIMEOUT_MS 3000L

struct docker_client {
    struct httpc *http;
    char last_error[512];
};

static inline void docker_strbuf_donep(struct strbuf *sb)
{
    strbuf_done(sb);
}
#define _cleanup_strbuf_ _cleanup_(docker_strbuf_donep)

void docker_set_error(struct docker_client *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Sends method to DOCKER_API_PREFIX + path (already escaped). body is borrowed (NULL = none).
 * On 2xx and 304 returns 0 and, when ret_json is non-NULL, the parsed response (new reference;
 * -EIO if it is not JSON). Otherwise maps the status (400 -EINVAL, 403 -EPERM, 404 -ENOENT,
 * 409 -EEXIST, else -EIO) or returns the transport error, with the reason in last_error;
 * *ret_status (may be NULL) gets the HTTP status or 0. */
int docker_call(struct docker_client *c, const char *method, const char *path, const json_t *body,
                json_t **ret_json, long *ret_status);

/* Appends prefix, the escaped id and suffix to sb: "/containers/" "x" "/start". */
int docker_path(struct strbuf *sb, const char *prefix, const char *id, const char *suffix);

/* String member of obj, or NULL when missing or not a string. */
const char *docker_json_str(const json_t *obj, const char *key);
/* malloc'ed copy of a string member ("" when missing); NULL only on ENOMEM, and then *oom is
 * set, so a parser can fill many fields and check once. */
char *docker_json_dup(const json_t *obj, const char *key, bool *oom);
char *docker_dup(const char *s, bool *oom);
/* k, v pairs of a JSON object of strings (NULL or non-object gives an empty list). */
char **docker_labels_from_json(const json_t *obj, bool *oom);
/* Strings of a JSON array (non-strings skipped). Lists are string vectors (core/strv.h):
 * strv_free frees them, strv_length counts them with a cap. */
char **docker_strv_from_json(const json_t *arr, bool *oom);

/* JSON of k, v pairs; -EINVAL for an odd count, an empty key or over DOCKER_MAX_LIST. */
int docker_labels_to_json(const char *const *kv, json_t **ret);

/* RFC 3339 ("2024-01-02T03:04:05.123Z") to unix seconds; 0 for empty or before 1970. */
int64_t docker_parse_time(const char *s);

/* Sets key to a new reference (stolen, also on failure); returns 0 or -1. */
int docker_jset(json_t *obj, const char *key, json_t *value);
