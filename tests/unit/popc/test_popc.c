/* lib/popc against a real lib/http server in this process, playing popd-rest's login and a few
 * resources: one lazy login for many calls, the token reused until near its expiry, exactly
 * one renewal and retry on 401, problem replies kept word for word, the token hooks, the
 * call's deadline, an unreachable server, and several threads sharing one client. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/timeutil.h"
#include "http/request.h"
#include "http/server.h"
#include "popc/popc.h"
#include "testlib.h"
#include "testlib_http.h"

#define USER "alice"
#define PASSWORD "s3cret"
#define PROBLEM_DETAIL "address 10.0.0.7 is taken by \"db-1\"\nsecond line, caf\xc3\xa9"

/* The fake Pop's state. Tokens are "tok-<n>"; a key change refuses every n below min_valid. */
static struct {
    pthread_mutex_t lock;
    int next;        /* n of the next token */
    int min_valid;   /* tokens below are refused (the server's key changed) */
    bool refuse_all; /* every token is refused */
    int revoked[16]; /* tokens logged out */
    size_t n_revoked;
    int64_t ttl_s; /* lifetime of the tokens issued */
    int login_delay_ms;
    int slow_ms;
    int logins;      /* logins granted */
    int login_tries; /* POST /v1/login, granted or not */
    int hits;        /* authenticated requests answered */
    int refusals;    /* 401s to a bearer token */
    int logouts;
} fk = {.lock = PTHREAD_MUTEX_INITIALIZER};

static int fake_issue(int64_t *ret_exp)
{
    pthread_mutex_lock(&fk.lock);
    int n = fk.next++;
    fk.logins++;
    *ret_exp = time_now_s() + fk.ttl_s;
    pthread_mutex_unlock(&fk.lock);
    return n;
}

/* Which token the request carries if the fake accepts it, else -1 (and a 401 is sent). */
static int fake_auth(struct http_request *req)
{
    const char *h = http_request_header(req, "Authorization");
    int n = -1;
    if (!h || sscanf(h, "Bearer tok-%d", &n) != 1)
        n = -1;
    pthread_mutex_lock(&fk.lock);
    bool ok = n >= fk.min_valid && !fk.refuse_all;
    for (size_t i = 0; ok && i < fk.n_revoked; i++)
        ok = fk.revoked[i] != n;
    if (ok)
        fk.hits++;
    else
        fk.refusals++;
    pthread_mutex_unlock(&fk.lock);
    if (!ok) {
        http_reply_error(req, API_UNAUTHORIZED, "the token is not valid");
        return -1;
    }
    return n;
}

static void h_login(struct http_request *req, void *ud)
{
    (void)ud;
    size_t len = 0;
    const char *text = http_request_body(req, &len);
    json_t *body = json_loadb(text, len, 0, NULL);
    const char *u = json_string_value(json_object_get(body, "username"));
    const char *p = json_string_value(json_object_get(body, "password"));
    bool ok = u && p && strcmp(u, USER) == 0 && strcmp(p, PASSWORD) == 0;
    json_decref(body);
    pthread_mutex_lock(&fk.lock);
    fk.login_tries++;
    int delay = fk.login_delay_ms;
    pthread_mutex_unlock(&fk.lock);
    time_sleep_ms(delay);
    if (!ok) {
        http_reply_error(req, API_UNAUTHORIZED, "invalid username or password");
        return;
    }
    int64_t exp = 0;
    int n = fake_issue(&exp);
    char tok[32];
    snprintf(tok, sizeof(tok), "tok-%d", n);
    http_reply_json(req, 200, json_pack("{s:s, s:I}", "value", tok, "expires_at", (json_int_t)exp));
}

static void h_logout(struct http_request *req, void *ud)
{
    (void)ud;
    int n = fake_auth(req);
    if (n < 0)
        return;
    pthread_mutex_lock(&fk.lock);
    fk.logouts++;
    if (fk.n_revoked < 16)
        fk.revoked[fk.n_revoked++] = n;
    pthread_mutex_unlock(&fk.lock);
    http_reply_empty(req, 204);
}

