/* The per-upstream client pool: a mutex-protected stack of idle httpc clients. The most recently
 * used client is handed out first, since its connection is the most likely to still be open. */
#include "pool.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "httpc/httpc.h"

struct gw_pool {
    pthread_mutex_t lock;
    struct httpc_config cfg;
    char *origin;
    struct httpc *idle[GW_POOL_IDLE_MAX];
    size_t n_idle;
};

int gw_pool_new(const char *origin, long connect_timeout_ms, struct gw_pool **ret)
{
    if (!origin)
        return -EINVAL;
    struct gw_pool *p = calloc(1, sizeof(*p));
    if (!p)
        return -ENOMEM;
    p->origin = strdup(origin);
    if (!p->origin) {
        free(p);
        return -ENOMEM;
    }
    pthread_mutex_init(&p->lock, NULL);
    p->cfg.base_url = p->origin;
    p->cfg.connect_timeout_ms = connect_timeout_ms;
    *ret = p;
    return 0;
}

void gw_pool_free(struct gw_pool *pool)
{
    if (!pool)
        return;
    for (size_t i = 0; i < pool->n_idle; i++)
        httpc_free(pool->idle[i]);
    pthread_mutex_destroy(&pool->lock);
    free(pool->origin);
    free(pool);
}

int gw_pool_acquire(struct gw_pool *pool, struct httpc **ret)
{
    pthread_mutex_lock(&pool->lock);
    struct httpc *c = pool->n_idle ? pool->idle[--pool->n_idle] : NULL;
    pthread_mutex_unlock(&pool->lock);
    if (c) {
        *ret = c;
        return 0;
    }
    return httpc_new(&pool->cfg, ret);
}

void gw_pool_release(struct gw_pool *pool, struct httpc *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&pool->lock);
    if (pool->n_idle < GW_POOL_IDLE_MAX) {
        pool->idle[pool->n_idle++] = c;
        c = NULL;
    }
    pthread_mutex_unlock(&pool->lock);
    httpc_free(c);
}

size_t gw_pool_idle(struct gw_pool *pool)
{
    pthread_mutex_lock(&pool->lock);
    size_t n = pool->n_idle;
    pthread_mutex_unlock(&pool->lock);
    return n;
}
