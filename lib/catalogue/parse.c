/* cat_parse: lib/json's capped parse, plus the one leniency hand-written Open Baton descriptors
 * need: a key repeated with the same value. Repeats with different values stay refused. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalogue-int.h"
#include "json/jv.h"

/* Entries of one object the repeat scan sorts; the document cap bounds it anyway. */
#define SCAN_KEYS_MAX 65536

struct span {
    size_t start, end; /* [start, end) of the text */
};

struct member {
    char *key; /* decoded */
    struct span value;
};

struct scan {
    const char *s;
    size_t len, pos;
    struct pop_error *e;
    char path[CAT_PATH_MAX];
};

static int scan_fail(struct scan *sc, int r, const char *msg)
{
    if (r == -ENOMEM)
        return pop_error_set(sc->e, r, API_INTERNAL, NULL, "out of memory");
    if (sc->path[0])
        return pop_error_set(sc->e, r, API_BAD_JSON, sc->path, "%s: %s", sc->path, msg);
    return pop_error_set(sc->e, r, API_BAD_JSON, NULL, "%s", msg);
}

static size_t scan_path_push(struct scan *sc, const char *sep, const char *seg)
{
    return cat_path_push(sc->path, sizeof(sc->path), sep, seg);
}

static void skip_ws(struct scan *sc)
{
    while (sc->pos < sc->len && strchr(" \t\r\n", sc->s[sc->pos]) && sc->s[sc->pos])
        sc->pos++;
}

/* The text is known to be valid JSON (jansson read it), so the scan only finds boundaries. */
static void skip_string(struct scan *sc)
{
    sc->pos++; /* opening quote */
    while (sc->pos < sc->len && sc->s[sc->pos] != '"')
        sc->pos += sc->s[sc->pos] == '\\' ? 2 : 1;
    sc->pos++;
}

static int decode_key(const struct scan *sc, struct span k, char **ret)
{
    const char *s = sc->s + k.start + 1;
    size_t n = k.end - k.start - 2;
    if (!memchr(s, '\\', n)) {
        /* Not strndup: the text is not NUL-terminated, and a string function may read on to a
         * NUL (ASan's strict_string_checks does), past the end of the message buffer. */
        char *key = malloc(n + 1);
        if (!key)
            return -ENOMEM;
        memcpy(key, s, n);
        key[n] = '\0';
        *ret = key;
        return 0;
    }
    json_t *j = json_loadb(sc->s + k.start, k.end - k.start, JSON_DECODE_ANY, NULL);
    if (!j)
        return -ENOMEM;
    *ret = strdup(json_string_value(j));
    json_decref(j);
    return *ret ? 0 : -ENOMEM;
}

static int member_cmp(const void *a, const void *b)
{
    const struct member *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    if (c)
        return c;
    return x->value.start < y->value.start ? -1 : 1; /* document order among repeats */
}

static int same_value(const struct scan *sc, struct span a, struct span b, bool *ret)
{
    json_t *x = json_loadb(sc->s + a.start, a.end - a.start, JSON_DECODE_ANY, NULL);
    json_t *y = json_loadb(sc->s + b.start, b.end - b.start, JSON_DECODE_ANY, NULL);
    int r = x && y ? 0 : -ENOMEM;
    if (r == 0)
        *ret = json_equal(x, y);
    json_decref(x);
    json_decref(y);
    return r;
}

static int scan_value(struct scan *sc, int depth);

static void free_members(struct member *m, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(m[i].key);
    free(m);
}

static int scan_object(struct scan *sc, int depth)
{
    struct member *m = NULL;
    size_t n = 0, cap = 0;
    int r = 0;
    sc->pos++; /* { */
    skip_ws(sc);
    while (sc->pos < sc->len && sc->s[sc->pos] != '}') {
        struct span k = {.start = sc->pos};
        skip_string(sc);
        k.end = sc->pos;
        if (n == cap) {
            if (cap >= SCAN_KEYS_MAX) {
                r = scan_fail(sc, -E2BIG, "too many members in one object");
                goto out;
            }
            size_t ncap = cap ? cap * 2 : 16;
            struct member *nm = realloc(m, ncap * sizeof(*m));
            if (!nm) {
                r = scan_fail(sc, -ENOMEM, NULL);
                goto out;
            }
            m = nm;
            cap = ncap;
        }
        r = decode_key(sc, k, &m[n].key);
        if (r < 0) {
            r = scan_fail(sc, r, NULL);
            goto out;
        }
        n++;
        skip_ws(sc);
        sc->pos++; /* : */
        skip_ws(sc);
        size_t mark = scan_path_push(sc, ".", m[n - 1].key);
        m[n - 1].value.start = sc->pos;
        r = scan_value(sc, depth);
        if (r < 0)
            goto out;
        m[n - 1].value.end = sc->pos;
        sc->path[mark] = '\0';
        skip_ws(sc);
        if (sc->pos < sc->len && sc->s[sc->pos] == ',') {
            sc->pos++;
            skip_ws(sc);
        }
    }
    sc->pos++; /* } */
    if (n > 1)
        qsort(m, n, sizeof(*m), member_cmp);
    for (size_t i = 1; i < n; i++) {
        if (strcmp(m[i - 1].key, m[i].key) != 0)
            continue;
        bool same;
        r = same_value(sc, m[i - 1].value, m[i].value, &same);
        if (r < 0) {
            r = scan_fail(sc, r, NULL);
            goto out;
        }
        if (!same) {
            scan_path_push(sc, ".", m[i].key);
            r = scan_fail(sc, -EINVAL, "repeated with a different value");
            goto out;
        }
    }
out:
    free_members(m, n);
    return r;
}

