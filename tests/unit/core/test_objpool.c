/* Unit tests for the object pool: last in first out, the idle bound, make failures, and real
 * threads sharing one pool without ever holding the same object twice. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "core/objpool.h"

struct obj {
    int serial;
    atomic_int holders;
};

struct factory {
    atomic_int made, destroyed;
    atomic_int fail; /* make fails with this when non-zero */
};

static int obj_make(void *ud, void **ret)
{
    struct factory *f = ud;
    int fail = atomic_load(&f->fail);
    if (fail)
        return fail;
    struct obj *o = calloc(1, sizeof(*o));
    if (!o)
        return -ENOMEM;
    o->serial = atomic_fetch_add(&f->made, 1) + 1;
    *ret = o;
    return 0;
}

static struct factory *destroy_factory; /* destroy has no userdata: one factory per test */

static void obj_destroy(void *p)
{
    atomic_fetch_add(&destroy_factory->destroyed, 1);
    free(p);
}

static struct objpool *pool_for(struct factory *f, size_t max_idle)
{
    destroy_factory = f;
    struct objpool *p = NULL;
    assert_int_equal(objpool_new(max_idle, obj_make, obj_destroy, f, &p), 0);
    return p;
}

static struct obj *take(struct objpool *p)
{
    void *o = NULL;
    assert_int_equal(objpool_acquire(p, &o), 0);
    return o;
}

static void test_lifo_reuse_and_idle_bound(void **state)
{
    (void)state;
    struct factory f = {0};
    struct objpool *p = pool_for(&f, 2);
    assert_int_equal(objpool_idle(p), 0);
    assert_int_equal(atomic_load(&f.made), 0); /* nothing made before the first acquire */

    struct obj *a = take(p), *b = take(p), *c = take(p);
    assert_int_equal(atomic_load(&f.made), 3);
    objpool_release(p, a);
    objpool_release(p, b);
    objpool_release(p, c); /* a third idle one is over the bound: destroyed */
    assert_int_equal(objpool_idle(p), 2);
    assert_int_equal(atomic_load(&f.destroyed), 1);

    /* The most recently released comes out first, and nothing new is made. */
    assert_ptr_equal(take(p), b);
    assert_ptr_equal(take(p), a);
    assert_int_equal(atomic_load(&f.made), 3);
    objpool_release(p, a);
    objpool_release(p, b);
    objpool_release(p, NULL); /* ignored */
    objpool_free(p);          /* destroys the idle ones */
    assert_int_equal(atomic_load(&f.destroyed), 3);
    objpool_free(NULL);
}

static void test_make_failure_is_returned(void **state)
{
    (void)state;
    struct factory f = {0};
    struct objpool *p = pool_for(&f, 4);
    struct obj *kept = take(p);
    objpool_release(p, kept);
    atomic_store(&f.fail, -ECONNREFUSED);
    /* An idle object is still handed out; only a new one would need make. */
    assert_ptr_equal(take(p), kept);
    void *o = (void *)(uintptr_t)0x1;
    assert_int_equal(objpool_acquire(p, &o), -ECONNREFUSED);
    assert_ptr_equal(o, (void *)(uintptr_t)0x1);
    objpool_release(p, kept);
    objpool_free(p);
    assert_int_equal(atomic_load(&f.destroyed), 1);
}

static void test_rejects_bad_arguments(void **state)
{
    (void)state;
    struct factory f = {0};
    struct objpool *p = NULL;
    assert_int_equal(objpool_new(0, obj_make, obj_destroy, &f, &p), -EINVAL);
    assert_int_equal(objpool_new(OBJPOOL_IDLE_MAX + 1, obj_make, obj_destroy, &f, &p), -EINVAL);
    assert_int_equal(objpool_new(1, NULL, obj_destroy, &f, &p), -EINVAL);
    assert_int_equal(objpool_new(1, obj_make, NULL, &f, &p), -EINVAL);
    assert_null(p);
}

#define THREADS 8
#define ROUNDS 2000

static void *worker(void *arg)
{
    struct objpool *p = arg;
    for (int i = 0; i < ROUNDS; i++) {
        void *v = NULL;
        if (objpool_acquire(p, &v) < 0)
            return (void *)1;
        struct obj *o = v;
        if (atomic_fetch_add(&o->holders, 1) != 0)
            return (void *)1; /* someone else holds it too */
        atomic_fetch_sub(&o->holders, 1);
        objpool_release(p, o);
    }
    return NULL;
}

static void test_threads_never_share_an_object(void **state)
{
    (void)state;
    struct factory f = {0};
    struct objpool *p = pool_for(&f, 4);
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, worker, p), 0);
    for (int i = 0; i < THREADS; i++) {
        void *res = NULL;
        pthread_join(t[i], &res);
        assert_null(res);
    }
    /* Every object made is idle now or was destroyed, and the pool kept at most 4. */
    assert_true(objpool_idle(p) <= 4);
    assert_int_equal(atomic_load(&f.made) - atomic_load(&f.destroyed), (int)objpool_idle(p));
    objpool_free(p);
    assert_int_equal(atomic_load(&f.made), atomic_load(&f.destroyed));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lifo_reuse_and_idle_bound),
        cmocka_unit_test(test_make_failure_is_returned),
        cmocka_unit_test(test_rejects_bad_arguments),
        cmocka_unit_test(test_threads_never_share_an_object),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
