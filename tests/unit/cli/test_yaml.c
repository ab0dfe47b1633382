/* Unit tests for the pop CLI's YAML emitter: layout of maps and lists, and the quoting that keeps
 * strings strings for YAML 1.1 and 1.2 readers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>

#include "yaml.h"

/* Emits the JSON text doc and returns the YAML (caller frees). */
static char *emit(const char *doc)
{
    json_error_t jerr;
    json_t *v = json_loads(doc, JSON_DECODE_ANY, &jerr);
    assert_non_null(v);
    struct strbuf sb = STRBUF_INIT;
    assert_int_equal(yaml_emit(&sb, v), 0);
    json_decref(v);
    char *out = strbuf_steal(&sb);
    assert_non_null(out);
    return out;
}

static void expect_yaml(const char *doc, const char *want)
{
    char *got = emit(doc);
    assert_string_equal(got, want);
    free(got);
}

static void expect_scalar(const char *s, const char *want)
{
    struct strbuf sb = STRBUF_INIT;
    assert_int_equal(yaml_append_string(&sb, s), 0);
    assert_string_equal(strbuf_str(&sb), want);
    strbuf_done(&sb);
}

static void test_plain_strings(void **state)
{
    (void)state;
    expect_scalar("pop-tiny:latest", "pop-tiny:latest");
    expect_scalar("172.30.0.2", "172.30.0.2");
    expect_scalar("10.0.0.0/24", "10.0.0.0/24");
    expect_scalar("the container is running", "the container is running");
    expect_scalar("2024-05-01T10:00:00Z", "2024-05-01T10:00:00Z");
    expect_scalar("it's", "it's");
    expect_scalar("a-b", "a-b");
    expect_scalar("0.1.0", "0.1.0");
    expect_scalar("sha256:09874fc6be29", "sha256:09874fc6be29");
}

static void test_quoted_look_alikes(void **state)
{
    (void)state;
    /* would read back as null, bool or number */
    expect_scalar("", "''");
    expect_scalar("null", "'null'");
    expect_scalar("~", "'~'");
    expect_scalar("True", "'True'");
    expect_scalar("no", "'no'");
    expect_scalar("ON", "'ON'");
    expect_scalar("y", "'y'");
    expect_scalar("0", "'0'");
    expect_scalar("-12", "'-12'");
    expect_scalar("1.5", "'1.5'");
    expect_scalar("1.", "'1.'");
    expect_scalar(".5", "'.5'");
    expect_scalar("1e3", "'1e3'");
    expect_scalar("1_000", "'1_000'");
    expect_scalar("0x1F", "'0x1F'");
    expect_scalar("0o17", "'0o17'");
    expect_scalar("12:30", "'12:30'");
    expect_scalar("-.inf", "'-.inf'");
    expect_scalar(".NaN", "'.NaN'");
    /* but these are not numbers */
    expect_scalar("1e", "1e");
    expect_scalar("12:", "'12:'"); /* quoted for its trailing colon */
    expect_scalar("0x", "0x");
}

static void test_quoted_syntax(void **state)
{
    (void)state;
    expect_scalar("x: y", "'x: y'");
    expect_scalar("a #b", "'a #b'");
    expect_scalar("a#b", "a#b");
    expect_scalar("-x", "'-x'");
    expect_scalar("*ref", "'*ref'");
    expect_scalar("{a}", "'{a}'");
    expect_scalar("'q'", "'''q'''");
    expect_scalar("\"q\"", "'\"q\"'");
    expect_scalar(" lead", "' lead'");
    expect_scalar("trail ", "'trail '");
    expect_scalar("key:", "'key:'");
    expect_scalar("@x", "'@x'");
    /* control characters and Unicode line breaks force double quotes with escapes */
    expect_scalar("a\nb", "\"a\\nb\"");
    expect_scalar("tab\there", "\"tab\\there\"");
    expect_scalar("bell\x07", "\"bell\\x07\"");
    expect_scalar("say \"hi\"\n", "\"say \\\"hi\\\"\\n\"");
    expect_scalar("back\\slash\r", "\"back\\\\slash\\r\"");
    expect_scalar("nel\xc2\x85", "\"nel\\N\"");
    expect_scalar("ls\xe2\x80\xa8", "\"ls\\L\"");
    /* other UTF-8 stays plain */
    expect_scalar("caf\xc3\xa9", "caf\xc3\xa9");
}

static void test_layout(void **state)
{
    (void)state;
    expect_yaml("{\"name\": \"web\", \"ips\": {\"private\": [\"10.0.0.2\"], \"front\": "
                "[\"10.1.0.5\", \"10.1.0.6\"]}, \"md\": {}, \"tags\": [], \"n\": 3, \"ok\": true, "
                "\"gone\": null, \"ratio\": 2.0}",
                "name: web\n"
                "ips:\n"
                "  private:\n"
                "    - 10.0.0.2\n"
                "  front:\n"
                "    - 10.1.0.5\n"
                "    - 10.1.0.6\n"
                "md: {}\n"
                "tags: []\n"
                "'n': 3\n"
                "ok: true\n"
                "gone: null\n"
                "ratio: 2.0\n");
}

static void test_list_of_maps(void **state)
{
    (void)state;
    expect_yaml("[{\"name\": \"a\", \"ips\": {\"p\": [\"1.2.3.4\"]}}, {\"name\": \"yes\"}, [1, "
                "[2]], \"x\", {}]",
                "- name: a\n"
                "  ips:\n"
                "    p:\n"
                "      - 1.2.3.4\n"
                "- name: 'yes'\n"
                "- - 1\n"
                "  - - 2\n"
                "- x\n"
                "- {}\n");
}

static void test_scalars_and_keys(void **state)
{
    (void)state;
    expect_yaml("\"0\"", "'0'\n");
    expect_yaml("42", "42\n");
    expect_yaml("{}", "{}\n");
    expect_yaml("[]", "[]\n");
    /* keys get the same quoting as values */
    expect_yaml("{\"on\": \"1\", \"a b\": \"c\", \"x: y\": \"-\"}",
                "'on': '1'\na b: c\n'x: y': '-'\n");
}

static void test_depth_cap(void **state)
{
    (void)state;
    json_t *root = json_array();
    json_t *cur = root;
    for (int i = 0; i < 40; i++) {
        json_t *next = json_array();
        json_array_append_new(next, json_integer(i));
        json_array_append_new(cur, next);
        cur = next;
    }
    struct strbuf sb = STRBUF_INIT;
    assert_int_equal(yaml_emit(&sb, root), -ELOOP);
    strbuf_done(&sb);
    json_decref(root);
}

static void test_output_cap(void **state)
{
    (void)state;
    json_t *v = json_pack("{s:s}", "key", "a fairly long value that does not fit");
    struct strbuf sb = {.max = 16};
    assert_int_equal(yaml_emit(&sb, v), -E2BIG);
    strbuf_done(&sb);
    json_decref(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_strings), cmocka_unit_test(test_quoted_look_alikes),
        cmocka_unit_test(test_quoted_syntax), cmocka_unit_test(test_layout),
        cmocka_unit_test(test_list_of_maps),  cmocka_unit_test(test_scalars_and_keys),
        cmocka_unit_test(test_depth_cap),     cmocka_unit_test(test_output_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
