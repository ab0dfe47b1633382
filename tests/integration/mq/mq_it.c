/* The lib/mq integration test program: each subcommand is one scenario against the real broker
 * that tests/integration/lib/rabbitmq.sh started (MQ_PORT, MQ_USER, MQ_PASS), or a role the
 * shell drives from outside (serve, consume-hang, rpc-stream) while it restarts the broker,
 * closes connections or kills processes. Prints "FAIL: ..." and exits 1 on a failed check. */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "core/metrics.h"
#include "core/signals.h"
#include "core/strbuf.h"
#include "core/timeutil.h"
#include "core/workq.h"
#include "mq/mq.h"

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stdout, "FAIL: %s:%d: ", __FILE__, __LINE__);                                  \
            fprintf(stdout, __VA_ARGS__);                                                          \
            fprintf(stdout, "\n");                                                                 \
            fflush(stdout);                                                                        \
            exit(1);                                                                               \
        }                                                                                          \
    } while (0)

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stdout, fmt, ap);
    va_end(ap);
    fputc('\n', stdout);
    fflush(stdout);
}

static const char *env_or(const char *name, const char *def)
{
    const char *v = getenv(name);
    return v && *v ? v : def;
}

static struct mq_config config(const char *name)
{
    return (struct mq_config){
        .name = name,
        .host = "127.0.0.1",
        .port = (uint16_t)atoi(env_or("MQ_PORT", "5672")),
        .user = env_or("MQ_USER", "guest"),
        .password = env_or("MQ_PASS", "guest"),
        .heartbeat_s = (unsigned)atoi(env_or("MQ_HEARTBEAT", "0")),
        .connect_timeout_ms = 2000,
    };
}

static struct workq *workers(unsigned n)
{
    struct workq *q;
    CHECK(workq_new("it-workers", n, 256, &q) == 0, "workq_new");
    return q;
}

static void stop_all(struct mq *mq, struct workq *q)
{
    mq_stop(mq, time_mono_ms() + 5000);
    workq_free(q);
    mq_free(mq);
}

/* ---- the RPC server: a method table over the Open Baton codec ---- */

static int m_echo(const json_t *params, json_t **ret, struct pop_error *err, void *ud)
{
    (void)err;
    (void)ud;
    *ret = json_incref(json_array_get(params, 0));
    return 0;
}

static int m_sleep(const json_t *params, json_t **ret, struct pop_error *err, void *ud)
{
    (void)ud;
    json_t *ms = json_array_get(params, 0);
    if (!json_is_integer(ms) || json_integer_value(ms) < 0 || json_integer_value(ms) > 60000)
        return pop_error_set(err, -EINVAL, API_INVALID_FIELD, "parameters[0]",
                             "parameters[0]: milliseconds expected");
    time_sleep_ms(json_integer_value(ms));
    *ret = json_pack("{s:I}", "slept", (json_int_t)json_integer_value(ms));
    return 0;
}

static int m_fail(const json_t *params, json_t **ret, struct pop_error *err, void *ud)
{
    (void)params;
    (void)ret;
    (void)ud;
    return pop_error_set(err, -ENOENT, API_NOT_FOUND, "hostname", "no server named 'x' here");
}

static int m_pick1(const json_t *params, json_t **ret, struct pop_error *err, void *ud)
{
    (void)params;
    (void)err;
    (void)ud;
    *ret = json_string("one");
    return 0;
}

static int m_pick2(const json_t *params, json_t **ret, struct pop_error *err, void *ud)
{
    (void)params;
    (void)err;
    (void)ud;
    *ret = json_string("two");
    return 0;
}

static const struct mq_method methods[] = {
    {.name = "echo", .n_params = 1, .run = m_echo},
    {.name = "sleep", .n_params = 1, .run = m_sleep},
    {.name = "fail", .n_params = -1, .run = m_fail},
    {.name = "pick", .n_params = 1, .run = m_pick1},
    {.name = "pick", .n_params = 2, .run = m_pick2},
};

static void h_rpc(struct mq_delivery *d, void *ud)
{
    mq_dispatch(d, &mq_codec_openbaton, methods, sizeof(methods) / sizeof(methods[0]), ud);
}

/* it.rpc is auto-delete, as an Open Baton plugin's queue: after a broker restart it exists
 * only because the server declared it again. */
