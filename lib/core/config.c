/* Config table loader: file first, environment second, each value validated and typed. */
#include "core/config.h"

#include "core/cleanup.h"
#include "core/error.h"
#include "core/log.h"
#include "core/parse.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define CONFIG_LINE_MAX 4096

/* What a message may show of a value: never a secret's text. */
static const char *shown(const struct config_field *f, const char *value)
{
    return f->secret ? "<redacted>" : value;
}

static int apply_value(const struct config_field *f, void *cfg, const char *value, char *err,
                       size_t errlen)
{
    char *slot = (char *)cfg + f->offset;
    if (f->check) {
        char why[CONFIG_WHY_MAX] = "";
        int r = f->check(value, why, sizeof(why));
        if (r < 0) {
            errbuf_setf(err, errlen, "%s: %s", f->name, why[0] ? why : "invalid value");
            return r == -ENOMEM ? r : -EINVAL;
        }
    }
    switch (f->type) {
    case CONFIG_TYPE_STRING: {
        char *copy = strdup(value);
        if (!copy)
            return -ENOMEM;
        char **dst = (char **)(void *)slot;
        free(*dst);
        *dst = copy;
        return 0;
    }
    case CONFIG_TYPE_INT: {
        int64_t v;
        int r = parse_int64(value, f->min, f->max, &v);
        if (r < 0) {
            errbuf_setf(err, errlen, "%s: '%s' is not an integer in [%lld, %lld]", f->name,
                        shown(f, value), (long long)f->min, (long long)f->max);
            return -EINVAL;
        }
        memcpy(slot, &v, sizeof(v));
        return 0;
    }
    case CONFIG_TYPE_BOOL: {
        bool v;
        if (parse_bool(value, &v) < 0) {
            errbuf_setf(err, errlen, "%s: '%s' is not a boolean (true/false)", f->name,
                        shown(f, value));
            return -EINVAL;
        }
        memcpy(slot, &v, sizeof(v));
        return 0;
    }
    case CONFIG_TYPE_SIZE: {
        uint64_t v;
        if (parse_size(value, f->size_max ? f->size_max : UINT64_MAX, &v) < 0) {
            if (f->size_max)
                errbuf_setf(err, errlen, "%s: '%s' is not a size (e.g. 64k, 10m) of at most %llu",
                            f->name, shown(f, value), (unsigned long long)f->size_max);
            else
                errbuf_setf(err, errlen, "%s: '%s' is not a size (e.g. 64k, 10m)", f->name,
                            shown(f, value));
            return -EINVAL;
        }
        memcpy(slot, &v, sizeof(v));
        return 0;
    }
    }
    return -EINVAL;
}

static const struct config_field *find_field(const struct config_field *fields, size_t n,
                                             const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(fields[i].name, name) == 0)
            return &fields[i];
    return NULL;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t len = strlen(s);
    while (len &&
           (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\n' || s[len - 1] == '\r'))
        s[--len] = '\0';
    return s;
}

static int load_file(const struct config_field *fields, size_t n, void *cfg, const char *path,
                     bool *seen, char *err, size_t errlen)
{
    _cleanup_fclose_ FILE *f = fopen(path, "re");
    if (!f) {
        errbuf_setf(err, errlen, "config file %s: %s", path, strerror(errno));
        return -ENOENT;
    }
    char line[CONFIG_LINE_MAX];
    unsigned lineno = 0;
    while (fgets(line, sizeof(line), f)) {
        lineno++;
        if (!strchr(line, '\n') && !feof(f)) {
            errbuf_setf(err, errlen, "config file %s:%u: line longer than %d bytes", path, lineno,
                        CONFIG_LINE_MAX - 1);
            return -EINVAL;
        }
        char *s = trim(line);
        if (!*s || *s == '#')
            continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            errbuf_setf(err, errlen, "config file %s:%u: expected KEY=VALUE", path, lineno);
            return -EINVAL;
        }
        *eq = '\0';
        char *key = trim(s), *value = trim(eq + 1);
        const struct config_field *fld = find_field(fields, n, key);
        if (!fld) {
            errbuf_setf(err, errlen, "config file %s:%u: unknown setting %s", path, lineno, key);
            return -EINVAL;
        }
        int r = apply_value(fld, cfg, value, err, errlen);
        if (r < 0)
            return r;
        seen[fld - fields] = true;
    }
    return 0;
}

