/* Benchmark (printed, not asserted): the plugin RPC round trip through RabbitMQ and
 * pop-vim-driver versus the same popd-rest call made directly, interleaved in one run:
 *   listServer             vs  GET /v1/containers
 *   launchInstanceAndWait  vs  POST /v1/containers   (each container deleted right after)
 * Prints p50 and p99 of both and of the time the driver adds. Goal: <= 2 ms added at p99 for
 * the cheap call.
 *
 * usage: vimd-bench RUNS VIM_JSON PLUGIN_ID
 * env:   BENCH_BROKER_PORT, BENCH_ADMIN_USER, BENCH_ADMIN_PASS (a broker user that may publish
 *        to openbaton-exchange), BENCH_POP_URL, BENCH_POP_USER, BENCH_POP_PASS, and
 *        BENCH_NETWORK (the network the launches use, "private"). */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "mq/mq.h"
#include "mq/register.h"
#include "popc/popc.h"

static const char *env_or(const char *name, const char *def)
{
    const char *v = getenv(name);
    return v && *v ? v : def;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static double pct_ms(int64_t *v, size_t n, double p)
{
    qsort(v, n, sizeof(*v), cmp_i64);
    size_t i = (size_t)(p * (double)(n - 1) + 0.5);
    return (double)v[i] / 1e6;
}

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* One plugin RPC; returns its time, or -1 (printed) when it did not answer. */
static int64_t rpc(struct mq *mq, const char *plugin, const char *method, json_t *params,
                   json_t **ret_answer)
{
    json_t *req = json_pack("{s:s, s:O}", "methodName", method, "parameters", params);
    json_t *reply = NULL;
    int64_t t0 = now_ns();
    int r = mq_rpc(mq, MQ_OPENBATON_EXCHANGE, plugin, req, 30000, &reply);
    int64_t dt = now_ns() - t0;
    json_decref(req);
    json_t *answer = json_object_get(reply, "answer");
    if (r < 0 || !answer) {
        char *text = reply ? json_dumps(reply, JSON_COMPACT) : NULL;
        fprintf(stderr, "vimd-bench: %s: %s\n", method, r < 0 ? strerror(-r) : text);
        free(text);
        json_decref(reply);
        return -1;
    }
    if (ret_answer)
        *ret_answer = json_incref(answer);
    json_decref(reply);
    return dt;
}

static int64_t direct(struct popc *pc, const char *method, const char *path, json_t *body,
                      json_t **ret)
{
    struct popc_error e = POPC_ERROR_INIT;
    int64_t t0 = now_ns();
    int r = popc_call(pc, method, path, body, ret, &e);
    int64_t dt = now_ns() - t0;
    if (r < 0) {
        fprintf(stderr, "vimd-bench: %s %s: %s\n", method, path, e.err.detail);
        return -1;
    }
    return dt;
}

static void delete_container(struct popc *pc, const char *id)
{
    char path[256];
    snprintf(path, sizeof(path), "/v1/containers/%s", id);
    direct(pc, "DELETE", path, NULL, NULL);
}

static void report(const char *what, int64_t *ours, int64_t *raw, size_t n)
{
    int64_t *added = malloc(n * sizeof(*added));
    for (size_t i = 0; i < n; i++)
        added[i] = ours[i] - raw[i];
    double a50 = pct_ms(added, n, 0.5), a99 = pct_ms(added, n, 0.99);
    double o50 = pct_ms(ours, n, 0.5), o99 = pct_ms(ours, n, 0.99);
    double r50 = pct_ms(raw, n, 0.5), r99 = pct_ms(raw, n, 0.99);
    printf("%-22s n=%zu  driver p50 %7.3f ms p99 %7.3f ms | popd-rest p50 %7.3f ms p99 %7.3f "
           "ms | added p50 %6.3f ms p99 %6.3f ms | ratio p50 %.2fx\n",
           what, n, o50, o99, r50, r99, a50, a99, r50 > 0 ? o50 / r50 : 0);
    free(added);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: vimd-bench RUNS VIM_JSON PLUGIN_ID\n");
        return 2;
    }
    log_set_level(LOG_WARN);
    size_t runs = (size_t)atoi(argv[1]);
    json_t *vim = json_loads(argv[2], 0, NULL);
    const char *plugin = argv[3];
    if (runs < 2 || !vim) {
        fprintf(stderr, "vimd-bench: RUNS >= 2 and a VIM instance JSON expected\n");
        return 2;
    }
    struct mq_config mc = {
        .name = "vimd-bench",
        .port = (uint16_t)atoi(env_or("BENCH_BROKER_PORT", "5672")),
        .user = env_or("BENCH_ADMIN_USER", "admin"),
        .password = env_or("BENCH_ADMIN_PASS", "openbaton"),
        .rpc_reply_exchange = MQ_OPENBATON_EXCHANGE,
    };
    struct mq *mq = NULL;
    struct popc *pc = NULL;
    struct popc_config pcfg = {.url = env_or("BENCH_POP_URL", ""),
                               .user = env_or("BENCH_POP_USER", ""),
                               .password = env_or("BENCH_POP_PASS", "")};
    if (mq_start(&mc, NULL, 0, NULL, 0, NULL, NULL, NULL, &mq) < 0 ||
        mq_wait_connected(mq, 20000) < 0 || popc_new(&pcfg, &pc, NULL) < 0) {
        fprintf(stderr, "vimd-bench: cannot connect to the broker or make the Pop client\n");
        return 1;
    }
    int64_t *ours = calloc(runs, sizeof(int64_t)), *raw = calloc(runs, sizeof(int64_t));
    json_t *list_params = json_pack("[O]", vim);
    /* Warm both paths: the driver's Pop session, popc's login, connections. */
    for (int i = 0; i < 5; i++) {
        rpc(mq, plugin, "listServer", list_params, NULL);
        direct(pc, "GET", "/v1/containers", NULL, NULL);
    }
    size_t n = 0;
    for (size_t i = 0; i < runs; i++) {
        int64_t a = rpc(mq, plugin, "listServer", list_params, NULL);
        int64_t b = direct(pc, "GET", "/v1/containers", NULL, NULL);
        if (a < 0 || b < 0)
            return 1;
        ours[n] = a;
        raw[n++] = b;
    }
    report("listServer", ours, raw, n);

    const char *net = env_or("BENCH_NETWORK", "private");
    n = 0;
    for (size_t i = 0; i < runs; i++) {
        char host[64];
        snprintf(host, sizeof(host), "bench-a-%zu", i);
        json_t *params =
            json_pack("[O, s, s, s, s, [{s:s, s:s}], [], s]", vim, host, "pop-tiny:latest", "", "",
                      "virtual_link_reference", net, "type", "internal", "#!/bin/sh\n");
        json_t *server = NULL;
        int64_t a = rpc(mq, plugin, "launchInstanceAndWait", params, &server);
        json_decref(params);
        if (a < 0)
            return 1;
        delete_container(pc, json_string_value(json_object_get(server, "extId")));
        json_decref(server);
        snprintf(host, sizeof(host), "bench-d-%zu", i);
        json_t *body = json_pack("{s:s, s:s, s:{s:{}}}", "name", host, "image_id",
                                 "pop-tiny:latest", "endpoints", net);
        json_t *created = NULL;
        int64_t b = direct(pc, "POST", "/v1/containers", body, &created);
        json_decref(body);
        if (b < 0)
            return 1;
        delete_container(pc, json_string_value(json_object_get(created, "id")));
        json_decref(created);
        ours[n] = a;
        raw[n++] = b;
    }
    report("launchInstanceAndWait", ours, raw, n);
    json_decref(list_params);
    json_decref(vim);
    free(ours);
    free(raw);
    popc_free(pc);
    mq_free(mq);
    return 0;
}
