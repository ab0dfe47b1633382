/* Token buckets per key in a fixed-size table. A token is period_ms units and each millisecond
 * adds count units, so refill is exact in integer arithmetic however often it is computed; a full
 * table evicts the entry seen longest ago. */
#include "ratelimit.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/parse.h"

struct bucket {
    char key[GW_RATELIMIT_KEY_MAX];
    int64_t tokens; /* units: period_ms per token */
    int64_t last_ms;
};

struct gw_ratelimit {
    pthread_mutex_t lock;
    int64_t capacity; /* count tokens */
    int64_t period_ms;
    int64_t count;
    size_t n;
    struct bucket *v; /* GW_RATELIMIT_ENTRIES */
};

int gw_ratelimit_parse(const char *spec, unsigned *ret_count, unsigned *ret_period_s)
{
    if (!spec)
        return -EINVAL;
    const char *slash = strchr(spec, '/');
    char num[16];
    size_t nlen = slash ? (size_t)(slash - spec) : strlen(spec);
    if (nlen == 0 || nlen >= sizeof(num))
        return -EINVAL;
    memcpy(num, spec, nlen);
    num[nlen] = '\0';
    int64_t count;
    if (parse_int64(num, 0, 1000000, &count) < 0)
        return -EINVAL;
    unsigned period = 60;
    if (slash) {
        const char *u = slash + 1;
        if (strcmp(u, "s") == 0)
            period = 1;
        else if (strcmp(u, "m") == 0 || strcmp(u, "min") == 0)
            period = 60;
        else if (strcmp(u, "h") == 0)
            period = 3600;
        else
            return -EINVAL;
    }
    *ret_count = (unsigned)count;
    *ret_period_s = period;
    return 0;
}

struct gw_ratelimit *gw_ratelimit_new(unsigned count, unsigned period_s)
{
    if (count == 0 || period_s == 0)
        return NULL;
    struct gw_ratelimit *rl = calloc(1, sizeof(*rl));
    if (!rl)
        return NULL;
    rl->v = calloc(GW_RATELIMIT_ENTRIES, sizeof(*rl->v));
    if (!rl->v) {
        free(rl);
        return NULL;
    }
    pthread_mutex_init(&rl->lock, NULL);
    rl->count = count;
    rl->period_ms = (int64_t)period_s * 1000;
    rl->capacity = (int64_t)count * rl->period_ms;
    return rl;
}

void gw_ratelimit_free(struct gw_ratelimit *rl)
{
    if (!rl)
        return;
    pthread_mutex_destroy(&rl->lock);
    free(rl->v);
    free(rl);
}

static struct bucket *bucket_get(struct gw_ratelimit *rl, const char *key, int64_t now_ms)
{
    size_t oldest = 0;
    for (size_t i = 0; i < rl->n; i++) {
        if (strcmp(rl->v[i].key, key) == 0)
            return &rl->v[i];
        if (rl->v[i].last_ms < rl->v[oldest].last_ms)
            oldest = i;
    }
    struct bucket *b = rl->n < GW_RATELIMIT_ENTRIES ? &rl->v[rl->n++] : &rl->v[oldest];
    size_t klen = strnlen(key, GW_RATELIMIT_KEY_MAX - 1);
    memcpy(b->key, key, klen);
    b->key[klen] = '\0';
    b->tokens = rl->capacity;
    b->last_ms = now_ms;
    return b;
}

int gw_ratelimit_take(struct gw_ratelimit *rl, const char *key, int64_t now_ms,
                      int64_t *ret_retry_s)
{
    char k[GW_RATELIMIT_KEY_MAX];
    size_t klen = strnlen(key ? key : "", sizeof(k) - 1);
    memcpy(k, key ? key : "", klen);
    k[klen] = '\0';

    pthread_mutex_lock(&rl->lock);
    struct bucket *b = bucket_get(rl, k, now_ms);
    int64_t elapsed = now_ms - b->last_ms;
    if (elapsed > 0) {
        /* Capped first, so a long-idle entry cannot overflow; a full bucket stays full. */
        if (elapsed > rl->period_ms)
            elapsed = rl->period_ms;
        b->tokens += elapsed * rl->count;
        if (b->tokens > rl->capacity)
            b->tokens = rl->capacity;
        b->last_ms = now_ms;
    }
    int r = 0;
    if (b->tokens >= rl->period_ms) {
        b->tokens -= rl->period_ms;
    } else {
        int64_t wait_ms = (rl->period_ms - b->tokens + rl->count - 1) / rl->count;
        *ret_retry_s = (wait_ms + 999) / 1000;
        if (*ret_retry_s < 1)
            *ret_retry_s = 1;
        r = -EAGAIN;
    }
    pthread_mutex_unlock(&rl->lock);
    return r;
}