static void h_things(struct http_request *req, void *ud)
{
    (void)ud;
    if (fake_auth(req) < 0)
        return;
    pthread_mutex_lock(&fk.lock);
    int hits = fk.hits;
    pthread_mutex_unlock(&fk.lock);
    http_reply_json(req, 200, json_pack("{s:i}", "hits", hits));
}

static void h_echo(struct http_request *req, void *ud)
{
    (void)ud;
    if (fake_auth(req) < 0)
        return;
    size_t len = 0;
    const char *text = http_request_body(req, &len);
    http_reply_text(req, 201, "application/json", text);
}

static void h_empty(struct http_request *req, void *ud)
{
    (void)ud;
    if (fake_auth(req) < 0)
        return;
    http_reply_empty(req, 204);
}

/* As popd-rest answers a conflict: lib/http's problem from a pop_error. */
static void h_problem(struct http_request *req, void *ud)
{
    (void)ud;
    if (fake_auth(req) < 0)
        return;
    struct pop_error e = POP_ERROR_INIT;
    pop_error_set(&e, -EBUSY, API_STATE_CONFLICT, "endpoints.private.ipv4", "%s", PROBLEM_DETAIL);
    http_reply_pop_error(req, &e);
}

/* A problem from some other service: a code we do not know, a title and no detail. */
static void h_odd(struct http_request *req, void *ud)
{
    (void)ud;
    if (fake_auth(req) < 0)
        return;
    http_reply_text(req, 418, "application/problem+json",
                    "{\"type\":\"about:blank\",\"title\":\"I am a teapot\",\"status\":418,"
                    "\"code\":\"teapot\",\"field\":\"brew\"}");
}

/* Not a problem at all: a proxy's HTML page. */
static void h_html(struct http_request *req, void *ud)
{
    (void)ud;
    http_reply_text(req, 503, "text/html", "<html><body>down for maintenance</body></html>");
}

static void h_notjson(struct http_request *req, void *ud)
{
    (void)ud;
    if (fake_auth(req) < 0)
        return;
    http_reply_text(req, 200, NULL, "hello");
}

static void h_slow(struct http_request *req, void *ud)
{
    (void)ud;
    if (fake_auth(req) < 0)
        return;
    pthread_mutex_lock(&fk.lock);
    int delay = fk.slow_ms;
    pthread_mutex_unlock(&fk.lock);
    time_sleep_ms(delay);
    http_reply_json(req, 200, json_pack("{s:b}", "slow", 1));
}

static const struct http_route routes[] = {
    {"POST", "/v1/login", h_login, HTTP_ROUTE_PUBLIC | HTTP_ROUTE_JSON},
    {"POST", "/v1/logout", h_logout, HTTP_ROUTE_PUBLIC},
    {"GET", "/v1/things", h_things, HTTP_ROUTE_PUBLIC},
    {"POST", "/v1/echo", h_echo, HTTP_ROUTE_PUBLIC | HTTP_ROUTE_JSON},
    {"DELETE", "/v1/empty", h_empty, HTTP_ROUTE_PUBLIC},
    {"GET", "/v1/problem", h_problem, HTTP_ROUTE_PUBLIC},
    {"GET", "/v1/odd", h_odd, HTTP_ROUTE_PUBLIC},
    {"GET", "/v1/html", h_html, HTTP_ROUTE_PUBLIC},
    {"GET", "/v1/notjson", h_notjson, HTTP_ROUTE_PUBLIC},
    {"GET", "/v1/slow", h_slow, HTTP_ROUTE_PUBLIC},
};

struct fixture {
    struct testlib_server srv; /* first: see testlib_server_fixture */
};

