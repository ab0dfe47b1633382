/* Dependency records and own configuration turned into a target's environment, and the state
 * behind it, kept in the target VNFCs' Pop metadata (README, "Dependency values"). */
#include "dependency_env.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/parse.h"
#include "core/strbuf.h"
#include "json/cleanup.h"

#define KEY_GEN DEP_STATE_PREFIX "GEN"
#define KEY_TYPE DEP_STATE_PREFIX "T_" /* + 16 hex digits: a type's VNFR-level values */
#define KEY_VNFC DEP_STATE_PREFIX "C_" /* + 16 hex digits: one source VNFC's values */
/* Ranks and generations stay exact in JSON numbers and decimal text. */
#define COUNTER_MAX ((INT64_C(1) << 53) - 1)

struct dep_src {
    char *type;
    json_t *params; /* {key: value}, "" kept: the keys are what the dependency asks for */
};

struct dep_vnfc {
    char *type;
    char *id;
    uint64_t rank;  /* creation order among all VNFCs of the state */
    json_t *params; /* {key: value}, non-empty values only */
};

struct dep_state {
    uint64_t gen;
    uint64_t next_rank; /* greater than every rank */
    struct dep_src *src;
    size_t n_src;
    struct dep_vnfc *vnfc; /* in rank order */
    size_t n_vnfc;
};

static int nomem(struct pop_error *e)
{
    return pop_error_set(e, -ENOMEM, API_INTERNAL, NULL, NULL);
}

/* --- the state ----------------------------------------------------------------------------- */

struct dep_state *dep_state_new(void)
{
    return calloc(1, sizeof(struct dep_state));
}

static void state_clear(struct dep_state *st)
{
    for (size_t i = 0; i < st->n_src; i++) {
        free(st->src[i].type);
        json_decref(st->src[i].params);
    }
    for (size_t i = 0; i < st->n_vnfc; i++) {
        free(st->vnfc[i].type);
        free(st->vnfc[i].id);
        json_decref(st->vnfc[i].params);
    }
    free(st->src);
    free(st->vnfc);
    memset(st, 0, sizeof(*st));
}

void dep_state_free(struct dep_state *st)
{
    if (!st)
        return;
    state_clear(st);
    free(st);
}

static struct dep_src *find_src(const struct dep_state *st, const char *type)
{
    for (size_t i = 0; i < st->n_src; i++)
        if (strcmp(st->src[i].type, type) == 0)
            return &st->src[i];
    return NULL;
}

static struct dep_vnfc *find_vnfc(const struct dep_state *st, const char *id)
{
    for (size_t i = 0; i < st->n_vnfc; i++)
        if (strcmp(st->vnfc[i].id, id) == 0)
            return &st->vnfc[i];
    return NULL;
}

/* Takes params (a new reference) in every case. */
static int add_src(struct dep_state *st, const char *type, json_t *params)
{
    struct dep_src *grown = realloc(st->src, (st->n_src + 1) * sizeof(*grown));
    char *t = strdup(type);
    if (grown)
        st->src = grown;
    if (!grown || !t) {
        free(t);
        json_decref(params);
        return -ENOMEM;
    }
    st->src[st->n_src++] = (struct dep_src){.type = t, .params = params};
    return 0;
}

/* Appends a VNFC (callers keep rank order); takes params in every case. */
static int add_vnfc(struct dep_state *st, const char *type, const char *id, uint64_t rank,
                    json_t *params)
{
    struct dep_vnfc *grown = realloc(st->vnfc, (st->n_vnfc + 1) * sizeof(*grown));
    char *t = strdup(type), *i = strdup(id);
    if (grown)
        st->vnfc = grown;
    if (!grown || !t || !i) {
        free(t);
        free(i);
        json_decref(params);
        return -ENOMEM;
    }
    st->vnfc[st->n_vnfc++] = (struct dep_vnfc){.type = t, .id = i, .rank = rank, .params = params};
    if (rank >= st->next_rank)
        st->next_rank = rank + 1;
    return 0;
}

static int state_copy(const struct dep_state *st, struct dep_state **ret)
{
    struct dep_state *c = dep_state_new();
    if (!c)
        return -ENOMEM;
    c->gen = st->gen;
    for (size_t i = 0; i < st->n_src; i++)
        if (add_src(c, st->src[i].type, json_deep_copy(st->src[i].params)) < 0 ||
            !c->src[c->n_src - 1].params)
            goto fail;
    for (size_t i = 0; i < st->n_vnfc; i++) {
        const struct dep_vnfc *v = &st->vnfc[i];
        if (add_vnfc(c, v->type, v->id, v->rank, json_deep_copy(v->params)) < 0 ||
            !c->vnfc[c->n_vnfc - 1].params)
            goto fail;
    }
    c->next_rank = st->next_rank;
    *ret = c;
    return 0;
fail:
    dep_state_free(c);
    return -ENOMEM;
}

