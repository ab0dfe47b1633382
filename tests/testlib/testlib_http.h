/* HTTP fixtures for the unit tests: an in-process lib/http server on a loopback port, a
 * client call over libcurl keeping status, headers, body and the body parsed as JSON, and
 * the assertion every problem+json reply of lib/http must pass. Include after <cmocka.h>. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/strbuf.h"
#include "http/server.h"

/* ---- server fixture ---- */

struct testlib_server {
    struct http_server *http; /* NULL once stopped */
    uint16_t port;
    char url[64]; /* "http://127.0.0.1:<port>" ("https://" when cfg has a certificate) */
};

/* Starts a lib/http server with cfg; port 0 (the default) binds an ephemeral port on
 * 127.0.0.1. Fails the test when the server cannot start. */
void testlib_server_start(struct testlib_server *s, const struct http_server_config *cfg);

/* Stops the server (waiting for requests in flight, see http_server_stop). Idempotent. */
void testlib_server_stop(struct testlib_server *s);

/* For a cmocka setup: allocates a zeroed fixture of size bytes whose first member is a
 * struct testlib_server, starts that server with cfg (a NULL cfg->userdata becomes the
 * fixture, so handlers see it) and returns the fixture. */
void *testlib_server_fixture(size_t size, const struct http_server_config *cfg);

/* The matching cmocka teardown: stops the fixture's server and frees the fixture. */
int testlib_server_teardown(void **state);

/* ---- client calls ---- */

struct testlib_response {
    long status;
    struct strbuf headers; /* the raw header block(s) as received, CRLFs included */
    struct strbuf body;
    json_t *json; /* the body parsed when it is JSON (owned), NULL otherwise */
};

struct testlib_http_opts {
    const char *const *headers; /* "Name: value" lines, NULL-terminated; NULL = none */
    const char *body;           /* sent as given with its strlen; NULL = no body */
    size_t chunked_len;         /* > 0: upload that many 'x' bytes chunked, instead of body */
    long timeout_s;             /* the whole call; 0 = 20 s */
    /* Called after each piece of the body was appended to resp->body; returning false hangs
     * up at once (the call then returns -ECONNABORTED). */
    bool (*on_body)(const struct testlib_response *resp, void *ud);
    void *ud;
};

/* Sends method base_url+path (the path as is: no normalisation, no escaping) with opts
 * (NULL = none) and fills *ret, which the caller releases with testlib_response_done. TLS
 * certificates are not verified (test servers use throwaway ones). Returns 0 or
 * -ECONNABORTED (on_body hung up); any other transport failure fails the test. */
int testlib_http_call(const char *base_url, const char *method, const char *path,
                      const struct testlib_http_opts *opts, struct testlib_response *ret);

void testlib_response_done(struct testlib_response *r);

/* The value of header name in the last header block (its last occurrence, case-insensitive
 * name, surrounding white space trimmed) copied into out; false when absent. */
bool testlib_response_header(const struct testlib_response *r, const char *name, char *out,
                             size_t size);

/* The reply has header name (testlib_response_header) with exactly the value want. */
void testlib_assert_header(const struct testlib_response *r, const char *name, const char *want);

/* Whether the Content-Type value ct is the media type want: type and subtype compared
 * exactly but case-insensitively (RFC 9110 §8.3.1), parameters ignored. The same rule as
 * expect_problem in tests/integration/lib/service.sh. */
bool testlib_media_type_is(const char *ct, const char *want);

/* The reply is lib/http's problem+json for status and code: media type
 * application/problem+json, an X-Request-Id header equal to the body's request_id, type
 * https://pop-nfv.dev/problems/<code>, code, the same status in the body, a title and a
 * detail. field NULL: the problem names no field; else its field is exactly that.
 * detail_part non-NULL: the detail contains it. */
void testlib_assert_problem(const struct testlib_response *r, long status, const char *code,
                            const char *field, const char *detail_part);

/* testlib_http_call, then testlib_assert_problem on its reply, which is released. */
void testlib_call_problem(const char *base_url, const char *method, const char *path,
                          const struct testlib_http_opts *opts, long status, const char *code,
                          const char *field, const char *detail_part);
