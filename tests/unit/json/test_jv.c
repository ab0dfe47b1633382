/* Unit tests for lib/json: parse caps and syntax errors, every validation message with its
 * field path, readers, dump and the string checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "json/jv.h"

static const struct jv_field subnet_fields[] = {
    {.name = "cidr", .type = JV_STRING, .required = true, .check = jv_check_cidr4},
    {.name = "gateway", .type = JV_STRING, .check = jv_check_ipv4},
};
static const struct jv_schema subnet_schema = {subnet_fields, 2, false};

static const struct jv_field ipv4_fields[] = {
    {.name = "address", .type = JV_STRING, .required = true, .check = jv_check_ipv4},
    {.name = "subnet", .type = JV_OBJECT, .items = &subnet_schema},
};
static const struct jv_schema ipv4_schema = {ipv4_fields, 2, false};

static const struct jv_field endpoint_fields[] = {
    {.name = "net_name", .type = JV_STRING, .check = jv_check_name},
    {.name = "ipv4", .type = JV_OBJECT, .items = &ipv4_schema},
    {.name = "ipv6", .type = JV_STRING, .nullable = true},
};
static const struct jv_schema endpoint_schema = {endpoint_fields, 3, false};

static const struct jv_field container_fields[] = {
    {.name = "name", .type = JV_STRING, .required = true, .check = jv_check_name},
    {.name = "image_id", .type = JV_STRING, .required = true, .min_len = 1, .max_len = 128},
    {.name = "flavour_id", .type = JV_STRING},
    {.name = "names", .type = JV_ARRAY, .max_len = 8, .item_type = JV_STRING, .item_max_len = 64},
    {.name = "endpoints", .type = JV_MAP, .check = jv_check_name, .items = &endpoint_schema},
    {.name = "md",
     .type = JV_MAP,
     .check = jv_check_env_key,
     .item_type = JV_STRING,
     .item_max_len = 4096},
    {.name = "replicas", .type = JV_INT, .min = 1, .max = 10},
    {.name = "ports", .type = JV_ARRAY, .min_len = 1, .item_type = JV_INT},
    {.name = "privileged", .type = JV_BOOL},
    {.name = "extra", .type = JV_ANY},
    {.name = "labels", .type = JV_OBJECT, .max_len = 2},
};
static const struct jv_schema container_schema = {container_fields, 11, false};

static json_t *parse_ok(const char *text)
{
    json_t *doc = NULL;
    struct jv_error err;
    int r = jv_parse(text, strlen(text), &doc, &err);
    if (r != 0)
        fail_msg("parse failed: %s: %s", err.path, err.message);
    return doc;
}

/* Validates text against container_schema and returns "path: message" ("" when valid). */
static const char *check_doc(const char *text)
{
    static char out[600];
    _cleanup_json_ json_t *doc = parse_ok(text);
    struct jv_error err;
    int r = jv_validate(doc, &container_schema, &err);
    if (r == 0) {
        assert_string_equal(err.path, "");
        return "";
    }
    assert_int_equal(r, -EINVAL);
    jv_error_format(&err, out, sizeof(out));
    return out;
}

/* Returns jv_parse's formatted error for len bytes of buf ("" when it parsed). */
static const char *parse_error(const char *buf, size_t len)
{
    static char out[600];
    json_t *doc = NULL;
    struct jv_error err;
    int r = jv_parse(buf, len, &doc, &err);
    if (r == 0) {
        json_decref(doc);
        return "";
    }
    assert_int_equal(r, -EINVAL);
    assert_null(doc);
    jv_error_format(&err, out, sizeof(out));
    return out;
}

