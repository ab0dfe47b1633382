/* The VIM instance document rules (services/nfvo/vims_doc.c): what a client may send, the
 * masking of every secret in what it is shown, the secrets a PUT keeps, what a refresh takes. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testlib.h"
#include "vims-int.h"

static json_t *parse(const char *text)
{
    json_error_t err;
    json_t *j = json_loads(text, 0, &err);
    assert_non_null(j);
    return j;
}

static const char *base =
    "{\"name\":\"pop1\",\"type\":\"pop\",\"authUrl\":\"http://10.0.0.1:8080\","
    "\"username\":\"u\",\"password\":\"s3cret\",\"futureField\":1}";

/* Checks body (text) is refused naming field with a detail containing text. */
static void refused(const char *body_text, const char *field, const char *text)
{
    json_t *body = parse(body_text), *doc = NULL;
    struct pop_error e = POP_ERROR_INIT;
    assert_int_equal(nfvo_vim_doc_check(body, &doc, &e), -EINVAL);
    assert_null(doc);
    assert_string_equal(e.field, field);
    if (!strstr(e.detail, text))
        fail_msg("detail '%s' lacks '%s'", e.detail, text);
    assert_int_equal(api_error_status(pop_error_api(&e)), 400);
    json_decref(body);
}

static void test_check_accepts(void **state)
{
    (void)state;
    json_t *body = parse(base), *doc = NULL;
    struct pop_error e = POP_ERROR_INIT;
    assert_int_equal(nfvo_vim_doc_check(body, &doc, &e), 0);
    assert_string_equal(json_string_value(json_object_get(doc, "name")), "pop1");
    assert_string_equal(json_string_value(json_object_get(doc, "password")), "s3cret");
    assert_int_equal(json_integer_value(json_object_get(doc, "futureField")), 1); /* kept */
    json_decref(doc);
    json_decref(body);
    const char *ok[] = {
        "{\"name\":\"a\",\"type\":\"docker.x-1\",\"authUrl\":\"unix:///var/run/docker.sock\"}",
        "{\"name\":\"a\",\"type\":\"pop\",\"authUrl\":\"https://u:p%40w@[::1]:443/x\"}",
        "{\"name\":\"a\",\"type\":\"pop\",\"authUrl\":\"http://host\",\"location\":null}",
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        body = parse(ok[i]);
        doc = NULL;
        if (nfvo_vim_doc_check(body, &doc, &e) < 0)
            fail_msg("%s refused: %s", ok[i], e.detail);
        assert_null(json_object_get(doc, "location")); /* null = absent, as Gson */
        json_decref(doc);
        json_decref(body);
    }
}

