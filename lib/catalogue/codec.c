/* The one codec of lib/catalogue: walks a type's field table to decode JSON into its C struct
 * (Gson's rules, caps, paths in errors), encode it back, copy and free it. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalogue-int.h"
#include "catalogue/date.h"
#include "core/cleanup.h"
#include "json/jv.h"

#define ELLIPSIS "..."
/* Integers that a double holds exactly, written back as integers. */
#define NUM_EXACT_MAX 9007199254740992.0

const struct cat_type cat_t_str = {.kind = CAT_K_STR, .size = sizeof(char *)};
const struct cat_type cat_t_int = {.kind = CAT_K_INT, .size = sizeof(struct cat_int)};
const struct cat_type cat_t_long = {.kind = CAT_K_LONG, .size = sizeof(struct cat_int)};
const struct cat_type cat_t_bool = {.kind = CAT_K_BOOL, .size = sizeof(struct cat_bool)};
const struct cat_type cat_t_num = {.kind = CAT_K_NUM, .size = sizeof(struct cat_num)};
const struct cat_type cat_t_date = {.kind = CAT_K_DATE, .size = sizeof(struct cat_date)};
const struct cat_type cat_t_bytes = {.kind = CAT_K_BYTES, .size = sizeof(struct cat_bytes)};
const struct cat_type cat_t_json = {.kind = CAT_K_JSON, .size = sizeof(json_t *)};
const struct cat_type cat_t_refname = {.kind = CAT_K_REFNAME, .size = sizeof(char *)};
const struct cat_type cat_t_strv = {
    .kind = CAT_K_VEC, .size = sizeof(struct cat_vec_raw), .elem = &cat_t_str};
const struct cat_type cat_t_strmap = {.kind = CAT_K_MAP,
                                      .size = sizeof(struct cat_vec_raw),
                                      .elem = &cat_t_str,
                                      .entry_size = sizeof(struct cat_strmap_entry),
                                      .val_off = offsetof(struct cat_strmap_entry, value)};
const struct cat_type cat_t_strvmap = {.kind = CAT_K_MAP,
                                       .size = sizeof(struct cat_vec_raw),
                                       .elem = &cat_t_strv,
                                       .entry_size = sizeof(struct cat_strvmap_entry),
                                       .val_off = offsetof(struct cat_strvmap_entry, value)};

/* Every CAT_VEC/CAT_MAP has the raw layout; the codec reads and writes them through memcpy. */
_Static_assert(sizeof(struct cat_strv) == sizeof(struct cat_vec_raw) &&
                   offsetof(struct cat_strv, n) == offsetof(struct cat_vec_raw, n) &&
                   offsetof(struct cat_strv, set) == offsetof(struct cat_vec_raw, set),
               "CAT_VEC layout");
_Static_assert(sizeof(struct cat_strmap) == sizeof(struct cat_vec_raw) &&
                   offsetof(struct cat_strmap, n) == offsetof(struct cat_vec_raw, n) &&
                   offsetof(struct cat_strmap, set) == offsetof(struct cat_vec_raw, set),
               "CAT_MAP layout");

static struct cat_vec_raw raw_get(const void *p)
{
    struct cat_vec_raw r;
    memcpy(&r, p, sizeof(r));
    return r;
}

static void raw_put(void *p, struct cat_vec_raw r)
{
    memcpy(p, &r, sizeof(r));
}

static void *ptr_get(const void *p)
{
    void *v;
    memcpy(&v, p, sizeof(v));
    return v;
}

static void ptr_put(void *p, const void *v)
{
    memcpy(p, &v, sizeof(v));
}

/* --- decoding ------------------------------------------------------------------------------ */

struct cat_ctx {
    unsigned flags;
    struct pop_error *e;
    char path[CAT_PATH_MAX];
};