static const char valid_doc[] =
    "{\"name\": \"sip-server.1\", \"image_id\": \"sha256:abc\", \"names\": [\"a\", \"b\"],"
    " \"endpoints\": {\"private\": {\"net_name\": \"private\", \"ipv6\": null,"
    "   \"ipv4\": {\"address\": \"172.16.0.2\","
    "              \"subnet\": {\"cidr\": \"172.16.0.0/24\", \"gateway\": \"172.16.0.1\"}}}},"
    " \"md\": {\"SERVER_PRIVATE\": \"172.16.0.2\", \"_x\": \"\"}, \"replicas\": 3,"
    " \"ports\": [5060], \"privileged\": false, \"extra\": [1, {\"z\": null}],"
    " \"labels\": {\"k\": 1}}";

static void test_valid_document(void **state)
{
    (void)state;
    assert_string_equal(check_doc(valid_doc), "");
    assert_string_equal(check_doc("{\"name\": \"x\", \"image_id\": \"i\"}"), "");
}

static void test_type_errors_name_the_field(void **state)
{
    (void)state;
    assert_string_equal(check_doc("{\"name\": \"x\", \"image_id\": \"i\","
                                  " \"endpoints\": {\"private\": {\"ipv4\": {\"address\": 5}}}}"),
                        "endpoints.private.ipv4.address: expected a string");
    assert_string_equal(check_doc("{\"name\": \"x\", \"image_id\": null}"),
                        "image_id: expected a string");
    assert_string_equal(check_doc("{\"name\": \"x\", \"image_id\": \"i\", \"replicas\": 1.0}"),
                        "replicas: expected an integer");
    assert_string_equal(check_doc("{\"name\": \"x\", \"image_id\": \"i\", \"replicas\": \"3\"}"),
                        "replicas: expected an integer");
    assert_string_equal(check_doc("{\"name\": \"x\", \"image_id\": \"i\", \"privileged\": 0}"),
                        "privileged: expected a boolean");
    assert_string_equal(check_doc("{\"name\": \"x\", \"image_id\": \"i\", \"names\": {}}"),
                        "names: expected an array");
    assert_string_equal(check_doc("{\"name\": \"x\", \"image_id\": \"i\", \"names\": [\"a\", 1]}"),
                        "names[1]: expected a string");
    assert_string_equal(check_doc("{\"name\": \"x\", \"image_id\": \"i\", \"md\": []}"),
                        "md: expected an object");
    assert_string_equal(check_doc("{\"name\": \"x\", \"image_id\": \"i\", \"md\": {\"A\": 1}}"),
                        "md.A: expected a string");
    assert_string_equal(
        check_doc("{\"name\": \"x\", \"image_id\": \"i\", \"endpoints\": {\"p\": \"s\"}}"),
        "endpoints.p: expected an object");
    assert_string_equal(check_doc("{\"name\": \"x\", \"image_id\": \"i\", \"ports\": [80, -1.5]}"),
                        "ports[1]: expected an integer");
    /* Nullable fields accept null, and only they. */
    assert_string_equal(
        check_doc("{\"name\": \"x\", \"image_id\": \"i\", \"endpoints\": {\"p\": {\"ipv6\": 1}}}"),
        "endpoints.p.ipv6: expected a string");
}

static void test_required_and_unknown(void **state)
{
    (void)state;
    assert_string_equal(check_doc("{\"name\": \"x\"}"), "image_id: required");
    assert_string_equal(check_doc("{\"name\": \"x\", \"image_id\": \"i\", \"colour\": \"red\"}"),
                        "colour: unknown field");
    /* A misspelt key is reported rather than the field it was meant to be. */
    assert_string_equal(check_doc("{\"name\": \"x\", \"imag_id\": \"i\"}"),
                        "imag_id: unknown field");
    assert_string_equal(
        check_doc("{\"name\": \"x\", \"image_id\": \"i\","
                  " \"endpoints\": {\"p\": {\"ipv4\": {\"address\": \"1.2.3.4\", \"mask\": 1}}}}"),
        "endpoints.p.ipv4.mask: unknown field");
    assert_string_equal(check_doc("{\"name\": \"x\", \"image_id\": \"i\","
                                  " \"endpoints\": {\"p\": {\"ipv4\": {\"subnet\": {}}}}}"),
                        "endpoints.p.ipv4.address: required");
    /* Control characters in client keys do not reach the message. */
    assert_string_equal(check_doc("{\"a\\u0001b\\nc\": 1}"), "a?b?c: unknown field");

    static const struct jv_schema open_schema = {container_fields, 11, true};
    _cleanup_json_ json_t *doc = parse_ok("{\"name\": \"x\", \"image_id\": \"i\", \"colour\": 1}");
    struct jv_error err;
    assert_int_equal(jv_validate(doc, &open_schema, &err), 0);
}

