/* Metadata set: a sorted array (small n); keys and values are checked by the request schema. */
#include "metadata.h"

#include "core/cleanup.h"
#include "core/strv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t md_find(const struct md_set *set, const char *key, int *ret_cmp)
{
    size_t lo = 0, hi = set->n;
    *ret_cmp = 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(set->entries[mid].key, key);
        if (c == 0) {
            *ret_cmp = 0;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

const char *md_set_get(const struct md_set *set, const char *key)
{
    int cmp;
    size_t i = md_find(set, key, &cmp);
    return cmp == 0 ? set->entries[i].value : NULL;
}

int md_set_put(struct md_set *set, const char *key, const char *value)
{
    int cmp;
    size_t i = md_find(set, key, &cmp);
    if (!value || !*value) {
        if (cmp == 0) {
            free(set->entries[i].key);
            free(set->entries[i].value);
            memmove(&set->entries[i], &set->entries[i + 1],
                    (set->n - i - 1) * sizeof(set->entries[0]));
            set->n--;
        }
        return 0;
    }
    _cleanup_free_ char *v = strdup(value);
    if (!v)
        return -ENOMEM;
    if (cmp == 0) {
        free(set->entries[i].value);
        set->entries[i].value = TAKE_PTR(v);
        return 0;
    }
    if (set->n >= MD_ENTRIES_MAX)
        return -E2BIG;
    _cleanup_free_ char *k = strdup(key);
    struct md_entry *grown = realloc(set->entries, (set->n + 1) * sizeof(*grown));
    if (!k || !grown)
        return -ENOMEM;
    set->entries = grown;
    memmove(&set->entries[i + 1], &set->entries[i], (set->n - i) * sizeof(set->entries[0]));
    set->entries[i] = (struct md_entry){.key = TAKE_PTR(k), .value = TAKE_PTR(v)};
    set->n++;
    return 0;
}

static int md_set_copy(const struct md_set *src, struct md_set *ret)
{
    struct md_set copy = {0};
    for (size_t i = 0; i < src->n; i++) {
        int r = md_set_put(&copy, src->entries[i].key, src->entries[i].value);
        if (r < 0) {
            md_set_done(&copy);
            return r;
        }
    }
    *ret = copy;
    return 0;
}

int md_patch_put(struct md_set *patch, const char *key, const char *value)
{
    if (patch->n >= MD_ENTRIES_MAX)
        return -E2BIG;
    _cleanup_free_ char *k = strdup(key), *v = strdup(value ? value : "");
    if (!k || !v)
        return -ENOMEM;
    struct md_entry *grown = realloc(patch->entries, (patch->n + 1) * sizeof(*grown));
    if (!grown)
        return -ENOMEM;
    patch->entries = grown;
    patch->entries[patch->n++] = (struct md_entry){TAKE_PTR(k), TAKE_PTR(v)};
    return 0;
}

int md_set_merge(struct md_set *set, const struct md_set *patch)
{
    struct md_set next;
    int r = md_set_copy(set, &next);
    if (r < 0)
        return r;
    for (size_t i = 0; i < patch->n; i++) {
        r = md_set_put(&next, patch->entries[i].key, patch->entries[i].value);
        if (r < 0) {
            md_set_done(&next);
            return r;
        }
    }
    md_set_done(set);
    *set = next;
    return 0;
}

int md_set_to_env(const struct md_set *set, char ***ret_env)
{
    char **env = calloc(set->n + 1, sizeof(char *));
    if (!env)
        return -ENOMEM;
    for (size_t i = 0; i < set->n; i++) {
        size_t len = strlen(set->entries[i].key) + strlen(set->entries[i].value) + 2;
        env[i] = malloc(len);
        if (!env[i]) {
            strv_free(env);
            return -ENOMEM;
        }
        snprintf(env[i], len, "%s=%s", set->entries[i].key, set->entries[i].value);
    }
    *ret_env = env;
    return 0;
}

void md_set_done(struct md_set *set)
{
    for (size_t i = 0; i < set->n; i++) {
        free(set->entries[i].key);
        free(set->entries[i].value);
    }
    free(set->entries);
    set->entries = NULL;
    set->n = 0;
}
