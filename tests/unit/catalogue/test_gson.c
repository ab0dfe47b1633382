/* lib/catalogue speaks Gson: null is absent, unknown fields survive a round trip (and are what
 * the Java view drops), Date text in each form a peer writes, the polymorphic classes chosen by
 * content, byte[] as numbers or base64, Java int ranges, doubles, enums by name, 3.2
 * references, and repeated keys. */
#include "helpers.h"

static json_t *encode_network(const char *text, unsigned flags, enum cat_network_class *cls)
{
    struct cat_network *n = NULL;
    struct pop_error e = POP_ERROR_INIT;
    if (cat_network_parse(text, strlen(text), 0, &n, &e) < 0)
        fail_msg("%s", e.detail);
    if (cls)
        *cls = cat_network_class_of(n);
    json_t *out = cat_network_to_json(n, flags);
    cat_network_free(n);
    return out;
}

static void check_encoding(json_t *got, const char *want_text)
{
    json_t *want = parse_text(want_text);
    assert_json_equal(got, want);
    json_decref(want);
    json_decref(got);
}

static void test_null_is_absent(void **state)
{
    (void)state;
    struct cat_network *n = NULL;
    const char *text = "{\"name\":\"private\",\"extId\":null,\"id\":null,\"hbVersion\":null,"
                       "\"metadata\":{\"a\":null,\"b\":\"1\"},\"subnets\":null,\"future\":null}";
    assert_int_equal(cat_network_parse(text, strlen(text), 0, &n, NULL), 0);
    assert_null(n->ext_id);
    assert_null(n->base.id);
    assert_false(n->base.hb_version.set);
    assert_int_equal(n->base.metadata.n, 1);
    assert_null(n->extra); /* a null unknown field is not even kept */
    /* `"subnets": null` reads as absent, so the class is BaseNetwork */
    assert_int_equal(cat_network_class_of(n), CAT_NETWORK_BASE);
    check_encoding(cat_network_to_json(n, 0), "{\"name\":\"private\",\"metadata\":{\"b\":\"1\"}}");
    cat_network_free(n);
}

/* A VNFM echoes a VNFR it was sent: ids and hbVersion at every level and fields it does not
 * know come back unchanged; the Java view (what an NFVO keeps) drops the unknown ones only. */
static void test_unknown_fields_survive_echo(void **state)
{
    (void)state;
    size_t len;
    char *text = read_fixture("catalogue/vnfr-sipp-server-allocated.json", &len);
    json_t *want = parse_text(text);
    struct cat_vnfr *vnfr = NULL;
    assert_int_equal(cat_vnfr_parse(text, len, 0, &vnfr, NULL), 0);
    assert_non_null(vnfr->extra);
    assert_non_null(json_object_get(vnfr->extra, "x-record-extension"));
    assert_non_null(json_object_get(vnfr->vdu.v[0].vnfc_instance.v[0].extra, "futureField"));

    json_t *got = cat_vnfr_to_json(vnfr, 0);
    assert_json_equal(got, want);
    json_decref(got);

    json_t *java = cat_vnfr_to_json(vnfr, CAT_ENC_GSON_CLASS);
    assert_null(json_object_get(java, "x-record-extension"));
    json_t *vdu = json_array_get(json_object_get(java, "vdu"), 0);
    assert_null(json_object_get(vdu, "x-vdu-extension"));
    json_t *vi = json_array_get(json_object_get(vdu, "vnfc_instance"), 0);
    assert_null(json_object_get(vi, "futureField"));
    assert_string_equal(json_string_value(json_object_get(vi, "id")),
                        "02678d22-6a4c-4a0c-a5a4-6f2b2e0b4c11");
    assert_int_equal(json_integer_value(json_object_get(vdu, "hbVersion")), 2);
    /* the same document once the unknowns are gone */
    json_object_del(want, "x-record-extension");
    json_t *wvdu = json_array_get(json_object_get(want, "vdu"), 0);
    json_object_del(wvdu, "x-vdu-extension");
    json_object_del(json_array_get(json_object_get(wvdu, "vnfc_instance"), 0), "futureField");
    assert_json_equal(java, want);
    json_decref(java);
    json_decref(want);
    cat_vnfr_free(vnfr);
    free(text);
}

