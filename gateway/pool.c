/* The per-upstream client pool: lib/core's object pool of httpc clients for one origin. The
 * most recently used client is handed out first, since its connection is the most likely to
 * still be open. */
#include "pool.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/objpool.h"
#include "httpc/httpc.h"

struct gw_pool {
    struct objpool *clients;
    struct httpc_config cfg; /* what every client of this upstream is made with */
    char *origin;
};

static int gw_pool_make(void *ud, void **ret)
{
    const struct gw_pool *pool = ud;
    struct httpc *c = NULL;
    int r = httpc_new(&pool->cfg, &c);
    if (r == 0)
        *ret = c;
    return r;
}

static void gw_pool_destroy(void *c)
{
    httpc_free(c);
}

int gw_pool_new(const char *origin, long connect_timeout_ms, struct gw_pool **ret)
{
    if (!origin)
        return -EINVAL;
    struct gw_pool *p = calloc(1, sizeof(*p));
    if (!p)
        return -ENOMEM;
    p->origin = strdup(origin);
    int r = p->origin ? objpool_new(GW_POOL_IDLE_MAX, gw_pool_make, gw_pool_destroy, p, &p->clients)
                      : -ENOMEM;
    if (r < 0) {
        free(p->origin);
        free(p);
        return r;
    }
    p->cfg.base_url = p->origin;
    p->cfg.connect_timeout_ms = connect_timeout_ms;
    *ret = p;
    return 0;
}

void gw_pool_free(struct gw_pool *pool)
{
    if (!pool)
        return;
    objpool_free(pool->clients);
    free(pool->origin);
    free(pool);
}

int gw_pool_acquire(struct gw_pool *pool, struct httpc **ret)
{
    void *c = NULL;
    int r = objpool_acquire(pool->clients, &c);
    if (r == 0)
        *ret = c;
    return r;
}

void gw_pool_release(struct gw_pool *pool, struct httpc *c)
{
    objpool_release(pool->clients, c);
}

size_t gw_pool_idle(struct gw_pool *pool)
{
    return objpool_idle(pool->clients);
}