int config_load(const struct config_field *fields, size_t n, void *cfg, const char *file_path,
                char *err, size_t errlen)
{
    _cleanup_free_ bool *seen = calloc(n ? n : 1, sizeof(bool));
    if (!seen)
        return -ENOMEM;

    for (size_t i = 0; i < n; i++) {
        if (fields[i].default_value) {
            int r = apply_value(&fields[i], cfg, fields[i].default_value, err, errlen);
            if (r < 0)
                return r;
        }
    }
    if (file_path) {
        int r = load_file(fields, n, cfg, file_path, seen, err, errlen);
        if (r < 0)
            return r;
    }
    for (size_t i = 0; i < n; i++) {
        const char *env = getenv(fields[i].name);
        if (env) {
            int r = apply_value(&fields[i], cfg, env, err, errlen);
            if (r < 0)
                return r;
            seen[i] = true;
        }
        if (fields[i].required && !seen[i] && !fields[i].default_value) {
            errbuf_setf(err, errlen, "%s is required (%s)", fields[i].name,
                        fields[i].help ? fields[i].help : "no help");
            return -EINVAL;
        }
    }
    return 0;
}

void config_log(const struct config_field *fields, size_t n, const void *cfg)
{
    for (size_t i = 0; i < n; i++) {
        const struct config_field *f = &fields[i];
        const char *slot = (const char *)cfg + f->offset;
        if (f->type == CONFIG_TYPE_STRING) {
            const char *v = *(char *const *)(const void *)slot;
            /* An empty secret is shown as empty: whether one is set is no secret. */
            log_info("config %s=%s", f->name, !v ? "" : f->secret && *v ? "<redacted>" : v);
            continue;
        }
        if (f->secret) {
            log_info("config %s=<redacted>", f->name);
            continue;
        }
        switch (f->type) {
        case CONFIG_TYPE_STRING:
            break;
        case CONFIG_TYPE_INT: {
            int64_t v;
            memcpy(&v, slot, sizeof(v));
            log_info("config %s=%lld", f->name, (long long)v);
            break;
        }
        case CONFIG_TYPE_BOOL: {
            bool v;
            memcpy(&v, slot, sizeof(v));
            log_info("config %s=%s", f->name, v ? "true" : "false");
            break;
        }
        case CONFIG_TYPE_SIZE: {
            uint64_t v;
            memcpy(&v, slot, sizeof(v));
            log_info("config %s=%llu", f->name, (unsigned long long)v);
            break;
        }
        }
    }
}

int config_write_usage(const struct config_field *fields, size_t n, FILE *f)
{
    for (size_t i = 0; i < n; i++) {
        const char *def = fields[i].default_value;
        if (!def)
            fprintf(f, "  %s%s\n", fields[i].name, fields[i].required ? " (required)" : "");
        else if (fields[i].secret && *def)
            fprintf(f, "  %s=<redacted>\n", fields[i].name);
        else
            fprintf(f, "  %s=%s\n", fields[i].name, def);
        if (fields[i].help)
            fprintf(f, "      %s\n", fields[i].help);
    }
    return ferror(f) ? -EIO : 0;
}

int config_write_template(const struct config_field *fields, size_t n, FILE *f,
                          const char *const *overrides)
{
    for (size_t i = 0; i < n; i++) {
        const char *value = fields[i].default_value;
        for (const char *const *o = overrides; o && o[0]; o += 2)
            if (strcmp(o[0], fields[i].name) == 0)
                value = o[1];
        if (fields[i].help)
            fprintf(f, "# %s\n", fields[i].help);
        if (value)
            fprintf(f, "%s=%s\n\n", fields[i].name, value);
        else
            fprintf(f, "# %s=\n\n", fields[i].name);
    }
    return ferror(f) ? -EIO : 0;
}

void config_done(const struct config_field *fields, size_t n, void *cfg)
{
    for (size_t i = 0; i < n; i++) {
        if (fields[i].type != CONFIG_TYPE_STRING)
            continue;
        char **slot = (char **)(void *)((char *)cfg + fields[i].offset);
        free(*slot);
        *slot = NULL;
    }
}
