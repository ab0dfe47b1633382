/* Container metadata: validated key/value pairs merged before start and exposed as the
 * container's environment (thesis 4.2.3, Metadata). */
#pragma once

#include <stddef.h>

#define MD_KEY_MAX 128
#define MD_VALUE_MAX 4096
#define MD_ENTRIES_MAX 256

struct md_entry {
    char *key;
    char *value;
};

/* A set of entries kept sorted by key, so env and JSON output are deterministic. */
struct md_set {
    struct md_entry *entries;
    size_t n;
};

/* NULL when key is a valid environment variable name ([A-Za-z_][A-Za-z0-9_]*, at most
 * MD_KEY_MAX bytes), else a reason. */
const char *md_check_key(const char *key);
/* NULL when value is acceptable (at most MD_VALUE_MAX bytes),
 * else a reason. */
const char *md_check_value(const char *value);

/* Sets key to value (copies both); an empty value removes the key. Returns 0, -ENOMEM, or
 * -E2BIG when the set would exceed MD_ENTRIES_MAX. */
int md_set_put(struct md_set *set, const char *key, const char *value);
const char *md_set_get(const struct md_set *set, const char *key);

/* Applies every entry of patch to set (empty value deletes). All or nothing: on failure
 * set is unchanged. */
int md_set_merge(struct md_set *set, const struct md_set *patch);

/* Builds a NULL-terminated "KEY=VALUE" array (caller frees with md_env_free). */
int md_set_to_env(const struct md_set *set, char ***ret_env);
void md_env_free(char **env);

void md_set_done(struct md_set *set);