static void test_check_refuses(void **state)
{
    (void)state;
    refused("{\"type\":\"pop\",\"authUrl\":\"http://h\"}", "name", "name: required");
    refused("{\"name\":\"\",\"type\":\"pop\",\"authUrl\":\"http://h\"}", "name", "required");
    refused("{\"name\":\"a\\nb\",\"type\":\"pop\",\"authUrl\":\"http://h\"}", "name", "control");
    refused("{\"name\":\"a\",\"authUrl\":\"http://h\"}", "type", "type: required");
    refused("{\"name\":\"a\",\"type\":\"po p\",\"authUrl\":\"http://h\"}", "type",
            "not a VIM type");
    refused("{\"name\":\"a\",\"type\":\"pop.\",\"authUrl\":\"http://h\"}", "type", "empty part");
    refused("{\"name\":\"a\",\"type\":\".pop\",\"authUrl\":\"http://h\"}", "type", "empty part");
    refused("{\"name\":\"a\",\"type\":\"pop\"}", "authUrl", "authUrl: required");
    refused("{\"name\":\"a\",\"type\":\"pop\",\"authUrl\":\"10.0.0.1:8080\"}", "authUrl",
            "not a URL");
    refused("{\"name\":\"a\",\"type\":\"pop\",\"authUrl\":\"://h\"}", "authUrl", "not a URL");
    refused("{\"name\":\"a\",\"type\":\"pop\",\"authUrl\":\"http://u:p@:80\"}", "authUrl",
            "names no host");
    refused("{\"name\":\"a\",\"type\":\"pop\",\"authUrl\":\"http://h:80a\"}", "authUrl", "port");
    refused("{\"name\":\"a\",\"type\":\"pop\",\"authUrl\":\"http://h:\"}", "authUrl", "port");
    refused("{\"name\":\"a\",\"type\":\"pop\",\"authUrl\":\"http://h x\"}", "authUrl", "space");
    /* the catalogue's types */
    refused("{\"name\":1,\"type\":\"pop\",\"authUrl\":\"http://h\"}", "name", "expected a string");
    refused("{\"name\":\"a\",\"type\":\"pop\",\"authUrl\":\"http://h\",\"location\":\"x\"}",
            "location", "location");
    refused("{\"name\":\"a\",\"type\":\"pop\",\"authUrl\":\"http://h\",\"metadata\":{\"k\":1}}",
            "metadata.k", "metadata.k");
    char long_name[200];
    memset(long_name, 'n', sizeof(long_name) - 1);
    long_name[sizeof(long_name) - 1] = '\0';
    char body[400];
    snprintf(body, sizeof(body), "{\"name\":\"%s\",\"type\":\"pop\",\"authUrl\":\"http://h\"}",
             long_name);
    refused(body, "name", "longer than 127 bytes");
}

static void test_mask(void **state)
{
    (void)state;
    json_t *doc =
        parse("{\"name\":\"p\",\"password\":\"s3cret\",\"cert\":\"C\",\"dockerKey\":\"K\","
              "\"secretKey\":\"S\",\"username\":\"u\","
              "\"authUrl\":\"http://admin:pw%40x@host:8080/p?q=a@b\"}");
    json_t *m = nfvo_vim_doc_masked(doc);
    assert_non_null(m);
    const char *secret_keys[] = {"password", "cert", "dockerKey", "secretKey"};
    for (size_t i = 0; i < 4; i++)
        assert_string_equal(json_string_value(json_object_get(m, secret_keys[i])), NFVO_VIM_MASK);
    assert_string_equal(json_string_value(json_object_get(m, "username")), "u");
    assert_string_equal(json_string_value(json_object_get(m, "authUrl")),
                        "http://admin:**********@host:8080/p?q=a@b");
    char *text = json_dumps(m, 0);
    assert_null(strstr(text, "s3cret"));
    assert_null(strstr(text, "pw%40x"));
    free(text);
    /* the original is untouched */
    assert_string_equal(json_string_value(json_object_get(doc, "password")), "s3cret");
    json_decref(m);
    json_decref(doc);
    /* no secret, no userinfo password: nothing added or changed */
    doc = parse("{\"name\":\"p\",\"authUrl\":\"http://admin@host\"}");
    m = nfvo_vim_doc_masked(doc);
    assert_true(json_equal(m, doc));
    json_decref(m);
    json_decref(doc);
    char *u = nfvo_vim_mask_url("unix:///var/run/docker.sock");
    assert_string_equal(u, "unix:///var/run/docker.sock");
    free(u);
}

