/* A stand-in for Open Baton NFVO 6's side of the plugin protocols, written from the reference
 * (§1.1, §1.2, §2.2), for tests of the components that talk to an NFVO over the real broker.
 *
 *   nfvo-standin serve
 *       declares openbaton-exchange and nfvo.manager.handling as the NFVO does, answers every
 *       registration with ManagerCredentials after creating (or resetting) that component's
 *       broker user with exactly the permissions NFVO 6 grants (through the management API),
 *       and prints one line per registration and deregistration:
 *         registered <type> user=<user>     deregistered <user> type=<type>
 *   nfvo-standin call [-n THREADS] [-r REPEAT] [-i PAUSE_MS] [-t TIMEOUT_MS] PLUGIN_ID METHOD
 *                     [PARAMS|-]
 *   nfvo-standin call -m [-t TIMEOUT_MS] PLUGIN_ID      (a whole message on stdin)
 *       the plugin RPC as NFVO 6's PluginCaller makes it: as the admin user, a reply queue bound
 *       to openbaton-exchange, the request on openbaton-exchange with routing key PLUGIN_ID.
 *       Prints each reply envelope on its own line, or "error <-errno>: <text>" for a call
 *       that got none. Exit status: 0 every call answered, 3 some exception, 4 some call
 *       without a reply, 2 usage, 1 set-up.
 *
 * Environment: STANDIN_BROKER_PORT, STANDIN_ADMIN_USER, STANDIN_ADMIN_PASS (an administrator
 * of the vhost "/"), STANDIN_MGMT_URL (the management API, for serve). */
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth/random.h"
#include "core/log.h"
#include "core/parse.h"
#include "core/signals.h"
#include "core/strbuf.h"
#include "core/timeutil.h"
#include "core/workq.h"
#include "mq/admin.h"
#include "mq/mq.h"
#include "mq/register.h"
#include "vnfm_side.h"

#define THREADS_MAX 64
#define INPUT_MAX (8u << 20)

static const char *env_or(const char *name, const char *def)
{
    const char *v = getenv(name);
    return v && *v ? v : def;
}

static struct mq_config admin_config(const char *name)
{
    return (struct mq_config){
        .name = name,
        .host = "127.0.0.1",
        .port = (uint16_t)atoi(env_or("STANDIN_BROKER_PORT", "5672")),
        .user = env_or("STANDIN_ADMIN_USER", "admin"),
        .password = env_or("STANDIN_ADMIN_PASS", "openbaton"),
        .connect_timeout_ms = 2000,
        .backoff_max_ms = 500,
    };
}

/* ---- serve: the registration side ---- */

static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

static void say_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say_line(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    pthread_mutex_lock(&out_lock);
    vprintf(fmt, ap);
    va_end(ap);
    fflush(stdout);
    pthread_mutex_unlock(&out_lock);
}

/* The user NFVO 6's ComponentManager.enableManager makes for a component whose queue is t,
 * with the permission rule lib/mq/admin.h writes down once (pop-nfvo uses the same). */
static int make_user(const char *user, const char *password, const char *t)
{
    struct mq_permissions perms;
    struct mq_admin *a = NULL;
    struct pop_error e = POP_ERROR_INIT;
    int r = mq_manager_permissions(t, &perms);
    if (r == 0)
        r = mq_admin_new(env_or("STANDIN_MGMT_URL", ""), env_or("STANDIN_ADMIN_USER", "admin"),
                         env_or("STANDIN_ADMIN_PASS", "openbaton"), 10000, &a);
    if (r == 0 && (r = mq_admin_put_user(a, "/", user, password, &perms, &e)) < 0)
        fprintf(stderr, "nfvo-standin: %s\n", e.detail);
    mq_admin_free(a);
    return r;
}

