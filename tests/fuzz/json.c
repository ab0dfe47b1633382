/* Fuzz target for lib/json: a request body through jv_parse and jv_validate against a schema
 * shaped like popd-rest's bodies (every field type, nested objects, maps with key checks,
 * nullable and bounded fields), plus properties every caller relies on. */
#include "fuzz.h"

#include "json/jv.h"

#include <errno.h>
#include <stdbool.h>

static const char *check_ipv4_or_empty(const char *s)
{
    return *s ? jv_check_ipv4(s) : NULL;
}

static const struct jv_field ipv4_fields[] = {
    {.name = "address", .type = JV_STRING, .max_len = 15, .check = check_ipv4_or_empty},
};
static const struct jv_schema ipv4_schema = {ipv4_fields, 1, false};
static const struct jv_field endpoint_fields[] = {
    {.name = "ipv4", .type = JV_OBJECT, .items = &ipv4_schema},
};
static const struct jv_schema endpoint_schema = {endpoint_fields, 1, false};
static const struct jv_field limits_fields[] = {
    {.name = "vcpus", .type = JV_INT, .min = 0, .max = 1024},
    {.name = "ram_mb", .type = JV_INT, .nullable = true, .min = 1, .max = 1 << 24},
};
static const struct jv_schema limits_schema = {limits_fields, 2, true};
static const struct jv_field body_fields[] = {
    {.name = "name", .type = JV_STRING, .required = true, .max_len = 63, .check = jv_check_name},
    {.name = "image_id", .type = JV_STRING, .required = true, .min_len = 1, .max_len = 255},
    {.name = "flavour_id", .type = JV_STRING, .max_len = 63},
    {.name = "endpoints",
     .type = JV_MAP,
     .max_len = 8,
     .check = jv_check_name,
     .items = &endpoint_schema},
    {.name = "entries",
     .type = JV_MAP,
     .max_len = 64,
     .check = jv_check_env_key,
     .item_type = JV_STRING,
     .item_max_len = 4096},
    {.name = "cidr", .type = JV_STRING, .nullable = true, .check = jv_check_cidr4},
    {.name = "internal", .type = JV_BOOL},
    {.name = "count", .type = JV_INT, .min = 1, .max = 100},
    {.name = "tags",
     .type = JV_ARRAY,
     .max_len = 16,
     .item_type = JV_STRING,
     .item_max_len = 32,
     .item_check = jv_check_name},
    {.name = "ports", .type = JV_ARRAY, .min_len = 1, .item_type = JV_INT},
    {.name = "limits", .type = JV_OBJECT, .items = &limits_schema},
    {.name = "annotations", .type = JV_ANY},
};
static const struct jv_schema body_schema = {body_fields,
                                             sizeof(body_fields) / sizeof(body_fields[0]), false};

static void check_utf8(const char *s)
{
    json_t *j = json_string(s);
    FUZZ_ASSERT(j != NULL);
    json_decref(j);
}

/* An error must be printable and fit into a problem+json reply: NUL-terminated in its buffers,
 * a non-empty message, of the kind the step that failed reports, and as a pop_error a field and
 * a detail that are valid UTF-8 (jansson refuses anything else as a string). */
static void check_error(const struct jv_error *err, bool parsing)
{
    FUZZ_ASSERT(memchr(err->path, '\0', sizeof(err->path)) != NULL);
    FUZZ_ASSERT(memchr(err->message, '\0', sizeof(err->message)) != NULL);
    FUZZ_ASSERT(err->message[0] != '\0');
    if (parsing)
        FUZZ_ASSERT(err->kind == JV_ERR_SYNTAX);
    else
        FUZZ_ASSERT(err->kind == JV_ERR_UNKNOWN_FIELD || err->kind == JV_ERR_INVALID);
    char text[600];
    jv_error_format(err, text, sizeof(text));
    check_utf8(err->path);

    struct pop_error e = POP_ERROR_INIT;
    FUZZ_ASSERT(jv_error_to_pop(err, &e) == -EINVAL && e.r == -EINVAL);
    FUZZ_ASSERT(e.api == (err->kind == JV_ERR_SYNTAX          ? API_BAD_JSON
                          : err->kind == JV_ERR_UNKNOWN_FIELD ? API_UNKNOWN_FIELD
                                                              : API_INVALID_FIELD));
    FUZZ_ASSERT(e.detail[0] != '\0');
    check_utf8(e.field);
    check_utf8(e.detail);
}

/* What validation promised, read back with the borrowed readers. */
static void check_valid(const json_t *doc)
{
    const char *name = jv_get_string(doc, "name");
    FUZZ_ASSERT(name && jv_check_name(name) == NULL);
    FUZZ_ASSERT(jv_get_string(doc, "image_id") && *jv_get_string(doc, "image_id"));
    int64_t count = jv_get_int(doc, "count", 1);
    FUZZ_ASSERT(count >= 1 && count <= 100);
    const char *cidr = jv_get_string(doc, "cidr");
    FUZZ_ASSERT(!cidr || jv_check_cidr4(cidr) == NULL);
    json_t *eps = jv_get_object(doc, "endpoints");
    FUZZ_ASSERT(!eps || json_object_size(eps) <= 8);
    const char *key;
    json_t *ep;
    json_object_foreach (eps, key, ep) {
        FUZZ_ASSERT(jv_check_name(key) == NULL);
        json_t *ipv4 = jv_get_object(ep, "ipv4");
        const char *addr = ipv4 ? jv_get_string(ipv4, "address") : NULL;
        FUZZ_ASSERT(!addr || !*addr || jv_check_ipv4(addr) == NULL);
    }
    jv_get_bool(doc, "internal", false);
    FUZZ_ASSERT(!jv_get_array(doc, "ports") || json_array_size(jv_get_array(doc, "ports")) > 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *doc = NULL;
    struct jv_error err;
    int r = jv_parse((const char *)data, size, &doc, &err);
    FUZZ_ASSERT(r == 0 || r == -EINVAL);
    if (r < 0) {
        FUZZ_ASSERT(doc == NULL);
        check_error(&err, true);
        return 0;
    }
    FUZZ_ASSERT(json_is_object(doc));

    /* What we accepted survives a round trip: handlers store and echo bodies. */
    char *text = jv_dump(doc);
    FUZZ_ASSERT(text != NULL);
    json_t *again = NULL;
    struct jv_error err2;
    FUZZ_ASSERT(jv_parse(text, strlen(text), &again, &err2) == 0);
    FUZZ_ASSERT(json_equal(doc, again));
    json_decref(again);
    free(text);

    r = jv_validate(doc, &body_schema, &err);
    FUZZ_ASSERT(r == 0 || r == -EINVAL);
    if (r < 0)
        check_error(&err, false);
    else
        check_valid(doc);
    json_decref(doc);
    return 0;
}
