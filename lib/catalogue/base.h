/* Open Baton catalogue values shared by every type: optional scalars, vectors and maps, the
 * BaseEntity fields, the caps, and the one codec (JSON <-> C struct) every type goes through. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

/* Caps on every document the catalogue reads (see docs/internals/catalogue.md). */
#define CAT_DOC_MAX (4u << 20)   /* bytes of one JSON text given to cat_parse */
#define CAT_STRING_MAX 16384     /* bytes of one string value */
#define CAT_KEY_MAX 256          /* bytes of one map key */
#define CAT_LIST_MAX 1024        /* entries of one list or map */
#define CAT_FIELDS_MAX 256       /* keys of one object of a catalogue type */
#define CAT_BYTES_MAX (1u << 20) /* bytes of one byte[] value */

/* Optional scalars: `set` false means absent (Gson: null, never written). */
struct cat_int {
    int64_t v;
    bool set;
};

struct cat_bool {
    bool v;
    bool set;
};

/* A Java double. `integral` records that the text was an integer (100, not 100.0), so it is
 * written back the same way and a round trip changes nothing. */
struct cat_num {
    double v;
    bool set;
    bool integral;
};

/* A java.util.Date as Gson writes it ("Mar 3, 2017 12:02:32 PM"): local time of the writer, no
 * zone, second precision. Fields as printed: month 1-12, day 1-31, hour 0-23. */
struct cat_date {
    int year, month, day, hour, minute, second;
    bool set;
};

/* A Java byte[]: a JSON array of signed bytes on the NFVO-VNFM and REST channels, base64 text in
 * plugin RPCs (CAT_ENC_BYTES_BASE64). Both forms are accepted when reading. */
struct cat_bytes {
    uint8_t *data;
    size_t len;
    bool set;
};

/* Vectors and maps: `set` distinguishes an empty list ([] on the wire) from an absent one. All
 * share one layout (pointer, count, flag), which the codec relies on. */
#define CAT_VEC(name, type)                                                                        \
    struct name {                                                                                  \
        type *v;                                                                                   \
        size_t n;                                                                                  \
        bool set;                                                                                  \
    }

/* Maps keep the order of the document; keys are unique (the parser refuses ambiguous repeats). */
#define CAT_MAP(name, type)                                                                        \
    struct name {                                                                                  \
        struct name##_entry {                                                                      \
            char *key;                                                                             \
            type value;                                                                            \
        } * v;                                                                                     \
        size_t n;                                                                                  \
        bool set;                                                                                  \
    }

CAT_VEC(cat_strv, char *);             /* [str] */
CAT_MAP(cat_strmap, char *);           /* {str: str} */
CAT_MAP(cat_strvmap, struct cat_strv); /* {str: [str]} */

/* BaseEntity: every type here carries these (Server and Quota too, as go-openbaton's NFVO 6
 * types do; absent ones are not written). A VNFM must send `id` and `hbVersion` back exactly as
 * received (the NFVO's optimistic lock). */
struct cat_entity {
    char *id;
    struct cat_int hb_version; /* "hbVersion" */
    char *project_id;          /* "projectId" */
    struct cat_bool shared;
    struct cat_strmap metadata;
};

/* A type's field table (JSON name, C member, value type): opaque, one per type. */
struct cat_class;

/* Decoding flags. */
enum {
    /* Refuse a missing field that Open Baton marks @NotNull ("name: required"). Off, a record
     * may be partial (a VNFD referenced by id only is legal inside an NSD). */
    CAT_DEC_REQUIRED = 1u << 0,
};

/* Encoding flags. */
enum {
    /* Write what a Java receiver keeps after parsing: only the fields of the class Open Baton
     * picks for this value (GenericVimInstance has no username/password; a network without
     * subnet/subnets keeps name and extId), and none of the unknown fields kept in `extra`. */
    CAT_ENC_GSON_CLASS = 1u << 0,
    /* byte[] as base64 text (the plugin RPC Gson) instead of an array of numbers. */
    CAT_ENC_BYTES_BASE64 = 1u << 1,
};

