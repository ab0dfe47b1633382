/* Request-body JSON: the parse caps, the schema walker with field paths, readers and checks. */
#include "json/jv.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JV_ELLIPSIS "..."

static void jv_error_clear(struct jv_error *err)
{
    err->kind = JV_ERR_NONE;
    err->path[0] = '\0';
    err->message[0] = '\0';
}

static int jv_fail(struct jv_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int jv_fail(struct jv_error *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
    return -EINVAL;
}

void jv_error_format(const struct jv_error *err, char *buf, size_t size)
{
    if (err->path[0])
        snprintf(buf, size, "%s: %s", err->path, err->message);
    else
        snprintf(buf, size, "%s", err->message);
}

int jv_error_to_pop(const struct jv_error *err, struct pop_error *e)
{
    enum api_error api = err->kind == JV_ERR_SYNTAX          ? API_BAD_JSON
                         : err->kind == JV_ERR_UNKNOWN_FIELD ? API_UNKNOWN_FIELD
                         : err->kind == JV_ERR_NOMEM         ? API_INTERNAL
                                                             : API_INVALID_FIELD;
    int r = err->kind == JV_ERR_NOMEM ? -ENOMEM : -EINVAL;
    if (err->path[0])
        return pop_error_set(e, r, api, err->path, "%s: %s", err->path, err->message);
    return pop_error_set(e, r, api, NULL, "%s", err->message);
}

/* Length of s[0..len) without a trailing incomplete UTF-8 sequence, so a truncated path is
 * still valid UTF-8 (the HTTP layer puts it in a JSON reply, and jansson rejects bad UTF-8). */
static size_t utf8_trim(const char *s, size_t len)
{
    size_t i = len;
    while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
        i--;
    if (i == 0)
        return 0;
    unsigned char lead = (unsigned char)s[i - 1];
    size_t need = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
    return len - (i - 1) >= need ? len : i - 1;
}

static size_t utf8_chars(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            n++;
    return n;
}

/* Appends a path segment; control characters from client keys become '?'. On overflow the
 * path ends in "..." and further pushes add nothing. Returns the length to pop back to. */
static size_t jv_path_push(struct jv_error *err, const char *sep, const char *seg)
{
    char *p = err->path;
    size_t old = strlen(p);
    const size_t cap = sizeof(err->path) - 1;
    if (old >= sizeof(JV_ELLIPSIS) - 1 &&
        strcmp(p + old - (sizeof(JV_ELLIPSIS) - 1), JV_ELLIPSIS) == 0 && old > cap - 8)
        return old;
    size_t len = old;
    const char *parts[2] = {old ? sep : "", seg};
    bool truncated = false;
    for (size_t k = 0; k < 2 && !truncated; k++) {
        for (const char *c = parts[k]; *c; c++) {
            if (len >= cap) {
                truncated = true;
                break;
            }
            unsigned char b = (unsigned char)*c;
            p[len++] = (b < 0x20 || b == 0x7f) ? '?' : (char)b;
        }
    }
    if (truncated) {
        len = utf8_trim(p, cap - (sizeof(JV_ELLIPSIS) - 1));
        memcpy(p + len, JV_ELLIPSIS, sizeof(JV_ELLIPSIS) - 1);
        len += sizeof(JV_ELLIPSIS) - 1;
    }
    p[len] = '\0';
    return old;
}

static size_t jv_path_push_index(struct jv_error *err, size_t i)
{
    char seg[32];
    snprintf(seg, sizeof(seg), "[%zu]", i);
    return jv_path_push(err, "", seg);
}

static void jv_path_pop(struct jv_error *err, size_t len)
{
    err->path[len] = '\0';
}

static int jv_check_depth(const json_t *v, int depth, struct jv_error *err)
{
    if (!json_is_object(v) && !json_is_array(v))
        return 0;
    if (depth > JV_MAX_DEPTH)
        return jv_fail(err, "nested deeper than %d levels", JV_MAX_DEPTH);
    if (json_is_object(v)) {
        const char *key;
        json_t *child;
        json_object_foreach ((json_t *)v, key, child) {
            size_t mark = jv_path_push(err, ".", key);
            int r = jv_check_depth(child, depth + 1, err);
            if (r < 0)
                return r;
            jv_path_pop(err, mark);
        }
    } else {
        size_t i;
        json_t *child;
        json_array_foreach (v, i, child) {
            size_t mark = jv_path_push_index(err, i);
            int r = jv_check_depth(child, depth + 1, err);
            if (r < 0)
                return r;
            jv_path_pop(err, mark);
        }
    }
    return 0;
}

/* jansson quotes the input near a syntax error raw and cut at a byte count: a control byte or
 * half a UTF-8 character would reach the reply and the logs. Keep printable ASCII only. */
/* jansson 2.14 can lose data when an allocation fails inside json_loadb or json_dumps and still
 * report success (a key left out of a dump, characters dropped from a string). Every jansson
 * allocation goes through this counter, so a parse or dump that hit a failure is refused
 * instead of trusted. (Some failures inside its lexer end in an assert instead, load.c:442:
 * no wrapper can catch those.) */
static _Thread_local unsigned long jv_alloc_failures;

static void *jv_json_malloc(size_t n)
{
    void *p = malloc(n);
    if (!p)
        jv_alloc_failures++;
    return p;
}

__attribute__((constructor)) static void jv_alloc_install(void)
{
    json_set_alloc_funcs(jv_json_malloc, free);
}

static void jv_printable_ascii(char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
            *s = '?';
}

static int jv_parse_flags(const char *buf, size_t len, bool any, json_t **ret, struct jv_error *err)
{
    jv_error_clear(err);
    /* jansson skips a raw NUL byte between tokens ("10\0," reads as "10,"): JSON has none. */
    const char *nul = memchr(buf, '\0', len);
    if (nul) {
        err->kind = JV_ERR_SYNTAX;
        return jv_fail(err, "a NUL byte at offset %zu: JSON text has none", (size_t)(nul - buf));
    }
    json_error_t jerr;
    unsigned long failures = jv_alloc_failures;
    json_t *doc = json_loadb(buf, len, JSON_REJECT_DUPLICATES | (any ? JSON_DECODE_ANY : 0), &jerr);
    if (jv_alloc_failures != failures) {
        json_decref(doc);
        doc = NULL;
        jerr.text[0] = '\0';
    }
    if (!doc) {
        enum json_error_code code = json_error_code(&jerr);
        if (code == json_error_out_of_memory || !jerr.text[0]) {
            jv_fail(err, "out of memory");
            err->kind = JV_ERR_NOMEM;
            return -ENOMEM;
        }
        const char *text = jerr.text;
        if (code == json_error_null_character)
            text = "strings must not contain NUL characters";
        err->kind = JV_ERR_SYNTAX;
        jv_fail(err, "line %d, column %d: %s", jerr.line, jerr.column, text);
        jv_printable_ascii(err->message);
        return -EINVAL;
    }
    err->kind = JV_ERR_SYNTAX; /* any failure below is the document's shape */
    if (!any && !json_is_object(doc)) {
        json_decref(doc);
        return jv_fail(err, "expected a JSON object");
    }
    int r = jv_check_depth(doc, 1, err);
    if (r < 0) {
        json_decref(doc);
        return r;
    }
    jv_error_clear(err);
    *ret = doc;
    return 0;
}

int jv_parse(const char *buf, size_t len, json_t **ret, struct jv_error *err)
{
    return jv_parse_flags(buf, len, false, ret, err);
}

int jv_parse_value(const char *buf, size_t len, json_t **ret, struct jv_error *err)
{
    return jv_parse_flags(buf, len, true, ret, err);
}

static const char *jv_type_expected(enum jv_type t)
{
    switch (t) {
    case JV_STRING:
        return "expected a string";
    case JV_INT:
        return "expected an integer";
    case JV_BOOL:
        return "expected a boolean";
    case JV_ARRAY:
        return "expected an array";
    case JV_OBJECT:
    case JV_MAP:
        return "expected an object";
    case JV_ANY:
        break;
    }
    return "unexpected value";
}

static int jv_validate_object(const json_t *obj, const struct jv_schema *schema,
                              struct jv_error *err);
static int jv_validate_value(const json_t *v, const struct jv_field *f, struct jv_error *err);

static int jv_check_entries(size_t n, const struct jv_field *f, struct jv_error *err)
{
    size_t max = f->max_len ? f->max_len : JV_DEFAULT_ENTRIES_MAX;
    if (n > max)
        return jv_fail(err, "more than %zu entries", max);
    if (n < f->min_len)
        return f->min_len == 1 ? jv_fail(err, "must not be empty")
                               : jv_fail(err, "fewer than %zu entries", f->min_len);
    return 0;
}

static int jv_check_string(const json_t *v, size_t max_len, size_t min_len, jv_check_fn check,
                           struct jv_error *err)
{
    const char *s = json_string_value(v);
    size_t chars = utf8_chars(s, json_string_length(v));
    size_t max = max_len ? max_len : JV_DEFAULT_STRING_MAX;
    if (chars > max)
        return jv_fail(err, "longer than %zu characters", max);
    if (chars < min_len)
        return min_len == 1 ? jv_fail(err, "must not be empty")
                            : jv_fail(err, "shorter than %zu characters", min_len);
    if (check) {
        const char *reason = check(s);
        if (reason)
            return jv_fail(err, "%s", reason);
    }
    return 0;
}

/* The field describing each element of an array or map field. */
static struct jv_field jv_element_of(const struct jv_field *f)
{
    struct jv_field e = {0};
    e.type = f->item_type;
    if (e.type == JV_ANY && f->items)
        e.type = JV_OBJECT;
    e.items = f->items;
    if (e.type == JV_STRING) {
        e.max_len = f->item_max_len;
        e.check = f->item_check;
    }
    return e;
}

static int jv_validate_value(const json_t *v, const struct jv_field *f, struct jv_error *err)
{
    if (f->type == JV_ANY)
        return 0;
    if (json_is_null(v) && f->nullable)
        return 0;

    switch (f->type) {
    case JV_STRING:
        if (!json_is_string(v))
            break;
        return jv_check_string(v, f->max_len, f->min_len, f->check, err);
    case JV_INT:
        if (!json_is_integer(v))
            break;
        if (f->min || f->max) {
            json_int_t i = json_integer_value(v);
            if (i < f->min || i > f->max)
                return jv_fail(err, "must be between %lld and %lld", (long long)f->min,
                               (long long)f->max);
        }
        return 0;
    case JV_BOOL:
        if (!json_is_boolean(v))
            break;
        return 0;
    case JV_OBJECT: {
        if (!json_is_object(v))
            break;
        int r = jv_check_entries(json_object_size(v), f, err);
        if (r < 0 || !f->items)
            return r;
        return jv_validate_object(v, f->items, err);
    }
    case JV_ARRAY: {
        if (!json_is_array(v))
            break;
        int r = jv_check_entries(json_array_size(v), f, err);
        if (r < 0)
            return r;
        struct jv_field elem = jv_element_of(f);
        size_t i;
        json_t *child;
        json_array_foreach (v, i, child) {
            size_t mark = jv_path_push_index(err, i);
            r = jv_validate_value(child, &elem, err);
            if (r < 0)
                return r;
            jv_path_pop(err, mark);
        }
        return 0;
    }
    case JV_MAP: {
        if (!json_is_object(v))
            break;
        int r = jv_check_entries(json_object_size(v), f, err);
        if (r < 0)
            return r;
        struct jv_field elem = jv_element_of(f);
        const char *key;
        json_t *child;
        json_object_foreach ((json_t *)v, key, child) {
            size_t mark = jv_path_push(err, ".", key);
            if (!*key)
                return jv_fail(err, "empty key");
            if (utf8_chars(key, strlen(key)) > JV_MAX_KEY_LEN)
                return jv_fail(err, "key longer than %d characters", JV_MAX_KEY_LEN);
            if (f->check) {
                const char *reason = f->check(key);
                if (reason)
                    return jv_fail(err, "invalid key: %s", reason);
            }
            r = jv_validate_value(child, &elem, err);
            if (r < 0)
                return r;
            jv_path_pop(err, mark);
        }
        return 0;
    }
    case JV_ANY:
        return 0;
    }
    return jv_fail(err, "%s", jv_type_expected(f->type));
}

static const struct jv_field *jv_find_field(const struct jv_schema *schema, const char *key)
{
    for (size_t i = 0; i < schema->n; i++)
        if (strcmp(schema->fields[i].name, key) == 0)
            return &schema->fields[i];
    return NULL;
}

static int jv_validate_object(const json_t *obj, const struct jv_schema *schema,
                              struct jv_error *err)
{
    if (!schema->allow_unknown) {
        const char *key;
        json_t *child;
        json_object_foreach ((json_t *)obj, key, child) {
            if (!jv_find_field(schema, key)) {
                jv_path_push(err, ".", key);
                err->kind = JV_ERR_UNKNOWN_FIELD;
                return jv_fail(err, "unknown field");
            }
        }
    }
    for (size_t i = 0; i < schema->n; i++) {
        const struct jv_field *f = &schema->fields[i];
        const json_t *v = json_object_get(obj, f->name);
        size_t mark = jv_path_push(err, ".", f->name);
        if (!v) {
            if (f->required)
                return jv_fail(err, "required");
        } else {
            int r = jv_validate_value(v, f, err);
            if (r < 0)
                return r;
        }
        jv_path_pop(err, mark);
    }
    return 0;
}

int jv_validate(const json_t *doc, const struct jv_schema *schema, struct jv_error *err)
{
    jv_error_clear(err);
    err->kind = JV_ERR_INVALID; /* unless a more precise kind is set on the way */
    if (!json_is_object(doc))
        return jv_fail(err, "expected an object");
    if (json_object_size(doc) > JV_DEFAULT_ENTRIES_MAX)
        return jv_fail(err, "more than %d entries", JV_DEFAULT_ENTRIES_MAX);
    int r = jv_validate_object(doc, schema, err);
    if (r == 0)
        jv_error_clear(err);
    return r;
}

const char *jv_get_string(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

int64_t jv_get_int(const json_t *obj, const char *key, int64_t fallback)
{
    const json_t *v = json_object_get(obj, key);
    return json_is_integer(v) ? (int64_t)json_integer_value(v) : fallback;
}

bool jv_get_bool(const json_t *obj, const char *key, bool fallback)
{
    const json_t *v = json_object_get(obj, key);
    return json_is_boolean(v) ? json_is_true(v) : fallback;
}

json_t *jv_get_object(const json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return json_is_object(v) ? v : NULL;
}

json_t *jv_get_array(const json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return json_is_array(v) ? v : NULL;
}

char *jv_dump(const json_t *json)
{
    unsigned long failures = jv_alloc_failures;
    char *text = json_dumps(json, JSON_COMPACT | JSON_ENCODE_ANY);
    if (text && jv_alloc_failures != failures) {
        free(text);
        return NULL;
    }
    return text;
}

static bool jv_is_alpha(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static bool jv_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

const char *jv_check_name(const char *s)
{
    static const char reason[] =
        "must be 1-63 characters of A-Z a-z 0-9 _ . -, starting with a letter or digit";
    size_t len = strlen(s);
    if (len < 1 || len > 63 || !(jv_is_alpha(s[0]) || jv_is_digit(s[0])))
        return reason;
    for (size_t i = 1; i < len; i++)
        if (!(jv_is_alpha(s[i]) || jv_is_digit(s[i]) || strchr("_.-", s[i])))
            return reason;
    return NULL;
}

const char *jv_check_env_key(const char *s)
{
    static const char reason[] =
        "must be 1-128 characters of A-Z a-z 0-9 _, not starting with a digit";
    size_t len = strlen(s);
    if (len < 1 || len > 128 || !(jv_is_alpha(s[0]) || s[0] == '_'))
        return reason;
    for (size_t i = 1; i < len; i++)
        if (!(jv_is_alpha(s[i]) || jv_is_digit(s[i]) || s[i] == '_'))
            return reason;
    return NULL;
}

const char *jv_check_ipv4(const char *s)
{
    struct in_addr a;
    if (inet_pton(AF_INET, s, &a) != 1)
        return "not an IPv4 address (a.b.c.d)";
    return NULL;
}

const char *jv_check_cidr4(const char *s)
{
    static const char reason[] = "not an IPv4 CIDR (a.b.c.d/n, n from 0 to 32)";
    const char *slash = strchr(s, '/');
    if (!slash || slash - s > 15)
        return reason;
    char addr[16];
    memcpy(addr, s, (size_t)(slash - s));
    addr[slash - s] = '\0';
    struct in_addr a;
    if (inet_pton(AF_INET, addr, &a) != 1)
        return reason;
    const char *d = slash + 1;
    size_t nd = strlen(d);
    if (nd < 1 || nd > 2 || !jv_is_digit(d[0]) || (nd == 2 && (!jv_is_digit(d[1]) || d[0] == '0')))
        return reason;
    int prefix = nd == 1 ? d[0] - '0' : (d[0] - '0') * 10 + (d[1] - '0');
    if (prefix > 32)
        return reason;
    uint32_t mask = prefix == 0 ? 0 : 0xFFFFFFFFu << (32 - prefix);
    if (ntohl(a.s_addr) & ~mask)
        return "host bits set: the address must be the network's first address";
    return NULL;
}
