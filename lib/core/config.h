/* Declarative service configuration: a table of environment variables filled into a struct.
 * Values come from the defaults, then an optional KEY=VALUE file, then the environment (which
 * wins). Tables are written with the typed CONFIG_* constructors below, so every entry names
 * its type, bounds and flags, and a member of the wrong C type does not compile. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Longest reason a validator may give (longer ones are truncated). */
#define CONFIG_WHY_MAX 256

enum config_type {
    CONFIG_TYPE_STRING, /* char * (malloc'ed; NULL when unset with no default) */
    CONFIG_TYPE_INT,    /* int64_t, checked against [min, max] */
    CONFIG_TYPE_BOOL,   /* bool: true/false, yes/no, on/off, 1/0 */
    CONFIG_TYPE_SIZE,   /* uint64_t, k/m/g suffixes, checked against size_max */
};

struct config_field {
    const char *name; /* environment variable, e.g. "POPD_LISTEN" */
    enum config_type type;
    size_t offset;             /* offsetof() the member in the service's config struct */
    const char *default_value; /* NULL: no default */
    bool required;             /* fail when neither file nor env sets it and no default */
    bool secret;               /* never shown: <redacted> when logged, left out of messages */
    int64_t min, max;          /* bounds for CONFIG_TYPE_INT */
    uint64_t size_max;         /* cap for CONFIG_TYPE_SIZE (0 = none) */
    /* Optional check of the raw text, run before it is converted. Returns 0 when valid, else
     * a negative errno (-EINVAL) after writing a reason of at most n bytes into why; the
     * loader reports "NAME: reason". why may be built with snprintf, so a reason can say what
     * exactly is wrong (a list entry, a length). */
    int (*check)(const char *value, char *why, size_t n);
    const char *help; /* one line, for -h, the template and the required-setting message */
};

/* The member's offset, if its C type is `type`; any other type is a compile error, so a table
 * entry cannot write an int64_t into a bool or a string into an int. */
#define CONFIG_MEMBER_(T, m, type) _Generic(((T *)0)->m, type : offsetof(T, m))

/* Table constructors. T is the config struct, m its member, env the variable, def the default
 * text (NULL = none). The trailing arguments are more designated initializers: .help (always
 * give one), and as needed .secret = true, .required = true, .check = fn. */
#define CONFIG_STR(T, m, env, def, ...)                                                            \
    {                                                                                              \
        .name = (env), .type = CONFIG_TYPE_STRING, .offset = CONFIG_MEMBER_(T, m, char *),         \
        .default_value = (def), __VA_ARGS__                                                        \
    }
/* An int64_t member within [lo, hi]. */
#define CONFIG_INT(T, m, env, def, lo, hi, ...)                                                    \
    {                                                                                              \
        .name = (env), .type = CONFIG_TYPE_INT, .offset = CONFIG_MEMBER_(T, m, int64_t),           \
        .default_value = (def), .min = (lo), .max = (hi), __VA_ARGS__                              \
    }
/* A uint64_t byte count ("64k", "10m") of at most hi (0 = no cap). */
#define CONFIG_SIZE(T, m, env, def, hi, ...)                                                       \
    {                                                                                              \
        .name = (env), .type = CONFIG_TYPE_SIZE, .offset = CONFIG_MEMBER_(T, m, uint64_t),         \
        .default_value = (def), .size_max = (hi), __VA_ARGS__                                      \
    }
/* A bool member; def is "true" or "false". */
#define CONFIG_BOOL(T, m, env, def, ...)                                                           \
    {                                                                                              \
        .name = (env), .type = CONFIG_TYPE_BOOL, .offset = CONFIG_MEMBER_(T, m, bool),             \
        .default_value = (def), __VA_ARGS__                                                        \
    }

/* Fills cfg from the defaults, file_path (may be NULL) and the environment. On failure returns
 * -EINVAL (or -ENOENT for a missing file, -ENOMEM) and writes a message naming the variable
 * (or the file and line) into err (size errlen); strings already set are freed by config_done
 * either way. */
int config_load(const struct config_field *fields, size_t n, void *cfg, const char *file_path,
                char *err, size_t errlen);

/* Logs "config NAME=value" lines at info, secrets as <redacted>. */
void config_log(const struct config_field *fields, size_t n, const void *cfg);

/* Writes one entry per field to f: "  NAME=default" then its help indented below (for -h). */
int config_write_usage(const struct config_field *fields, size_t n, FILE *f);

/* Writes a commented KEY=VALUE template of every field with its default to f; values in
 * overrides (NULL-terminated name/value pairs, may be NULL) replace the defaults. */
int config_write_template(const struct config_field *fields, size_t n, FILE *f,
                          const char *const *overrides);

/* Frees the strings config_load allocated (and sets them to NULL). */
void config_done(const struct config_field *fields, size_t n, void *cfg);