static int setup(void **state)
{
    pthread_mutex_lock(&fk.lock);
    fk.next = 1;
    fk.min_valid = 0;
    fk.refuse_all = false;
    fk.n_revoked = 0;
    fk.ttl_s = 3600;
    fk.login_delay_ms = fk.slow_ms = 0;
    fk.logins = fk.login_tries = fk.hits = fk.refusals = fk.logouts = 0;
    pthread_mutex_unlock(&fk.lock);
    struct http_server_config cfg = {.routes = routes,
                                     .n_routes = sizeof(routes) / sizeof(routes[0])};
    *state = testlib_server_fixture(sizeof(struct fixture), &cfg);
    return 0;
}

static int fk_get(const int *counter)
{
    pthread_mutex_lock(&fk.lock);
    int v = *counter;
    pthread_mutex_unlock(&fk.lock);
    return v;
}

static struct popc *client(const struct fixture *f, const struct popc_config *extra)
{
    struct popc_config cfg = extra ? *extra : (struct popc_config){0};
    cfg.url = cfg.url ? cfg.url : f->srv.url;
    if (!cfg.user) {
        cfg.user = USER;
        cfg.password = PASSWORD;
    }
    struct popc *c = NULL;
    struct pop_error err = POP_ERROR_INIT;
    int r = popc_new(&cfg, &c, &err);
    if (r < 0)
        fail_msg("popc_new: %d %s: %s", r, err.field, err.detail);
    return c;
}

/* GET /v1/things must succeed and say how many authenticated requests the server answered. */
static void get_things(struct popc *c)
{
    json_t *doc = NULL;
    struct popc_error e = POPC_ERROR_INIT;
    int r = popc_call(c, "GET", "/v1/things", NULL, &doc, &e);
    if (r < 0)
        fail_msg("GET /v1/things: %d (HTTP %ld) %s", r, e.status, e.err.detail);
    assert_non_null(json_object_get(doc, "hits"));
    json_decref(doc);
}

static void test_lazy_login_once(void **state)
{
    struct fixture *f = *state;
    struct popc *c = client(f, NULL);
    assert_string_equal(popc_url(c), f->srv.url);
    assert_string_equal(popc_user(c), USER);
    assert_int_equal(fk_get(&fk.login_tries), 0); /* popc_new does no I/O */
    for (int i = 0; i < 5; i++)
        get_things(c);
    /* A body goes out as JSON and the reply comes back parsed; an empty reply is NULL. */
    json_t *body = json_pack("{s:s, s:[i,i]}", "name", "x", "list", 1, 2), *doc = NULL;
    assert_int_equal(popc_call(c, "POST", "/v1/echo", body, &doc, NULL), 0);
    assert_true(json_equal(doc, body));
    json_decref(doc);
    json_decref(body);
    doc = json_object();
    json_t *before = doc;
    assert_int_equal(popc_call(c, "DELETE", "/v1/empty", NULL, &doc, NULL), 0);
    assert_null(doc);
    json_decref(before);
    assert_int_equal(popc_call(c, "DELETE", "/v1/empty", NULL, NULL, NULL), 0);
    assert_int_equal(fk_get(&fk.logins), 1);
    assert_int_equal(fk_get(&fk.hits), 8);
    assert_int_equal(fk_get(&fk.refusals), 0);
    popc_free(c);
}

/* A token within POPC_EXPIRY_MARGIN_S of its expiry is not sent again: each call logs in. */
static void test_token_near_expiry_renewed(void **state)
{
    struct fixture *f = *state;
    pthread_mutex_lock(&fk.lock);
    fk.ttl_s = POPC_EXPIRY_MARGIN_S - 10;
    pthread_mutex_unlock(&fk.lock);
    struct popc *c = client(f, NULL);
    for (int i = 0; i < 3; i++)
        get_things(c);
    assert_int_equal(fk_get(&fk.logins), 3);
    pthread_mutex_lock(&fk.lock);
    fk.ttl_s = POPC_EXPIRY_MARGIN_S + 60;
    pthread_mutex_unlock(&fk.lock);
    for (int i = 0; i < 3; i++)
        get_things(c);
    assert_int_equal(fk_get(&fk.logins), 4);
    popc_free(c);
}

