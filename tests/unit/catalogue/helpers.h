/* Helpers shared by the lib/catalogue unit tests: reading the fixtures under tests/fixtures and
 * comparing JSON values with both sides printed on a mismatch. */
#pragma once

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalogue/catalogue.h"

/* The text of tests/fixtures/<rel> (malloc'ed, NUL-terminated); fails the test if unreadable. */
static inline char *read_fixture(const char *rel, size_t *ret_len)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", CAT_FIXTURES, rel);
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 8192;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
        size_t n = fread(buf + len, 1, cap - len - 1, f);
        len += n;
        if (n == 0)
            break;
    }
    fclose(f);
    buf[len] = '\0';
    if (ret_len)
        *ret_len = len;
    return buf;
}

/* cat_parse of a string; fails the test with the error if it does not parse. */
static inline json_t *parse_text(const char *text)
{
    json_t *doc = NULL;
    struct pop_error e = POP_ERROR_INIT;
    if (cat_parse(text, strlen(text), &doc, &e) < 0)
        fail_msg("cat_parse: %s", e.detail);
    return doc;
}

static inline void assert_json_equal_(const json_t *got, const json_t *want, const char *where)
{
    if (json_equal(got, want))
        return;
    char *g = json_dumps(got, JSON_SORT_KEYS | JSON_INDENT(1));
    char *w = json_dumps(want, JSON_SORT_KEYS | JSON_INDENT(1));
    print_error("%s: JSON differs\n--- got\n%s\n--- want\n%s\n", where, g ? g : "(null)",
                w ? w : "(null)");
    free(g);
    free(w);
    fail();
}
#define assert_json_equal(got, want) assert_json_equal_((got), (want), __func__)

/* Decodes text as class cls expecting failure; checks the errno, the field path and that the
 * detail contains `detail`. */
static inline void assert_decode_fails(const struct cat_class *cls, const char *text,
                                       unsigned flags, int r, const char *field, const char *detail)
{
    struct pop_error e = POP_ERROR_INIT;
    void *sentinel = (void *)&e, *obj = sentinel;
    int got = cat_parse_as(cls, text, strlen(text), flags, &obj, &e);
    if (got != r)
        fail_msg("expected %d, got %d (%s) for %s", r, got, e.detail, text);
    assert_ptr_equal(obj, sentinel); /* untouched on failure */
    assert_string_equal(e.field, field);
    if (!strstr(e.detail, detail))
        fail_msg("detail \"%s\" lacks \"%s\"", e.detail, detail);
}