static void test_string_caps_and_checks(void **state)
{
    (void)state;
    char buf[2048];
    char long_name[70];
    memset(long_name, 'n', 65);
    long_name[65] = '\0';
    snprintf(buf, sizeof(buf),
             "{\"name\": \"x\", \"image_id\": \"i\", \"names\": [\"a\", \"b\", \"%s\"]}",
             long_name);
    assert_string_equal(check_doc(buf), "names[2]: longer than 64 characters");
    long_name[64] = '\0';
    snprintf(buf, sizeof(buf), "{\"name\": \"x\", \"image_id\": \"i\", \"names\": [\"%s\"]}",
             long_name);
    assert_string_equal(check_doc(buf), "");

    /* The cap counts characters, not bytes: 64 two-byte characters fit. */
    struct strbuf sb = STRBUF_INIT;
    strbuf_puts(&sb, "{\"name\": \"x\", \"image_id\": \"i\", \"names\": [\"");
    for (int i = 0; i < 64; i++)
        strbuf_puts(&sb, "\xc3\xa9");
    strbuf_puts(&sb, "\"]}");
    assert_string_equal(check_doc(strbuf_str(&sb)), "");
    strbuf_reset(&sb);
    strbuf_puts(&sb, "{\"name\": \"x\", \"image_id\": \"i\", \"names\": [\"");
    for (int i = 0; i < 65; i++)
        strbuf_puts(&sb, "\xc3\xa9");
    strbuf_puts(&sb, "\"]}");
    assert_string_equal(check_doc(strbuf_str(&sb)), "names[0]: longer than 64 characters");

    /* Default cap when max_len is 0. */
    strbuf_reset(&sb);
    strbuf_puts(&sb, "{\"name\": \"x\", \"image_id\": \"i\", \"flavour_id\": \"");
    for (int i = 0; i < JV_DEFAULT_STRING_MAX + 1; i++)
        strbuf_puts(&sb, "f");
    strbuf_puts(&sb, "\"}");
    assert_string_equal(check_doc(strbuf_str(&sb)), "flavour_id: longer than 1024 characters");
    strbuf_done(&sb);

    assert_string_equal(check_doc("{\"name\": \"x\", \"image_id\": \"\"}"),
                        "image_id: must not be empty");
    assert_string_equal(check_doc("{\"name\": \"-x\", \"image_id\": \"i\"}"),
                        "name: must be 1-63 characters of A-Z a-z 0-9 _ . -, starting with a "
                        "letter or digit");
    assert_string_equal(
        check_doc("{\"name\": \"x\", \"image_id\": \"i\","
                  " \"endpoints\": {\"p\": {\"ipv4\": {\"address\": \"1.2.3.4\","
                  " \"subnet\": {\"cidr\": \"10.0.0.1/24\"}}}}}"),
        "endpoints.p.ipv4.subnet.cidr: host bits set: the address must be the network's first "
        "address");
}

