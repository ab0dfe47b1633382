/* Unit tests for the container state machine (thesis fig. 4.3). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "state.h"

static void test_ops_per_state(void **state)
{
    (void)state;
    assert_true(pop_op_allowed(POP_OP_METADATA, POP_CREATED));
    assert_false(pop_op_allowed(POP_OP_METADATA, POP_RUNNING));
    assert_true(pop_op_allowed(POP_OP_METADATA_RECREATE, POP_RUNNING));
    assert_true(pop_op_allowed(POP_OP_METADATA_RECREATE, POP_CREATED));
    assert_false(pop_op_allowed(POP_OP_METADATA_RECREATE, POP_STOPPING));
    assert_true(pop_op_allowed(POP_OP_START, POP_CREATED));
    assert_false(pop_op_allowed(POP_OP_START, POP_RUNNING));
    assert_false(pop_op_allowed(POP_OP_START, POP_EXITED));
    assert_true(pop_op_allowed(POP_OP_STOP, POP_RUNNING));
    assert_false(pop_op_allowed(POP_OP_STOP, POP_STOPPING));
    assert_false(pop_op_allowed(POP_OP_STOP, POP_CREATED));
    for (int s = POP_CREATED; s <= POP_STOPPING; s++)
        assert_true(pop_op_allowed(POP_OP_DELETE, (enum pop_status)s));
    /* after a final state only delete */
    for (int op = POP_OP_METADATA; op < POP_OP_DELETE; op++) {
        assert_false(pop_op_allowed((enum pop_op)op, POP_EXITED));
        assert_false(pop_op_allowed((enum pop_op)op, POP_FAILED));
    }
}

static void test_transitions_forward_only(void **state)
{
    (void)state;
    assert_true(pop_transition_allowed(POP_CREATED, POP_RUNNING));
    assert_true(pop_transition_allowed(POP_CREATED, POP_FAILED));
    assert_false(pop_transition_allowed(POP_CREATED, POP_EXITED));
    assert_true(pop_transition_allowed(POP_RUNNING, POP_STOPPING));
    assert_true(pop_transition_allowed(POP_RUNNING, POP_RUNNING)); /* recreate */
    assert_true(pop_transition_allowed(POP_RUNNING, POP_FAILED));
    assert_true(pop_transition_allowed(POP_STOPPING, POP_EXITED));
    assert_false(pop_transition_allowed(POP_STOPPING, POP_RUNNING));
    assert_false(pop_transition_allowed(POP_EXITED, POP_RUNNING));
    assert_false(pop_transition_allowed(POP_FAILED, POP_CREATED));
    assert_false(pop_transition_allowed(POP_RUNNING, POP_CREATED));
}

static void test_names_roundtrip(void **state)
{
    (void)state;
    for (int s = POP_CREATED; s <= POP_STOPPING; s++)
        assert_int_equal(pop_status_from_name(pop_status_name((enum pop_status)s)), s);
    assert_int_equal(pop_status_from_name("running"), POP_UNAVAILABLE);
    assert_string_equal(pop_status_name((enum pop_status)42), "UNAVAILABLE");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ops_per_state),
        cmocka_unit_test(test_transitions_forward_only),
        cmocka_unit_test(test_names_roundtrip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
