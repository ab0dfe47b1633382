/* A small pool of idle HTTP clients per upstream, so connections stay alive between requests:
 * a client is used by one thread at a time and handed back when its transfer is over. */
#pragma once

#include <stddef.h>

struct httpc;
struct gw_pool;

#define GW_POOL_IDLE_MAX 64 /* idle clients kept per upstream; more are freed on release */

/* A pool for origin ("http://host:port"), whose clients use connect_timeout_ms. Returns 0,
 * -EINVAL or -ENOMEM. */
int gw_pool_new(const char *origin, long connect_timeout_ms, struct gw_pool **ret);

/* Frees the pool and its idle clients; every acquired client must have been released. Accepts
 * NULL. */
void gw_pool_free(struct gw_pool *pool);

/* Hands out an idle client, or a new one. Returns 0, -EINVAL or -ENOMEM. */
int gw_pool_acquire(struct gw_pool *pool, struct httpc **ret);

/* Takes c back (NULL is ignored). */
void gw_pool_release(struct gw_pool *pool, struct httpc *c);

/* Idle clients right now (for /metrics). */
size_t gw_pool_idle(struct gw_pool *pool);