static void test_entry_caps_and_ranges(void **state)
{
    (void)state;
    assert_string_equal(check_doc("{\"name\": \"x\", \"image_id\": \"i\","
                                  " \"names\": [\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\"]}"),
                        "");
    assert_string_equal(
        check_doc("{\"name\": \"x\", \"image_id\": \"i\","
                  " \"names\": [\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\"]}"),
        "names: more than 8 entries");
    assert_string_equal(check_doc("{\"name\": \"x\", \"image_id\": \"i\", \"ports\": []}"),
                        "ports: must not be empty");
    assert_string_equal(
        check_doc("{\"name\": \"x\", \"image_id\": \"i\", \"labels\": {\"a\":1,\"b\":2,\"c\":3}}"),
        "labels: more than 2 entries");
    assert_string_equal(check_doc("{\"name\": \"x\", \"image_id\": \"i\", \"replicas\": 0}"),
                        "replicas: must be between 1 and 10");
    assert_string_equal(check_doc("{\"name\": \"x\", \"image_id\": \"i\", \"replicas\": 11}"),
                        "replicas: must be between 1 and 10");
    assert_string_equal(check_doc("{\"name\": \"x\", \"image_id\": \"i\", \"replicas\": 10}"), "");

    /* Default entry cap on an array with max_len 0. */
    struct strbuf sb = STRBUF_INIT;
    strbuf_puts(&sb, "{\"name\": \"x\", \"image_id\": \"i\", \"ports\": [1");
    for (int i = 0; i < JV_DEFAULT_ENTRIES_MAX; i++)
        strbuf_puts(&sb, ",1");
    strbuf_puts(&sb, "]}");
    assert_string_equal(check_doc(strbuf_str(&sb)), "ports: more than 256 entries");
    strbuf_done(&sb);
}

static void test_map_keys(void **state)
{
    (void)state;
    assert_string_equal(
        check_doc("{\"name\": \"x\", \"image_id\": \"i\", \"md\": {\"1X\": \"v\"}}"),
        "md.1X: invalid key: must be 1-128 characters of A-Z a-z 0-9 _, not "
        "starting with a digit");
    assert_string_equal(check_doc("{\"name\": \"x\", \"image_id\": \"i\", \"md\": {\"\": \"v\"}}"),
                        "md.: empty key");
    assert_string_equal(
        check_doc("{\"name\": \"x\", \"image_id\": \"i\", \"endpoints\": {\"a b\": {}}}"),
        "endpoints.a b: invalid key: must be 1-63 characters of A-Z a-z 0-9 _ . -, starting with "
        "a letter or digit");

    /* Key-length cap even without a check function. */
    static const struct jv_field f[] = {{.name = "m", .type = JV_MAP, .item_type = JV_INT}};
    static const struct jv_schema s = {f, 1, false};
    char key[JV_MAX_KEY_LEN + 2];
    memset(key, 'k', sizeof(key) - 1);
    key[sizeof(key) - 1] = '\0';
    char buf[512];
    snprintf(buf, sizeof(buf), "{\"m\": {\"%s\": 1}}", key);
    _cleanup_json_ json_t *doc = parse_ok(buf);
    struct jv_error err;
    assert_int_equal(jv_validate(doc, &s, &err), -EINVAL);
    assert_string_equal(err.message, "key longer than 128 characters");
    key[JV_MAX_KEY_LEN] = '\0';
    snprintf(buf, sizeof(buf), "{\"m\": {\"%s\": 1}}", key);
    _cleanup_json_ json_t *ok = parse_ok(buf);
    assert_int_equal(jv_validate(ok, &s, &err), 0);
}

static void test_long_paths_are_truncated_as_valid_utf8(void **state)
{
    (void)state;
    struct strbuf sb = STRBUF_INIT;
    strbuf_puts(&sb, "{\"x");
    for (int i = 0; i < 300; i++)
        strbuf_puts(&sb, "\xc3\xa9");
    strbuf_puts(&sb, "\": 1}");
    _cleanup_json_ json_t *doc = parse_ok(strbuf_str(&sb));
    strbuf_done(&sb);
    struct jv_error err;
    assert_int_equal(jv_validate(doc, &container_schema, &err), -EINVAL);
    assert_string_equal(err.message, "unknown field");
    size_t len = strlen(err.path);
    assert_true(len <= sizeof(err.path) - 1);
    assert_true(len > 200);
    assert_string_equal(err.path + len - 3, "...");
    /* jansson only accepts valid UTF-8, as the HTTP layer will need. */
    _cleanup_json_ json_t *s = json_string(err.path);
    assert_non_null(s);
}

