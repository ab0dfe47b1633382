/* lib/catalogue refuses bad documents with one error naming the path at fault, and caps
 * every input: document size, depth, string and key lengths, list, map and object sizes. */
#include "helpers.h"

#include "core/strbuf.h"

/* head item,item,...(n times) tail, malloc'ed */
static char *repeat_join(const char *head, const char *item, size_t n, const char *tail)
{
    struct strbuf sb = STRBUF_INIT;
    assert_int_equal(strbuf_puts(&sb, head), 0);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(strbuf_printf(&sb, "%s%s", i ? "," : "", item), 0);
    assert_int_equal(strbuf_puts(&sb, tail), 0);
    return strbuf_steal(&sb);
}

/* head followed by n copies of c, then tail */
static char *repeat_char(const char *head, char c, size_t n, const char *tail)
{
    struct strbuf sb = STRBUF_INIT;
    assert_int_equal(strbuf_puts(&sb, head), 0);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(strbuf_append(&sb, &c, 1), 0);
    assert_int_equal(strbuf_puts(&sb, tail), 0);
    return strbuf_steal(&sb);
}

static void test_not_json(void **state)
{
    (void)state;
    json_t *doc = NULL;
    struct pop_error e = POP_ERROR_INIT;
    assert_int_equal(cat_parse("{\"name\":", 8, &doc, &e), -EINVAL);
    assert_null(doc);
    assert_int_equal(e.api, API_BAD_JSON);
    assert_non_null(strstr(e.detail, "line 1, column"));
    assert_int_equal(cat_parse("[]", 2, &doc, &e), -EINVAL);
    assert_string_equal(e.detail, "expected a JSON object");
    assert_int_equal(cat_parse("{\"a\":\"\\u0000\"}", 14, &doc, &e), -EINVAL);
    assert_non_null(strstr(e.detail, "NUL"));
    assert_int_equal(cat_parse("{} {}", 5, &doc, &e), -EINVAL);
    /* depth: lib/json's cap of 16 levels (the top object is level 1) */
    char *open = repeat_char("{\"a\":", '[', 16, "");
    char *deep = repeat_char(open, ']', 16, "}");
    free(open);
    assert_int_equal(cat_parse(deep, strlen(deep), &doc, &e), -EINVAL);
    assert_non_null(strstr(e.detail, "nested deeper than 16 levels"));
    free(deep);
}

static void test_document_cap(void **state)
{
    (void)state;
    size_t len = CAT_DOC_MAX + 1;
    char *big = malloc(len);
    assert_non_null(big);
    memset(big, ' ', len);
    big[0] = '{';
    big[len - 1] = '}';
    json_t *doc = NULL;
    struct pop_error e = POP_ERROR_INIT;
    assert_int_equal(cat_parse(big, len, &doc, &e), -EMSGSIZE);
    assert_int_equal(e.api, API_BODY_TOO_LARGE);
    /* at the cap it is read */
    assert_int_equal(cat_parse(big, len - 1, &doc, &e), -EINVAL); /* cut: no closing brace */
    big[len - 2] = '}';
    assert_int_equal(cat_parse(big, len - 1, &doc, &e), 0);
    json_decref(doc);
    free(big);
}