static void test_renew_once_on_401(void **state)
{
    struct fixture *f = *state;
    struct popc *c = client(f, NULL);
    get_things(c);
    assert_int_equal(fk_get(&fk.logins), 1);

    /* The server's key changed: the cached token is refused, one login, one retry. */
    pthread_mutex_lock(&fk.lock);
    fk.min_valid = fk.next;
    pthread_mutex_unlock(&fk.lock);
    get_things(c);
    assert_int_equal(fk_get(&fk.logins), 2);
    assert_int_equal(fk_get(&fk.refusals), 1);
    get_things(c); /* and the renewed token is kept */
    assert_int_equal(fk_get(&fk.logins), 2);
    assert_int_equal(fk_get(&fk.hits), 3);

    /* Every token refused: one renewal, one retry, and the second 401 is the answer. */
    pthread_mutex_lock(&fk.lock);
    fk.refuse_all = true;
    pthread_mutex_unlock(&fk.lock);
    struct popc_error e = POPC_ERROR_INIT;
    json_t *doc = (json_t *)0x1;
    assert_int_equal(popc_call(c, "GET", "/v1/things", NULL, &doc, &e), -EREMOTEIO);
    assert_ptr_equal(doc, (json_t *)0x1); /* untouched */
    assert_int_equal(e.err.r, -EREMOTEIO);
    assert_int_equal(e.status, 401);
    assert_int_equal(e.err.api, API_UNAUTHORIZED);
    assert_string_equal(e.err.detail, "the token is not valid");
    assert_false(e.login);
    assert_int_equal(fk_get(&fk.logins), 3);
    assert_int_equal(fk_get(&fk.refusals), 3);
    popc_free(c);
}

/* A token fresh from this call's own login that is refused is not renewed: one login, one
 * request. */
static void test_fresh_token_refused_no_retry(void **state)
{
    struct fixture *f = *state;
    pthread_mutex_lock(&fk.lock);
    fk.refuse_all = true;
    pthread_mutex_unlock(&fk.lock);
    struct popc *c = client(f, NULL);
    struct popc_error e = POPC_ERROR_INIT;
    assert_int_equal(popc_call(c, "GET", "/v1/things", NULL, NULL, &e), -EREMOTEIO);
    assert_int_equal(e.status, 401);
    assert_false(e.login);
    assert_int_equal(fk_get(&fk.logins), 1);
    assert_int_equal(fk_get(&fk.refusals), 1);
    popc_free(c);
}