uint64_t dep_state_generation(const struct dep_state *st)
{
    return st->gen;
}

size_t dep_state_vnfc_count(const struct dep_state *st, const char *type)
{
    size_t n = 0;
    for (size_t i = 0; i < st->n_vnfc; i++)
        n += !type || strcmp(st->vnfc[i].type, type) == 0;
    return n;
}

/* --- merging records ----------------------------------------------------------------------- */

/* {key: value} of a record's map; for a VNFC (asked given or not) "" values and, with asked,
 * the keys not in it are dropped. NULL on ENOMEM. */
static json_t *params_object(const struct cat_strmap *m, bool vnfc, const json_t *asked)
{
    json_t *o = json_object();
    for (size_t i = 0; o && i < m->n; i++) {
        const char *v = m->v[i].value ? m->v[i].value : "";
        if (vnfc && (!*v || (asked && !json_object_get(asked, m->v[i].key))))
            continue;
        if (json_object_set_new(o, m->v[i].key, json_string(v)) < 0) {
            json_decref(o);
            return NULL;
        }
    }
    return o;
}

static int field_error(struct pop_error *e, const char *path, const char *rest, const char *why)
{
    char field[POP_ERROR_FIELD_MAX];
    if (snprintf(field, sizeof(field), "%s%s%s", path, *path ? "." : "", rest) >=
        (int)sizeof(field))
        field[sizeof(field) - 1] = '\0'; /* cut, as pop_error cuts a field anyway */
    return pop_error_set(e, -EINVAL, API_INVALID_FIELD, field, "%s: %s", field, why);
}

/* Everything that can be wrong with rec, found before anything changes. */
static int check_record(const struct dep_state *st, const struct cat_vnfr_dependency *rec,
                        const char *path, struct pop_error *e)
{
    /* A target's metadata holds at most DEP_MD_ENTRIES_MAX entries, one per source VNFC and
     * type among them: a record with more could never be written, and the checks below stay
     * cheap. */
    size_t entries = rec->parameters.n;
    for (size_t i = 0; i < rec->vnfc_parameters.n; i++)
        entries += rec->vnfc_parameters.v[i].value.parameters.n;
    if (entries > DEP_MD_ENTRIES_MAX) {
        char field[POP_ERROR_FIELD_MAX];
        snprintf(field, sizeof(field), "%s", *path ? path : "vnfrd");
        return pop_error_set(e, -E2BIG, API_INVALID_FIELD, field,
                             "%s: %zu source entries, more than the %d a Pop's metadata holds",
                             field, entries, DEP_MD_ENTRIES_MAX);
    }
    for (size_t i = 0; i < rec->parameters.n; i++)
        if (!*rec->parameters.v[i].key && rec->parameters.v[i].value.parameters.n > 0)
            return field_error(e, path, "parameters", "a source type is empty");
    for (size_t i = 0; i < rec->vnfc_parameters.n; i++) {
        const char *type = rec->vnfc_parameters.v[i].key;
        const struct cat_dep_params_map *vnfcs = &rec->vnfc_parameters.v[i].value.parameters;
        if (vnfcs->n == 0)
            continue;
        if (!*type)
            return field_error(e, path, "vnfcParameters", "a source type is empty");
        for (size_t k = 0; k < vnfcs->n; k++) {
            const char *id = vnfcs->v[k].key;
            char rest[POP_ERROR_FIELD_MAX];
            snprintf(rest, sizeof(rest), "vnfcParameters.%s.parameters", type);
            if (!*id)
                return field_error(e, path, rest, "a VNFC instance without id (key \"\")");
            const struct dep_vnfc *known = find_vnfc(st, id);
            bool twice = known && strcmp(known->type, type) != 0;
            for (size_t j = 0; !twice && j < i; j++) {
                const struct cat_dep_params_map *o = &rec->vnfc_parameters.v[j].value.parameters;
                for (size_t m = 0; m < o->n; m++)
                    twice = twice || strcmp(o->v[m].key, id) == 0;
            }
            if (twice) {
                char why[160];
                snprintf(why, sizeof(why), "VNFC instance %.64s is listed under two source types",
                         id);
                return field_error(e, path, rest, why);
            }
        }
    }
    return 0;
}

/* The merge of dep_state_apply on st itself; returns 1 (changed), 0, or -ENOMEM with st
 * half-changed (the caller works on a copy). */
