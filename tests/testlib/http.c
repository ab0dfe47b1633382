/* testlib: the in-process lib/http server fixture, calls over libcurl, and the problem+json
 * assertion (see testlib_http.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "testlib_http.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void testlib_server_start(struct testlib_server *s, const struct http_server_config *cfg)
{
    memset(s, 0, sizeof(*s));
    int r = http_server_start(cfg, &s->http);
    if (r < 0)
        fail_msg("http_server_start: %s", strerror(-r));
    s->port = http_server_port(s->http);
    snprintf(s->url, sizeof(s->url), "%s://127.0.0.1:%u", cfg->tls_cert_pem ? "https" : "http",
             s->port);
}

void testlib_server_stop(struct testlib_server *s)
{
    http_server_stop(s->http);
    s->http = NULL;
}

void *testlib_server_fixture(size_t size, const struct http_server_config *cfg)
{
    assert_true(size >= sizeof(struct testlib_server));
    struct testlib_server *s = calloc(1, size);
    if (!s)
        fail_msg("testlib_server_fixture: out of memory");
    struct http_server_config c = *cfg;
    if (!c.userdata)
        c.userdata = s;
    testlib_server_start(s, &c);
    return s;
}

int testlib_server_teardown(void **state)
{
    struct testlib_server *s = *state;
    testlib_server_stop(s);
    free(s);
    return 0;
}

struct call {
    struct testlib_response *resp;
    const struct testlib_http_opts *opts;
    size_t upload_left;
    bool hung_up;
};

static size_t on_header(char *data, size_t size, size_t n, void *cls)
{
    struct call *c = cls;
    if (strbuf_append(&c->resp->headers, data, size * n) < 0)
        return 0;
    return size * n;
}

static size_t on_body(char *data, size_t size, size_t n, void *cls)
{
    struct call *c = cls;
    if (strbuf_append(&c->resp->body, data, size * n) < 0)
        return 0;
    if (c->opts->on_body && !c->opts->on_body(c->resp, c->opts->ud)) {
        c->hung_up = true;
        return 0; /* curl hangs up mid-body */
    }
    return size * n;
}

static size_t on_upload(char *buf, size_t size, size_t n, void *cls)
{
    struct call *c = cls;
    size_t k = size * n < c->upload_left ? size * n : c->upload_left;
    memset(buf, 'x', k);
    c->upload_left -= k;
    return k;
}

int testlib_http_call(const char *base_url, const char *method, const char *path,
                      const struct testlib_http_opts *opts, struct testlib_response *ret)
{
    static const struct testlib_http_opts none = {0};
    if (!opts)
        opts = &none;
    memset(ret, 0, sizeof(*ret));
    struct call call = {.resp = ret, .opts = opts, .upload_left = opts->chunked_len};
    char url[1024];
    if (snprintf(url, sizeof(url), "%s%s", base_url, path) >= (int)sizeof(url))
        fail_msg("testlib_http_call: URL too long");

    CURL *c = curl_easy_init();
    if (!c)
        fail_msg("curl_easy_init failed");
    struct curl_slist *hl = NULL;
    for (size_t i = 0; opts->headers && opts->headers[i]; i++)
        hl = curl_slist_append(hl, opts->headers[i]);
    if (opts->chunked_len) {
        hl = curl_slist_append(hl, "Transfer-Encoding: chunked");
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_READFUNCTION, on_upload);
        curl_easy_setopt(c, CURLOPT_READDATA, &call);
    } else if (opts->body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, opts->body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(opts->body));
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (strcmp(method, "HEAD") == 0)
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, opts->timeout_s > 0 ? opts->timeout_s : 20L);
    /* Test certificates are throwaways; validity dates would tie the tests to the clock. */
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &call);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &call);
    CURLcode rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &ret->status);
    curl_slist_free_all(hl);
    curl_easy_cleanup(c);
    if (call.hung_up)
        return -ECONNABORTED;
    if (rc != CURLE_OK)
        fail_msg("curl %s %s: %s", method, url, curl_easy_strerror(rc));
    ret->json = json_loadb(strbuf_str(&ret->body), ret->body.len, 0, NULL);
    return 0;
}