static void test_validate_rejects_non_object(void **state)
{
    (void)state;
    _cleanup_json_ json_t *arr = json_array();
    struct jv_error err;
    assert_int_equal(jv_validate(arr, &container_schema, &err), -EINVAL);
    char out[300];
    jv_error_format(&err, out, sizeof(out));
    assert_string_equal(out, "expected an object");
}

static void test_parse_syntax_errors(void **state)
{
    (void)state;
    assert_string_equal(parse_error("{\"a\": }", 7), "line 1, column 7: unexpected token near '}'");
    assert_string_equal(parse_error("{\"a\": 1,\n \"a\": 2}", 17),
                        "line 2, column 4: duplicate object key near '\"a\"'");
    assert_string_equal(parse_error("{} x", 4), "line 1, column 4: end of file expected near 'x'");
    assert_string_equal(parse_error("", 0),
                        "line 1, column 0: '[' or '{' expected near end of file");
    assert_string_equal(parse_error("[1]", 3), "expected a JSON object");
    assert_string_equal(parse_error("{\"a\": \"x\\u0000y\"}", 17),
                        "line 1, column 16: strings must not contain NUL characters");
    /* A raw NUL byte inside the buffer, as an HTTP body may contain. */
    static const char raw[] = {'{', '"', 'a', '"', ':', '"', 'x', '\0', 'y', '"', '}'};
    assert_string_equal(parse_error(raw, sizeof(raw)),
                        "a NUL byte at offset 7: JSON text has none");
    /* Between tokens jansson would skip it ("10\0," reads as "10,"): refused as well (found by
     * tests/fuzz/catalogue). */
    static const char between[] = {'{', '"', 'a', '"', ':', '1', '0', '\0', '}'};
    assert_string_equal(parse_error(between, sizeof(between)),
                        "a NUL byte at offset 7: JSON text has none");
    /* Only len bytes are read: a valid prefix followed by junk is accepted. */
    assert_string_equal(parse_error("{\"a\": 1}garbage", 8), "");
}

/* jansson quotes the input near the error raw and cut at a byte count: the message keeps only
 * printable ASCII of it, so it is valid UTF-8 in a JSON reply and cannot carry a control byte. */
static void test_parse_error_quotes_printable_ascii(void **state)
{
    (void)state;
    /* cut inside the two-byte character after a bad escape (found by tests/fuzz/json) */
    static const char cut[] = "{\"name\":\"\\uf0\xd8\x9d\xc5\xdd}";
    assert_string_equal(parse_error(cut, sizeof(cut) - 1),
                        "line 1, column 14: invalid escape near '\"\\uf0?'");
    static const char ctrl[] = "{\"a\": \x01}";
    assert_string_equal(parse_error(ctrl, sizeof(ctrl) - 1),
                        "line 1, column 7: invalid token near '?'");
}

static char *nested(int depth, const char *open, const char *close, const char *leaf)
{
    struct strbuf sb = STRBUF_INIT;
    for (int i = 0; i < depth; i++)
        strbuf_puts(&sb, open);
    strbuf_puts(&sb, leaf);
    for (int i = 0; i < depth; i++)
        strbuf_puts(&sb, close);
    return strbuf_steal(&sb);
}