/* Reads JSON text into a new object, capped like every outside input: at most CAT_DOC_MAX bytes
 * (-EMSGSIZE), lib/json's jv_parse rules (syntax, NUL, depth JV_MAX_DEPTH, a top-level object).
 * One difference: a key repeated in one object is accepted when every occurrence has the same
 * value (hand-written Open Baton descriptors do this; Gson and Jackson keep the last), and
 * refused, naming the path, when they differ. Returns 0 and a new reference in *ret, or a
 * negative errno with e filled (field = the path at fault, detail "path: what is wrong"). */
int cat_parse(const char *buf, size_t len, json_t **ret, struct pop_error *e);

/* The generic codec; each type wraps it with typed functions (CAT_CODEC below).
 * cat_decode: json must be an object; null members count as absent (Gson); members the type
 * does not know are kept in the object's `extra` and written back by cat_encode. Types, caps
 * (CAT_*_MAX), Java int ranges and enum names are checked; the first problem is reported with
 * its path ("vnfd[1].vdu[0].scale_in_out: expected an integer"), -EINVAL, or -ENOMEM.
 * On success *ret is a new object (free with cat_free), else untouched. */
int cat_decode(const struct cat_class *cls, const json_t *json, unsigned flags, void **ret,
               struct pop_error *e);
/* cat_decode for a value inside a larger document (a message's "vnfr", a plugin call's
 * "parameters[0]"): errors name the path from there, "vnfr.vdu[0].vnfc: expected an array". */
int cat_decode_at(const struct cat_class *cls, const json_t *json, const char *path, unsigned flags,
                  void **ret, struct pop_error *e);
/* A new JSON object for obj (absent fields omitted, as Gson does). NULL on ENOMEM, or when obj
 * holds what the wire cannot carry: a string that is not UTF-8, an impossible date, a NULL
 * entry in a list. An enum value out of range is written as absent. */
json_t *cat_encode(const struct cat_class *cls, const void *obj, unsigned flags);
/* A deep copy in *ret, or -ENOMEM (*ret untouched). */
int cat_copy(const struct cat_class *cls, const void *obj, void **ret);
/* A new zeroed object (everything absent), NULL on ENOMEM. */
void *cat_new(const struct cat_class *cls);
/* Frees obj and everything it owns; accepts NULL. */
void cat_free(const struct cat_class *cls, void *obj);
/* Forgets the BaseEntity `id` and `hbVersion` of obj and of every catalogue object inside it, so
 * a copy can be sent as a new entity (a VNFM copies a VNFD's parts into a VNFR; the NFVO assigns
 * the ids when it saves it). Members kept verbatim as JSON (`extra`, `json_t *` fields) are not
 * looked into. Accepts NULL. */
void cat_drop_ids(const struct cat_class *cls, void *obj);
/* Calls fn on the BaseEntity of obj, then on that of every catalogue object inside it (depth
 * first, parents before children; members kept verbatim as JSON are not looked into), e.g. to
 * give each one an id. Stops at and returns the first negative value fn returns, else 0.
 * Accepts NULL. */
int cat_foreach_entity(const struct cat_class *cls, void *obj,
                       int (*fn)(struct cat_entity *ent, void *ud), void *ud);
/* Frees what an object embedded elsewhere (a vector element) owns and zeroes it. */
void cat_clear(const struct cat_class *cls, void *obj);
/* cat_parse then cat_decode. */
int cat_parse_as(const struct cat_class *cls, const char *buf, size_t len, unsigned flags,
                 void **ret, struct pop_error *e);

/* Typed wrappers: CAT_CODEC(cat_server) declares cat_server_class and cat_server_from_json,
 * _from_json_at, _parse, _to_json, _dup, _new, _free, _clear and _drop_ids for struct cat_server.
 * All are reentrant: the tables are constant, an object belongs to one thread at a time. */