static int merge(struct dep_state *st, const struct cat_vnfr_dependency *rec)
{
    int changed = 0;
    for (size_t i = 0; i < rec->parameters.n; i++) {
        const char *type = rec->parameters.v[i].key;
        const struct cat_strmap *m = &rec->parameters.v[i].value.parameters;
        if (m->n == 0)
            continue;
        json_t *params = params_object(m, false, NULL);
        if (!params)
            return -ENOMEM;
        struct dep_src *s = find_src(st, type);
        if (s && json_equal(s->params, params)) {
            json_decref(params);
        } else if (s) {
            json_decref(s->params);
            s->params = params;
            changed = 1;
        } else {
            if (add_src(st, type, params) < 0)
                return -ENOMEM;
            changed = 1;
        }
    }
    for (size_t i = 0; i < rec->vnfc_parameters.n; i++) {
        const char *type = rec->vnfc_parameters.v[i].key;
        const struct cat_dep_params_map *vnfcs = &rec->vnfc_parameters.v[i].value.parameters;
        /* Only what the dependency asks for is kept: a scale-out or heal record carries every
         * address and the hostname (§11.15), the first record only the asked-for keys, and
         * the same VNFC must read the same from both. */
        const struct dep_src *s = find_src(st, type);
        for (size_t k = 0; k < vnfcs->n; k++) {
            json_t *params =
                params_object(&vnfcs->v[k].value.parameters, true, s ? s->params : NULL);
            if (!params)
                return -ENOMEM;
            struct dep_vnfc *v = find_vnfc(st, vnfcs->v[k].key);
            if (v && json_equal(v->params, params)) {
                json_decref(params); /* a heal: same VNFC, same values, same place */
            } else if (v) {
                json_decref(v->params);
                v->params = params;
                changed = 1;
            } else {
                if (add_vnfc(st, type, vnfcs->v[k].key, st->next_rank, params) < 0)
                    return -ENOMEM;
                changed = 1;
            }
        }
    }
    return changed;
}

int dep_state_apply(struct dep_state *st, const struct cat_vnfr_dependency *rec, const char *path,
                    struct pop_error *e)
{
    if (!path)
        path = "";
    if (!rec)
        return pop_error_set(e, -EINVAL, API_INVALID_FIELD, *path ? path : NULL,
                             "%s%sno dependency record", path, *path ? ": " : "");
    int r = check_record(st, rec, path, e);
    if (r < 0)
        return r;
    struct dep_state *next = NULL;
    if (state_copy(st, &next) < 0)
        return nomem(e);
    r = merge(next, rec);
    if (r < 0) {
        dep_state_free(next);
        return nomem(e);
    }
    if (r == 0) {
        dep_state_free(next);
        return 0;
    }
    if (next->gen < COUNTER_MAX)
        next->gen++;
    state_clear(st);
    *st = *next;
    free(next);
    return 1;
}

int dep_state_remove_vnfc(struct dep_state *st, const char *vnfc_id)
{
    for (size_t i = 0; vnfc_id && i < st->n_vnfc; i++) {
        if (strcmp(st->vnfc[i].id, vnfc_id) != 0)
            continue;
        free(st->vnfc[i].type);
        free(st->vnfc[i].id);
        json_decref(st->vnfc[i].params);
        memmove(&st->vnfc[i], &st->vnfc[i + 1], (st->n_vnfc - i - 1) * sizeof(st->vnfc[0]));
        st->n_vnfc--;
        if (st->gen < COUNTER_MAX)
            st->gen++;
        return 1;
    }
    return 0;
}

int dep_record_check(const struct cat_vnfr_dependency *rec, const struct cat_vnfr *target,
                     struct pop_error *e)
{
    if (rec && rec->target && target && target->name && strcmp(rec->target, target->name) != 0)
        return pop_error_set(e, -EINVAL, API_INVALID_FIELD, "vnfrd.target",
                             "vnfrd.target: the record is for '%s', the VNFR is '%s'", rec->target,
                             target->name);
    return 0;
}

/* --- the state in metadata ----------------------------------------------------------------- */

/* FNV-1a, 64 bits, over the type, a NUL and (for a VNFC) its id: a short fixed-length key for
 * any type and id; the entry's value holds both, so a collision is detected, not followed. */
static uint64_t fnv1a(const char *type, const char *id)
{
    uint64_t h = UINT64_C(14695981039346656037);
    for (const char *s = type;; s++) {
        h = (h ^ (unsigned char)*s) * UINT64_C(1099511628211);
        if (!*s)
            break;
    }
    for (const char *s = id; s && *s; s++)
        h = (h ^ (unsigned char)*s) * UINT64_C(1099511628211);
    return h;
}

