/* lib/json under allocation failure: jv_dump either returns exactly the right text or fails;
 * jansson's json_dumps alone can return text with a member silently missing. (Parsing cannot be
 * swept the same way: jansson 2.14's lexer asserts on some allocation failures, load.c:442.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "json/jv.h"

#include "testlib_alloc.h"

static const char doc_text[] =
    "{\"name\":\"sipp-server\",\"endpoints\":{\"private\":{\"ipv4\":{\"address\":\"10.1.0.2\"}}},"
    "\"md\":{\"SERVER_PRIVATE\":\"10.1.0.2\",\"SIPP_RATE\":\"10\",\"A_LONGER_KEY_THAN_MOST\":"
    "\"a value long enough to be copied more than once by the parser's string buffer\"},"
    "\"list\":[1,2,3,\"x\",true,null,{\"deep\":[\"er\"]}]}";

static void test_dump_never_wrong(void **state)
{
    (void)state;
    json_t *doc = NULL;
    struct jv_error err;
    assert_int_equal(jv_parse(doc_text, strlen(doc_text), &doc, &err), 0);
    char *want = jv_dump(doc);
    assert_non_null(want);
    long reached = 0;
    TESTLIB_ALLOC_SWEEP({
        char *got = jv_dump(doc);
        testlib_alloc_stop();
        if (testlib_alloc_failed())
            reached = k;
        /* NULL, or exactly the text: never text with something missing */
        if (got)
            assert_string_equal(got, want);
        free(got);
    });
    assert_true(reached > 0);
    free(want);
    json_decref(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dump_never_wrong),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