/* Field by field: the struct has padding. */
static void assert_date_equal(const struct cat_date *got, const struct cat_date *want)
{
    if (got->year != want->year || got->month != want->month || got->day != want->day ||
        got->hour != want->hour || got->minute != want->minute || got->second != want->second ||
        got->set != want->set)
        fail_msg("got %d-%d-%d %d:%d:%d set=%d, want %d-%d-%d %d:%d:%d", got->year, got->month,
                 got->day, got->hour, got->minute, got->second, got->set, want->year, want->month,
                 want->day, want->hour, want->minute, want->second);
}

struct date_case {
    const char *text;
    struct cat_date want;
};

static void test_date_forms(void **state)
{
    (void)state;
    const struct date_case ok[] = {
        {"Mar 3, 2017 12:02:32 PM", {2017, 3, 3, 12, 2, 32, true}},
        {"Mar 3, 2017 12:02:32 AM", {2017, 3, 3, 0, 2, 32, true}},
        {"Dec 31, 1999 11:59:59 PM", {1999, 12, 31, 23, 59, 59, true}},
        /* go-openbaton: "Jan 2, 2006 3:4:5 PM", no zero padding */
        {"Jan 2, 2006 3:4:5 PM", {2006, 1, 2, 15, 4, 5, true}},
        {"Feb 29, 2024 1:00:00 AM", {2024, 2, 29, 1, 0, 0, true}},
        /* Java 9+: comma after the year, (narrow) no-break space before the marker */
        {"Mar 3, 2017, 12:02:32 PM", {2017, 3, 3, 12, 2, 32, true}},
        {"Mar 3, 2017, 12:02:32\xe2\x80\xafPM", {2017, 3, 3, 12, 2, 32, true}},
        {"Mar 3, 2017 12:02:32\xc2\xa0pm", {2017, 3, 3, 12, 2, 32, true}},
        {"march 3, 2017 1:02:03 pm", {2017, 3, 3, 13, 2, 3, true}},
        /* ISO 8601, which Gson also reads; converted to UTC */
        {"2017-03-03T12:02:32Z", {2017, 3, 3, 12, 2, 32, true}},
        {"2017-03-03T12:02:32.123+01:00", {2017, 3, 3, 11, 2, 32, true}},
        {"2017-03-01T00:30:00+0100", {2017, 2, 28, 23, 30, 0, true}},
        {"2017-03-03T12:02-05", {2017, 3, 3, 17, 2, 0, true}},
        {"2017-03-03", {2017, 3, 3, 0, 0, 0, true}},
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        struct cat_date d;
        if (cat_date_parse(ok[i].text, &d) < 0)
            fail_msg("refused \"%s\"", ok[i].text);
        assert_date_equal(&d, &ok[i].want);
    }
    const char *bad[] = {
        "",
        "Mar 3 2017 12:02:32 PM",    /* no comma */
        "Mar 3, 2017 13:02:32 PM",   /* 12-hour clock */
        "Mar 3, 2017 0:02:32 AM",    /* 12-hour clock starts at 12 */
        "Feb 29, 2023 1:00:00 AM",   /* not a leap year */
        "Apr 31, 2017 1:00:00 AM",   /* April has 30 days */
        "Mar 3, 2017 12:60:00 PM",   /* minutes */
        "Mar 3, 2017 12:02:32",      /* no marker */
        "Mar 3, 2017 12:02:32 PM x", /* trailing text */
        "Mrz 3, 2017 12:02:32 PM",   /* not an English month */
        "Mar 3, 17 12:02:32 PM",     /* two-digit year */
        "2017-03-03T12:02:32",       /* ISO time without a zone */
        "2017-02-30",                /* no such day */
        "2017-03-03T12:02:32+25:00", /* bad offset */
        "1488542552000",             /* epoch milliseconds are not a Gson date */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct cat_date d = {.year = 7};
        if (cat_date_parse(bad[i], &d) == 0)
            fail_msg("accepted \"%s\"", bad[i]);
        assert_int_equal(d.year, 7); /* untouched */
    }
}