static void entry_key(char *buf, size_t size, const char *type, const char *id)
{
    snprintf(buf, size, "%s%016" PRIx64, id ? KEY_VNFC : KEY_TYPE, fnv1a(type, id));
}

/* A JSON string, escaped as jansson writes it, so jansson reads it back as it was. */
static int put_string(struct strbuf *sb, const char *str)
{
    int r = strbuf_puts(sb, "\"");
    for (const char *p = str; r == 0 && *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '"' || c == '\\')
            r = strbuf_printf(sb, "\\%c", c);
        else if (c < 0x20)
            r = strbuf_printf(sb, "\\u%04x", c);
        else
            r = strbuf_append(sb, p, 1);
    }
    return r < 0 ? r : strbuf_puts(sb, "\"");
}

static int cmp_key(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The value text of an entry: compact, keys sorted, so equal states write equal text and an
 * unchanged entry is never patched (a patch recreates a running container). Written here
 * rather than by json_dumps, which under memory pressure can return text with a key left out
 * (jansson 2.14: a failed append inside a key is not reported). NULL on ENOMEM. */
static char *entry_text(const char *type, const char *id, uint64_t rank, const json_t *params)
{
    size_t n = json_object_size(params), i = 0;
    _cleanup_free_ const char **keys = calloc(n ? n : 1, sizeof(*keys));
    if (!keys)
        return NULL;
    const char *k;
    json_t *v;
    json_object_foreach ((json_t *)params, k, v)
        keys[i++] = k;
    qsort(keys, n, sizeof(*keys), cmp_key);
    struct strbuf sb = STRBUF_INIT;
    int r = strbuf_puts(&sb, "{\"params\":{");
    for (i = 0; r == 0 && i < n; i++) {
        const char *val = json_string_value(json_object_get(params, keys[i]));
        if ((i && (r = strbuf_puts(&sb, ",")) < 0) || (r = put_string(&sb, keys[i])) < 0 ||
            (r = strbuf_puts(&sb, ":")) < 0 || (r = put_string(&sb, val ? val : "")) < 0)
            break;
    }
    if (r == 0 && id)
        r = strbuf_printf(&sb, "},\"rank\":%" PRIu64 ",\"type\":", rank);
    else if (r == 0)
        r = strbuf_puts(&sb, "},\"type\":");
    if (r == 0)
        r = put_string(&sb, type);
    if (r == 0 && id && (r = strbuf_puts(&sb, ",\"vnfc\":")) == 0)
        r = put_string(&sb, id);
    if (r == 0)
        r = strbuf_puts(&sb, "}");
    if (r < 0) {
        strbuf_done(&sb);
        return NULL;
    }
    return strbuf_steal(&sb);
}

static int bad_entry(struct pop_error *e, const char *key, const char *why)
{
    return pop_error_set(e, -EINVAL, API_INVALID_FIELD, key,
                         "metadata %s: %s (the VNFM's dependency state; delete it to reset)", key,
                         why);
}

/* Reads an entry's value: {"type", "params"} and, for a VNFC, "vnfc" and "rank". */
static int read_entry(struct dep_state *st, const char *key, const char *text, bool vnfc,
                      struct pop_error *e)
{
    _cleanup_json_ json_t *o = NULL;
    struct pop_error ignored = POP_ERROR_INIT;
    int r = cat_parse(text, strlen(text), &o, &ignored);
    if (r == -ENOMEM)
        return nomem(e);
    if (r < 0)
        return bad_entry(e, key, "not a JSON object");
    const char *type = json_string_value(json_object_get(o, "type"));
    json_t *params = json_object_get(o, "params");
    if (!type || !*type || !json_is_object(params))
        return bad_entry(e, key, "no type or params");
    const char *k;
    json_t *v;
    json_object_foreach (params, k, v)
        if (!json_is_string(v))
            return bad_entry(e, key, "a parameter value is not a string");
    const char *id = NULL;
    json_t *rank = NULL;
    if (vnfc) {
        id = json_string_value(json_object_get(o, "vnfc"));
        rank = json_object_get(o, "rank");
        if (!id || !*id || !json_is_integer(rank) || json_integer_value(rank) < 0 ||
            json_integer_value(rank) > COUNTER_MAX)
            return bad_entry(e, key, "no VNFC id or rank");
    }
    /* The entry must read back as exactly the text this VNFM writes. Besides refusing hand
     * edits it catches jansson's one silent failure: its lexer drops a character when growing
     * a token's buffer fails (the append's result is ignored), so under memory pressure a
     * parse can succeed with a shorter string. */
    _cleanup_free_ char *canon =
        entry_text(type, id, rank ? (uint64_t)json_integer_value(rank) : 0, params);
    if (!canon)
        return nomem(e);
    if (strcmp(canon, text) != 0)
        return bad_entry(e, key, "not in the form the VNFM writes it");
    if (!vnfc) {
        if (find_src(st, type))
            return bad_entry(e, key, "a second entry for the same source type");
        return add_src(st, type, json_incref(params)) < 0 ? nomem(e) : 0;
    }
    if (find_vnfc(st, id))
        return bad_entry(e, key, "a second entry for the same VNFC instance");
    return add_vnfc(st, type, id, (uint64_t)json_integer_value(rank), json_incref(params)) < 0
               ? nomem(e)
               : 0;
}

static int cmp_rank(const void *a, const void *b)
{
    const struct dep_vnfc *x = a, *y = b;
    return x->rank < y->rank ? -1 : x->rank > y->rank;
}

int dep_state_from_metadata(const struct cat_strmap *md, struct dep_state **ret,
                            struct pop_error *e)
{
    struct dep_state *st = dep_state_new();
    if (!st)
        return nomem(e);
    int r = 0;
    size_t plen = strlen(DEP_STATE_PREFIX);
    for (size_t i = 0; md && r == 0 && i < md->n; i++) {
        const char *key = md->v[i].key, *val = md->v[i].value ? md->v[i].value : "";
        if (strncmp(key, DEP_STATE_PREFIX, plen) != 0)
            continue;
        if (strcmp(key, KEY_GEN) == 0) {
            int64_t g;
            if (parse_int64(val, 0, COUNTER_MAX, &g) < 0)
                r = bad_entry(e, key, "not a generation number");
            else
                st->gen = (uint64_t)g;
        } else if (strncmp(key, KEY_VNFC, strlen(KEY_VNFC)) == 0) {
            r = read_entry(st, key, val, true, e);
        } else if (strncmp(key, KEY_TYPE, strlen(KEY_TYPE)) == 0) {
            r = read_entry(st, key, val, false, e);
        }
        /* any other POP_VNFM_ key is not state; dep_metadata_patch deletes it */
    }
    if (r < 0) {
        dep_state_free(st);
        return r;
    }
    if (st->n_vnfc > 1)
        qsort(st->vnfc, st->n_vnfc, sizeof(st->vnfc[0]), cmp_rank);
    *ret = st;
    return 0;
}

int dep_state_load(const struct cat_strmap *const *mds, size_t n, struct dep_state **ret,
                   struct pop_error *e)
{
    struct dep_state *best = NULL;
    for (size_t i = 0; i < n; i++) {
        struct dep_state *st;
        int r = dep_state_from_metadata(mds[i], &st, e);
        if (r < 0) {
            dep_state_free(best);
            return r;
        }
        if (!best || st->gen > best->gen) {
            dep_state_free(best);
            best = st;
        } else {
            dep_state_free(st);
        }
    }
    if (!best && !(best = dep_state_new()))
        return nomem(e);
    *ret = best;
    return 0;
}

/* --- the environment ----------------------------------------------------------------------- */

int dep_env_name(const char *type, const char *key, char *buf, size_t size)
{
    if (size == 0)
        return -ENAMETOOLONG;
    size_t max = size - 1 < DEP_MD_KEY_MAX ? size - 1 : DEP_MD_KEY_MAX;
    size_t n = 0;
    const char *parts[2] = {type, key};
    for (int p = 0; p < 2; p++) {
        const unsigned char *s = (const unsigned char *)parts[p];
        if (!s)
            continue;
        if (p == 1 && n + 1 <= max)
            buf[n++] = '_';
        else if (p == 1)
            return -ENAMETOOLONG;
        for (; *s; s++) {
            unsigned char c = *s;
            if ((c & 0xC0) == 0x80)
                continue; /* a UTF-8 continuation byte: its character has its '_' already */
            char out = c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A')
                       : (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ? (char)c
                                                                                      : '_';
            if (n == 0 && out >= '0' && out <= '9') {
                if (n + 1 > max)
                    return -ENAMETOOLONG;
                buf[n++] = '_'; /* environment names do not begin with a digit */
            }
            if (n + 1 > max)
                return -ENAMETOOLONG;
            buf[n++] = out;
        }
    }
    if (n == 0)
        return -EINVAL;
    buf[n] = '\0';
    return (int)n;
}

/* The environment under construction: names claimed first-come, the losers noted. */
struct env {
    json_t *vars;
    struct strbuf notes;
    struct pop_error *e;
};

static int note(struct env *env, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int note(struct env *env, const char *fmt, ...)
{
    va_list ap;
    int r = env->notes.len ? strbuf_puts(&env->notes, "; ") : 0;
    if (r == 0) {
        va_start(ap, fmt);
        r = strbuf_vprintf(&env->notes, fmt, ap);
        va_end(ap);
    }
    return r == -E2BIG ? 0 : r; /* the notes are capped (a log line), the environment is not */
}

/* Sets name = value unless the name is reserved or taken; origin says where it comes from. */
static int claim(struct env *env, const char *name, const char *value, const char *origin)
{
    if (strncmp(name, DEP_STATE_PREFIX, strlen(DEP_STATE_PREFIX)) == 0)
        return note(env, "%s (%s) not set: the " DEP_STATE_PREFIX " names are the VNFM's", name,
                    origin) < 0
                   ? nomem(env->e)
                   : 0;
    if (json_object_get(env->vars, name))
        return note(env, "%s (%s) not set: the name is taken", name, origin) < 0 ? nomem(env->e)
                                                                                 : 0;
    size_t len = strlen(value);
    if (len > DEP_MD_VALUE_MAX)
        return pop_error_set(env->e, -E2BIG, API_INVALID_FIELD, name,
                             "%s (%s): its value has %zu bytes, more than the %d a Pop keeps", name,
                             origin, len, DEP_MD_VALUE_MAX);
    return json_object_set_new(env->vars, name, json_string(value)) < 0 ? nomem(env->e) : 0;
}

static int name_error(struct pop_error *e, int r, const char *origin, bool with_all)
{
    if (r == -EINVAL)
        return 0; /* nothing left of it to name: no variable */
    return pop_error_set(e, -ENAMETOOLONG, API_INVALID_FIELD, origin,
                         "%s: its environment name%s would be longer than the %d characters a "
                         "Pop takes",
                         origin, with_all ? " with _ALL" : "", DEP_MD_KEY_MAX);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The keys asked for of type (those of its VNFR-level values), or, with none given, every key
 * its VNFCs have; sorted, borrowed from the state. *ret is malloc'ed. */
static int type_keys(const struct dep_state *st, const char *type, const char ***ret, size_t *ret_n)
{
    const struct dep_src *s = find_src(st, type);
    size_t cap = s ? json_object_size(s->params) : 0, n = 0;
    if (!s)
        for (size_t i = 0; i < st->n_vnfc; i++)
            if (strcmp(st->vnfc[i].type, type) == 0)
                cap += json_object_size(st->vnfc[i].params);
    const char **keys = calloc(cap ? cap : 1, sizeof(*keys));
    if (!keys)
        return -ENOMEM;
    const char *k;
    json_t *v;
    if (s) {
        json_object_foreach (s->params, k, v)
            keys[n++] = k;
    } else {
        for (size_t i = 0; i < st->n_vnfc; i++) {
            if (strcmp(st->vnfc[i].type, type) != 0)
                continue;
            json_object_foreach (st->vnfc[i].params, k, v) {
                bool seen = false;
                for (size_t j = 0; !seen && j < n; j++)
                    seen = strcmp(keys[j], k) == 0;
                if (!seen)
                    keys[n++] = k;
            }
        }
    }
    qsort(keys, n, sizeof(*keys), cmp_str);
    *ret = keys;
    *ret_n = n;
    return 0;
}

/* The sorted distinct source types of the state; *ret malloc'ed, strings borrowed. */
static int state_types(const struct dep_state *st, const char ***ret, size_t *ret_n)
{
    const char **types = calloc(st->n_src + st->n_vnfc + 1, sizeof(*types));
    size_t n = 0;
    if (!types)
        return -ENOMEM;
    for (size_t i = 0; i < st->n_src + st->n_vnfc; i++) {
        const char *t = i < st->n_src ? st->src[i].type : st->vnfc[i - st->n_src].type;
        bool seen = false;
        for (size_t j = 0; !seen && j < n; j++)
            seen = strcmp(types[j], t) == 0;
        if (!seen)
            types[n++] = t;
    }
    qsort(types, n, sizeof(*types), cmp_str);
    *ret = types;
    *ret_n = n;
    return 0;
}

static const char *nonempty(const json_t *params, const char *key)
{
    const char *v = params ? json_string_value(json_object_get(params, key)) : NULL;
    return v && *v ? v : NULL;
}

/* <TYPE>_<KEY> and <TYPE>_<KEY>_ALL for one key of one type. */
static int env_key(struct env *env, const struct dep_state *st, const char *type, const char *key)
{
    const struct dep_src *s = find_src(st, type);
    const char *fallback = s ? nonempty(s->params, key) : NULL;
    struct strbuf all = STRBUF_INIT;
    const char *first = NULL;
    bool any_vnfc = false;
    int r = 0;
    /* one value per source VNFC in creation order: its own, else the VNFR-level one */
    for (size_t i = 0; r == 0 && i < st->n_vnfc; i++) {
        if (strcmp(st->vnfc[i].type, type) != 0)
            continue;
        any_vnfc = true;
        const char *v = nonempty(st->vnfc[i].params, key);
        if (!v)
            v = fallback;
        if (!v)
            continue;
        if (!first)
            first = v;
        else if (strbuf_puts(&all, ",") < 0)
            r = -ENOMEM;
        if (r == 0 && strbuf_puts(&all, v) < 0)
            r = -ENOMEM;
    }
    if (r == 0 && !any_vnfc && fallback) {
        first = fallback;
        r = strbuf_puts(&all, fallback) < 0 ? -ENOMEM : 0;
    }
    if (r < 0) {
        strbuf_done(&all);
        return nomem(env->e);
    }
    if (!first) {
        strbuf_done(&all);
        return 0;
    }
    char origin[POP_ERROR_FIELD_MAX];
    snprintf(origin, sizeof(origin), "%s.%s", type, key);
    char name[DEP_MD_KEY_MAX + 1];
    int len = dep_env_name(type, key, name, sizeof(name) - 4);
    if (len < 0) {
        strbuf_done(&all);
        return name_error(env->e, len, origin, true);
    }
    r = claim(env, name, first, origin);
    if (r == 0) {
        memcpy(name + len, "_ALL", 5);
        r = claim(env, name, strbuf_str(&all), origin);
    }
    strbuf_done(&all);
    return r;
}

static int env_own(struct env *env, const struct cat_configuration *c, const char *what)
{
    for (size_t i = 0; c && i < c->configuration_parameters.n; i++) {
        const struct cat_config_param *p = &c->configuration_parameters.v[i];
        if (!p->conf_key || !p->value || !*p->value)
            continue;
        char origin[POP_ERROR_FIELD_MAX];
        snprintf(origin, sizeof(origin), "%s.%s", what, p->conf_key);
        char name[DEP_MD_KEY_MAX + 1];
        int len = dep_env_name(p->conf_key, NULL, name, sizeof(name));
        if (len < 0) {
            int r = name_error(env->e, len, origin, false);
            if (r < 0)
                return r;
            continue;
        }
        int r = claim(env, name, p->value, origin);
        if (r < 0)
            return r;
    }
    return 0;
}

static int build_env(const struct dep_state *st, const struct cat_vnfr *target, struct env *env)
{
    const char **types = NULL;
    size_t n_types;
    if (state_types(st, &types, &n_types) < 0)
        return nomem(env->e);
    int r = 0;
    for (size_t t = 0; r == 0 && t < n_types; t++) {
        const char **keys;
        size_t n_keys;
        if (type_keys(st, types[t], &keys, &n_keys) < 0) {
            r = nomem(env->e);
            break;
        }
        for (size_t k = 0; r == 0 && k < n_keys; k++)
            r = env_key(env, st, types[t], keys[k]);
        free(keys);
    }
    free(types);
    if (r == 0 && target)
        r = env_own(env, target->configurations, "configurations");
    if (r == 0 && target)
        r = env_own(env, target->provides, "provides");
    return r;
}

int dep_env(const struct dep_state *st, const struct cat_vnfr *target, json_t **ret,
            char **ret_notes, struct pop_error *e)
{
    struct env env = {.vars = json_object(), .notes = STRBUF_INIT, .e = e};
    env.notes.max = 4096;
    if (!env.vars)
        return nomem(e);
    int r = build_env(st, target, &env);
    if (r < 0) {
        json_decref(env.vars);
        strbuf_done(&env.notes);
        return r;
    }
    if (ret_notes) {
        *ret_notes = NULL;
        if (env.notes.len && !(*ret_notes = strbuf_steal(&env.notes))) {
            json_decref(env.vars);
            return nomem(e);
        }
    }
    strbuf_done(&env.notes);
    *ret = env.vars;
    return 0;
}

/* Adds the state's own entries to md. */
static int state_entries(const struct dep_state *st, json_t *md, struct pop_error *e)
{
    char key[64];
    if (st->gen > 0 || st->n_src || st->n_vnfc) {
        snprintf(key, sizeof(key), "%" PRIu64, st->gen);
        if (json_object_set_new(md, KEY_GEN, json_string(key)) < 0)
            return nomem(e);
    }
    for (size_t i = 0; i < st->n_src + st->n_vnfc; i++) {
        const struct dep_src *s = i < st->n_src ? &st->src[i] : NULL;
        const struct dep_vnfc *v = s ? NULL : &st->vnfc[i - st->n_src];
        const char *type = s ? s->type : v->type;
        entry_key(key, sizeof(key), type, v ? v->id : NULL);
        _cleanup_free_ char *text =
            entry_text(type, v ? v->id : NULL, v ? v->rank : 0, s ? s->params : v->params);
        if (!text)
            return nomem(e);
        if (json_object_get(md, key))
            return pop_error_set(e, -EEXIST, API_INTERNAL, key,
                                 "metadata %s: two dependency state entries hash alike", key);
        if (strlen(text) > DEP_MD_VALUE_MAX)
            return pop_error_set(e, -E2BIG, API_INVALID_FIELD, type,
                                 "the values of source %s%s%s take %zu bytes, more than the %d a "
                                 "Pop keeps in one entry",
                                 type, v ? " VNFC " : "", v ? v->id : "", strlen(text),
                                 DEP_MD_VALUE_MAX);
        if (json_object_set_new(md, key, json_string(text)) < 0)
            return nomem(e);
    }
    return 0;
}

int dep_metadata(const struct dep_state *st, const struct cat_vnfr *target, json_t **ret,
                 char **ret_notes, struct pop_error *e)
{
    json_t *md = NULL;
    int r = dep_env(st, target, &md, ret_notes, e);
    if (r < 0)
        return r;
    if ((r = state_entries(st, md, e)) == 0 && json_object_size(md) > DEP_MD_ENTRIES_MAX)
        r = pop_error_set(e, -E2BIG, API_INVALID_FIELD, NULL,
                          "the environment and dependency state need %zu metadata entries, more "
                          "than the %d a Pop keeps",
                          json_object_size(md), DEP_MD_ENTRIES_MAX);
    if (r < 0) {
        json_decref(md);
        if (ret_notes) {
            free(*ret_notes);
            *ret_notes = NULL;
        }
        return r;
    }
    *ret = md;
    return 0;
}

int dep_metadata_patch(const struct cat_strmap *current, const json_t *want,
                       const struct cat_vnfr *target, json_t **ret, struct pop_error *e)
{
    struct dep_state *old = NULL;
    int r = dep_state_from_metadata(current, &old, e);
    if (r < 0)
        return r;
    /* What the VNFM wrote last time: recomputed from the state written with it. Should that
     * no longer compute (a cap), only the state keys count as the VNFM's. */
    json_t *before = NULL;
    struct pop_error ignored = POP_ERROR_INIT;
    if (dep_metadata(old, target, &before, NULL, &ignored) < 0)
        before = NULL;
    dep_state_free(old);
    json_t *patch = json_object();
    if (!patch) {
        json_decref(before);
        return nomem(e);
    }
    const char *k;
    json_t *v;
    json_object_foreach ((json_t *)want, k, v) {
        const char *cur = current ? cat_strmap_get(current, k) : NULL;
        if ((!cur || strcmp(cur, json_string_value(v)) != 0) && json_object_set(patch, k, v) < 0)
            r = -ENOMEM;
    }
    for (size_t i = 0; r == 0 && current && i < current->n; i++) {
        k = current->v[i].key;
        if (json_object_get(want, k))
            continue;
        bool ours = strncmp(k, DEP_STATE_PREFIX, strlen(DEP_STATE_PREFIX)) == 0 ||
                    (before && json_object_get(before, k));
        if (ours && current->v[i].value && *current->v[i].value &&
            json_object_set_new(patch, k, json_string("")) < 0)
            r = -ENOMEM;
    }
    json_decref(before);
    if (r < 0) {
        json_decref(patch);
        return nomem(e);
    }
    *ret = patch;
    return 0;
}

int dep_update(const struct cat_strmap *const *mds, size_t n, const struct cat_vnfr_dependency *rec,
               const char *remove_vnfc_id, const struct cat_vnfr *target, json_t **ret_patches,
               char **ret_notes, struct pop_error *e)
{
    struct dep_state *st = NULL;
    json_t *want = NULL;
    if (ret_notes)
        *ret_notes = NULL;
    int r = dep_state_load(mds, n, &st, e);
    if (r == 0 && rec)
        r = dep_state_apply(st, rec, "vnfrd", e);
    if (r >= 0 && remove_vnfc_id)
        dep_state_remove_vnfc(st, remove_vnfc_id);
    if (r >= 0)
        r = dep_metadata(st, target, &want, ret_notes, e);
    dep_state_free(st);
    for (size_t i = 0; r >= 0 && i < n; i++) {
        if ((r = dep_metadata_patch(mds[i], want, target, &ret_patches[i], e)) < 0) {
            while (i-- > 0)
                json_decref(TAKE_PTR(ret_patches[i]));
        }
    }
    json_decref(want);
    if (r < 0 && ret_notes) {
        free(*ret_notes);
        *ret_notes = NULL;
    }
    return r < 0 ? r : 0;
}
