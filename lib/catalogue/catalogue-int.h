/* Inside lib/catalogue: the field tables every type declares and the codec walks. A type is a
 * C struct plus a static table naming, for each JSON member, the C member and its value type;
 * the codec (codec.c) does decoding, encoding, copying and freeing for all of them. */
#pragma once

#include <stddef.h>

#include "catalogue/base.h"

enum cat_kind {
    CAT_K_STR,     /* char *, NULL = absent */
    CAT_K_INT,     /* struct cat_int, a Java int/Integer: 32-bit range */
    CAT_K_LONG,    /* struct cat_int, a Java long */
    CAT_K_BOOL,    /* struct cat_bool */
    CAT_K_NUM,     /* struct cat_num, a Java double: any JSON number */
    CAT_K_ENUM,    /* an int-sized C enum, 0 = absent, k = names[k - 1]; written by name */
    CAT_K_DATE,    /* struct cat_date, Gson's Date text */
    CAT_K_BYTES,   /* struct cat_bytes */
    CAT_K_JSON,    /* json_t *, any value kept as it is (types we do not model) */
    CAT_K_REFNAME, /* char *: a name, written as a string; read from a string or, as Open
                    * Baton 3.2 wrote references, from an object {"name": ...} */
    CAT_K_OBJ,     /* an embedded struct of class cls (vector elements, map values) */
    CAT_K_PTR,     /* a pointer to a struct of class cls, NULL = absent */
    CAT_K_VEC,     /* a CAT_VEC of elem */
    CAT_K_MAP,     /* a CAT_MAP of elem */
};

struct cat_type {
    enum cat_kind kind;
    size_t size;                 /* C size of one value of this type */
    const struct cat_class *cls; /* OBJ, PTR */
    const struct cat_type *elem; /* VEC, MAP: the element (map value) type */
    size_t entry_size;           /* MAP: size of an entry {char *key; T value;} */
    size_t val_off;              /* MAP: offset of the value in an entry */
    const char *const *names;    /* ENUM: the Java constant names, in ordinal order */
    size_t n_names;
};

struct cat_field {
    const char *name; /* the Java field name, verbatim */
    size_t off;
    const struct cat_type *type;
    unsigned classes; /* polymorphic types: the classes (bits) that have it; 0 = all */
    bool required;    /* @NotNull: checked under CAT_DEC_REQUIRED */
};

struct cat_class {
    const char *name; /* the Java class, for messages and docs */
    size_t size;
    const struct cat_field *fields;
    size_t n_fields;
    size_t extra_off; /* json_t *extra: the members the table does not know */
    /* Polymorphic types: the bit of the Java class Open Baton picks for this value. */
    unsigned (*class_of)(const void *obj);
};

/* The layout every CAT_VEC and CAT_MAP shares. */
struct cat_vec_raw {
    void *v;
    size_t n;
    bool set;
};

extern const struct cat_type cat_t_str, cat_t_int, cat_t_long, cat_t_bool, cat_t_num, cat_t_date,
    cat_t_bytes, cat_t_json, cat_t_refname, cat_t_strv, cat_t_strmap, cat_t_strvmap;

#define CAT_T_ENUM(names_)                                                                         \
    (&(const struct cat_type){.kind = CAT_K_ENUM,                                                  \
                              .size = sizeof(int),                                                 \
                              .names = (names_),                                                   \
                              .n_names = sizeof(names_) / sizeof((names_)[0])})
#define CAT_T_OBJ(cls_, ctype)                                                                     \
    (&(const struct cat_type){.kind = CAT_K_OBJ, .size = sizeof(ctype), .cls = &(cls_)})
#define CAT_T_PTR(cls_)                                                                            \
    (&(const struct cat_type){.kind = CAT_K_PTR, .size = sizeof(void *), .cls = &(cls_)})