static int ctx_fail(struct cat_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int ctx_fail(struct cat_ctx *c, const char *fmt, ...)
{
    char msg[POP_ERROR_DETAIL_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (c->path[0])
        return pop_error_set(c->e, -EINVAL, API_INVALID_FIELD, c->path, "%s: %s", c->path, msg);
    return pop_error_set(c->e, -EINVAL, API_INVALID_FIELD, NULL, "%s", msg);
}

static int ctx_nomem(struct cat_ctx *c)
{
    return pop_error_set(c->e, -ENOMEM, API_INTERNAL, NULL, "out of memory");
}

/* Length of s[0..len) without a trailing incomplete UTF-8 sequence. */
static size_t utf8_trim(const char *s, size_t len)
{
    size_t i = len;
    while (i > 0 && ((unsigned char)s[i - 1] & 0xc0) == 0x80)
        i--;
    if (i == 0)
        return 0;
    unsigned char lead = (unsigned char)s[i - 1];
    size_t need = lead < 0x80 ? 1 : lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
    return len - (i - 1) >= need ? len : i - 1;
}

size_t cat_path_push(char *path, size_t size, const char *sep, const char *seg)
{
    size_t old = strlen(path), len = old;
    const char *parts[2] = {old ? sep : "", seg};
    for (size_t k = 0; k < 2; k++) {
        for (const char *p = parts[k]; *p; p++) {
            if (len + 1 >= size) {
                size_t room = size - sizeof(ELLIPSIS);
                len = utf8_trim(path, len < room ? len : room);
                memcpy(path + len, ELLIPSIS, sizeof(ELLIPSIS));
                return old;
            }
            unsigned char b = (unsigned char)*p;
            path[len++] = (b < 0x20 || b == 0x7f) ? '?' : (char)b;
        }
    }
    path[len] = '\0';
    return old;
}

static size_t path_push(struct cat_ctx *c, const char *sep, const char *seg)
{
    return cat_path_push(c->path, sizeof(c->path), sep, seg);
}

static size_t path_push_index(struct cat_ctx *c, size_t i)
{
    char seg[32];
    snprintf(seg, sizeof(seg), "[%zu]", i);
    return path_push(c, "", seg);
}

static void path_pop(struct cat_ctx *c, size_t len)
{
    c->path[len] = '\0';
}

static int dec_object(const struct cat_class *cls, const json_t *j, void *obj, struct cat_ctx *c);
static int dec_value(const struct cat_type *t, const json_t *j, void *dst, struct cat_ctx *c);

static int dec_string(const json_t *j, char **ret, struct cat_ctx *c)
{
    if (!json_is_string(j))
        return ctx_fail(c, "expected a string");
    size_t len = json_string_length(j);
    const char *s = json_string_value(j);
    if (len > CAT_STRING_MAX)
        return ctx_fail(c, "longer than %d bytes", CAT_STRING_MAX);
    if (memchr(s, '\0', len))
        return ctx_fail(c, "contains a NUL character");
    char *copy = strndup(s, len);
    if (!copy)
        return ctx_nomem(c);
    *ret = copy;
    return 0;
}

static int dec_enum(const struct cat_type *t, const json_t *j, void *dst, struct cat_ctx *c)
{
    if (!json_is_string(j))
        return ctx_fail(c, "expected a string");
    const char *s = json_string_value(j);
    for (size_t i = 0; i < t->n_names; i++) {
        if (strcmp(s, t->names[i]) == 0) {
            int k = (int)i + 1;
            memcpy(dst, &k, sizeof(k));
            return 0;
        }
    }
    char names[POP_ERROR_DETAIL_MAX / 2] = "";
    size_t used = 0;
    for (size_t i = 0; i < t->n_names && used < sizeof(names); i++) {
        int n = snprintf(names + used, sizeof(names) - used, "%s%s", i ? ", " : "", t->names[i]);
        if (n < 0)
            break;
        used += (size_t)n;
    }
    return ctx_fail(c, "unknown value, expected one of %s", names);
}

static int dec_bytes(const json_t *j, struct cat_bytes *b, struct cat_ctx *c)
{
    if (json_is_string(j)) {
        int r = cat_base64_decode(json_string_value(j), json_string_length(j), CAT_BYTES_MAX,
                                  &b->data, &b->len);
        if (r == -ENOMEM)
            return ctx_nomem(c);
        if (r == -E2BIG)
            return ctx_fail(c, "more than %u bytes", CAT_BYTES_MAX);
        if (r < 0)
            return ctx_fail(c, "not base64 text");
        b->set = true;
        return 0;
    }
    if (!json_is_array(j))
        return ctx_fail(c, "expected base64 text or an array of byte values");
    size_t n = json_array_size(j);
    if (n > CAT_BYTES_MAX)
        return ctx_fail(c, "more than %u bytes", CAT_BYTES_MAX);
    uint8_t *data = malloc(n ? n : 1);
    if (!data)
        return ctx_nomem(c);
    for (size_t i = 0; i < n; i++) {
        const json_t *v = json_array_get(j, i);
        /* Java bytes are signed; Gson also takes 128..255 for them */
        if (!json_is_integer(v) || json_integer_value(v) < -128 || json_integer_value(v) > 255) {
            free(data);
            size_t mark = path_push_index(c, i);
            int r = ctx_fail(c, "expected a byte value (-128..255)");
            path_pop(c, mark);
            return r;
        }
        data[i] = (uint8_t)(json_integer_value(v) & 0xff);
    }
    b->data = data;
    b->len = n;
    b->set = true;
    return 0;
}

static int dec_vec(const struct cat_type *t, const json_t *j, void *dst, struct cat_ctx *c)
{
    if (!json_is_array(j))
        return ctx_fail(c, "expected an array");
    size_t n = json_array_size(j);
    if (n > CAT_LIST_MAX)
        return ctx_fail(c, "more than %d entries", CAT_LIST_MAX);
    struct cat_vec_raw r = {.v = NULL, .n = 0, .set = true};
    if (n) {
        r.v = calloc(n, t->elem->size);
        if (!r.v)
            return ctx_nomem(c);
        r.n = n; /* zeroed elements free as nothing, so a failure half-way cleans up */
    }
    raw_put(dst, r);
    for (size_t i = 0; i < n; i++) {
        const json_t *item = json_array_get(j, i);
        size_t mark = path_push_index(c, i);
        int rr = json_is_null(item) ? ctx_fail(c, "null is not allowed in a list")
                                    : dec_value(t->elem, item, (char *)r.v + i * t->elem->size, c);
        if (rr < 0)
            return rr;
        path_pop(c, mark);
    }
    return 0;
}

static int dec_map(const struct cat_type *t, const json_t *j, void *dst, struct cat_ctx *c)
{
    if (!json_is_object(j))
        return ctx_fail(c, "expected an object");
    size_t n = json_object_size(j);
    if (n > CAT_LIST_MAX)
        return ctx_fail(c, "more than %d entries", CAT_LIST_MAX);
    struct cat_vec_raw r = {.v = NULL, .n = 0, .set = true};
    if (n) {
        r.v = calloc(n, t->entry_size);
        if (!r.v)
            return ctx_nomem(c);
    }
    const char *key;
    json_t *val;
    json_object_foreach ((json_t *)j, key, val) {
        if (json_is_null(val))
            continue; /* Gson writes no null map values: the same as absent */
        size_t mark = path_push(c, ".", key);
        if (strlen(key) > CAT_KEY_MAX) {
            raw_put(dst, r);
            return ctx_fail(c, "key longer than %d bytes", CAT_KEY_MAX);
        }
        char *entry = (char *)r.v + r.n * t->entry_size;
        char *k = strdup(key);
        if (!k) {
            raw_put(dst, r);
            return ctx_nomem(c);
        }
        ptr_put(entry, k);
        r.n++;
        raw_put(dst, r);
        int rr = dec_value(t->elem, val, entry + t->val_off, c);
        if (rr < 0)
            return rr;
        path_pop(c, mark);
    }
    raw_put(dst, r);
    return 0;
}

static int dec_value(const struct cat_type *t, const json_t *j, void *dst, struct cat_ctx *c)
{
    switch (t->kind) {
    case CAT_K_STR:
        return dec_string(j, (char **)dst, c);
    case CAT_K_INT:
    case CAT_K_LONG: {
        if (!json_is_integer(j))
            return ctx_fail(c, "expected an integer");
        json_int_t v = json_integer_value(j);
        if (t->kind == CAT_K_INT && (v < INT32_MIN || v > INT32_MAX))
            return ctx_fail(c, "out of range for a Java int");
        *(struct cat_int *)dst = (struct cat_int){.v = v, .set = true};
        return 0;
    }
    case CAT_K_BOOL:
        if (!json_is_boolean(j))
            return ctx_fail(c, "expected a boolean");
        *(struct cat_bool *)dst = (struct cat_bool){.v = json_is_true(j), .set = true};
        return 0;
    case CAT_K_NUM: {
        if (!json_is_number(j))
            return ctx_fail(c, "expected a number");
        double v = json_number_value(j);
        *(struct cat_num *)dst = (struct cat_num){
            .v = v, .set = true, .integral = json_is_integer(j) && fabs(v) <= NUM_EXACT_MAX};
        return 0;
    }
    case CAT_K_ENUM:
        return dec_enum(t, j, dst, c);
    case CAT_K_DATE: {
        if (!json_is_string(j))
            return ctx_fail(c, "expected a date string");
        struct cat_date d;
        if (json_string_length(j) > 64 || cat_date_parse(json_string_value(j), &d) < 0)
            return ctx_fail(c, "not a date (expected e.g. \"Mar 3, 2017 12:02:32 PM\")");
        *(struct cat_date *)dst = d;
        return 0;
    }
    case CAT_K_BYTES:
        return dec_bytes(j, (struct cat_bytes *)dst, c);
    case CAT_K_JSON: {
        json_t *copy = json_deep_copy(j);
        if (!copy)
            return ctx_nomem(c);
        ptr_put(dst, copy);
        return 0;
    }
    case CAT_K_REFNAME:
        if (json_is_object(j)) {
            /* Open Baton 3.2: a reference was the whole descriptor; its name is what counts */
            const json_t *name = json_object_get(j, "name");
            if (!json_is_string(name))
                return ctx_fail(c, "expected a name or an object with a name");
            size_t mark = path_push(c, ".", "name");
            int r = dec_string(name, (char **)dst, c);
            if (r == 0)
                path_pop(c, mark);
            return r;
        }
        if (!json_is_string(j))
            return ctx_fail(c, "expected a name or an object with a name");
        return dec_string(j, (char **)dst, c);
    case CAT_K_OBJ:
        return dec_object(t->cls, j, dst, c);
    case CAT_K_PTR: {
        if (!json_is_object(j))
            return ctx_fail(c, "expected an object");
        void *obj = calloc(1, t->cls->size);
        if (!obj)
            return ctx_nomem(c);
        ptr_put(dst, obj);
        return dec_object(t->cls, j, obj, c);
    }
    case CAT_K_VEC:
        return dec_vec(t, j, dst, c);
    case CAT_K_MAP:
        return dec_map(t, j, dst, c);
    }
    return ctx_fail(c, "unsupported value");
}

static const struct cat_field *find_field(const struct cat_class *cls, const char *key)
{
    for (size_t i = 0; i < cls->n_fields; i++)
        if (strcmp(cls->fields[i].name, key) == 0)
            return &cls->fields[i];
    return NULL;
}

static bool value_present(const struct cat_type *t, const void *p)
{
    switch (t->kind) {
    case CAT_K_STR:
    case CAT_K_REFNAME:
    case CAT_K_JSON:
    case CAT_K_PTR:
        return ptr_get(p) != NULL;
    case CAT_K_INT:
    case CAT_K_LONG:
        return ((const struct cat_int *)p)->set;
    case CAT_K_BOOL:
        return ((const struct cat_bool *)p)->set;
    case CAT_K_NUM:
        return ((const struct cat_num *)p)->set;
    case CAT_K_DATE:
        return ((const struct cat_date *)p)->set;
    case CAT_K_BYTES:
        return ((const struct cat_bytes *)p)->set;
    case CAT_K_ENUM: {
        int k;
        memcpy(&k, p, sizeof(k));
        return k != 0;
    }
    case CAT_K_VEC:
    case CAT_K_MAP: {
        struct cat_vec_raw r = raw_get(p);
        return r.set || r.n;
    }
    case CAT_K_OBJ:
        return true;
    }
    return false;
}

static bool field_in_class(const struct cat_class *cls, const struct cat_field *f, const void *obj)
{
    return !f->classes || !cls->class_of || (f->classes & cls->class_of(obj));
}

static int dec_object(const struct cat_class *cls, const json_t *j, void *obj, struct cat_ctx *c)
{
    if (!json_is_object(j))
        return ctx_fail(c, "expected an object");
    if (json_object_size(j) > CAT_FIELDS_MAX)
        return ctx_fail(c, "more than %d fields", CAT_FIELDS_MAX);
    const char *key;
    json_t *val;
    json_object_foreach ((json_t *)j, key, val) {
        if (json_is_null(val))
            continue; /* Gson: a null member is an absent one */
        const struct cat_field *f = find_field(cls, key);
        if (f) {
            size_t mark = path_push(c, ".", key);
            int r = dec_value(f->type, val, (char *)obj + f->off, c);
            if (r < 0)
                return r;
            path_pop(c, mark);
            continue;
        }
        /* Unknown to us: kept, so a record sent back loses nothing (a Java peer ignores it) */
        json_t *extra = ptr_get((char *)obj + cls->extra_off);
        if (!extra) {
            extra = json_object();
            if (!extra)
                return ctx_nomem(c);
            ptr_put((char *)obj + cls->extra_off, extra);
        }
        if (json_object_set_new(extra, key, json_deep_copy(val)) < 0)
            return ctx_nomem(c);
    }
    if (c->flags & CAT_DEC_REQUIRED) {
        for (size_t i = 0; i < cls->n_fields; i++) {
            const struct cat_field *f = &cls->fields[i];
            if (f->required && field_in_class(cls, f, obj) &&
                !value_present(f->type, (char *)obj + f->off)) {
                path_push(c, ".", f->name);
                return ctx_fail(c, "required");
            }
        }
    }
    return 0;
}

int cat_decode_at(const struct cat_class *cls, const json_t *json, const char *path, unsigned flags,
                  void **ret, struct pop_error *e)
{
    struct cat_ctx c = {.flags = flags, .e = e, .path = ""};
    if (path)
        path_push(&c, "", path);
    if (!json_is_object(json))
        return ctx_fail(&c, "expected a JSON object (%s)", cls->name);
    void *obj = calloc(1, cls->size);
    if (!obj)
        return ctx_nomem(&c);
    int r = dec_object(cls, json, obj, &c);
    if (r < 0) {
        cat_free(cls, obj);
        return r;
    }
    *ret = obj;
    return 0;
}

int cat_decode(const struct cat_class *cls, const json_t *json, unsigned flags, void **ret,
               struct pop_error *e)
{
    return cat_decode_at(cls, json, NULL, flags, ret, e);
}

int cat_parse_as(const struct cat_class *cls, const char *buf, size_t len, unsigned flags,
                 void **ret, struct pop_error *e)
{
    _cleanup_json_ json_t *doc = NULL;
    int r = cat_parse(buf, len, &doc, e);
    if (r < 0)
        return r;
    return cat_decode(cls, doc, flags, ret, e);
}

/* --- encoding ------------------------------------------------------------------------------ */

static json_t *enc_object(const struct cat_class *cls, const void *obj, unsigned flags);

/* Sets *out to a new value, or NULL when the value is absent. Returns 0 or -ENOMEM (or a string
 * that is not UTF-8, which jansson refuses). */
static int enc_value(const struct cat_type *t, const void *p, unsigned flags, json_t **out)
{
    json_t *v = NULL;
    *out = NULL;
    if (!value_present(t, p))
        return 0;
    switch (t->kind) {
    case CAT_K_STR:
    case CAT_K_REFNAME:
        v = json_string(ptr_get(p));
        break;
    case CAT_K_INT:
    case CAT_K_LONG:
        v = json_integer(((const struct cat_int *)p)->v);
        break;
    case CAT_K_BOOL:
        v = json_boolean(((const struct cat_bool *)p)->v);
        break;
    case CAT_K_NUM: {
        const struct cat_num *n = p;
        v = n->integral && fabs(n->v) <= NUM_EXACT_MAX ? json_integer((json_int_t)n->v)
                                                       : json_real(n->v);
        break;
    }
    case CAT_K_ENUM: {
        int k;
        memcpy(&k, p, sizeof(k));
        if (k < 1 || (size_t)k > t->n_names)
            return 0; /* not a value of the enum: nothing to say about it */
        v = json_string(t->names[k - 1]);
        break;
    }
    case CAT_K_DATE: {
        char text[CAT_DATE_TEXT_MAX];
        if (cat_date_format(p, text, sizeof(text)) < 0)
            return -EINVAL;
        v = json_string(text);
        break;
    }
    case CAT_K_BYTES: {
        const struct cat_bytes *b = p;
        if (flags & CAT_ENC_BYTES_BASE64) {
            char *text = cat_base64_encode(b->data, b->len);
            if (!text)
                return -ENOMEM;
            v = json_string(text);
            free(text);
            break;
        }
        v = json_array();
        for (size_t i = 0; v && i < b->len; i++) {
            if (json_array_append_new(v, json_integer((int8_t)b->data[i])) < 0) {
                json_decref(v);
                v = NULL;
            }
        }
        break;
    }
    case CAT_K_JSON:
        v = json_deep_copy(ptr_get(p));
        break;
    case CAT_K_OBJ:
        v = enc_object(t->cls, p, flags);
        break;
    case CAT_K_PTR:
        v = enc_object(t->cls, ptr_get(p), flags);
        break;
    case CAT_K_VEC: {
        struct cat_vec_raw r = raw_get(p);
        v = json_array();
        for (size_t i = 0; v && i < r.n; i++) {
            json_t *item;
            int rr = enc_value(t->elem, (const char *)r.v + i * t->elem->size, flags, &item);
            if (rr < 0 || !item || json_array_append_new(v, item) < 0) {
                json_decref(v);
                return rr < 0 ? rr : -ENOMEM;
            }
        }
        break;
    }
    case CAT_K_MAP: {
        struct cat_vec_raw r = raw_get(p);
        v = json_object();
        for (size_t i = 0; v && i < r.n; i++) {
            const char *entry = (const char *)r.v + i * t->entry_size;
            const char *key = ptr_get(entry);
            json_t *item;
            int rr = enc_value(t->elem, entry + t->val_off, flags, &item);
            if (rr < 0 || !key) {
                json_decref(v);
                return rr < 0 ? rr : -EINVAL;
            }
            if (item && json_object_set_new(v, key, item) < 0) {
                json_decref(v);
                return -ENOMEM;
            }
        }
        break;
    }
    }
    if (!v)
        return -ENOMEM;
    *out = v;
    return 0;
}

static json_t *enc_object(const struct cat_class *cls, const void *obj, unsigned flags)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    for (size_t i = 0; i < cls->n_fields; i++) {
        const struct cat_field *f = &cls->fields[i];
        if ((flags & CAT_ENC_GSON_CLASS) && !field_in_class(cls, f, obj))
            continue;
        json_t *v;
        if (enc_value(f->type, (const char *)obj + f->off, flags, &v) < 0 ||
            (v && json_object_set_new(o, f->name, v) < 0)) {
            json_decref(o);
            return NULL;
        }
    }
    const json_t *extra = ptr_get((const char *)obj + cls->extra_off);
    if (extra && !(flags & CAT_ENC_GSON_CLASS)) {
        const char *key;
        json_t *val;
        json_object_foreach ((json_t *)extra, key, val) {
            if (json_object_get(o, key) || json_is_null(val))
                continue; /* a modelled field wins over a stale unknown one */
            if (json_object_set_new(o, key, json_deep_copy(val)) < 0) {
                json_decref(o);
                return NULL;
            }
        }
    }
    return o;
}

json_t *cat_encode(const struct cat_class *cls, const void *obj, unsigned flags)
{
    if (!obj)
        return NULL;
    return enc_object(cls, obj, flags);
}

/* --- copying and freeing ------------------------------------------------------------------- */

static void free_value(const struct cat_type *t, void *p);
static int copy_object(const struct cat_class *cls, const void *src, void *dst);

static void clear_object(const struct cat_class *cls, void *obj)
{
    for (size_t i = 0; i < cls->n_fields; i++)
        free_value(cls->fields[i].type, (char *)obj + cls->fields[i].off);
    json_t *extra = ptr_get((char *)obj + cls->extra_off);
    if (extra)
        json_decref(extra);
    memset(obj, 0, cls->size);
}

static void free_value(const struct cat_type *t, void *p)
{
    switch (t->kind) {
    case CAT_K_STR:
    case CAT_K_REFNAME:
        free(ptr_get(p));
        break;
    case CAT_K_BYTES:
        free(((struct cat_bytes *)p)->data);
        break;
    case CAT_K_JSON: {
        json_t *j = ptr_get(p);
        if (j)
            json_decref(j);
        break;
    }
    case CAT_K_OBJ:
        clear_object(t->cls, p);
        break;
    case CAT_K_PTR: {
        void *obj = ptr_get(p);
        if (obj) {
            clear_object(t->cls, obj);
            free(obj);
        }
        break;
    }
    case CAT_K_VEC: {
        struct cat_vec_raw r = raw_get(p);
        for (size_t i = 0; i < r.n; i++)
            free_value(t->elem, (char *)r.v + i * t->elem->size);
        free(r.v);
        break;
    }
    case CAT_K_MAP: {
        struct cat_vec_raw r = raw_get(p);
        for (size_t i = 0; i < r.n; i++) {
            char *entry = (char *)r.v + i * t->entry_size;
            free(ptr_get(entry));
            free_value(t->elem, entry + t->val_off);
        }
        free(r.v);
        break;
    }
    case CAT_K_INT:
    case CAT_K_LONG:
    case CAT_K_BOOL:
    case CAT_K_NUM:
    case CAT_K_ENUM:
    case CAT_K_DATE:
        break;
    }
    memset(p, 0, t->size);
}

static int copy_string(const void *src, void *dst)
{
    const char *s = ptr_get(src);
    if (!s)
        return 0;
    char *copy = strdup(s);
    if (!copy)
        return -ENOMEM;
    ptr_put(dst, copy);
    return 0;
}

/* dst is zeroed; on failure it holds a part of the copy, which its owner frees. */
static int copy_value(const struct cat_type *t, const void *src, void *dst)
{
    switch (t->kind) {
    case CAT_K_STR:
    case CAT_K_REFNAME:
        return copy_string(src, dst);
    case CAT_K_INT:
    case CAT_K_LONG:
    case CAT_K_BOOL:
    case CAT_K_NUM:
    case CAT_K_ENUM:
    case CAT_K_DATE:
        memcpy(dst, src, t->size);
        return 0;
    case CAT_K_BYTES: {
        const struct cat_bytes *s = src;
        struct cat_bytes *d = dst;
        if (!s->set)
            return 0;
        d->data = malloc(s->len ? s->len : 1);
        if (!d->data)
            return -ENOMEM;
        if (s->len)
            memcpy(d->data, s->data, s->len);
        d->len = s->len;
        d->set = true;
        return 0;
    }
    case CAT_K_JSON: {
        const json_t *j = ptr_get(src);
        if (!j)
            return 0;
        json_t *copy = json_deep_copy(j);
        if (!copy)
            return -ENOMEM;
        ptr_put(dst, copy);
        return 0;
    }
    case CAT_K_OBJ:
        return copy_object(t->cls, src, dst);
    case CAT_K_PTR: {
        const void *obj = ptr_get(src);
        if (!obj)
            return 0;
        void *copy = calloc(1, t->cls->size);
        if (!copy)
            return -ENOMEM;
        ptr_put(dst, copy);
        return copy_object(t->cls, obj, copy);
    }
    case CAT_K_VEC:
    case CAT_K_MAP: {
        struct cat_vec_raw s = raw_get(src);
        size_t esize = t->kind == CAT_K_VEC ? t->elem->size : t->entry_size;
        struct cat_vec_raw d = {.v = NULL, .n = 0, .set = s.set};
        if (s.n) {
            d.v = calloc(s.n, esize);
            if (!d.v)
                return -ENOMEM;
            d.n = s.n;
        }
        raw_put(dst, d);
        for (size_t i = 0; i < s.n; i++) {
            const char *se = (const char *)s.v + i * esize;
            char *de = (char *)d.v + i * esize;
            int r = t->kind == CAT_K_VEC ? copy_value(t->elem, se, de) : copy_string(se, de);
            if (r == 0 && t->kind == CAT_K_MAP)
                r = copy_value(t->elem, se + t->val_off, de + t->val_off);
            if (r < 0)
                return r;
        }
        return 0;
    }
    }
    return -EINVAL;
}

static int copy_object(const struct cat_class *cls, const void *src, void *dst)
{
    for (size_t i = 0; i < cls->n_fields; i++) {
        const struct cat_field *f = &cls->fields[i];
        int r = copy_value(f->type, (const char *)src + f->off, (char *)dst + f->off);
        if (r < 0)
            return r;
    }
    const json_t *extra = ptr_get((const char *)src + cls->extra_off);
    if (extra) {
        json_t *copy = json_deep_copy(extra);
        if (!copy)
            return -ENOMEM;
        ptr_put((char *)dst + cls->extra_off, copy);
    }
    return 0;
}

int cat_copy(const struct cat_class *cls, const void *obj, void **ret)
{
    void *copy = calloc(1, cls->size);
    if (!copy)
        return -ENOMEM;
    int r = copy_object(cls, obj, copy);
    if (r < 0) {
        cat_free(cls, copy);
        return r;
    }
    *ret = copy;
    return 0;
}

void *cat_new(const struct cat_class *cls)
{
    return calloc(1, cls->size);
}

void cat_free(const struct cat_class *cls, void *obj)
{
    if (!obj)
        return;
    clear_object(cls, obj);
    free(obj);
}

void cat_clear(const struct cat_class *cls, void *obj)
{
    if (obj)
        clear_object(cls, obj);
}

/* --- forgetting identities ------------------------------------------------------------------ */

static void drop_ids_value(const struct cat_type *t, void *p);

/* Every "id" and "hbVersion" member of the tables is a BaseEntity one (CAT_ENTITY_FIELDS). */
static void drop_ids_object(const struct cat_class *cls, void *obj)
{
    for (size_t i = 0; i < cls->n_fields; i++) {
        const struct cat_field *f = &cls->fields[i];
        void *p = (char *)obj + f->off;
        if (strcmp(f->name, "id") == 0 && f->type->kind == CAT_K_STR) {
            free(ptr_get(p));
            ptr_put(p, NULL);
        } else if (strcmp(f->name, "hbVersion") == 0 && f->type->kind == CAT_K_INT) {
            *(struct cat_int *)p = (struct cat_int){0};
        } else {
            drop_ids_value(f->type, p);
        }
    }
}

static void drop_ids_value(const struct cat_type *t, void *p)
{
    switch (t->kind) {
    case CAT_K_OBJ:
        drop_ids_object(t->cls, p);
        break;
    case CAT_K_PTR: {
        void *obj = ptr_get(p);
        if (obj)
            drop_ids_object(t->cls, obj);
        break;
    }
    case CAT_K_VEC:
    case CAT_K_MAP: {
        struct cat_vec_raw r = raw_get(p);
        size_t esize = t->kind == CAT_K_VEC ? t->elem->size : t->entry_size;
        size_t off = t->kind == CAT_K_VEC ? 0 : t->val_off;
        for (size_t i = 0; i < r.n; i++)
            drop_ids_value(t->elem, (char *)r.v + i * esize + off);
        break;
    }
    default:
        break;
    }
}

void cat_drop_ids(const struct cat_class *cls, void *obj)
{
    if (obj)
        drop_ids_object(cls, obj);
}

/* Every BaseEntity is the struct cat_entity whose first member is the table's "id" field. */
static int foreach_value(const struct cat_type *t, void *p,
                         int (*fn)(struct cat_entity *ent, void *ud), void *ud);

static int foreach_object(const struct cat_class *cls, void *obj,
                          int (*fn)(struct cat_entity *ent, void *ud), void *ud)
{
    int r;
    for (size_t i = 0; i < cls->n_fields; i++) {
        const struct cat_field *f = &cls->fields[i];
        if (strcmp(f->name, "id") == 0 && f->type->kind == CAT_K_STR &&
            (r = fn((struct cat_entity *)((char *)obj + f->off), ud)) < 0)
            return r;
    }
    for (size_t i = 0; i < cls->n_fields; i++) {
        const struct cat_field *f = &cls->fields[i];
        if ((r = foreach_value(f->type, (char *)obj + f->off, fn, ud)) < 0)
            return r;
    }
    return 0;
}

static int foreach_value(const struct cat_type *t, void *p,
                         int (*fn)(struct cat_entity *ent, void *ud), void *ud)
{
    switch (t->kind) {
    case CAT_K_OBJ:
        return foreach_object(t->cls, p, fn, ud);
    case CAT_K_PTR: {
        void *obj = ptr_get(p);
        return obj ? foreach_object(t->cls, obj, fn, ud) : 0;
    }
    case CAT_K_VEC:
    case CAT_K_MAP: {
        struct cat_vec_raw r = raw_get(p);
        size_t esize = t->kind == CAT_K_VEC ? t->elem->size : t->entry_size;
        size_t off = t->kind == CAT_K_VEC ? 0 : t->val_off;
        for (size_t i = 0; i < r.n; i++) {
            int k = foreach_value(t->elem, (char *)r.v + i * esize + off, fn, ud);
            if (k < 0)
                return k;
        }
        return 0;
    }
    default:
        return 0;
    }
}

int cat_foreach_entity(const struct cat_class *cls, void *obj,
                       int (*fn)(struct cat_entity *ent, void *ud), void *ud)
{
    return obj ? foreach_object(cls, obj, fn, ud) : 0;
}

/* --- builders ------------------------------------------------------------------------------ */

int cat_set_str(char **dst, const char *s)
{
    char *copy = NULL;
    if (s && !(copy = strdup(s)))
        return -ENOMEM;
    free(*dst);
    *dst = copy;
    return 0;
}

void *cat_vec_push_raw(void *vec, size_t elem_size)
{
    struct cat_vec_raw r = raw_get(vec);
    if (r.n >= CAT_LIST_MAX)
        return NULL;
    char *v = realloc(r.v, (r.n + 1) * elem_size);
    if (!v)
        return NULL;
    memset(v + r.n * elem_size, 0, elem_size);
    r.v = v;
    r.n++;
    r.set = true;
    raw_put(vec, r);
    return v + (r.n - 1) * elem_size;
}

void cat_vec_remove_raw(const struct cat_class *cls, void *vec, size_t elem_size, size_t i)
{
    struct cat_vec_raw r = raw_get(vec);
    if (i >= r.n)
        return;
    char *elem = (char *)r.v + i * elem_size;
    if (cls)
        clear_object(cls, elem);
    memmove(elem, elem + elem_size, (r.n - i - 1) * elem_size);
    r.n--;
    raw_put(vec, r);
}

int cat_strv_push(struct cat_strv *v, const char *s)
{
    if (v->n >= CAT_LIST_MAX)
        return -E2BIG;
    char *copy = strdup(s);
    if (!copy)
        return -ENOMEM;
    char **slot = CAT_VEC_PUSH(v);
    if (!slot) {
        free(copy);
        return -ENOMEM;
    }
    *slot = copy;
    return 0;
}

bool cat_strv_contains(const struct cat_strv *v, const char *s)
{
    for (size_t i = 0; i < v->n; i++)
        if (v->v[i] && strcmp(v->v[i], s) == 0)
            return true;
    return false;
}

const char *cat_strmap_get(const struct cat_strmap *m, const char *key)
{
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->v[i].key, key) == 0)
            return m->v[i].value;
    return NULL;
}

int cat_strmap_set(struct cat_strmap *m, const char *key, const char *value)
{
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->v[i].key, key) == 0)
            return cat_set_str(&m->v[i].value, value);
    if (m->n >= CAT_LIST_MAX)
        return -E2BIG;
    char *k = strdup(key), *v = value ? strdup(value) : NULL;
    if (!k || (value && !v)) {
        free(k);
        free(v);
        return -ENOMEM;
    }
    struct cat_strmap_entry *e = CAT_VEC_PUSH(m);
    if (!e) {
        free(k);
        free(v);
        return -ENOMEM;
    }
    e->key = k;
    e->value = v;
    return 0;
}

bool cat_strmap_del(struct cat_strmap *m, const char *key)
{
    for (size_t i = 0; i < m->n; i++) {
        if (strcmp(m->v[i].key, key) == 0) {
            free(m->v[i].key);
            free(m->v[i].value);
            memmove(&m->v[i], &m->v[i + 1], (m->n - i - 1) * sizeof(m->v[0]));
            m->n--;
            return true;
        }
    }
    return false;
}