static void test_problem_kept_verbatim(void **state)
{
    struct fixture *f = *state;
    struct popc *c = client(f, NULL);
    struct popc_error e = POPC_ERROR_INIT;
    assert_int_equal(popc_call(c, "GET", "/v1/problem", NULL, NULL, &e), -EREMOTEIO);
    assert_int_equal(e.status, 409);
    assert_int_equal(e.err.api, API_STATE_CONFLICT);
    assert_string_equal(e.err.field, "endpoints.private.ipv4");
    assert_string_equal(e.err.detail, PROBLEM_DETAIL);
    assert_false(e.login);

    /* An unknown code: the row for the status (none for 418: a client error); the title
     * stands in for the missing detail; the field is still kept. */
    assert_int_equal(popc_call(c, "GET", "/v1/odd", NULL, NULL, &e), -EREMOTEIO);
    assert_int_equal(e.status, 418);
    assert_int_equal(e.err.api, API_BAD_REQUEST);
    assert_string_equal(e.err.field, "brew");
    assert_string_equal(e.err.detail, "I am a teapot");

    /* Not a problem: the status names it. */
    assert_int_equal(popc_call(c, "GET", "/v1/html", NULL, NULL, &e), -EREMOTEIO);
    assert_int_equal(e.status, 503);
    assert_int_equal(e.err.api, API_UNAVAILABLE);
    assert_string_equal(e.err.field, "");
    char want[128];
    snprintf(want, sizeof(want), "HTTP 503 from %s", f->srv.url);
    assert_string_equal(e.err.detail, want);

    /* A 2xx that is not a JSON object. */
    assert_int_equal(popc_call(c, "GET", "/v1/notjson", NULL, NULL, &e), -EPROTO);
    assert_int_equal(e.status, 200);
    assert_non_null(strstr(e.err.detail, "sent a reply that is not a JSON object"));
    popc_free(c);

    /* A refused login says so, with the server's own words. */
    struct popc_config cfg = {.user = USER, .password = "wrong"};
    c = client(f, &cfg);
    int sent = fk_get(&fk.hits) + fk_get(&fk.refusals);
    assert_int_equal(popc_call(c, "GET", "/v1/things", NULL, NULL, &e), -EREMOTEIO);
    assert_true(e.login);
    assert_int_equal(e.status, 401);
    assert_int_equal(e.err.api, API_UNAUTHORIZED);
    assert_string_equal(e.err.detail, "invalid username or password");
    assert_int_equal(fk_get(&fk.hits) + fk_get(&fk.refusals), sent); /* the request was not sent */
    int64_t exp = 0;
    assert_int_equal(popc_login(c, &exp, &e), -EREMOTEIO);
    assert_true(e.login);
    assert_int_equal(exp, 0);
    popc_free(c);
}

/* The token hooks: what a CLI's token file or a daemon's memory would be. */
struct store {
    char *token;
    int64_t exp;
    int loads, stores, forgets;
    int store_result;  /* what storing returns */
    int forget_result; /* what forgetting returns */
};

static int store_load(void *ud, char **ret_token, int64_t *ret_exp)
{
    struct store *s = ud;
    s->loads++;
    if (!s->token)
        return -ENOENT;
    *ret_token = strdup(s->token);
    *ret_exp = s->exp;
    return *ret_token ? 0 : -ENOMEM;
}

static int store_save(void *ud, const char *token, int64_t exp, struct pop_error *err)
{
    struct store *s = ud;
    if (!token) {
        s->forgets++;
        if (s->forget_result < 0)
            return pop_error_set(err, s->forget_result, API_INTERNAL, NULL, "disk says no");
    } else {
        s->stores++;
        if (s->store_result < 0)
            return s->store_result;
    }
    free(s->token);
    s->token = token ? strdup(token) : NULL;
    s->exp = exp;
    return 0;
}