#define CAT_CODEC(name)                                                                            \
    extern const struct cat_class name##_class;                                                    \
    static inline int name##_from_json(const json_t *json, unsigned flags, struct name **ret,      \
                                       struct pop_error *e)                                        \
    {                                                                                              \
        void *p;                                                                                   \
        int r = cat_decode(&name##_class, json, flags, &p, e);                                     \
        if (r == 0)                                                                                \
            *ret = p;                                                                              \
        return r;                                                                                  \
    }                                                                                              \
    static inline int name##_from_json_at(const json_t *json, const char *path, unsigned flags,    \
                                          struct name **ret, struct pop_error *e)                  \
    {                                                                                              \
        void *p;                                                                                   \
        int r = cat_decode_at(&name##_class, json, path, flags, &p, e);                            \
        if (r == 0)                                                                                \
            *ret = p;                                                                              \
        return r;                                                                                  \
    }                                                                                              \
    static inline int name##_parse(const char *buf, size_t len, unsigned flags, struct name **ret, \
                                   struct pop_error *e)                                            \
    {                                                                                              \
        void *p;                                                                                   \
        int r = cat_parse_as(&name##_class, buf, len, flags, &p, e);                               \
        if (r == 0)                                                                                \
            *ret = p;                                                                              \
        return r;                                                                                  \
    }                                                                                              \
    static inline json_t *name##_to_json(const struct name *obj, unsigned flags)                   \
    {                                                                                              \
        return cat_encode(&name##_class, obj, flags);                                              \
    }                                                                                              \
    static inline int name##_dup(const struct name *obj, struct name **ret)                        \
    {                                                                                              \
        void *p;                                                                                   \
        int r = cat_copy(&name##_class, obj, &p);                                                  \
        if (r == 0)                                                                                \
            *ret = p;                                                                              \
        return r;                                                                                  \
    }                                                                                              \
    static inline struct name *name##_new(void)                                                    \
    {                                                                                              \
        return cat_new(&name##_class);                                                             \
    }                                                                                              \
    static inline void name##_free(struct name *obj)                                               \
    {                                                                                              \
        cat_free(&name##_class, obj);                                                              \
    }                                                                                              \
    static inline void name##_clear(struct name *obj)                                              \
    {                                                                                              \
        cat_clear(&name##_class, obj);                                                             \
    }                                                                                              \
    static inline void name##_drop_ids(struct name *obj)                                           \
    {                                                                                              \
        cat_drop_ids(&name##_class, obj);                                                          \
    }                                                                                              \
    struct name /* so the macro takes a trailing semicolon */

/* Builders. Each returns 0 or -ENOMEM (-E2BIG past CAT_LIST_MAX), leaving the value unchanged
 * on failure. */

/* Replaces *dst by a copy of s (NULL clears it). */
int cat_set_str(char **dst, const char *s);
/* Appends a copy of s. */
int cat_strv_push(struct cat_strv *v, const char *s);
bool cat_strv_contains(const struct cat_strv *v, const char *s);
/* Sets key to a copy of value, replacing an existing entry in place. */
int cat_strmap_set(struct cat_strmap *m, const char *key, const char *value);
/* The value of key or NULL. */
const char *cat_strmap_get(const struct cat_strmap *m, const char *key);
/* Removes key; returns whether it was there. */
bool cat_strmap_del(struct cat_strmap *m, const char *key);

/* Appends a zeroed element to a CAT_VEC and returns it (NULL: ENOMEM or CAT_LIST_MAX). The
 * element belongs to the vector; fill it in place. */
void *cat_vec_push_raw(void *vec, size_t elem_size);
#define CAT_VEC_PUSH(vec) ((__typeof__((vec)->v))cat_vec_push_raw((vec), sizeof(*(vec)->v)))
/* Removes element i of a CAT_VEC of objects of class cls, freeing what it owns. */
void cat_vec_remove_raw(const struct cat_class *cls, void *vec, size_t elem_size, size_t i);
#define CAT_VEC_REMOVE(cls, vec, i) cat_vec_remove_raw((cls), (vec), sizeof(*(vec)->v), (i))