static void test_date_format_and_epoch(void **state)
{
    (void)state;
    char buf[CAT_DATE_TEXT_MAX];
    struct cat_date d = {2017, 3, 3, 12, 2, 32, true};
    assert_int_equal(cat_date_format(&d, buf, sizeof(buf)), 23);
    assert_string_equal(buf, "Mar 3, 2017 12:02:32 PM");
    d = (struct cat_date){2006, 1, 2, 0, 4, 5, true};
    cat_date_format(&d, buf, sizeof(buf));
    assert_string_equal(buf, "Jan 2, 2006 12:04:05 AM"); /* midnight is 12 AM, padded mm:ss */
    assert_int_equal(cat_date_format(&d, buf, 10), -ENOSPC);
    d.month = 13;
    assert_int_equal(cat_date_format(&d, buf, sizeof(buf)), -EINVAL);

    int64_t t;
    d = (struct cat_date){2017, 3, 3, 12, 2, 32, true};
    assert_int_equal(cat_date_to_unix(&d, &t), 0);
    assert_int_equal(t, 1488542552);
    struct cat_date back;
    assert_int_equal(cat_date_from_unix(t, &back), 0);
    assert_date_equal(&back, &d);
    assert_int_equal(cat_date_from_unix(-1, &back), 0);
    assert_int_equal(back.year, 1969);
    assert_int_equal(back.second, 59);
    assert_int_equal(cat_date_from_unix(253402300800LL, &back), -EINVAL);

    /* In a document: read in go-openbaton's form, written in Gson's padded form (the
     * normalization docs/internals/catalogue.md names). */
    const char *text = "{\"extId\":\"a\",\"created\":\"Jan 2, 2006 3:4:5 PM\"}";
    struct cat_image *img = NULL;
    assert_int_equal(cat_image_parse(text, strlen(text), 0, &img, NULL), 0);
    check_encoding(cat_image_to_json(img, 0),
                   "{\"extId\":\"a\",\"created\":\"Jan 2, 2006 3:04:05 PM\"}");
    cat_image_free(img);
}

static void test_network_class_by_content(void **state)
{
    (void)state;
    enum cat_network_class cls;
    const char *docker = "{\"name\":\"n\",\"extId\":\"1\",\"subnet\":\"10.0.0.0/24\","
                         "\"driver\":\"bridge\",\"external\":true,"
                         "\"subnets\":[{\"cidr\":\"10.1.0.0/24\"}]}";
    /* subnet wins over subnets, as in Open Baton's deserializer */
    check_encoding(encode_network(docker, CAT_ENC_GSON_CLASS, &cls),
                   "{\"name\":\"n\",\"extId\":\"1\",\"subnet\":\"10.0.0.0/24\","
                   "\"driver\":\"bridge\"}");
    assert_int_equal(cls, CAT_NETWORK_DOCKER);
    /* not the Java view: everything read is written back */
    json_t *all = encode_network(docker, 0, NULL);
    assert_true(json_is_true(json_object_get(all, "external")));
    assert_int_equal(json_array_size(json_object_get(all, "subnets")), 1);
    json_decref(all);

    check_encoding(encode_network("{\"name\":\"n\",\"external\":false,\"scope\":\"local\","
                                  "\"subnets\":[]}",
                                  CAT_ENC_GSON_CLASS, &cls),
                   "{\"name\":\"n\",\"external\":false,\"subnets\":[]}");
    assert_int_equal(cls, CAT_NETWORK_OPENSTACK);
    /* §11.13: no subnet/subnets keeps only name and extId */
    check_encoding(encode_network("{\"name\":\"n\",\"extId\":\"e\",\"external\":true,"
                                  "\"gateway\":\"10.0.0.1\"}",
                                  CAT_ENC_GSON_CLASS, &cls),
                   "{\"name\":\"n\",\"extId\":\"e\"}");
    assert_int_equal(cls, CAT_NETWORK_BASE);
}

