/* Unit test for the one _cleanup_json_ (lib/json/cleanup.h): a file may include both lib/json's
 * and lib/docker's headers (each used to define its own), and the guard drops exactly one
 * reference, NULL included. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "docker/docker-int.h"
#include "json/jv.h"

static void test_cleanup_drops_one_reference(void **state)
{
    (void)state;
    json_t *held = json_object();
    assert_non_null(held);
    json_incref(held);
    {
        _cleanup_json_ json_t *v = held;
        assert_int_equal(held->refcount, 2);
    }
    assert_int_equal(held->refcount, 1);
    {
        _cleanup_json_ json_t *none = NULL;
        (void)none;
    }
    {
        _cleanup_json_ json_t *kept = json_incref(held);
        json_t *taken = TAKE_PTR(kept);
        assert_ptr_equal(taken, held);
        assert_int_equal(held->refcount, 2);
        json_decref(taken);
    }
    assert_int_equal(held->refcount, 1);
    json_decref(held);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cleanup_drops_one_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
