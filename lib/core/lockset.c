/* The lock set (see lockset.h): an unsorted array of held keys searched linearly, which is
 * cheap at the sizes services use (popd-rest: up to 1024 containers in flight). */
#include "core/lockset.h"

#include "core/cleanup.h"
#include "core/cond.h"
#include "core/timeutil.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct lockset {
    pthread_mutex_t lock;   /* guards everything below */
    pthread_cond_t changed; /* broadcast on every release; monotonic clock */
    size_t max_keys;
    size_t n_keys;
    size_t n_waiting;
    char *keys[]; /* max_keys slots, the first n_keys held */
};

int lockset_new(size_t max_keys, struct lockset **ret)
{
    if (max_keys == 0 || max_keys > LOCKSET_KEYS_MAX)
        return -EINVAL;
    struct lockset *s = calloc(1, sizeof(*s) + max_keys * sizeof(s->keys[0]));
    if (!s)
        return -ENOMEM;
    int r = pthread_mutex_init(&s->lock, NULL);
    if (r != 0) {
        free(s);
        return -r;
    }
    if ((r = cond_init_mono(&s->changed)) < 0) {
        pthread_mutex_destroy(&s->lock);
        free(s);
        return r;
    }
    s->max_keys = max_keys;
    *ret = s;
    return 0;
}

void lockset_free(struct lockset *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n_keys; i++)
        free(s->keys[i]);
    pthread_cond_destroy(&s->changed);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

static bool lockset_has(const struct lockset *s, const char *key, size_t *ret_i)
{
    for (size_t i = 0; i < s->n_keys; i++)
        if (strcmp(s->keys[i], key) == 0) {
            if (ret_i)
                *ret_i = i;
            return true;
        }
    return false;
}

int lockset_acquire(struct lockset *s, const char *key, int64_t wait_ms)
{
    if (!key || !key[0] || strnlen(key, LOCKSET_KEY_MAX + 1) > LOCKSET_KEY_MAX || wait_ms < 0)
        return -EINVAL;
    /* Copied before locking: no allocation while other threads wait on the mutex. */
    _cleanup_free_ char *copy = strdup(key);
    if (!copy)
        return -ENOMEM;
    int64_t deadline = wait_ms == LOCKSET_FOREVER ? INT64_MAX : time_mono_ms() + wait_ms;
    _cleanup_unlock_ pthread_mutex_t *held = cleanup_lock(&s->lock);
    while (lockset_has(s, key, NULL) || s->n_keys == s->max_keys) {
        if (wait_ms == 0 || (deadline != INT64_MAX && time_mono_ms() >= deadline))
            return -EBUSY;
        s->n_waiting++;
        if (deadline == INT64_MAX)
            pthread_cond_wait(&s->changed, &s->lock);
        else
            cond_wait_until(&s->changed, &s->lock, deadline);
        s->n_waiting--;
    }
    s->keys[s->n_keys++] = TAKE_PTR(copy);
    return 0;
}

void lockset_release(struct lockset *s, const char *key)
{
    if (!key)
        return;
    char *gone = NULL;
    {
        _cleanup_unlock_ pthread_mutex_t *held = cleanup_lock(&s->lock);
        size_t i;
        if (!lockset_has(s, key, &i))
            return;
        gone = s->keys[i];
        s->keys[i] = s->keys[--s->n_keys];
        /* Everyone wakes and rechecks: a waiter for this key, or for room in a full set. */
        pthread_cond_broadcast(&s->changed);
    }
    free(gone);
}

size_t lockset_held(struct lockset *s)
{
    _cleanup_unlock_ pthread_mutex_t *held = cleanup_lock(&s->lock);
    return s->n_keys;
}

size_t lockset_waiting(struct lockset *s)
{
    _cleanup_unlock_ pthread_mutex_t *held = cleanup_lock(&s->lock);
    return s->n_waiting;
}
