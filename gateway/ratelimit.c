/* Token buckets per key in a fixed-size table. Tokens are counted in thousandths so refill is
 * exact in integer arithmetic; a full table evicts the entry seen longest ago. */
#include "ratelimit.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/parse.h"

#define MILLI 1000

struct bucket {
    char key[GW_RATELIMIT_KEY_MAX];
    int64_t tokens_milli;
    int64_t last_ms;
};

struct gw_ratelimit {
    pthread_mutex_t lock;
    int64_t capacity_milli;
    int64_t period_ms;
    unsigned count;
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
    rl->capacity_milli = (int64_t)count * MILLI;
    rl->period_ms = (int64_t)period_s * 1000;
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
    b->tokens_milli = rl->capacity_milli;
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
        /* count tokens per period_ms, i.e. count*MILLI/period_ms milli-tokens per ms; capped
         * before multiplying so a long-idle entry cannot overflow. */
        if (elapsed > rl->period_ms)
            elapsed = rl->period_ms;
        int64_t added = elapsed * rl->capacity_milli / rl->period_ms;
        /* Time too short to earn a milli-token is not consumed, so frequent calls still refill. */
        if (added > 0) {
            b->tokens_milli += added;
            b->last_ms = now_ms;
        }
        if (b->tokens_milli >= rl->capacity_milli) {
            b->tokens_milli = rl->capacity_milli;
            b->last_ms = now_ms;
        }
    }
    int r = 0;
    if (b->tokens_milli >= MILLI) {
        b->tokens_milli -= MILLI;
    } else {
        int64_t missing = MILLI - b->tokens_milli;
        int64_t wait_ms = (missing * rl->period_ms + rl->capacity_milli - 1) / rl->capacity_milli;
        *ret_retry_s = wait_ms / 1000 + (wait_ms % 1000 ? 1 : 0);
        if (*ret_retry_s < 1)
            *ret_retry_s = 1;
        r = -EAGAIN;
    }
    pthread_mutex_unlock(&rl->lock);
    return r;
}