static void test_parse_depth_cap(void **state)
{
    (void)state;
    /* 16 levels of objects: {"a":{"a":...{"a":1}...}} */
    char *ok = nested(16, "{\"a\":", "}", "1");
    ok[0] = '{';
    assert_string_equal(parse_error(ok, strlen(ok)), "");
    free(ok);

    char *deep = nested(17, "{\"a\":", "}", "1");
    json_t *doc = NULL;
    struct jv_error err;
    assert_int_equal(jv_parse(deep, strlen(deep), &doc, &err), -EINVAL);
    assert_null(doc);
    assert_string_equal(err.message, "nested deeper than 16 levels");
    assert_string_equal(err.path, "a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a");
    free(deep);

    /* Arrays count too: top object + 15 arrays is fine, + 16 is not. */
    char *arr_ok_inner = nested(15, "[", "]", "0");
    char buf[128];
    snprintf(buf, sizeof(buf), "{\"l\": %s}", arr_ok_inner);
    free(arr_ok_inner);
    assert_string_equal(parse_error(buf, strlen(buf)), "");
    char *arr_deep = nested(16, "[", "]", "0");
    snprintf(buf, sizeof(buf), "{\"l\": %s}", arr_deep);
    free(arr_deep);
    assert_string_equal(parse_error(buf, strlen(buf)),
                        "l[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]: nested deeper than 16 "
                        "levels");
}

/* jv_parse_value: the same caps for a document whose top level is any value (RPC answers). */
static void test_parse_value(void **state)
{
    (void)state;
    struct jv_error err;
    const char *ok[] = {"null", "true", "17", "\"text\"", "[1,{\"a\":2}]", "{\"a\":null}"};
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        json_t *v = NULL;
        assert_int_equal(jv_parse_value(ok[i], strlen(ok[i]), &v, &err), 0);
        assert_non_null(v);
        json_decref(v);
    }
    json_t *v = NULL;
    const char *dup = "[{\"a\":1,\"a\":2}]";
    assert_int_equal(jv_parse_value(dup, strlen(dup), &v, &err), -EINVAL);
    assert_int_equal(err.kind, JV_ERR_SYNTAX);
    assert_non_null(strstr(err.message, "duplicate object key"));
    assert_int_equal(jv_parse_value("null x", 6, &v, &err), -EINVAL);
    assert_int_equal(jv_parse_value("", 0, &v, &err), -EINVAL);
    assert_int_equal(jv_parse_value("\"a\\u0000b\"", 10, &v, &err), -EINVAL);
    assert_string_equal(strstr(err.message, "strings must not"),
                        "strings must not contain NUL characters");
    char *deep = nested(17, "[", "]", "0");
    assert_int_equal(jv_parse_value(deep, strlen(deep), &v, &err), -EINVAL);
    assert_string_equal(err.message, "nested deeper than 16 levels");
    free(deep);
    assert_null(v);
    /* jv_parse itself still wants an object. */
    assert_int_equal(jv_parse("null", 4, &v, &err), -EINVAL);
}

static void test_parse_success_clears_error(void **state)
{
    (void)state;
    json_t *doc = NULL;
    struct jv_error err;
    memset(&err, 'x', sizeof(err));
    assert_int_equal(jv_parse(valid_doc, strlen(valid_doc), &doc, &err), 0);
    assert_string_equal(err.path, "");
    assert_string_equal(err.message, "");
    assert_true(json_is_object(doc));
    json_decref(doc);
}

static void test_readers_and_dump(void **state)
{
    (void)state;
    _cleanup_json_ json_t *doc = parse_ok(valid_doc);
    assert_string_equal(jv_get_string(doc, "name"), "sip-server.1");
    assert_null(jv_get_string(doc, "replicas"));
    assert_null(jv_get_string(doc, "missing"));
    assert_int_equal(jv_get_int(doc, "replicas", -1), 3);
    assert_int_equal(jv_get_int(doc, "name", -1), -1);
    assert_false(jv_get_bool(doc, "privileged", true));
    assert_true(jv_get_bool(doc, "missing", true));
    json_t *ep = jv_get_object(doc, "endpoints");
    assert_non_null(ep);
    assert_null(jv_get_object(doc, "names"));
    assert_int_equal(json_array_size(jv_get_array(doc, "names")), 2);
    assert_null(jv_get_array(doc, "md"));
    assert_null(jv_get_string(NULL, "x"));

    _cleanup_json_ json_t *small = parse_ok("{\"b\": 1, \"a\": [true, null, \"\\u00e9\"]}");
    char *s = jv_dump(small);
    assert_string_equal(s, "{\"b\":1,\"a\":[true,null,\"\xc3\xa9\"]}");
    free(s);
}