void testlib_response_done(struct testlib_response *r)
{
    strbuf_done(&r->headers);
    strbuf_done(&r->body);
    json_decref(r->json);
    r->json = NULL;
}

bool testlib_response_header(const struct testlib_response *r, const char *name, char *out,
                             size_t size)
{
    bool found = false;
    const char *p = strbuf_str(&r->headers);
    size_t nlen = strlen(name);
    while (*p) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        /* A status line starts the next block (after a 100 Continue): only the last counts. */
        if (len >= 5 && strncmp(p, "HTTP/", 5) == 0)
            found = false;
        else if (len > nlen && strncasecmp(p, name, nlen) == 0 && p[nlen] == ':') {
            const char *v = p + nlen + 1;
            while (*v == ' ' || *v == '\t')
                v++;
            size_t vlen = (size_t)(p + len - v);
            while (vlen && (v[vlen - 1] == '\r' || v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
                vlen--;
            snprintf(out, size, "%.*s", (int)vlen, v);
            found = true;
        }
        p += len + (eol ? 1 : 0);
    }
    return found;
}

void testlib_assert_header(const struct testlib_response *r, const char *name, const char *want)
{
    char v[1024];
    if (!testlib_response_header(r, name, v, sizeof(v)))
        fail_msg("no %s header in: %s", name, strbuf_str(&r->headers));
    if (strcmp(v, want) != 0)
        fail_msg("%s is '%s', expected '%s'", name, v, want);
}

bool testlib_media_type_is(const char *ct, const char *want)
{
    if (!ct)
        return false;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    size_t len = strcspn(ct, ";");
    while (len && (ct[len - 1] == ' ' || ct[len - 1] == '\t'))
        len--;
    return len == strlen(want) && strncasecmp(ct, want, len) == 0;
}

static const char *problem_string(const struct testlib_response *r, const char *key)
{
    const char *v = json_string_value(json_object_get(r->json, key));
    if (!v)
        fail_msg("problem has no string '%s': %s", key, strbuf_str(&r->body));
    return v;
}

void testlib_assert_problem(const struct testlib_response *r, long status, const char *code,
                            const char *field, const char *detail_part)
{
    char ct[128], rid[128], type[160];
    if (r->status != status)
        fail_msg("expected HTTP %ld (%s), got %ld: %s", status, code, r->status,
                 strbuf_str(&r->body));
    if (!testlib_response_header(r, "Content-Type", ct, sizeof(ct)))
        ct[0] = '\0';
    if (!testlib_media_type_is(ct, "application/problem+json"))
        fail_msg("expected application/problem+json, got '%s'", ct);
    if (!json_is_object(r->json))
        fail_msg("problem body is not a JSON object: %s", strbuf_str(&r->body));
    assert_string_equal(problem_string(r, "code"), code);
    snprintf(type, sizeof(type), "https://pop-nfv.dev/problems/%s", code);
    assert_string_equal(problem_string(r, "type"), type);
    json_t *st = json_object_get(r->json, "status");
    if (!json_is_integer(st) || json_integer_value(st) != status)
        fail_msg("problem status differs from HTTP %ld: %s", status, strbuf_str(&r->body));
    assert_true(*problem_string(r, "title"));
    const char *detail = problem_string(r, "detail");
    if (detail_part && !strstr(detail, detail_part))
        fail_msg("detail '%s' does not contain '%s'", detail, detail_part);
    if (!testlib_response_header(r, "X-Request-Id", rid, sizeof(rid)))
        fail_msg("problem reply without X-Request-Id");
    assert_string_equal(problem_string(r, "request_id"), rid);
    json_t *f = json_object_get(r->json, "field");
    if (!field && f)
        fail_msg("problem names a field, expected none: %s", strbuf_str(&r->body));
    if (field && (!json_is_string(f) || strcmp(json_string_value(f), field) != 0))
        fail_msg("expected field '%s': %s", field, strbuf_str(&r->body));
}

void testlib_call_problem(const char *base_url, const char *method, const char *path,
                          const struct testlib_http_opts *opts, long status, const char *code,
                          const char *field, const char *detail_part)
{
    struct testlib_response r;
    testlib_http_call(base_url, method, path, opts, &r);
    testlib_assert_problem(&r, status, code, field, detail_part);
    testlib_response_done(&r);
}
