/* Allocation-failure sweeps: the k-th allocation from now fails, for k = 1, 2, ... until the
 * code under test no longer reaches it. A test binary using this is linked with
 * WRAP malloc calloc realloc strdup strndup (pop_unit_test's WRAP argument); lib/json sends
 * jansson's allocations through malloc, so they are counted too. */
#pragma once

#include <stdbool.h>

/* Plans the k-th allocation from now to fail (0: none) and clears the "failed" flag. */
void testlib_alloc_plan(long k);
/* No more failures in this run (checks after the call allocate too); keeps the flag. */
void testlib_alloc_stop(void);
/* Whether the planned failure happened since the last plan. */
bool testlib_alloc_failed(void);

/* Runs the statement(s) with the k-th allocation failing, k = 1, 2, ..., until they no
 * longer reach the k-th allocation; `k` is visible inside. */
#define TESTLIB_ALLOC_SWEEP(...)                                                                   \
    for (long k = 1;; k++) {                                                                       \
        testlib_alloc_plan(k);                                                                     \
        __VA_ARGS__;                                                                               \
        bool reached_ = testlib_alloc_failed();                                                    \
        testlib_alloc_plan(0);                                                                     \
        if (!reached_)                                                                             \
            break;                                                                                 \
        assert_true(k < 1000000);                                                                  \
    }