static void on_manager_message(struct mq_delivery *d, void *ud)
{
    (void)ud;
    size_t len = 0;
    const char *body = mq_delivery_body(d, &len);
    json_t *msg = body ? json_loadb(body, len, 0, NULL) : NULL;
    const char *action = json_string_value(json_object_get(msg, "action"));
    const char *type = json_string_value(json_object_get(msg, "type"));
    if (action && strcmp(action, "register") == 0 && type) {
        /* The username is the type; the queue t of a plugin is the username (§1.2). */
        const json_t *ep = json_object_get(msg, "vnfmManagerEndpoint");
        const char *t = json_string_value(json_object_get(ep, "endpoint"));
        char password[17];
        if (auth_random_hex(8, password, sizeof(password)) < 0 ||
            make_user(type, password, t ? t : type) < 0) {
            fprintf(stderr, "nfvo-standin: cannot create the broker user of %s\n", type);
            mq_reject(d, true);
        } else {
            mq_reply_json(d, json_pack("{s:s, s:s, s:s, s:i}", "rabbitUsername", type,
                                       "rabbitPassword", password, "id", "standin-manager",
                                       "hbVersion", 0));
            say_line("registered %s user=%s\n", type, type);
        }
    } else if (action && (strcmp(action, "deregister") == 0 || strcmp(action, "unregister") == 0)) {
        const char *user = json_string_value(json_object_get(msg, "username"));
        say_line("deregistered %s type=%s\n", user ? user : "?", type ? type : "?");
    } else {
        fprintf(stderr, "nfvo-standin: unexpected manager message: %.*s\n", (int)len,
                body ? body : "");
    }
    json_decref(msg);
}

static const struct mq_decl serve_decls[] = {
    {.kind = MQ_EXCHANGE, .exchange = MQ_OPENBATON_EXCHANGE, .type = "topic", .flags = MQ_DURABLE},
    {.kind = MQ_QUEUE, .queue = MQ_MANAGER_QUEUE, .flags = MQ_DURABLE | MQ_AUTO_DELETE},
    {.kind = MQ_BIND,
     .exchange = MQ_OPENBATON_EXCHANGE,
     .queue = MQ_MANAGER_QUEUE,
     .routing_key = MQ_MANAGER_QUEUE},
};

static int cmd_serve(void)
{
    struct mq_config cfg = admin_config("nfvo-standin");
    cfg.no_rpc = true;
    struct mq_consumer cons = {.queue = MQ_MANAGER_QUEUE, .handler = on_manager_message};
    struct workq *q = NULL;
    struct mq *mq = NULL;
    if (workq_new("standin", 2, 64, &q) < 0 ||
        mq_start(&cfg, serve_decls, sizeof(serve_decls) / sizeof(serve_decls[0]), &cons, 1, q, NULL,
                 NULL, &mq) < 0 ||
        mq_wait_connected(mq, 20000) < 0) {
        fprintf(stderr, "nfvo-standin: cannot serve on the broker\n");
        return 1;
    }
    say_line("nfvo-standin ready\n");
    signals_wait_termination();
    mq_stop(mq, time_mono_ms() + 2000);
    workq_free(q);
    mq_free(mq);
    return 0;
}

/* ---- call: the NFVO's plugin RPC ---- */

struct caller {
    struct mq *mq;
    const char *plugin;
    json_t *request;
    int64_t timeout_ms;
    int64_t repeat;
    int64_t pause_ms; /* between two calls of one thread */
    atomic_int worst; /* 0, 3 (exception) or 4 (no reply) */
};

static void raise_worst(atomic_int *w, int v)
{
    int cur = atomic_load(w);
    while (cur < v && !atomic_compare_exchange_weak(w, &cur, v))
        ;
}

static void *call_loop(void *arg)
{
    struct caller *c = arg;
    for (int64_t i = 0; i < c->repeat; i++) {
        if (i > 0)
            time_sleep_ms(c->pause_ms);
        json_t *reply = NULL;
        int r = mq_rpc(c->mq, MQ_OPENBATON_EXCHANGE, c->plugin, c->request, c->timeout_ms, &reply);
        pthread_mutex_lock(&out_lock);
        if (r < 0) {
            printf("error %d: %s\n", r, strerror(-r));
            raise_worst(&c->worst, 4);
        } else {
            char *text = json_dumps(reply, JSON_COMPACT | JSON_ENCODE_ANY);
            printf("%s\n", text ? text : "null");
            free(text);
            if (!json_is_object(reply) || !json_object_get(reply, "answer"))
                raise_worst(&c->worst, 3);
        }
        fflush(stdout);
        pthread_mutex_unlock(&out_lock);
        json_decref(reply);
    }
    return NULL;
}

static int read_stdin(struct strbuf *out)
{
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), stdin)) > 0)
        if (strbuf_append(out, buf, n) < 0)
            return -E2BIG;
    return ferror(stdin) ? -EIO : 0;
}