static void test_wrong_types_name_the_path(void **state)
{
    (void)state;
    const struct cat_class *nsd = &cat_nsd_class;
    assert_decode_fails(nsd, "{\"vnfd\":[{},{\"vdu\":[{\"scale_in_out\":\"two\"}]}]}", 0, -EINVAL,
                        "vnfd[1].vdu[0].scale_in_out",
                        "vnfd[1].vdu[0].scale_in_out: expected an integer");
    assert_decode_fails(nsd, "{\"name\":7}", 0, -EINVAL, "name", "name: expected a string");
    assert_decode_fails(nsd, "{\"vnfd\":{}}", 0, -EINVAL, "vnfd", "expected an array");
    assert_decode_fails(nsd, "{\"vnfd\":[[]]}", 0, -EINVAL, "vnfd[0]", "expected an object");
    assert_decode_fails(nsd, "{\"vnfd\":[{\"vdu\":[{\"vm_image\":[\"a\",null]}]}]}", 0, -EINVAL,
                        "vnfd[0].vdu[0].vm_image[1]", "null is not allowed in a list");
    assert_decode_fails(nsd, "{\"enabled\":\"yes\"}", 0, -EINVAL, "enabled", "expected a boolean");
    assert_decode_fails(nsd, "{\"metadata\":{\"k\":1}}", 0, -EINVAL, "metadata.k",
                        "expected a string");
    assert_decode_fails(nsd, "{\"vnfd\":[{\"requires\":{\"src\":{\"parameters\":\"p\"}}}]}", 0,
                        -EINVAL, "vnfd[0].requires.src.parameters", "expected an array");
    assert_decode_fails(nsd, "{\"vnfd\":[{\"configurations\":[]}]}", 0, -EINVAL,
                        "vnfd[0].configurations", "expected an object");
    assert_decode_fails(nsd, "{\"vnfd\":[{\"lifecycle_event\":[{\"event\":\"BOOT\"}]}]}", 0,
                        -EINVAL, "vnfd[0].lifecycle_event[0].event", "unknown value");
    assert_decode_fails(&cat_server_class, "{\"ips\":{\"private\":\"10.0.0.1\"}}", 0, -EINVAL,
                        "ips.private", "expected an array");
    assert_decode_fails(&cat_server_class, "{\"created\":\"yesterday\"}", 0, -EINVAL, "created",
                        "not a date");
    assert_decode_fails(&cat_server_class, "{\"created\":1488542552000}", 0, -EINVAL, "created",
                        "expected a date string");
    assert_decode_fails(&cat_script_class, "{\"payload\":\"not base64!\"}", 0, -EINVAL, "payload",
                        "not base64 text");
    assert_decode_fails(&cat_script_class, "{\"payload\":[1,256]}", 0, -EINVAL, "payload[1]",
                        "expected a byte value");
    assert_decode_fails(&cat_script_class, "{\"payload\":true}", 0, -EINVAL, "payload",
                        "expected base64 text or an array");
    assert_decode_fails(&cat_vnfr_dependency_class,
                        "{\"vnfcParameters\":{\"server\":{\"parameters\":{\"id1\":"
                        "{\"parameters\":{\"private\":false}}}}}}",
                        0, -EINVAL, "vnfcParameters.server.parameters.id1.parameters.private",
                        "expected a string");
    /* the top level of a decode */
    json_t *arr = json_array();
    struct pop_error e = POP_ERROR_INIT;
    void *obj = NULL;
    assert_int_equal(cat_decode(&cat_nsd_class, arr, 0, &obj, &e), -EINVAL);
    assert_null(obj);
    assert_string_equal(e.detail, "expected a JSON object (NetworkServiceDescriptor)");
    json_decref(arr);
}

static void test_required_fields(void **state)
{
    (void)state;
    const char *nsd = "{\"name\":\"n\",\"version\":\"1\",\"vnfd\":[]}";
    assert_decode_fails(&cat_nsd_class, nsd, CAT_DEC_REQUIRED, -EINVAL, "vendor",
                        "vendor: required");
    struct cat_nsd *ok = NULL;
    assert_int_equal(cat_nsd_parse(nsd, strlen(nsd), 0, &ok, NULL), 0); /* not asked */
    cat_nsd_free(ok);
    assert_decode_fails(&cat_nsd_class,
                        "{\"name\":\"n\",\"vendor\":\"v\",\"version\":\"1\",\"vnfd\":[{"
                        "\"name\":\"a\",\"vendor\":\"v\",\"version\":\"1\",\"vdu\":[{\"vnfc\":[{"
                        "\"connection_point\":[{\"floatingIp\":\"random\"}]}]}]}]}",
                        CAT_DEC_REQUIRED, -EINVAL,
                        "vnfd[0].vdu[0].vnfc[0].connection_point[0].virtual_link_reference",
                        "required");
    /* required by class: username only for OpenStack */
    assert_decode_fails(&cat_vim_class,
                        "{\"name\":\"v\",\"authUrl\":\"http://x\",\"type\":\"openstack\"}",
                        CAT_DEC_REQUIRED, -EINVAL, "username", "required");
    assert_decode_fails(&cat_vim_class, "{\"name\":\"v\",\"type\":\"pop\"}", CAT_DEC_REQUIRED,
                        -EINVAL, "authUrl", "required");
    const char *pop = "{\"name\":\"v\",\"authUrl\":\"http://x\",\"type\":\"pop\"}";
    struct cat_vim *vim = NULL;
    assert_int_equal(cat_vim_parse(pop, strlen(pop), CAT_DEC_REQUIRED, &vim, NULL), 0);
    cat_vim_free(vim);
}

