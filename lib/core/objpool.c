/* The object pool (see objpool.h): a mutex-protected stack of idle objects. Objects are made
 * and destroyed outside the lock, since both may block (connecting, closing). */
#include "core/objpool.h"

#include "core/cleanup.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

struct objpool {
    pthread_mutex_t lock; /* guards idle and n_idle only */
    int (*make)(void *ud, void **ret);
    void (*destroy)(void *obj);
    void *ud;
    size_t max_idle;
    size_t n_idle;
    void *idle[]; /* max_idle slots */
};

int objpool_new(size_t max_idle, int (*make)(void *ud, void **ret), void (*destroy)(void *obj),
                void *ud, struct objpool **ret)
{
    if (!make || !destroy || max_idle == 0 || max_idle > OBJPOOL_IDLE_MAX)
        return -EINVAL;
    struct objpool *p = calloc(1, sizeof(*p) + max_idle * sizeof(p->idle[0]));
    if (!p)
        return -ENOMEM;
    int r = pthread_mutex_init(&p->lock, NULL);
    if (r != 0) {
        free(p);
        return -r;
    }
    p->make = make;
    p->destroy = destroy;
    p->ud = ud;
    p->max_idle = max_idle;
    *ret = p;
    return 0;
}

void objpool_free(struct objpool *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n_idle; i++)
        p->destroy(p->idle[i]);
    pthread_mutex_destroy(&p->lock);
    free(p);
}

int objpool_acquire(struct objpool *p, void **ret)
{
    void *obj = NULL;
    {
        _cleanup_unlock_ pthread_mutex_t *held = cleanup_lock(&p->lock);
        if (p->n_idle)
            obj = p->idle[--p->n_idle];
    }
    if (!obj) {
        int r = p->make(p->ud, &obj);
        if (r < 0)
            return r;
    }
    *ret = obj;
    return 0;
}

void objpool_release(struct objpool *p, void *obj)
{
    if (!obj)
        return;
    {
        _cleanup_unlock_ pthread_mutex_t *held = cleanup_lock(&p->lock);
        if (p->n_idle < p->max_idle) {
            p->idle[p->n_idle++] = obj;
            return;
        }
    }
    p->destroy(obj);
}

size_t objpool_idle(struct objpool *p)
{
    _cleanup_unlock_ pthread_mutex_t *held = cleanup_lock(&p->lock);
    return p->n_idle;
}