static int call_usage(void)
{
    fprintf(stderr, "usage: nfvo-standin call [-n THREADS] [-r REPEAT] [-i PAUSE_MS] [-t "
                    "TIMEOUT_MS] PLUGIN_ID "
                    "METHOD [PARAMS|-]\n"
                    "       nfvo-standin call -m [-t TIMEOUT_MS] PLUGIN_ID\n");
    return 2;
}

static int cmd_call(int argc, char **argv)
{
    int64_t threads = 1, repeat = 1, timeout = 60000, pause = 0;
    bool whole = false;
    int i = 0;
    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        int64_t *v = strcmp(argv[i], "-n") == 0   ? &threads
                     : strcmp(argv[i], "-r") == 0 ? &repeat
                     : strcmp(argv[i], "-t") == 0 ? &timeout
                     : strcmp(argv[i], "-i") == 0 ? &pause
                                                  : NULL;
        if (strcmp(argv[i], "-m") == 0)
            whole = true;
        else if (v && i + 1 < argc && parse_int64(argv[i + 1], 1, 10000000, v) == 0)
            i++;
        else
            return call_usage();
    }
    int left = argc - i;
    if (whole ? left != 1 : (left != 2 && left != 3) || threads > THREADS_MAX)
        return call_usage();
    const char *plugin = argv[i];
    struct strbuf in = {.max = INPUT_MAX};
    json_t *request = NULL;
    if (whole || left == 2 || strcmp(argv[i + 2], "-") == 0) {
        if (read_stdin(&in) < 0) {
            fprintf(stderr, "nfvo-standin: cannot read stdin\n");
            return 1;
        }
    } else if (strbuf_puts(&in, argv[i + 2]) < 0) {
        return 1;
    }
    json_error_t je;
    json_t *input = json_loadb(in.buf ? in.buf : "", in.len, JSON_DECODE_ANY, &je);
    strbuf_done(&in);
    if (!input) {
        fprintf(stderr, "nfvo-standin: input is not JSON: %s\n", je.text);
        return 2;
    }
    request =
        whole ? input : json_pack("{s:s, s:o}", "methodName", argv[i + 1], "parameters", input);
    /* PluginCaller's reply queue is bound to openbaton-exchange under its own name (§2.2). */
    struct mq_config cfg = admin_config("nfvo-standin-call");
    cfg.rpc_reply_exchange = MQ_OPENBATON_EXCHANGE;
    struct mq *mq = NULL;
    if (!request || mq_start(&cfg, NULL, 0, NULL, 0, NULL, NULL, NULL, &mq) < 0 ||
        mq_wait_connected(mq, 20000) < 0) {
        fprintf(stderr, "nfvo-standin: cannot connect to the broker\n");
        json_decref(request);
        mq_free(mq);
        return 1;
    }
    struct caller c = {.mq = mq,
                       .plugin = plugin,
                       .request = request,
                       .timeout_ms = timeout,
                       .repeat = repeat,
                       .pause_ms = pause};
    pthread_t t[THREADS_MAX];
    for (int64_t k = 0; k < threads; k++)
        if (pthread_create(&t[k], NULL, call_loop, &c) != 0) {
            fprintf(stderr, "nfvo-standin: no thread\n");
            return 1;
        }
    for (int64_t k = 0; k < threads; k++)
        pthread_join(t[k], NULL);
    json_decref(request);
    mq_free(mq);
    return atomic_load(&c.worst);
}

int main(int argc, char **argv)
{
    log_set_level(getenv("STANDIN_VERBOSE") ? LOG_DEBUG : LOG_WARN);
    signals_ignore_sigpipe();
    if (argc >= 2 && strcmp(argv[1], "serve") == 0 && argc == 2) {
        signals_block_termination();
        return cmd_serve();
    }
    if (argc >= 2 && strcmp(argv[1], "call") == 0)
        return cmd_call(argc - 2, argv + 2);
    /* NFVO 6's side of the VNFM protocol (vnfm_side.c). */
    if (argc >= 2 && strcmp(argv[1], "vnfm-nfvo") == 0) {
        signals_block_termination();
        return standin_vnfm_nfvo(argc - 2, argv + 2);
    }
    if (argc >= 2 && strcmp(argv[1], "vnfm-send") == 0)
        return standin_vnfm_send(argc - 2, argv + 2);
    fprintf(stderr, "usage: nfvo-standin serve | call | vnfm-nfvo | vnfm-send ...\n");
    return 2;
}