static void test_token_hooks(void **state)
{
    struct fixture *f = *state;
    struct store st = {0};
    /* A token stored by an earlier run is used without a login. */
    int64_t exp = 0;
    int n = fake_issue(&exp);
    char tok[32];
    snprintf(tok, sizeof(tok), "tok-%d", n);
    st.token = strdup(tok);
    st.exp = exp;
    struct popc_config cfg = {.token_load = store_load, .token_store = store_save, .ud = &st};
    struct popc *c = client(f, &cfg);
    for (int i = 0; i < 3; i++)
        get_things(c);
    assert_int_equal(fk_get(&fk.logins), 1); /* the fake_issue above */
    assert_int_equal(st.loads, 1);
    assert_int_equal(st.stores, 0);

    /* Refused: the renewed token is stored, with its expiry. */
    pthread_mutex_lock(&fk.lock);
    fk.min_valid = fk.next;
    pthread_mutex_unlock(&fk.lock);
    get_things(c);
    assert_int_equal(fk_get(&fk.logins), 2);
    assert_int_equal(st.stores, 1);
    assert_int_equal(st.loads, 1);
    snprintf(tok, sizeof(tok), "tok-%d", fk_get(&fk.next) - 1);
    assert_string_equal(st.token, tok);
    assert_true(st.exp > time_now_s() + 3000);

    /* Logout revokes it on the server and forgets it through the hook. */
    struct popc_error e = POPC_ERROR_INIT;
    assert_int_equal(popc_logout(c, &e), 1);
    assert_int_equal(fk_get(&fk.logouts), 1);
    assert_int_equal(st.forgets, 1);
    assert_null(st.token);
    /* Nothing in memory or stored any more: nothing to log out. */
    assert_int_equal(popc_logout(c, &e), 0);
    assert_int_equal(st.loads, 2);
    assert_int_equal(st.forgets, 1);

    /* The next call asks the store, finds nothing, logs in and stores. */
    get_things(c);
    assert_int_equal(st.loads, 3);
    assert_int_equal(st.stores, 2);
    assert_int_equal(fk_get(&fk.logins), 3);

    /* A store that fails does not fail the login; a forget that fails fails the logout with
     * the hook's words, after the server revoked the token. */
    st.store_result = -EROFS;
    int64_t when = 0;
    assert_int_equal(popc_login(c, &when, &e), 0);
    assert_true(when > time_now_s());
    assert_int_equal(st.stores, 3);
    get_things(c);
    st.forget_result = -EROFS;
    assert_int_equal(popc_logout(c, &e), -EROFS);
    assert_int_equal(e.err.r, -EROFS);
    assert_string_equal(e.err.detail, "disk says no");
    assert_int_equal(fk_get(&fk.logouts), 2);
    popc_free(c);
    free(st.token);

    /* A stored token about to expire is not used. */
    struct store near = {.token = strdup("tok-1"), .exp = time_now_s() + 10};
    cfg.ud = &near;
    c = client(f, &cfg);
    int logins = fk_get(&fk.logins);
    get_things(c);
    assert_int_equal(fk_get(&fk.logins), logins + 1);
    assert_int_equal(near.loads, 1);
    assert_int_equal(near.stores, 1);
    popc_free(c);
    free(near.token);
}

static void test_timeout(void **state)
{
    struct fixture *f = *state;
    struct popc_config cfg = {.timeout_ms = 300};
    struct popc *c = client(f, &cfg);
    pthread_mutex_lock(&fk.lock);
    fk.slow_ms = 1500;
    pthread_mutex_unlock(&fk.lock);
    struct popc_error e = POPC_ERROR_INIT;
    assert_int_equal(popc_call(c, "GET", "/v1/slow", NULL, NULL, &e), -ETIMEDOUT);
    assert_int_equal(e.status, 0);
    assert_int_equal(pop_error_api(&e.err), API_GATEWAY_TIMEOUT);
    assert_non_null(strstr(e.err.detail, f->srv.url));
    assert_non_null(strstr(e.err.detail, "no answer in time"));
    popc_free(c);

    /* The deadline is the whole call's: a slow login and a slow request, each in time on its
     * own, are too slow together. */
    cfg.timeout_ms = 1000;
    c = client(f, &cfg);
    pthread_mutex_lock(&fk.lock);
    fk.slow_ms = 600;
    fk.login_delay_ms = 600;
    pthread_mutex_unlock(&fk.lock);
    assert_int_equal(popc_call(c, "GET", "/v1/slow", NULL, NULL, &e), -ETIMEDOUT);
    assert_false(e.login); /* the login made it; the request ran out of time */
    assert_int_equal(popc_call(c, "GET", "/v1/slow", NULL, NULL, &e), 0);
    popc_free(c);
}