static void test_caps(void **state)
{
    (void)state;
    /* list entries */
    char *list = repeat_join("{\"vm_image\":[", "\"i\"", CAT_LIST_MAX + 1, "]}");
    assert_decode_fails(&cat_vdu_class, list, 0, -EINVAL, "vm_image", "more than 1024 entries");
    free(list);
    list = repeat_join("{\"vm_image\":[", "\"i\"", CAT_LIST_MAX, "]}");
    struct cat_vdu *vdu = NULL;
    assert_int_equal(cat_vdu_parse(list, strlen(list), 0, &vdu, NULL), 0);
    assert_int_equal(vdu->vm_image.n, CAT_LIST_MAX);
    /* and a builder does not go past it either */
    assert_int_equal(cat_strv_push(&vdu->vm_image, "one more"), -E2BIG);
    assert_null(CAT_VEC_PUSH(&vdu->vm_image));
    assert_int_equal(vdu->vm_image.n, CAT_LIST_MAX);
    cat_vdu_free(vdu);
    free(list);

    /* map entries */
    struct strbuf sb = STRBUF_INIT;
    strbuf_puts(&sb, "{\"metadata\":{");
    for (int i = 0; i <= CAT_LIST_MAX; i++)
        strbuf_printf(&sb, "%s\"k%d\":\"v\"", i ? "," : "", i);
    strbuf_puts(&sb, "}}");
    char *map = strbuf_steal(&sb);
    assert_decode_fails(&cat_vdu_class, map, 0, -EINVAL, "metadata", "more than 1024 entries");
    free(map);

    /* string length */
    char *s = repeat_char("{\"name\":\"", 'x', CAT_STRING_MAX + 1, "\"}");
    assert_decode_fails(&cat_vdu_class, s, 0, -EINVAL, "name", "longer than 16384 bytes");
    free(s);

    /* map key length */
    char *key = repeat_char("{\"metadata\":{\"", 'k', CAT_KEY_MAX + 1, "\":\"v\"}}");
    struct pop_error e = POP_ERROR_INIT;
    void *obj = NULL;
    assert_int_equal(cat_parse_as(&cat_vdu_class, key, strlen(key), 0, &obj, &e), -EINVAL);
    assert_non_null(strstr(e.detail, "key longer than 256 bytes"));
    free(key);

    /* fields of one object (unknown ones included) */
    strbuf_puts(&sb, "{");
    for (int i = 0; i <= CAT_FIELDS_MAX; i++)
        strbuf_printf(&sb, "%s\"f%d\":1", i ? "," : "", i);
    strbuf_puts(&sb, "}");
    char *wide = strbuf_steal(&sb);
    assert_decode_fails(&cat_vdu_class, wide, 0, -EINVAL, "", "more than 256 fields");
    free(wide);

    /* byte[] */
    char *bytes = repeat_join("{\"payload\":[", "1", CAT_BYTES_MAX + 1, "]}");
    assert_decode_fails(&cat_script_class, bytes, 0, -EINVAL, "payload", "more than 1048576 bytes");
    free(bytes);
}

/* A string with a NUL can only come from a json_t built in code, never from text. */
static void test_nul_in_built_document(void **state)
{
    (void)state;
    json_t *doc = json_object();
    json_object_set_new(doc, "name", json_stringn("a\0b", 3));
    struct cat_vdu *vdu = NULL;
    struct pop_error e = POP_ERROR_INIT;
    assert_int_equal(cat_vdu_from_json(doc, 0, &vdu, &e), -EINVAL);
    assert_string_equal(e.field, "name");
    assert_non_null(strstr(e.detail, "contains a NUL character"));
    json_decref(doc);
}