static const struct mq_decl rpc_decls[] = {
    {.kind = MQ_EXCHANGE, .exchange = "it.x", .type = "topic", .flags = MQ_DURABLE},
    {.kind = MQ_QUEUE, .queue = "it.rpc", .flags = MQ_AUTO_DELETE},
    {.kind = MQ_BIND, .exchange = "it.x", .queue = "it.rpc", .routing_key = "it.rpc"},
};
static const struct mq_consumer rpc_cons[] = {{.queue = "it.rpc", .handler = h_rpc}};

static struct mq *start_server(struct workq *q, size_t body_max, struct metrics *m)
{
    struct mq_config cfg = config("it-server");
    cfg.body_max = body_max;
    cfg.no_rpc = true;
    cfg.prefetch = 16;
    struct mq *mq;
    CHECK(mq_start(&cfg, rpc_decls, 3, rpc_cons, 1, q, m, NULL, &mq) == 0, "server start");
    return mq;
}

static struct mq *start_client(const char *name, struct metrics *m)
{
    struct mq_config cfg = config(name);
    cfg.rpc_reply_exchange = "it.x";
    struct mq *mq;
    static const struct mq_decl decls[] = {
        {.kind = MQ_EXCHANGE, .exchange = "it.x", .type = "topic", .flags = MQ_DURABLE}};
    CHECK(mq_start(&cfg, decls, 1, NULL, 0, NULL, m, NULL, &mq) == 0, "client start");
    return mq;
}

static json_t *call_req(const char *method, json_t *params)
{
    return json_pack("{s:s,s:o}", "methodName", method, "parameters", params);
}

/* ---- basic: publish, consume, ack; unroutable and missing-exchange publishes ---- */

static pthread_mutex_t got_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t got_cond = PTHREAD_COND_INITIALIZER;
static int got_n, got_redelivered;
static char got_last[256];
static int got_seq[64];

static void h_record(struct mq_delivery *d, void *ud)
{
    (void)ud;
    size_t len;
    const char *body = mq_delivery_body(d, &len);
    json_t *j = json_loadb(body ? body : "", len, 0, NULL);
    pthread_mutex_lock(&got_lock);
    if (got_n < 64)
        got_seq[got_n] = (int)json_integer_value(json_object_get(j, "i"));
    got_n++;
    got_redelivered += mq_delivery_redelivered(d);
    snprintf(got_last, sizeof(got_last), "%s", body ? body : "");
    pthread_cond_broadcast(&got_cond);
    pthread_mutex_unlock(&got_lock);
    json_decref(j);
}

static bool wait_got(int n, int64_t ms)
{
    int64_t end = time_mono_ms() + ms;
    pthread_mutex_lock(&got_lock);
    while (got_n < n && time_mono_ms() < end) {
        pthread_mutex_unlock(&got_lock);
        time_sleep_ms(10);
        pthread_mutex_lock(&got_lock);
    }
    bool ok = got_n >= n;
    pthread_mutex_unlock(&got_lock);
    return ok;
}