static void test_connection_refused(void **state)
{
    (void)state;
    char url[64];
    snprintf(url, sizeof(url), "http://127.0.0.1:%u", testlib_closed_port());
    struct popc_config cfg = {.url = url};
    struct popc *c = client(*state, &cfg);
    struct popc_error e = POPC_ERROR_INIT;
    assert_int_equal(popc_call(c, "GET", "/v1/things", NULL, NULL, &e), -ECONNREFUSED);
    assert_true(e.login);
    assert_int_equal(e.status, 0);
    assert_int_equal(pop_error_api(&e.err), API_BAD_GATEWAY);
    char want[128];
    snprintf(want, sizeof(want), "cannot reach %s: connection refused or host unknown", url);
    assert_string_equal(e.err.detail, want);
    assert_int_equal(popc_logout(c, &e), 0); /* no token: nothing to revoke, no I/O */
    popc_free(c);
}

struct restart {
    struct testlib_server *srv;
    uint16_t port;
    int64_t after_ms;
};

/* The fake Pop back on its port after a while, as popd-rest after a restart. */
static void *restart_main(void *arg)
{
    struct restart *r = arg;
    time_sleep_ms(r->after_ms);
    struct http_server_config cfg = {.routes = routes,
                                     .n_routes = sizeof(routes) / sizeof(routes[0]),
                                     .port = r->port,
                                     .userdata = r->srv};
    testlib_server_start(r->srv, &cfg);
    return NULL;
}

/* With refused_retry_ms, a call to a server that refuses connections (restarting) waits for
 * it within that window, its login included; past the window the refusal is the error. */
static void test_refused_retried(void **state)
{
    struct fixture *f = *state;
    uint16_t port = f->srv.port;
    testlib_server_stop(&f->srv);
    struct popc_config cfg = {.refused_retry_ms = 5000};
    struct popc *c = client(f, &cfg);
    struct restart r = {&f->srv, port, 400};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, restart_main, &r), 0);
    int64_t t0 = time_mono_ms();
    get_things(c);
    int64_t took = time_mono_ms() - t0;
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_true(took >= 350);
    assert_true(took < 3000);
    assert_int_equal(fk_get(&fk.logins), 1);
    popc_free(c);

    /* A server that stays away: the refusal after about the window, not the whole timeout. */
    char url[64];
    snprintf(url, sizeof(url), "http://127.0.0.1:%u", testlib_closed_port());
    cfg = (struct popc_config){.url = url, .refused_retry_ms = 300, .timeout_ms = 20000};
    c = client(f, &cfg);
    struct popc_error e = POPC_ERROR_INIT;
    t0 = time_mono_ms();
    assert_int_equal(popc_call(c, "GET", "/v1/things", NULL, NULL, &e), -ECONNREFUSED);
    took = time_mono_ms() - t0;
    assert_true(took >= 150);
    assert_true(took < 2000);
    assert_non_null(strstr(e.err.detail, "connection refused"));
    popc_free(c);
}