/* A vector of objects of class cls_ (C type ctype). */
#define CAT_T_VEC(cls_, ctype)                                                                     \
    (&(const struct cat_type){                                                                     \
        .kind = CAT_K_VEC, .size = sizeof(struct cat_vec_raw), .elem = CAT_T_OBJ(cls_, ctype)})
/* A map from names to objects of class cls_; mtype is the CAT_MAP struct. */
#define CAT_T_MAP(cls_, ctype, mtype)                                                              \
    (&(const struct cat_type){.kind = CAT_K_MAP,                                                   \
                              .size = sizeof(struct cat_vec_raw),                                  \
                              .elem = CAT_T_OBJ(cls_, ctype),                                      \
                              .entry_size = sizeof(struct mtype##_entry),                          \
                              .val_off = offsetof(struct mtype##_entry, value)})

#define CAT_F(json, st, member, type_)                                                             \
    {                                                                                              \
        .name = (json), .off = offsetof(st, member), .type = (type_)                               \
    }
#define CAT_F_REQ(json, st, member, type_)                                                         \
    {                                                                                              \
        .name = (json), .off = offsetof(st, member), .type = (type_), .required = true             \
    }
/* A field only some classes of a polymorphic type have. */
#define CAT_F_IN(json, st, member, type_, classes_)                                                \
    {                                                                                              \
        .name = (json), .off = offsetof(st, member), .type = (type_), .classes = (classes_)        \
    }

/* The BaseEntity members of a struct whose `base` is a struct cat_entity. */
#define CAT_ENTITY_FIELDS(st)                                                                      \
    CAT_F("id", st, base.id, &cat_t_str), CAT_F("hbVersion", st, base.hb_version, &cat_t_int),     \
        CAT_F("projectId", st, base.project_id, &cat_t_str),                                       \
        CAT_F("shared", st, base.shared, &cat_t_bool),                                             \
        CAT_F("metadata", st, base.metadata, &cat_t_strmap)

#define CAT_CLASS(cname, jname, st, fields_)                                                       \
    const struct cat_class cname = {.name = (jname),                                               \
                                    .size = sizeof(st),                                            \
                                    .fields = (fields_),                                           \
                                    .n_fields = sizeof(fields_) / sizeof((fields_)[0]),            \
                                    .extra_off = offsetof(st, extra)}

/* A polymorphic class: class_of_ says which Java class a value is. */
#define CAT_CLASS_POLY(cname, jname, st, fields_, class_of_)                                       \
    const struct cat_class cname = {.name = (jname),                                               \
                                    .size = sizeof(st),                                            \
                                    .fields = (fields_),                                           \
                                    .n_fields = sizeof(fields_) / sizeof((fields_)[0]),            \
                                    .extra_off = offsetof(st, extra),                              \
                                    .class_of = (class_of_)}

/* Enum name tables are checked against the C enums they index. */
#define CAT_ENUM_NAMES_MATCH(names_, last)                                                         \
    _Static_assert(sizeof(names_) / sizeof((names_)[0]) == (size_t)(last),                         \
                   #names_ " does not match its enum")

/* Room for a field path in error messages (pop_error keeps its first POP_ERROR_FIELD_MAX bytes
 * as the field; the detail shows more). */
#define CAT_PATH_MAX 256

/* Appends sep (unless path is empty) and seg to the NUL-terminated path in a buffer of size
 * bytes. Control characters become '?'; a path that does not fit is cut on a UTF-8 character
 * boundary and ends in "...". Returns the old length, to cut back to with path[mark] = '\0'. */
size_t cat_path_push(char *path, size_t size, const char *sep, const char *seg);

/* base64 (RFC 4648, standard alphabet). decode accepts missing padding and refuses anything
 * else that is not the alphabet. Return 0, -EINVAL, -ENOMEM, -E2BIG (past max bytes). */
int cat_base64_decode(const char *s, size_t len, size_t max, uint8_t **ret, size_t *ret_len);
char *cat_base64_encode(const uint8_t *data, size_t len);
