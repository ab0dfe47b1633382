/* Declarative service configuration: a table of environment variables filled into a struct.
 * Values come from an optional KEY=VALUE file, then the environment (which wins). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum config_type {
    CONFIG_STRING, /* char * (malloc'ed; NULL when unset with no default) */
    CONFIG_INT,    /* int64_t, checked against [min, max] */
    CONFIG_BOOL,   /* bool */
    CONFIG_SIZE,   /* uint64_t, k/m/g suffixes, checked against max */
};

struct config_field {
    const char *name; /* environment variable, e.g. "POPD_LISTEN" */
    enum config_type type;
    size_t offset;             /* offsetof() the member in the service's config struct */
    const char *default_value; /* NULL: no default */
    bool required;             /* fail when neither file nor env sets it and no default */
    bool secret;               /* redacted when logged */
    int64_t min, max;          /* bounds for CONFIG_INT; max for CONFIG_SIZE (0 = none) */
    /* Optional extra check; returns NULL when valid, else a short reason. */
    const char *(*validate)(const char *value);
    const char *help;
};

/* Fills cfg from file_path (may be NULL) and the environment. On failure returns -EINVAL
 * (or -ENOENT / -ENOMEM) and writes a message naming the variable into err (size errlen);
 * strings already set are freed by config_done either way. */
int config_load(const struct config_field *fields, size_t n, void *cfg, const char *file_path,
                char *err, size_t errlen);

/* Logs "config NAME=value" lines at info, secrets as <redacted>. */
void config_log(const struct config_field *fields, size_t n, const void *cfg);

/* Writes a commented KEY=VALUE template of every field with its default to f; values in
 * overrides (NULL-terminated name/value pairs, may be NULL) replace the defaults. */
int config_write_template(const struct config_field *fields, size_t n, FILE *f,
                          const char *const *overrides);

/* Frees the strings config_load allocated. */
void config_done(const struct config_field *fields, size_t n, void *cfg);
