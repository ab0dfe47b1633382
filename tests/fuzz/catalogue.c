/* Fuzz target for lib/catalogue, the Open Baton JSON every AMQP service reads: the first byte
 * picks a class, the rest is parsed and decoded as it; whatever decodes must encode, and the
 * encoding must decode again to the same JSON (the VNFM and NFVO echo records back). */
#include "fuzz.h"

#include <errno.h>
#include <jansson.h>

#include "catalogue/catalogue.h"

static const struct cat_class *const classes[] = {
    &cat_nsd_class,
    &cat_vnfd_class,
    &cat_vnfr_class,
    &cat_nsr_class,
    &cat_vim_class,
    &cat_server_class,
    &cat_vnfr_dependency_class,
    &cat_vnf_package_class,
    &cat_network_class,
    &cat_image_class,
    &cat_vnfc_instance_class,
    &cat_quota_class,
};

static void round_trip(const struct cat_class *cls, const void *obj, unsigned flags)
{
    json_t *once = cat_encode(cls, obj, flags);
    FUZZ_ASSERT(once != NULL);
    void *again = NULL;
    struct pop_error e = POP_ERROR_INIT;
    /* The Java-class view drops members a Java peer would not keep, but stays decodable. */
    FUZZ_ASSERT(cat_decode(cls, once, 0, &again, &e) == 0);
    json_t *twice = cat_encode(cls, again, flags);
    FUZZ_ASSERT(twice != NULL && json_equal(once, twice));
    json_decref(twice);
    json_decref(once);
    cat_free(cls, again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const struct cat_class *cls = classes[data[0] % (sizeof(classes) / sizeof(classes[0]))];
    json_t *doc = NULL;
    struct pop_error e = POP_ERROR_INIT;
    if (cat_parse((const char *)data + 1, size - 1, &doc, &e) < 0) {
        FUZZ_ASSERT(e.r < 0 && e.detail[0]);
        return 0;
    }
    void *obj = NULL;
    pop_error_clear(&e);
    if (cat_decode(cls, doc, 0, &obj, &e) < 0) {
        /* A refusal names what is wrong, in text that fits a JSON string. */
        FUZZ_ASSERT(e.r < 0 && e.detail[0]);
        json_t *s = json_string(e.detail);
        FUZZ_ASSERT(s != NULL || e.r == -ENOMEM);
        json_decref(s);
        json_decref(doc);
        return 0;
    }
    json_decref(doc);
    round_trip(cls, obj, 0);
    round_trip(cls, obj, CAT_ENC_GSON_CLASS | CAT_ENC_BYTES_BASE64);
    void *copy = NULL;
    if (cat_copy(cls, obj, &copy) == 0) {
        json_t *a = cat_encode(cls, obj, 0), *b = cat_encode(cls, copy, 0);
        FUZZ_ASSERT(a && b && json_equal(a, b));
        json_decref(a);
        json_decref(b);
        cat_free(cls, copy);
    }
    cat_free(cls, obj);
    return 0;
}
