/* Unit tests for the signal policy: signals_block_termination blocks SIGTERM/SIGINT and
 * ignores SIGPIPE, so a write to a closed pipe is an EPIPE error, not the end of the process. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include "core/signals.h"

static void test_block_termination_sets_the_whole_policy(void **state)
{
    (void)state;
    struct sigaction sa;
    assert_int_equal(sigaction(SIGPIPE, NULL, &sa), 0);
    assert_ptr_equal(sa.sa_handler, SIG_DFL); /* nothing set it before */

    signals_block_termination();
    assert_int_equal(sigaction(SIGPIPE, NULL, &sa), 0);
    assert_ptr_equal(sa.sa_handler, SIG_IGN);
    sigset_t now;
    assert_int_equal(pthread_sigmask(SIG_BLOCK, NULL, &now), 0);
    assert_true(sigismember(&now, SIGTERM));
    assert_true(sigismember(&now, SIGINT));
    assert_false(sigismember(&now, SIGPIPE));

    /* A peer gone: the write fails with EPIPE and the process lives on. */
    int p[2];
    assert_int_equal(pipe(p), 0);
    close(p[0]);
    assert_int_equal(write(p[1], "x", 1), -1);
    assert_int_equal(errno, EPIPE);
    close(p[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_block_termination_sets_the_whole_policy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