static int cmd_basic(void)
{
    static const struct mq_decl decls[] = {
        {.kind = MQ_EXCHANGE, .exchange = "it.x", .type = "topic", .flags = MQ_DURABLE},
        {.kind = MQ_QUEUE, .queue = "it.basic", .flags = MQ_DURABLE},
        {.kind = MQ_BIND, .exchange = "it.x", .queue = "it.basic", .routing_key = "it.basic"},
    };
    static const struct mq_consumer cons[] = {{.queue = "it.basic", .handler = h_record}};
    struct workq *q = workers(2);
    struct mq_config cfg = config("it-basic-consumer");
    cfg.prefetch = 1; /* one at a time: the order is the publish order */
    cfg.no_rpc = true;
    struct mq *srv, *cli = start_client("it-basic-publisher", NULL);
    CHECK(mq_start(&cfg, decls, 3, cons, 1, q, NULL, NULL, &srv) == 0, "start");
    CHECK(mq_wait_connected(srv, 10000) == 0, "consumer connected");
    CHECK(mq_wait_connected(cli, 10000) == 0, "publisher connected");
    for (int i = 0; i < 20; i++)
        CHECK(mq_publish_json(cli, "it.x", "it.basic", json_pack("{s:i}", "i", i)) == 0,
              "publish %d confirmed", i);
    /* The default exchange routes by queue name. */
    CHECK(mq_publish_json(cli, "", "it.basic", json_pack("{s:i}", "i", 20)) == 0,
          "publish on the default exchange");
    CHECK(wait_got(21, 5000), "21 deliveries, got %d", got_n);
    for (int i = 0; i < 21; i++)
        CHECK(got_seq[i] == i, "delivery %d carried %d", i, got_seq[i]);
    CHECK(got_redelivered == 0, "nothing redelivered");
    /* Unroutable (mandatory): nobody is bound for that key. */
    int r = mq_publish_json(cli, "it.x", "it.nobody", json_pack("{}"));
    CHECK(r == -ENOENT, "unroutable publish: %d", r);
    /* A missing exchange closes the publish channel; the next publish works again. */
    r = mq_publish_json(cli, "it.missing", "it.basic", json_pack("{}"));
    CHECK(r == -ENOENT, "publish to a missing exchange: %d", r);
    char why[512];
    mq_last_error(cli, why, sizeof(why));
    CHECK(strstr(why, "404 NOT_FOUND") && strstr(why, "it.missing"), "last error: %s", why);
    CHECK(mq_publish_json(cli, "it.x", "it.basic", json_pack("{s:i}", "i", 21)) == 0,
          "publish after the channel error");
    CHECK(wait_got(22, 5000), "22nd delivery");
    CHECK(mq_connects(cli) == 1, "the channel error did not cost the connection");
    /* Names the broker would refuse are refused before they go out. */
    char longkey[300];
    memset(longkey, 'k', sizeof(longkey) - 1);
    longkey[sizeof(longkey) - 1] = '\0';
    CHECK(mq_publish_json(cli, "it.x", longkey, json_pack("{}")) == -EINVAL, "long key");
    stop_all(srv, q);
    mq_free(cli);
    say("PASS basic: 22 messages published, consumed in order and acked");
    return 0;
}

/* ---- prefetch: at most N unacked deliveries in handlers ---- */

static atomic_int in_handler, max_in_handler, handled;
static atomic_bool release_handlers;

static void h_hold(struct mq_delivery *d, void *ud)
{
    (void)d;
    (void)ud;
    int now = ++in_handler;
    int prev = max_in_handler;
    while (now > prev && !atomic_compare_exchange_weak(&max_in_handler, &prev, now))
        ;
    while (!release_handlers)
        time_sleep_ms(5);
    in_handler--;
    handled++;
}

static int cmd_prefetch(void)
{
    static const struct mq_decl decls[] = {{.kind = MQ_QUEUE, .queue = "it.prefetch"}};
    static const struct mq_consumer cons[] = {{.queue = "it.prefetch", .handler = h_hold}};
    struct workq *q = workers(8);
    struct mq_config cfg = config("it-prefetch");
    cfg.prefetch = 2;
    cfg.no_rpc = true;
    struct mq *srv, *cli = start_client("it-prefetch-publisher", NULL);
    CHECK(mq_start(&cfg, decls, 1, cons, 1, q, NULL, NULL, &srv) == 0, "start");
    CHECK(mq_wait_connected(srv, 10000) == 0 && mq_wait_connected(cli, 10000) == 0, "up");
    for (int i = 0; i < 10; i++)
        CHECK(mq_publish_json(cli, "", "it.prefetch", json_pack("{s:i}", "i", i)) == 0, "pub");
    /* Eight workers are free, but the broker hands out only two unacked deliveries. */
    time_sleep_ms(1000);
    CHECK(in_handler == 2, "%d deliveries in handlers with prefetch 2", (int)in_handler);
    release_handlers = true;
    for (int i = 0; i < 500 && handled < 10; i++)
        time_sleep_ms(10);
    CHECK(handled == 10, "all 10 handled, got %d", (int)handled);
    CHECK(max_in_handler == 2, "at most 2 at once, saw %d", (int)max_in_handler);
    stop_all(srv, q);
    mq_free(cli);
    say("PASS prefetch: 10 messages, never more than 2 in handlers");
    return 0;
}

/* ---- heartbeat: a handler slower than the heartbeat interval ---- */

static void h_slow(struct mq_delivery *d, void *ud)
{
    (void)ud;
    time_sleep_ms(3500);
    h_record(d, NULL);
}