static int scan_value(struct scan *sc, int depth)
{
    if (sc->pos >= sc->len)
        return scan_fail(sc, -EINVAL, "unexpected end of the text");
    char c = sc->s[sc->pos];
    if (c == '{' || c == '[') {
        /* the same rule as jv_parse, on the text: a discarded repeat may not hide depth */
        if (depth + 1 > JV_MAX_DEPTH) {
            char msg[64];
            snprintf(msg, sizeof(msg), "nested deeper than %d levels", JV_MAX_DEPTH);
            return scan_fail(sc, -EINVAL, msg);
        }
        if (c == '{')
            return scan_object(sc, depth + 1);
        sc->pos++;
        skip_ws(sc);
        for (size_t i = 0; sc->pos < sc->len && sc->s[sc->pos] != ']'; i++) {
            char seg[32];
            snprintf(seg, sizeof(seg), "[%zu]", i);
            size_t mark = scan_path_push(sc, "", seg);
            int r = scan_value(sc, depth + 1);
            if (r < 0)
                return r;
            sc->path[mark] = '\0';
            skip_ws(sc);
            if (sc->pos < sc->len && sc->s[sc->pos] == ',') {
                sc->pos++;
                skip_ws(sc);
            }
        }
        sc->pos++;
        return 0;
    }
    if (c == '"') {
        skip_string(sc);
        return 0;
    }
    while (sc->pos < sc->len && !strchr(",]} \t\r\n", sc->s[sc->pos]))
        sc->pos++;
    return 0;
}

/* A failed json_loadb as jv_parse words it. jansson reports some of its allocation failures
 * without setting the error at all (an empty text): those are memory, not syntax. */
static int load_error(const json_error_t *jerr, struct pop_error *e)
{
    enum json_error_code code = json_error_code(jerr);
    if (code == json_error_out_of_memory || jerr->text[0] == '\0')
        return pop_error_set(e, -ENOMEM, API_INTERNAL, NULL, "out of memory");
    const char *text =
        code == json_error_null_character ? "strings must not contain NUL characters" : jerr->text;
    return pop_error_set(e, -EINVAL, API_BAD_JSON, NULL, "line %d, column %d: %s", jerr->line,
                         jerr->column, text);
}

int cat_parse(const char *buf, size_t len, json_t **ret, struct pop_error *e)
{
    if (len > CAT_DOC_MAX)
        return pop_error_set(e, -EMSGSIZE, API_BODY_TOO_LARGE, NULL,
                             "document larger than %u bytes", CAT_DOC_MAX);
    /* jv_parse refuses a raw NUL byte; the lenient reading below must too (jansson skips one
     * between tokens), and the scan relies on there being none. */
    const char *nul = memchr(buf, '\0', len);
    if (nul)
        return pop_error_set(e, -EINVAL, API_BAD_JSON, NULL,
                             "a NUL byte at offset %zu: JSON text has none", (size_t)(nul - buf));
    /* the common case: lib/json's rules exactly */
    struct jv_error err;
    json_t *doc;
    int r = jv_parse(buf, len, &doc, &err);
    if (r == 0) {
        *ret = doc;
        return 0;
    }
    if (r == -ENOMEM)
        return jv_error_to_pop(&err, e);
    /* Refused. Read it again keeping the last of repeated keys: if the text is wrong in any
     * other way, this reading and the scan below refuse it with jv_parse's words (syntax, NUL,
     * trailing data, not an object, too deep); what is left are repeats, which the scan allows
     * when they are equal. (Deciding by this second reading, rather than by why jv_parse
     * failed, also keeps an allocation failure that jansson words as a syntax error from
     * turning into a complaint about the repeats.) */
    json_error_t jerr;
    doc = json_loadb(buf, len, 0, &jerr);
    if (!doc)
        return load_error(&jerr, e);
    if (!json_is_object(doc)) {
        json_decref(doc);
        return pop_error_set(e, -EINVAL, API_BAD_JSON, NULL, "expected a JSON object");
    }
    struct scan sc = {.s = buf, .len = len, .e = e, .path = ""};
    skip_ws(&sc);
    r = scan_value(&sc, 0);
    if (r < 0) {
        json_decref(doc);
        return r;
    }
    *ret = doc;
    return 0;
}
