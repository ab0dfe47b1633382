/* Request-body JSON: capped parsing and declarative validation over jansson, with errors that
 * name the offending field ("endpoints.private.ipv4.address: expected a string"). */
#pragma once

#include <jansson.h>

#include "core/error.h"
#include "json/cleanup.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JV_MAX_DEPTH 16            /* nesting levels accepted by jv_parse (top object = 1) */
#define JV_DEFAULT_STRING_MAX 1024 /* characters, when jv_field.max_len is 0 */
#define JV_DEFAULT_ENTRIES_MAX 256 /* array/object/map entries, when jv_field.max_len is 0 */
#define JV_MAX_KEY_LEN 128         /* characters of a JV_MAP key */

/* What kind of failure, so callers choose a reply without reading the message. */
enum jv_error_kind {
    JV_ERR_NONE = 0,
    JV_ERR_SYNTAX,        /* jv_parse: not JSON, duplicate key, NUL, too deep, not an object */
    JV_ERR_UNKNOWN_FIELD, /* jv_validate: a key the schema does not know */
    JV_ERR_INVALID,       /* jv_validate: a value of the wrong type, size or content; missing */
    JV_ERR_NOMEM,
};

/* A failure: path is "" for the document itself, else "a.b[2].c"; message says what is wrong.
 * Both are always NUL-terminated, truncated (path ending in "...") if too long. */
struct jv_error {
    enum jv_error_kind kind;
    char path[256];
    char message[256];
};

/* Writes "path: message" (or just message when path is empty) into buf. */
void jv_error_format(const struct jv_error *err, char *buf, size_t size);

/* Records err in e: -EINVAL (-ENOMEM for JV_ERR_NOMEM) with API_BAD_JSON, API_UNKNOWN_FIELD or
 * API_INVALID_FIELD by kind, the path as the field and "path: message" as the detail.
 * Returns e's r. */
int jv_error_to_pop(const struct jv_error *err, struct pop_error *e);

/* Parses a request body into an object. Rejects: syntax errors (message "line L, column C:
 * <jansson's text>", bytes outside printable ASCII shown as '?'), duplicate keys, strings with NUL
 * characters, trailing data, nesting deeper than JV_MAX_DEPTH, and a top level that is not an
 * object. Returns 0 and a new reference in *ret (caller decrefs), -EINVAL with err filled, or
 * -ENOMEM. */
int jv_parse(const char *buf, size_t len, json_t **ret, struct jv_error *err);

/* The same rules for a document whose top level may be any JSON value (an RPC answer such as
 * `null`, `true` or an array). */
int jv_parse_value(const char *buf, size_t len, json_t **ret, struct jv_error *err);

enum jv_type {
    JV_ANY = 0, /* anything, unchecked (as item_type: elements unchecked) */
    JV_STRING,
    JV_INT, /* integers only; 1.0 is not an integer */
    JV_BOOL,
    JV_OBJECT, /* fixed fields described by items; items NULL = any object */
    JV_ARRAY,  /* elements of item_type (or objects of schema items) */
    JV_MAP,    /* object with arbitrary keys, values of item_type (or objects of items) */
};

struct jv_schema;

/* Reason-returning check: NULL when s is acceptable, else a static short reason. */
typedef const char *(*jv_check_fn)(const char *s);

struct jv_field {
    const char *name;
    enum jv_type type;
    bool required; /* absent -> "required" */
    bool nullable; /* JSON null accepted (otherwise null is a wrong type) */
    /* JV_STRING: characters (UTF-8 code points); JV_ARRAY/JV_OBJECT/JV_MAP: entries.
     * 0 = JV_DEFAULT_STRING_MAX / JV_DEFAULT_ENTRIES_MAX. */
    size_t max_len;
    size_t min_len;
    int64_t min, max;              /* JV_INT bounds; both 0 = any integer */
    jv_check_fn check;             /* JV_STRING: the value; JV_MAP: every key */
    const struct jv_schema *items; /* JV_OBJECT fields; object elements of arrays and maps */
    enum jv_type item_type;        /* JV_ARRAY/JV_MAP element type; JV_ANY with items = object */
    size_t item_max_len;           /* string elements: character cap (0 = default) */
    jv_check_fn item_check;        /* string elements: extra check */
};

struct jv_schema {
    const struct jv_field *fields;
    size_t n;
    bool allow_unknown; /* otherwise a key not in fields -> "unknown field" */
};

/* Validates doc (must be an object) against schema. Unknown fields are reported first (a
 * misspelt key is more useful than "required"), then fields in schema order. Returns 0, or
 * -EINVAL with the first problem in err. */
int jv_validate(const json_t *doc, const struct jv_schema *schema, struct jv_error *err);

/* Borrowed readers (the object keeps ownership; the returned json_t * is not const so it can
 * be iterated); they never fail: a missing key or wrong type yields the fallback. */
const char *jv_get_string(const json_t *obj, const char *key); /* NULL */
int64_t jv_get_int(const json_t *obj, const char *key, int64_t fallback);
bool jv_get_bool(const json_t *obj, const char *key, bool fallback);
json_t *jv_get_object(const json_t *obj, const char *key); /* NULL */
json_t *jv_get_array(const json_t *obj, const char *key);  /* NULL */

/* Compact serialization (any value); returns a malloc'ed string (free()), NULL on failure,
 * including when an allocation failed on the way (jansson may then return text with a member
 * silently missing). Use it, not json_dumps, for anything sent to a peer. */
char *jv_dump(const json_t *json);

/* String checks usable as jv_field.check. */
const char *jv_check_name(const char *s);    /* 1-63 of [A-Za-z0-9][A-Za-z0-9_.-]* */
const char *jv_check_ipv4(const char *s);    /* dotted quad */
const char *jv_check_cidr4(const char *s);   /* a.b.c.d/n, 0 <= n <= 32, host bits zero */
const char *jv_check_env_key(const char *s); /* [A-Za-z_][A-Za-z0-9_]*, up to 128 */
