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

/* Keys are environment variable names and values at most MD_VALUE_MAX bytes: the request
 * schema checks both (jv_check_env_key, item_max_len) before anything reaches a set. */

/* Sets key to value (copies both); an empty value removes the key. Returns 0, -ENOMEM, or
 * -E2BIG when the set would exceed MD_ENTRIES_MAX. */
int md_set_put(struct md_set *set, const char *key, const char *value);
const char *md_set_get(const struct md_set *set, const char *key);

/* Appends key=value to a patch (copies both), keeping an empty value: merged, it deletes the
 * key. Order is kept, keys are not deduplicated (the body's keys are unique). Returns 0,
 * -ENOMEM, or -E2BIG past MD_ENTRIES_MAX entries; on failure the patch is unchanged. */
int md_patch_put(struct md_set *patch, const char *key, const char *value);

/* Applies every entry of patch to set (empty value deletes). All or nothing: on failure
 * set is unchanged. */
int md_set_merge(struct md_set *set, const struct md_set *patch);

/* Builds a NULL-terminated "KEY=VALUE" string vector (caller frees it with strv_free). */
int md_set_to_env(const struct md_set *set, char ***ret_env);

void md_set_done(struct md_set *set);