static void test_new_checks_config(void **state)
{
    (void)state;
    static const struct {
        const char *url, *user, *password, *field;
    } bad[] = {
        {"ftp://x", USER, PASSWORD, "url"},
        {"http://", USER, PASSWORD, "url"},
        {"http:///", USER, PASSWORD, "url"},
        {"http://a b", USER, PASSWORD, "url"},
        {"http://a\n", USER, PASSWORD, "url"},
        {"http://host", "", PASSWORD, "user"},
        {"http://host", "a-user-name-that-is-longer-than-sixty-four-bytes-which-is-the-cap-x",
         PASSWORD, "user"},
        {"http://host", USER, NULL, "password"},
        {"http://host", USER, "", "password"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct popc_config cfg = {
            .url = bad[i].url, .user = bad[i].user, .password = bad[i].password};
        struct popc *c = (struct popc *)0x1;
        struct pop_error err = POP_ERROR_INIT;
        assert_int_equal(popc_new(&cfg, &c, &err), -EINVAL);
        assert_ptr_equal(c, (struct popc *)0x1);
        assert_string_equal(err.field, bad[i].field);
        assert_true(err.detail[0] != '\0');
    }
    /* Trailing slashes are dropped; without credentials nothing is sent. */
    struct popc_config cfg = {.url = "http://127.0.0.1:1//"};
    struct popc *c = NULL;
    assert_int_equal(popc_new(&cfg, &c, NULL), 0);
    assert_string_equal(popc_url(c), "http://127.0.0.1:1");
    assert_null(popc_user(c));
    struct popc_error e = POPC_ERROR_INIT;
    assert_int_equal(popc_call(c, "GET", "/v1/info", NULL, NULL, &e), -EACCES);
    assert_int_equal(pop_error_api(&e.err), API_UNAUTHORIZED);
    assert_int_equal(popc_login(c, NULL, NULL), -EACCES);
    assert_int_equal(popc_logout(c, NULL), -EACCES);
    popc_free(c);
}

#define THREADS 8
#define CALLS 25

struct worker {
    struct popc *c;
    pthread_barrier_t *start;
    int calls;
    int failed;
};

static void *worker_run(void *arg)
{
    struct worker *w = arg;
    pthread_barrier_wait(w->start);
    for (int i = 0; i < w->calls; i++)
        if (popc_call(w->c, "GET", "/v1/things", NULL, NULL, NULL) < 0)
            w->failed++;
    return NULL;
}

/* Runs THREADS workers, released together, calls calls each; returns the failures. */
static int run_workers(struct popc *c, int calls)
{
    pthread_t t[THREADS];
    struct worker w[THREADS];
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, THREADS);
    for (int i = 0; i < THREADS; i++) {
        w[i] = (struct worker){.c = c, .start = &start, .calls = calls};
        assert_int_equal(pthread_create(&t[i], NULL, worker_run, &w[i]), 0);
    }
    int failed = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        failed += w[i].failed;
    }
    pthread_barrier_destroy(&start);
    return failed;
}

/* One client shared by threads: one login for all of them, and after a key change one
 * renewal for all of them. */
static void test_threads_share_one_login(void **state)
{
    struct fixture *f = *state;
    pthread_mutex_lock(&fk.lock);
    fk.login_delay_ms = 50; /* so that the threads pile up behind the first login */
    pthread_mutex_unlock(&fk.lock);
    struct popc *c = client(f, NULL);
    assert_int_equal(run_workers(c, CALLS), 0);
    assert_int_equal(fk_get(&fk.logins), 1);
    assert_int_equal(fk_get(&fk.hits), THREADS * CALLS);
    pthread_mutex_lock(&fk.lock);
    fk.min_valid = fk.next;
    pthread_mutex_unlock(&fk.lock);
    assert_int_equal(run_workers(c, 1), 0);
    assert_int_equal(fk_get(&fk.logins), 2);
    assert_int_equal(fk_get(&fk.hits), THREADS * CALLS + THREADS);
    popc_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_lazy_login_once, setup, testlib_server_teardown),
        cmocka_unit_test_setup_teardown(test_token_near_expiry_renewed, setup,
                                        testlib_server_teardown),
        cmocka_unit_test_setup_teardown(test_renew_once_on_401, setup, testlib_server_teardown),
        cmocka_unit_test_setup_teardown(test_fresh_token_refused_no_retry, setup,
                                        testlib_server_teardown),
        cmocka_unit_test_setup_teardown(test_problem_kept_verbatim, setup, testlib_server_teardown),
        cmocka_unit_test_setup_teardown(test_token_hooks, setup, testlib_server_teardown),
        cmocka_unit_test_setup_teardown(test_timeout, setup, testlib_server_teardown),
        cmocka_unit_test_setup_teardown(test_connection_refused, setup, testlib_server_teardown),
        cmocka_unit_test_setup_teardown(test_refused_retried, setup, testlib_server_teardown),
        cmocka_unit_test_setup_teardown(test_new_checks_config, setup, testlib_server_teardown),
        cmocka_unit_test_setup_teardown(test_threads_share_one_login, setup,
                                        testlib_server_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