static int cmd_heartbeat(void)
{
    static const struct mq_decl decls[] = {{.kind = MQ_QUEUE, .queue = "it.slow"}};
    static const struct mq_consumer cons[] = {{.queue = "it.slow", .handler = h_slow}};
    struct workq *q = workers(1);
    struct mq_config cfg = config("it-heartbeat");
    cfg.heartbeat_s = 1; /* the broker gives up after two missed beats: ~2 s */
    cfg.prefetch = 1;
    cfg.no_rpc = true;
    struct mq *srv, *cli = start_client("it-heartbeat-publisher", NULL);
    CHECK(mq_start(&cfg, decls, 1, cons, 1, q, NULL, NULL, &srv) == 0, "start");
    CHECK(mq_wait_connected(srv, 10000) == 0 && mq_wait_connected(cli, 10000) == 0, "up");
    CHECK(mq_publish_json(cli, "", "it.slow", json_pack("{s:i}", "i", 1)) == 0, "pub 1");
    CHECK(mq_publish_json(cli, "", "it.slow", json_pack("{s:i}", "i", 2)) == 0, "pub 2");
    CHECK(wait_got(2, 15000), "both handled (3.5 s each), got %d", got_n);
    time_sleep_ms(300);
    CHECK(mq_connects(srv) == 1, "the consumer's connection survived (%" PRIu64 " connects)",
          mq_connects(srv));
    CHECK(got_redelivered == 0 && got_n == 2, "no redelivery (%d redelivered of %d)",
          got_redelivered, got_n);
    char why[512];
    mq_last_error(srv, why, sizeof(why));
    CHECK(why[0] == '\0', "no connection error: %s", why);
    stop_all(srv, q);
    mq_free(cli);
    say("PASS heartbeat: two 3.5 s handlers with a 1 s heartbeat, one connection throughout");
    return 0;
}

/* ---- rpc: concurrent callers, timeouts, errors, overloads ---- */

static struct mq *rpc_client;

static void *rpc_worker(void *arg)
{
    long t = (long)arg;
    for (int i = 0; i < 50; i++) {
        char tag[64];
        snprintf(tag, sizeof(tag), "caller-%ld-call-%d", t, i);
        json_t *req = call_req("echo", json_pack("[{s:s}]", "tag", tag));
        json_t *rep = NULL;
        int r = mq_rpc(rpc_client, "it.x", "it.rpc", req, 5000, &rep);
        json_decref(req);
        CHECK(r == 0, "rpc %s: %s", tag, strerror(-r));
        const char *got = json_string_value(json_object_get(json_object_get(rep, "answer"), "tag"));
        CHECK(got && strcmp(got, tag) == 0, "reply for %s carried %s", tag, got ? got : "(none)");
        json_decref(rep);
    }
    return NULL;
}

static json_t *rpc1(const char *method, json_t *params, int64_t timeout_ms, int *ret_r)
{
    json_t *req = call_req(method, params), *rep = NULL;
    *ret_r = mq_rpc(rpc_client, "it.x", "it.rpc", req, timeout_ms, &rep);
    json_decref(req);
    return rep;
}

static const char *exception_text(const json_t *rep)
{
    return json_string_value(json_object_get(json_object_get(rep, "exception"), "detailMessage"));
}