/* Keys from a document go into the path with control characters replaced, so the message is
 * safe to log and to return. */
static void test_path_escapes_and_truncation(void **state)
{
    (void)state;
    assert_decode_fails(&cat_vdu_class, "{\"metadata\":{\"a\\nb\":1}}", 0, -EINVAL, "metadata.a?b",
                        "metadata.a?b: expected a string");
    /* a long path is cut and marked, still naming where it starts */
    char *doc = repeat_char("{\"vdu\":[{\"metadata\":{\"", 'k', 250, "\":1}}]}");
    struct pop_error e = POP_ERROR_INIT;
    void *obj = NULL;
    assert_int_equal(cat_parse_as(&cat_vnfd_class, doc, strlen(doc), 0, &obj, &e), -EINVAL);
    assert_int_equal(strncmp(e.detail, "vdu[0].metadata.kkk", 19), 0);
    assert_non_null(strstr(e.detail, "...: expected a string"));
    free(doc);

    /* cut on a character boundary: the field and detail stay valid UTF-8 for a JSON reply */
    for (size_t pad = 0; pad < 4; pad++) {
        struct strbuf sb = STRBUF_INIT;
        strbuf_puts(&sb, "{\"vdu\":[{\"metadata\":{\"");
        for (size_t i = 0; i < pad; i++)
            strbuf_puts(&sb, "a");
        for (int i = 0; i < 80; i++)
            strbuf_puts(&sb, "\xe2\x82\xac"); /* the euro sign, 3 bytes */
        strbuf_puts(&sb, "\":1}}]}");
        char *text = strbuf_steal(&sb);
        pop_error_clear(&e);
        assert_int_equal(cat_parse_as(&cat_vnfd_class, text, strlen(text), 0, &obj, &e), -EINVAL);
        json_t *field = json_string(e.field), *detail = json_string(e.detail);
        assert_non_null(field);
        assert_non_null(detail);
        assert_non_null(strstr(e.detail, "...: expected a string"));
        json_decref(field);
        json_decref(detail);
        free(text);
    }
}

/* Inside a larger document, errors name the path from its top. */
static void test_decode_at_prefixes_the_path(void **state)
{
    (void)state;
    json_t *msg = parse_text("{\"action\":\"MODIFY\",\"vnfr\":{\"vdu\":[{\"vnfc\":7}]},"
                             "\"vnfrd\":[]}");
    struct cat_vnfr *vnfr = NULL;
    struct pop_error e = POP_ERROR_INIT;
    assert_int_equal(cat_vnfr_from_json_at(json_object_get(msg, "vnfr"), "vnfr", 0, &vnfr, &e),
                     -EINVAL);
    assert_string_equal(e.field, "vnfr.vdu[0].vnfc");
    assert_string_equal(e.detail, "vnfr.vdu[0].vnfc: expected an array");
    struct cat_vnfr_dependency *dep = NULL;
    assert_int_equal(
        cat_vnfr_dependency_from_json_at(json_object_get(msg, "vnfrd"), "vnfrd", 0, &dep, &e),
        -EINVAL);
    assert_string_equal(e.detail, "vnfrd: expected a JSON object (VNFRecordDependency)");
    assert_int_equal(cat_vnfr_dependency_from_json_at(json_object_get(msg, "missing"),
                                                      "parameters[1]", 0, &dep, &e),
                     -EINVAL);
    assert_string_equal(e.field, "parameters[1]");
    assert_null(vnfr);
    assert_null(dep);
    json_decref(msg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_not_json),
        cmocka_unit_test(test_document_cap),
        cmocka_unit_test(test_wrong_types_name_the_path),
        cmocka_unit_test(test_required_fields),
        cmocka_unit_test(test_caps),
        cmocka_unit_test(test_nul_in_built_document),
        cmocka_unit_test(test_path_escapes_and_truncation),
        cmocka_unit_test(test_decode_at_prefixes_the_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