static void test_image_class_by_content(void **state)
{
    (void)state;
    struct {
        const char *text;
        enum cat_image_class cls;
        const char *java;
    } cases[] = {
        {"{\"extId\":\"x\",\"name\":\"n\",\"tags\":[\"a:1\"],\"diskFormat\":\"qcow2\"}",
         CAT_IMAGE_DOCKER, "{\"extId\":\"x\",\"tags\":[\"a:1\"]}"},
        {"{\"extId\":\"x\",\"name\":\"n\",\"diskFormat\":\"qcow2\",\"status\":\"ACTIVE\"}",
         CAT_IMAGE_NFV,
         "{\"extId\":\"x\",\"name\":\"n\",\"diskFormat\":\"qcow2\","
         "\"status\":\"ACTIVE\"}"},
        /* §11.13: an image without tags or diskFormat loses its name in a Java NFVO */
        {"{\"extId\":\"x\",\"name\":\"n\",\"minRam\":1099511627776}", CAT_IMAGE_BASE,
         "{\"extId\":\"x\"}"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct cat_image *img = NULL;
        assert_int_equal(cat_image_parse(cases[i].text, strlen(cases[i].text), 0, &img, NULL), 0);
        assert_int_equal(cat_image_class_of(img), cases[i].cls);
        check_encoding(cat_image_to_json(img, CAT_ENC_GSON_CLASS), cases[i].java);
        check_encoding(cat_image_to_json(img, 0), cases[i].text);
        cat_image_free(img);
    }
}

static void test_vim_class_by_type(void **state)
{
    (void)state;
    struct {
        const char *type;
        enum cat_vim_class cls;
    } cases[] = {
        {"openstack", CAT_VIM_OPENSTACK}, {"docker", CAT_VIM_DOCKER},  {"amazon", CAT_VIM_AMAZON},
        {"docker.swarm", CAT_VIM_DOCKER}, {"pop", CAT_VIM_GENERIC},    {"test", CAT_VIM_GENERIC},
        {"openstacks", CAT_VIM_GENERIC},  {"Docker", CAT_VIM_GENERIC}, {NULL, CAT_VIM_GENERIC},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct cat_vim v = {.type = (char *)cases[i].type};
        assert_int_equal(cat_vim_class_of(&v), cases[i].cls);
    }
    /* Each class keeps its own fields in the Java view. */
    const char *text = "{\"name\":\"v\",\"authUrl\":\"u\",\"type\":\"docker\",\"username\":\"a\","
                       "\"password\":\"b\",\"ca\":\"c\",\"keyPair\":\"k\",\"accessKey\":\"x\"}";
    struct cat_vim *vim = NULL;
    assert_int_equal(cat_vim_parse(text, strlen(text), 0, &vim, NULL), 0);
    check_encoding(cat_vim_to_json(vim, CAT_ENC_GSON_CLASS),
                   "{\"name\":\"v\",\"authUrl\":\"u\",\"type\":\"docker\",\"ca\":\"c\"}");
    cat_set_str(&vim->type, "amazon");
    check_encoding(cat_vim_to_json(vim, CAT_ENC_GSON_CLASS),
                   "{\"name\":\"v\",\"authUrl\":\"u\",\"type\":\"amazon\",\"keyPair\":\"k\","
                   "\"accessKey\":\"x\"}");
    cat_set_str(&vim->type, "openstack");
    check_encoding(cat_vim_to_json(vim, CAT_ENC_GSON_CLASS),
                   "{\"name\":\"v\",\"authUrl\":\"u\",\"type\":\"openstack\",\"username\":\"a\","
                   "\"password\":\"b\",\"keyPair\":\"k\"}");
    cat_vim_free(vim);
}

static void test_bytes_both_forms(void **state)
{
    (void)state;
    size_t len;
    char *text = read_fixture("catalogue/vnf-package.json", &len);
    json_t *want = parse_text(text);
    struct cat_vnf_package *pkg = NULL;
    assert_int_equal(cat_vnf_package_parse(text, len, 0, &pkg, NULL), 0);
    struct cat_bytes *p = &pkg->scripts.v[0].payload;
    assert_int_equal(p->len, 13);
    assert_memory_equal(p->data, "#!/bin/sh\n\xc3\xa9\n", 13); /* -61, -87 are the bytes of é */
    json_t *got = cat_vnf_package_to_json(pkg, 0);
    assert_json_equal(got, want);
    json_decref(got);
    /* the plugin RPC form */
    got = cat_vnf_package_to_json(pkg, CAT_ENC_BYTES_BASE64);
    json_t *payload =
        json_object_get(json_array_get(json_object_get(got, "scripts"), 0), "payload");
    assert_string_equal(json_string_value(payload), "IyEvYmluL3NoCsOpCg==");
    json_decref(got);
    json_decref(want);
    cat_vnf_package_free(pkg);
    free(text);

    struct {
        const char *payload;
        const char *bytes;
        size_t n;
    } ok[] = {
        {"\"aGVsbG8=\"", "hello", 5},
        {"\"aGVsbG8\"", "hello", 5}, /* padding optional */
        {"\"\"", "", 0},
        {"[]", "", 0},
        {"[1,-1,127,-128,255]", "\x01\xff\x7f\x80\xff", 5}, /* Gson takes 128..255 too */
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        char doc[128];
        snprintf(doc, sizeof(doc), "{\"name\":\"s\",\"payload\":%s}", ok[i].payload);
        struct cat_script *s = NULL;
        if (cat_script_parse(doc, strlen(doc), 0, &s, NULL) < 0)
            fail_msg("refused %s", doc);
        assert_true(s->payload.set);
        assert_int_equal(s->payload.len, ok[i].n);
        if (ok[i].n)
            assert_memory_equal(s->payload.data, ok[i].bytes, ok[i].n);
        cat_script_free(s);
    }
    /* written back as signed bytes, as Java has them */
    const char *doc = "{\"payload\":[255,128]}";
    struct cat_script *s = NULL;
    assert_int_equal(cat_script_parse(doc, strlen(doc), 0, &s, NULL), 0);
    check_encoding(cat_script_to_json(s, 0), "{\"payload\":[-1,-128]}");
    check_encoding(cat_script_to_json(s, CAT_ENC_BYTES_BASE64), "{\"payload\":\"/4A=\"}");
    cat_script_free(s);
}

static void test_numbers(void **state)
{
    (void)state;
    /* Java int fields are 32-bit; long fields are not */
    assert_decode_fails(&cat_vdu_class, "{\"scale_in_out\":2147483648}", 0, -EINVAL, "scale_in_out",
                        "out of range for a Java int");
    assert_decode_fails(&cat_vdu_class, "{\"hbVersion\":-2147483649}", 0, -EINVAL, "hbVersion",
                        "out of range for a Java int");
    assert_decode_fails(&cat_vdu_class, "{\"scale_in_out\":2.0}", 0, -EINVAL, "scale_in_out",
                        "expected an integer");
    assert_decode_fails(&cat_vdu_class, "{\"scale_in_out\":\"2\"}", 0, -EINVAL, "scale_in_out",
                        "expected an integer");
    struct cat_vdu *vdu = NULL;
    const char *t = "{\"scale_in_out\":-2147483648,\"hbVersion\":2147483647}";
    assert_int_equal(cat_vdu_parse(t, strlen(t), 0, &vdu, NULL), 0);
    assert_int_equal(vdu->scale_in_out.v, INT32_MIN);
    cat_vdu_free(vdu);

    /* doubles keep how they were written */
    const char *alarm = "{\"threshold\":40,\"weight\":0.5}";
    struct cat_scaling_alarm *a = NULL;
    assert_int_equal(cat_scaling_alarm_parse(alarm, strlen(alarm), 0, &a, NULL), 0);
    assert_true(a->threshold.integral);
    assert_false(a->weight.integral);
    check_encoding(cat_scaling_alarm_to_json(a, 0), alarm);
    a->threshold = (struct cat_num){.v = 12.25, .set = true};
    json_t *out = cat_scaling_alarm_to_json(a, 0);
    assert_true(json_is_real(json_object_get(out, "threshold")));
    json_decref(out);
    cat_scaling_alarm_free(a);
}

static void test_enums_by_name(void **state)
{
    (void)state;
    const char *t = "{\"event\":\"SCALE_OUT\",\"lifecycle_events\":[\"a.sh\"]}";
    struct cat_lifecycle_event *ev = NULL;
    assert_int_equal(cat_lifecycle_event_parse(t, strlen(t), 0, &ev, NULL), 0);
    assert_int_equal(ev->event, CAT_EVENT_SCALE_OUT);
    check_encoding(cat_lifecycle_event_to_json(ev, 0), t);
    cat_lifecycle_event_free(ev);
    /* names are case-sensitive, as Java's */
    assert_decode_fails(&cat_lifecycle_event_class, "{\"event\":\"scale_out\"}", 0, -EINVAL,
                        "event", "unknown value, expected one of GRANTED, ALLOCATE");
    assert_decode_fails(
        &cat_vnfr_class, "{\"status\":\"RUNNING\"}", 0, -EINVAL, "status",
        "ERROR, NULL, INITIALIZED, INACTIVE, SCALING, ACTIVE, TERMINATED, RESUMING");
    assert_string_equal(cat_status_name(CAT_STATUS_NULL), "NULL");
    assert_null(cat_status_name(CAT_STATUS_NONE));
    assert_null(cat_event_name((enum cat_event)99));
}

static void test_dependency_reference_forms(void **state)
{
    (void)state;
    const char *t = "{\"source\":{\"name\":\"server\",\"id\":\"x\",\"vendor\":\"v\"},"
                    "\"target\":\"client\",\"parameters\":[\"hostname\"]}";
    struct cat_vnf_dependency *d = NULL;
    assert_int_equal(cat_vnf_dependency_parse(t, strlen(t), CAT_DEC_REQUIRED, &d, NULL), 0);
    assert_string_equal(d->source, "server");
    check_encoding(cat_vnf_dependency_to_json(d, 0),
                   "{\"source\":\"server\",\"target\":\"client\",\"parameters\":[\"hostname\"]}");
    cat_vnf_dependency_free(d);
    assert_decode_fails(&cat_vnf_dependency_class, "{\"source\":{\"id\":\"x\"}}", 0, -EINVAL,
                        "source", "expected a name or an object with a name");
    assert_decode_fails(&cat_vnf_dependency_class, "{\"source\":{\"name\":3}}", 0, -EINVAL,
                        "source", "expected a name or an object with a name");
    assert_decode_fails(&cat_vnf_dependency_class, "{\"target\":[\"a\"]}", 0, -EINVAL, "target",
                        "expected a name");
    assert_decode_fails(&cat_vnf_dependency_class, "{\"source\":\"a\"}", CAT_DEC_REQUIRED, -EINVAL,
                        "target", "target: required");
}

/* Hand-written descriptors repeat keys (the requires-provides fixture has "type" twice). Gson
 * keeps the last; an equal repeat is harmless and accepted, a different one is ambiguous. */
static void test_repeated_keys(void **state)
{
    (void)state;
    json_t *doc = parse_text("{\"a\":{\"x\":[1,{\"y\":2}]},\"b\":1,\"a\":{\"x\":[1,{\"y\":2}]}}");
    assert_int_equal(json_object_size(doc), 2);
    json_decref(doc);
    doc = parse_text("{\"k\\u0061\":1,\"ka\":1}"); /* the same key, spelt differently */
    json_decref(doc);

    struct {
        const char *text;
        const char *field;
    } bad[] = {
        {"{\"type\":\"server\",\"name\":\"x\",\"type\":\"client\"}", "type"},
        {"{\"vnfd\":[{\"n\":1},{\"type\":\"a\",\"type\":\"b\"}]}", "vnfd[1].type"},
        {"{\"m\":{\"k\":{\"v\":1}},\"m\":{\"k\":{\"v\":2}}}", "m"},
        {"{\"k\\u0061\":1,\"ka\":2}", "ka"},
        {"{\"a\":{\"b\":1,\"b\":true}}", "a.b"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        json_t *out = NULL;
        struct pop_error e = POP_ERROR_INIT;
        assert_int_equal(cat_parse(bad[i].text, strlen(bad[i].text), &out, &e), -EINVAL);
        assert_null(out);
        assert_int_equal(e.api, API_BAD_JSON);
        assert_string_equal(e.field, bad[i].field);
        assert_non_null(strstr(e.detail, "repeated with a different value"));
    }
    /* a repeat may not hide depth beyond the cap */
    char deep[64];
    int n = snprintf(deep, sizeof(deep), "{\"a\":1,\"a\":");
    for (int i = 0; i < 20; i++)
        deep[n++] = '[';
    for (int i = 0; i < 20; i++)
        deep[n++] = ']';
    deep[n++] = '}';
    deep[n] = '\0';
    json_t *out = NULL;
    struct pop_error e = POP_ERROR_INIT;
    assert_int_equal(cat_parse(deep, strlen(deep), &out, &e), -EINVAL);
    assert_non_null(strstr(e.detail, "nested deeper than 16 levels"));
    /* and a top level that is not an object is still refused */
    assert_int_equal(cat_parse("[{\"a\":1,\"a\":1}]", 15, &out, &e), -EINVAL);
    assert_string_equal(e.detail, "expected a JSON object");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_null_is_absent),
        cmocka_unit_test(test_unknown_fields_survive_echo),
        cmocka_unit_test(test_date_forms),
        cmocka_unit_test(test_date_format_and_epoch),
        cmocka_unit_test(test_network_class_by_content),
        cmocka_unit_test(test_image_class_by_content),
        cmocka_unit_test(test_vim_class_by_type),
        cmocka_unit_test(test_bytes_both_forms),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_enums_by_name),
        cmocka_unit_test(test_dependency_reference_forms),
        cmocka_unit_test(test_repeated_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