static int cmd_rpc(void)
{
    struct metrics *m;
    CHECK(metrics_new(&m) == 0, "metrics");
    struct workq *q = workers(8);
    struct mq *srv = start_server(q, 0, NULL);
    rpc_client = start_client("it-rpc-client", m);
    CHECK(mq_wait_connected(srv, 10000) == 0 && mq_wait_connected(rpc_client, 10000) == 0, "up");

    /* 16 callers share one reply queue; every reply reaches its own caller. */
    int64_t t0 = time_mono_ms();
    pthread_t th[16];
    for (long i = 0; i < 16; i++)
        pthread_create(&th[i], NULL, rpc_worker, (void *)i);
    for (int i = 0; i < 16; i++)
        pthread_join(th[i], NULL);
    say("rpc: 800 calls from 16 threads in %" PRId64 " ms", time_mono_ms() - t0);

    int r;
    json_t *rep = rpc1("pick", json_pack("[i]", 1), 2000, &r);
    CHECK(r == 0 && strcmp(json_string_value(json_object_get(rep, "answer")), "one") == 0,
          "pick/1");
    json_decref(rep);
    rep = rpc1("pick", json_pack("[i,i]", 1, 2), 2000, &r);
    CHECK(r == 0 && strcmp(json_string_value(json_object_get(rep, "answer")), "two") == 0,
          "pick/2");
    json_decref(rep);
    rep = rpc1("pick", json_pack("[i,i,i]", 1, 2, 3), 2000, &r);
    CHECK(r == 0 && exception_text(rep) &&
              strstr(exception_text(rep), "method 'pick' takes 1 or 2 parameters, got 3"),
          "pick/3: %s", exception_text(rep) ? exception_text(rep) : "no exception");
    json_decref(rep);
    rep = rpc1("nosuch", json_pack("[]"), 2000, &r);
    CHECK(r == 0 && exception_text(rep) &&
              strstr(exception_text(rep), "method 'nosuch' is not supported"),
          "unknown method answered with an exception");
    json_decref(rep);
    rep = rpc1("fail", json_pack("[]"), 2000, &r);
    CHECK(r == 0 && exception_text(rep) &&
              strcmp(exception_text(rep), "no server named 'x' here") == 0 &&
              strcmp(json_string_value(json_object_get(json_object_get(rep, "exception"), "code")),
                     "not-found") == 0,
          "a method's error travels word for word, with its code");
    json_decref(rep);

    /* A call that outlives its timeout returns -ETIMEDOUT on time; the late reply is dropped. */
    t0 = time_mono_ms();
    rep = rpc1("sleep", json_pack("[i]", 1500), 300, &r);
    int64_t took = time_mono_ms() - t0;
    CHECK(r == -ETIMEDOUT && rep == NULL, "slow call: %d", r);
    CHECK(took >= 290 && took < 1000, "timed out after %" PRId64 " ms", took);
    rep = rpc1("echo", json_pack("[s]", "after"), 5000, &r);
    CHECK(r == 0 && strcmp(json_string_value(json_object_get(rep, "answer")), "after") == 0,
          "a call after a timeout gets its own reply, not the late one");
    json_decref(rep);
    time_sleep_ms(1500);
    struct strbuf page = STRBUF_INIT;
    CHECK(metrics_render(m, &page) == 0, "render");
    CHECK(strstr(strbuf_str(&page), "mq_rpc_late_replies_total 1\n"), "one late reply:\n%s",
          strbuf_str(&page));
    CHECK(strstr(strbuf_str(&page), "mq_rpc_total{routing_key=\"it.rpc\",outcome=\"timeout\"} 1\n"),
          "timeout counted");
    strbuf_done(&page);

    /* Nobody serves that key: -ENOENT at once (mandatory + return), not a timeout. */
    t0 = time_mono_ms();
    json_t *req = call_req("echo", json_pack("[i]", 1));
    r = mq_rpc(rpc_client, "it.x", "it.nobody", req, 5000, &rep);
    took = time_mono_ms() - t0;
    CHECK(r == -ENOENT && took < 1000, "unroutable RPC: %d after %" PRId64 " ms", r, took);
    json_decref(req);

    stop_all(srv, q);
    /* A call after the stop fails, it does not hang. */
    req = call_req("echo", json_pack("[i]", 1));
    mq_stop(rpc_client, time_mono_ms());
    r = mq_rpc(rpc_client, "it.x", "it.rpc", req, 1000, &rep);
    CHECK(r == -ENOTCONN || r == -ESHUTDOWN, "RPC after stop: %d", r);
    json_decref(req);
    mq_free(rpc_client);
    metrics_free(m);
    say("PASS rpc: concurrency, overloads, errors, timeout, late reply, unroutable");
    return 0;
}

/* ---- rpc-stream: calls that must each end with an answer or a reason ---- */

struct stream {
    const char *stop_file; /* the stream ends once the shell creates it */
    int64_t timeout_ms;
    atomic_long calls, ok, reset, notconn, timeout, unroutable, other, mismatch;
    atomic_long max_ms, max_fail_ms, max_reset_ms;
    atomic_llong last_fail_wall, resumed_wall; /* first success after the last failure */
};

static struct stream st;

