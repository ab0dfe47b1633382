/* A pool of idle reusable objects (HTTP clients, engine clients) shared by threads: acquire
 * hands out the most recently released one, or makes a new one; release keeps it for the next
 * caller, up to a bound, and destroys the surplus. Only the idle objects are bounded; how many
 * are in use at once is up to the callers. Thread-safe. */
#pragma once

#include <stddef.h>

struct objpool;

/* Most idle objects a pool may keep (max_idle of objpool_new). */
#define OBJPOOL_IDLE_MAX 4096

/* Creates a pool keeping at most max_idle (1..OBJPOOL_IDLE_MAX) idle objects. make(ud, &obj)
 * builds one (0 or a negative errno, which acquire returns); destroy(obj) frees one. ud is
 * borrowed and must outlive the pool. The pool starts empty: nothing is made before the first
 * acquire. Returns 0, -EINVAL or -ENOMEM. */
int objpool_new(size_t max_idle, int (*make)(void *ud, void **ret), void (*destroy)(void *obj),
                void *ud, struct objpool **ret);

/* Destroys the idle objects and frees the pool. Every acquired object must have been released
 * (or destroyed by its holder) before. Accepts NULL. */
void objpool_free(struct objpool *p);

/* Hands out an idle object (last in, first out: the one most likely to still hold a live
 * connection) or makes one outside the pool's lock. Returns 0 and sets *ret, or make's
 * negative errno leaving *ret untouched. The caller owns the object until it releases it. */
int objpool_acquire(struct objpool *p, void **ret);

/* Gives obj back: it is kept idle, or destroyed when max_idle are already idle. NULL is
 * ignored. */
void objpool_release(struct objpool *p, void *obj);

/* Idle objects right now (for metrics). */
size_t objpool_idle(struct objpool *p);
