/* Scope-bound cleanup helpers: the closed set of __attribute__((cleanup)) macros we use. */
#pragma once

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void cleanup_freep(void *p)
{
    free(*(void **)p);
}

static inline void cleanup_fclosep(FILE **f)
{
    if (*f)
        fclose(*f);
}

static inline void cleanup_closep(int *fd)
{
    if (*fd >= 0)
        close(*fd);
}

/* Locks m and returns it, to start a scope guard:
 *     _cleanup_unlock_ pthread_mutex_t *held = cleanup_lock(&x->lock);
 * The mutex is unlocked however the scope ends (return, break, goto out of it). Cleanups run
 * in reverse order of declaration, so declare the guard before anything (a statement, a
 * buffer) whose cleanup must still run under the lock. */
static inline pthread_mutex_t *cleanup_lock(pthread_mutex_t *m)
{
    pthread_mutex_lock(m);
    return m;
}

static inline void cleanup_unlockp(pthread_mutex_t **m)
{
    if (*m)
        pthread_mutex_unlock(*m);
}

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _cleanup_free_ _cleanup_(cleanup_freep)
#define _cleanup_fclose_ _cleanup_(cleanup_fclosep)
#define _cleanup_close_ _cleanup_(cleanup_closep)
/* A guard is never read after its declaration; clang counts that as unused, gcc does not. */
#define _cleanup_unlock_ _cleanup_(cleanup_unlockp) __attribute__((unused))

/* Returns *ptr and sets it to NULL, so a cleanup handler no longer frees it. */
#define TAKE_PTR(ptr)                                                                              \
    ({                                                                                             \
        __typeof__(ptr) taken_ = (ptr);                                                            \
        (ptr) = NULL;                                                                              \
        taken_;                                                                                    \
    })

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