static void atomic_max(atomic_long *x, long v)
{
    long prev = *x;
    while (v > prev && !atomic_compare_exchange_weak(x, &prev, v))
        ;
}

/* Caller 0 calls a method that takes 300 ms back to back, so a call is in flight whenever the
 * connection drops; the others make quick calls. */
static void *stream_worker(void *arg)
{
    long t = (long)arg;
    for (long i = 0; access(st.stop_file, F_OK) != 0; i++) {
        char tag[64];
        snprintf(tag, sizeof(tag), "s%ld-%ld", t, i);
        json_t *req = t == 0 ? call_req("sleep", json_pack("[i]", 300))
                             : call_req("echo", json_pack("[s]", tag));
        json_t *rep = NULL;
        int64_t t0 = time_mono_ms();
        int r = mq_rpc(rpc_client, "it.x", "it.rpc", req, st.timeout_ms, &rep);
        long took = (long)(time_mono_ms() - t0);
        json_decref(req);
        st.calls++;
        atomic_max(&st.max_ms, took);
        if (r == 0) {
            json_t *answer = json_object_get(rep, "answer");
            const char *got = json_string_value(answer);
            bool mine = t == 0 ? json_integer_value(json_object_get(answer, "slept")) == 300
                               : got && strcmp(got, tag) == 0;
            if (!mine)
                st.mismatch++;
            st.ok++;
            long long last = st.last_fail_wall;
            if (last && !st.resumed_wall)
                st.resumed_wall = time_now_ms();
            /* Pace the quick callers a little: the point is coverage over time, not load.
             * Caller 0 calls again at once, so its 300 ms call is in flight whenever the
             * broker drops a connection (a pause here let a drop fall between its calls). */
            if (t != 0)
                time_sleep_ms(20);
        } else {
            atomic_max(&st.max_fail_ms, took);
            st.last_fail_wall = time_now_ms();
            st.resumed_wall = 0;
            if (r == -ECONNRESET) {
                st.reset++;
                atomic_max(&st.max_reset_ms, took);
            } else if (r == -ENOTCONN) {
                st.notconn++;
            } else if (r == -ETIMEDOUT) {
                st.timeout++;
            } else if (r == -ENOENT) {
                st.unroutable++; /* the server's queue is being declared again */
            } else {
                st.other++;
                say("unexpected error: %s", strerror(-r));
            }
            /* A caller's own retry pause. */
            time_sleep_ms(50);
        }
        json_decref(rep);
    }
    return NULL;
}

static int cmd_rpc_stream(const char *stop_file)
{
    struct workq *q = workers(4);
    struct mq *srv = start_server(q, 0, NULL);
    rpc_client = start_client("it-stream-client", NULL);
    CHECK(mq_wait_connected(srv, 10000) == 0 && mq_wait_connected(rpc_client, 10000) == 0, "up");
    st.timeout_ms = 2000;
    st.stop_file = stop_file;
    pthread_t th[4];
    for (long i = 0; i < 4; i++)
        pthread_create(&th[i], NULL, stream_worker, (void *)i);
    say("READY");
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    say("{\"calls\":%ld,\"ok\":%ld,\"reset\":%ld,\"notconn\":%ld,\"timeout\":%ld,"
        "\"unroutable\":%ld,\"other\":%ld,\"mismatch\":%ld,\"max_ms\":%ld,\"max_fail_ms\":%ld,"
        "\"max_reset_ms\":%ld,"
        "\"last_fail_wall_ms\":%lld,\"resumed_wall_ms\":%lld,\"server_connects\":%" PRIu64
        ",\"client_connects\":%" PRIu64 "}",
        (long)st.calls, (long)st.ok, (long)st.reset, (long)st.notconn, (long)st.timeout,
        (long)st.unroutable, (long)st.other, (long)st.mismatch, (long)st.max_ms,
        (long)st.max_fail_ms, (long)st.max_reset_ms, (long long)st.last_fail_wall,
        (long long)st.resumed_wall, mq_connects(srv), mq_connects(rpc_client));
    stop_all(srv, q);
    mq_free(rpc_client);
    return 0;
}

/* ---- rpc-down: the broker is not there ---- */