static void test_keep_secrets(void **state)
{
    (void)state;
    json_t *old = parse("{\"password\":\"real\",\"cert\":\"C\",\"authUrl\":\"http://a:pw@h\"}");
    /* what a GET showed, sent back: the real values */
    json_t *doc = parse("{\"password\":\"**********\",\"authUrl\":\"http://a:**********@h\"}");
    assert_int_equal(nfvo_vim_doc_keep_secrets(doc, old), 0);
    assert_string_equal(json_string_value(json_object_get(doc, "password")), "real");
    assert_string_equal(json_string_value(json_object_get(doc, "cert")), "C"); /* left out */
    assert_string_equal(json_string_value(json_object_get(doc, "authUrl")), "http://a:pw@h");
    json_decref(doc);
    /* new values win */
    doc = parse("{\"password\":\"new\",\"authUrl\":\"http://a:other@h\"}");
    assert_int_equal(nfvo_vim_doc_keep_secrets(doc, old), 0);
    assert_string_equal(json_string_value(json_object_get(doc, "password")), "new");
    assert_string_equal(json_string_value(json_object_get(doc, "authUrl")), "http://a:other@h");
    json_decref(doc);
    /* a mask where there was no secret is not kept as a value */
    json_t *none = parse("{\"authUrl\":\"http://h\"}");
    doc = parse("{\"password\":\"**********\",\"authUrl\":\"http://h\"}");
    assert_int_equal(nfvo_vim_doc_keep_secrets(doc, none), 0);
    assert_null(json_object_get(doc, "password"));
    json_decref(doc);
    json_decref(none);
    json_decref(old);
}

static void test_take_refresh(void **state)
{
    (void)state;
    json_t *doc = parse("{\"id\":\"v1\",\"name\":\"pop1\",\"password\":\"real\",\"hbVersion\":3,"
                        "\"images\":[{\"id\":\"i1\",\"extId\":\"a\"}]}");
    json_t *answer =
        parse("{\"id\":\"evil\",\"name\":\"other\",\"password\":\"x\",\"hbVersion\":0,"
              "\"images\":[{\"id\":\"i1\",\"extId\":\"a\"},{\"extId\":\"b\"}],"
              "\"networks\":[{\"name\":\"private\",\"extId\":\"n1\"}],\"flavours\":[]}");
    struct pop_error e = POP_ERROR_INIT;
    assert_int_equal(nfvo_vim_doc_take_refresh(doc, answer, &e), 0);
    /* the identity and credentials stay */
    assert_string_equal(json_string_value(json_object_get(doc, "id")), "v1");
    assert_string_equal(json_string_value(json_object_get(doc, "name")), "pop1");
    assert_string_equal(json_string_value(json_object_get(doc, "password")), "real");
    assert_int_equal(json_integer_value(json_object_get(doc, "hbVersion")), 3);
    json_t *images = json_object_get(doc, "images");
    assert_int_equal(json_array_size(images), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(images, 0), "id")), "i1");
    const char *new_id = json_string_value(json_object_get(json_array_get(images, 1), "id"));
    assert_non_null(new_id);
    assert_int_equal(strlen(new_id), 36);
    assert_int_equal(json_array_size(json_object_get(doc, "networks")), 1);
    assert_non_null(json_object_get(doc, "flavours"));
    json_decref(answer);

    /* an answer without lists empties them; a malformed one changes nothing */
    json_t *before = json_deep_copy(doc);
    const char *bad[] = {"null", "[1]", "{\"images\":[{\"extId\":5}]}", "{\"networks\":{}}"};
    for (size_t i = 0; i < 4; i++) {
        answer = json_loads(bad[i], JSON_DECODE_ANY, NULL);
        assert_non_null(answer);
        pop_error_clear(&e);
        assert_int_equal(nfvo_vim_doc_take_refresh(doc, answer, &e), -EBADMSG);
        assert_int_equal(api_error_status(pop_error_api(&e)), 502);
        assert_true(json_equal(doc, before));
        json_decref(answer);
    }
    answer = parse("{\"name\":\"x\"}");
    assert_int_equal(nfvo_vim_doc_take_refresh(doc, answer, &e), 0);
    assert_int_equal(json_array_size(json_object_get(doc, "images")), 0);
    assert_int_equal(json_array_size(json_object_get(doc, "networks")), 0);
    assert_non_null(json_object_get(doc, "flavours")); /* kept: the answer said nothing */
    json_decref(answer);
    json_decref(before);
    json_decref(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_accepts), cmocka_unit_test(test_check_refuses),
        cmocka_unit_test(test_mask),          cmocka_unit_test(test_keep_secrets),
        cmocka_unit_test(test_take_refresh),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