static void test_checks(void **state)
{
    (void)state;
    assert_null(jv_check_name("a"));
    assert_null(jv_check_name("Sip-server_1.x"));
    char n63[64], n64[65];
    memset(n63, 'a', 63);
    n63[63] = '\0';
    memset(n64, 'a', 64);
    n64[64] = '\0';
    assert_null(jv_check_name(n63));
    assert_non_null(jv_check_name(n64));
    assert_non_null(jv_check_name(""));
    assert_non_null(jv_check_name(".a"));
    assert_non_null(jv_check_name("a/b"));
    assert_non_null(jv_check_name("a b"));

    assert_null(jv_check_ipv4("172.16.0.2"));
    assert_null(jv_check_ipv4("0.0.0.0"));
    assert_non_null(jv_check_ipv4("256.1.1.1"));
    assert_non_null(jv_check_ipv4("1.2.3"));
    assert_non_null(jv_check_ipv4("1.2.3.4 "));
    assert_non_null(jv_check_ipv4("::1"));

    assert_null(jv_check_cidr4("172.16.0.0/24"));
    assert_null(jv_check_cidr4("0.0.0.0/0"));
    assert_null(jv_check_cidr4("10.1.2.3/32"));
    assert_non_null(jv_check_cidr4("10.0.0.0/33"));
    assert_non_null(jv_check_cidr4("10.0.0.0/"));
    assert_non_null(jv_check_cidr4("10.0.0.0/08"));
    assert_non_null(jv_check_cidr4("10.0.0.0/8x"));
    assert_non_null(jv_check_cidr4("10.0.0.0"));
    assert_non_null(jv_check_cidr4("10.0.0/8"));
    assert_non_null(jv_check_cidr4("1234567890123456/8"));
    assert_string_equal(jv_check_cidr4("10.0.0.1/8"),
                        "host bits set: the address must be the network's first address");

    assert_null(jv_check_env_key("_A1"));
    assert_null(jv_check_env_key("SERVER_PRIVATE"));
    assert_non_null(jv_check_env_key("1A"));
    assert_non_null(jv_check_env_key("A-B"));
    assert_non_null(jv_check_env_key(""));
    char k128[129], k129[130];
    memset(k128, 'K', 128);
    k128[128] = '\0';
    memset(k129, 'K', 129);
    k129[129] = '\0';
    assert_null(jv_check_env_key(k128));
    assert_non_null(jv_check_env_key(k129));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_document),
        cmocka_unit_test(test_parse_value),
        cmocka_unit_test(test_type_errors_name_the_field),
        cmocka_unit_test(test_required_and_unknown),
        cmocka_unit_test(test_string_caps_and_checks),
        cmocka_unit_test(test_entry_caps_and_ranges),
        cmocka_unit_test(test_map_keys),
        cmocka_unit_test(test_long_paths_are_truncated_as_valid_utf8),
        cmocka_unit_test(test_validate_rejects_non_object),
        cmocka_unit_test(test_parse_syntax_errors),
        cmocka_unit_test(test_parse_error_quotes_printable_ascii),
        cmocka_unit_test(test_parse_depth_cap),
        cmocka_unit_test(test_parse_success_clears_error),
        cmocka_unit_test(test_readers_and_dump),
        cmocka_unit_test(test_checks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