static int cmd_rpc_down(void)
{
    rpc_client = start_client("it-down-client", NULL);
    /* Let it try (and fail) to connect once. */
    CHECK(mq_wait_connected(rpc_client, 500) == -ETIMEDOUT, "connected to a stopped broker?");
    json_t *req = call_req("echo", json_pack("[i]", 1)), *rep = NULL;
    int64_t t0 = time_mono_ms();
    int r = mq_rpc(rpc_client, "it.x", "it.rpc", req, 10000, &rep);
    int64_t took = time_mono_ms() - t0;
    json_decref(req);
    CHECK(r == -ENOTCONN, "RPC while the broker is down: %d (%s)", r, strerror(-r));
    CHECK(took < 100, "failed after %" PRId64 " ms, not at once", took);
    char why[512];
    mq_last_error(rpc_client, why, sizeof(why));
    CHECK(strstr(why, "connect to 127.0.0.1:"), "the reason names the broker: '%s'", why);
    mq_free(rpc_client);
    say("PASS rpc-down: -ENOTCONN after %" PRId64 " ms; reason: %s", took, why);
    return 0;
}

/* ---- denied: refusals by the broker become errno and words, and are retried ---- */

/* Starts an mq that the broker refuses, waits through a few attempts and returns its reason. */
static void refused(const struct mq_config *cfg, const struct mq_decl *decls, size_t n, char *why,
                    size_t size)
{
    struct mq *mq;
    CHECK(mq_start(cfg, decls, n, NULL, 0, NULL, NULL, NULL, &mq) == 0, "start");
    CHECK(mq_wait_connected(mq, 1500) == -ETIMEDOUT, "connected although refused");
    mq_last_error(mq, why, size);
    mq_free(mq);
}

static int cmd_denied(void)
{
    char why[512];
    struct mq_config cfg = config("it-denied");
    cfg.no_rpc = true;
    cfg.password = "wrong";
    refused(&cfg, NULL, 0, why, sizeof(why));
    CHECK(strstr(why, "login as '") && strstr(why, "403 ACCESS_REFUSED"), "bad password: %s", why);
    say("  bad password: %s", why);

    /* MQ_USER may configure, write and read it.mine only (and read it.x). */
    cfg.password = env_or("MQ_PASS", "");
    const struct mq_decl other[] = {{.kind = MQ_QUEUE, .queue = "it.other"}};
    refused(&cfg, other, 1, why, sizeof(why));
    CHECK(strstr(why, "declare queue 'it.other': 403 ACCESS_REFUSED"), "forbidden queue: %s", why);
    say("  forbidden queue: %s", why);

    const struct mq_decl absent[] = {
        {.kind = MQ_EXCHANGE, .exchange = "it.absent", .flags = MQ_PASSIVE}};
    refused(&cfg, absent, 1, why, sizeof(why));
    CHECK(strstr(why, "declare exchange 'it.absent': 404 NOT_FOUND"), "absent exchange: %s", why);
    say("  absent exchange: %s", why);

    /* What an Open Baton plugin does with its rights: check the exchange it may not configure,
     * declare its own queue and bind it. */
    const struct mq_decl allowed[] = {
        {.kind = MQ_EXCHANGE, .exchange = "it.x", .flags = MQ_PASSIVE},
        {.kind = MQ_QUEUE, .queue = "it.mine", .flags = MQ_AUTO_DELETE},
        {.kind = MQ_BIND, .exchange = "it.x", .queue = "it.mine", .routing_key = "it.mine"},
    };
    struct mq *mq;
    CHECK(mq_start(&cfg, allowed, 3, NULL, 0, NULL, NULL, NULL, &mq) == 0, "start");
    CHECK(mq_wait_connected(mq, 5000) == 0, "the permitted topology connects");
    mq_free(mq);
    say("PASS denied: refusals named with the broker's words; the permitted topology connects");
    return 0;
}

/* ---- watch: report the connection's state changes until STOP_FILE exists ---- */

static int cmd_watch(const char *stop_file)
{
    struct mq_config cfg = config("it-watch");
    cfg.heartbeat_s = 1;
    cfg.no_rpc = true;
    struct mq *mq;
    CHECK(mq_start(&cfg, NULL, 0, NULL, 0, NULL, NULL, NULL, &mq) == 0, "start");
    CHECK(mq_wait_connected(mq, 10000) == 0, "up");
    bool up = true;
    int64_t since = time_mono_ms();
    say("UP %" PRIu64, mq_connects(mq));
    while (access(stop_file, F_OK) != 0) {
        time_sleep_ms(20);
        if (mq_connected(mq) == up)
            continue;
        up = !up;
        char why[512];
        mq_last_error(mq, why, sizeof(why));
        if (up)
            say("UP %" PRIu64, mq_connects(mq));
        else
            say("DOWN after %" PRId64 " ms: %s", time_mono_ms() - since, why);
        since = time_mono_ms();
    }
    mq_free(mq);
    return 0;
}

/* ---- serve: the RPC server for the shell's raw messages and kill tests ---- */

static int cmd_serve(size_t body_max)
{
    struct workq *q = workers(4);
    struct mq *srv = start_server(q, body_max, NULL);
    CHECK(mq_wait_connected(srv, 10000) == 0, "up");
    say("READY");
    signals_wait_termination();
    stop_all(srv, q);
    say("STOPPED");
    return 0;
}

/* ---- consume-hang / consume-once: redelivery after a kill -9 ---- */

static void h_hang(struct mq_delivery *d, void *ud)
{
    (void)ud;
    size_t len;
    const char *body = mq_delivery_body(d, &len);
    say("GOT %s redelivered=%d", body ? body : "", mq_delivery_redelivered(d));
    for (;;)
        pause(); /* never settles: the test kills the process */
}

static void h_once(struct mq_delivery *d, void *ud)
{
    (void)ud;
    size_t len;
    const char *body = mq_delivery_body(d, &len);
    say("GOT %s redelivered=%d", body ? body : "", mq_delivery_redelivered(d));
    mq_ack(d);
    h_record(d, NULL);
}

static int cmd_consume(const char *queue, bool hang)
{
    static struct mq_decl decls[1];
    static struct mq_consumer cons[1];
    decls[0] = (struct mq_decl){.kind = MQ_QUEUE, .queue = queue, .flags = MQ_DURABLE};
    cons[0] = (struct mq_consumer){.queue = queue, .handler = hang ? h_hang : h_once};
    struct workq *q = workers(1);
    struct mq_config cfg = config(hang ? "it-consume-hang" : "it-consume-once");
    cfg.prefetch = 1;
    cfg.no_rpc = true;
    struct mq *mq;
    CHECK(mq_start(&cfg, decls, 1, cons, 1, q, NULL, NULL, &mq) == 0, "start");
    CHECK(mq_wait_connected(mq, 10000) == 0, "up");
    say("READY");
    if (hang)
        for (;;)
            pause();
    CHECK(wait_got(1, 10000), "one delivery");
    stop_all(mq, q);
    return 0;
}

int main(int argc, char **argv)
{
    signals_block_termination();
    if (getenv("MQ_DEBUG"))
        log_set_level(LOG_DEBUG);
    const char *cmd = argc > 1 ? argv[1] : "";
    if (strcmp(cmd, "basic") == 0)
        return cmd_basic();
    if (strcmp(cmd, "prefetch") == 0)
        return cmd_prefetch();
    if (strcmp(cmd, "heartbeat") == 0)
        return cmd_heartbeat();
    if (strcmp(cmd, "rpc") == 0)
        return cmd_rpc();
    if (strcmp(cmd, "rpc-stream") == 0 && argc > 2)
        return cmd_rpc_stream(argv[2]);
    if (strcmp(cmd, "rpc-down") == 0)
        return cmd_rpc_down();
    if (strcmp(cmd, "denied") == 0)
        return cmd_denied();
    if (strcmp(cmd, "watch") == 0 && argc > 2)
        return cmd_watch(argv[2]);
    if (strcmp(cmd, "serve") == 0)
        return cmd_serve(argc > 2 ? (size_t)atol(argv[2]) : 0);
    if (strcmp(cmd, "consume-hang") == 0 && argc > 2)
        return cmd_consume(argv[2], true);
    if (strcmp(cmd, "consume-once") == 0 && argc > 2)
        return cmd_consume(argv[2], false);
    fprintf(stderr,
            "usage: %s basic|prefetch|heartbeat|rpc|rpc-down|denied|rpc-stream STOP_FILE|watch "
            "STOP_FILE|serve "
            "[BODY_MAX]|consume-hang QUEUE|consume-once QUEUE\n",
            argv[0]);
    return 2;
}
