/* The stand-in's NFVO 6 side of the NFVO <-> VNFM protocol (reference §3, §11.1-3, §11.10-12),
 * for tests of a VNFM over the real broker:
 *
 *   nfvo-standin vnfm-nfvo
 *       declares vnfm.nfvo.actions.reply as the NFVO does (durable, auto-delete, bound to
 *       openbaton-exchange) and answers the VNFM's RPCs there as NFVO 6's tasks do:
 *       GRANT_OPERATION (GrantoperationTask: ids and hbVersion on the VNFR, its VDUs, VNFC
 *       components and their connection points, each connection point's
 *       virtual_link_reference_id = the extId of the VIM's network of that name (the driver's
 *       listNetworks), a GRANTED lifecycle_event_history entry, and vduVim = the VIM named first
 *       in the VDU's vimInstanceName), ALLOCATE_RESOURCES (AllocateresourcesTask and GenericVIM,
 *       §2.5: launchInstanceAndWait of every VNFC component on the VIM's driver, hostname
 *       <vnfr>-<0..9999999>, the VNFC instances built from the Servers) and SCALING (ScalingTask:
 *       the same for the component the scale-out added to the VDU, i.e. the one without an
 *       instance; answered {"action":"SCALED","vnfr"}, §11.11); anything else is answered `null`
 *       (§11.2). STANDIN_IGNORE=<action> takes calls of that action and never answers them (a
 *       hung NFVO); STANDIN_ALLOCATE_DELAY_MS makes each allocation wait that long. One line per
 * call on stdout: "granted <vnfr> id=<id>", "allocated|scaled <vnfr> <hostname> <ips>", "refused
 * <action> <vnfr>: <message>", "ignored <action> <vnfr>". nfvo-standin vnfm-send [-t TIMEOUT_MS]
 * ENDPOINT sends the message on stdin (any bytes, malformed ones included) to a VNFM exactly as
 *       NFVO 6's RabbitVnfmSender does: on openbaton-exchange with routing key ENDPOINT,
 *       content_type text/plain, reply_to = amq.rabbitmq.reply-to (direct reply-to) and no
 *       correlation id (§11.1), and prints the reply body on one line. Exit status: 0 a reply,
 *       4 none within the timeout, 1 set-up, 2 usage.
 *
 * Environment: STANDIN_BROKER_PORT, STANDIN_ADMIN_USER, STANDIN_ADMIN_PASS; for vnfm-nfvo also
 * STANDIN_VIMS (a file holding the JSON array of the NFVO's VIM instances) and STANDIN_DRIVER
 * (the plugin id of their driver).
 *
 * vnfm-send talks to librabbitmq-c directly, the one place outside lib/mq that does: direct
 * reply-to needs a no-ack consumer of amq.rabbitmq.reply-to on the publishing channel and a
 * request without correlation id, which lib/mq's RPC client (its own reply queue, always a
 * correlation id) deliberately is not; this file plays the foreign peer's wire behaviour. */
#include "vnfm_side.h"

#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "auth/random.h"
#include "core/parse.h"
#include "core/signals.h"
#include "core/strbuf.h"
#include "core/timeutil.h"
#include "core/workq.h"
#include "mq/mq.h"
#include "mq/register.h"

#define NFVO_QUEUE "vnfm.nfvo.actions.reply"
#define SEND_INPUT_MAX (8u << 20)

static const char *env_or(const char *name, const char *def)
{
    const char *v = getenv(name);
    return v && *v ? v : def;
}

static pthread_mutex_t say_lock = PTHREAD_MUTEX_INITIALIZER;

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    pthread_mutex_lock(&say_lock);
    vprintf(fmt, ap);
    fflush(stdout);
    pthread_mutex_unlock(&say_lock);
    va_end(ap);
}

/* ---- vnfm-nfvo ---- */

struct nfvo {
    json_t *vims; /* the NFVO's VIM instances */
    const char *driver;
};

static json_t *new_id(void)
{
    char hex[33];
    if (auth_random_hex(16, hex, sizeof(hex)) < 0)
        return NULL;
    /* A UUID's shape, as the NFVO's JPA ids. */
    char id[40];
    snprintf(id, sizeof(id), "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16,
             hex + 20);
    return json_string(id);
}

/* The first save of an entity: an id and hbVersion 0 unless it has them. */
static void save_entity(json_t *o)
{
    if (!json_is_object(o))
        return;
    if (!json_is_string(json_object_get(o, "id")))
        json_object_set_new(o, "id", new_id());
    if (!json_is_integer(json_object_get(o, "hbVersion")))
        json_object_set_new(o, "hbVersion", json_integer(0));
}

static const json_t *find_vim(const struct nfvo *n, const char *name)
{
    size_t i;
    const json_t *v;
    json_array_foreach (n->vims, i, v) {
        const char *vn = json_string_value(json_object_get(v, "name"));
        if (name && vn && strcmp(vn, name) == 0)
            return v;
    }
    return NULL;
}

/* A plugin call as PluginCaller makes it; the answer (new reference), or NULL with why. */
static json_t *driver_call(struct mq *mq, const struct nfvo *n, const char *method, json_t *params,
                           char *why, size_t size)
{
    json_t *req = json_pack("{s:s, s:o}", "methodName", method, "parameters", params);
    json_t *env = NULL;
    int r = req ? mq_rpc(mq, MQ_OPENBATON_EXCHANGE, n->driver, req, 60000, &env) : -ENOMEM;
    json_decref(req);
    if (r < 0) {
        snprintf(why, size, "%s: %s", method, strerror(-r));
        return NULL;
    }
    const json_t *exc = json_object_get(env, "exception");
    if (exc || !json_object_get(env, "answer")) {
        snprintf(why, size, "%s: %s", method,
                 exc ? json_string_value(json_object_get(exc, "detailMessage")) : "no answer");
        json_decref(env);
        return NULL;
    }
    json_t *a = json_incref(json_object_get(env, "answer"));
    json_decref(env);
    return a;
}

static json_t *refuse(const char *action, json_t *vnfr, const char *message)
{
    say("refused %s %s: %s\n", action, json_string_value(json_object_get(vnfr, "name")), message);
    return json_pack("{s:s, s:O, s:s}", "action", "ERROR", "vnfr", vnfr, "message", message);
}

static json_t *grant(struct mq *mq, const struct nfvo *n, json_t *vnfr)
{
    char why[1024];
    save_entity(vnfr);
    json_t *vdu_vim = json_object();
    size_t i, j, k;
    json_t *vdu, *vnfc, *cp;
    json_array_foreach (json_object_get(vnfr, "vdu"), i, vdu) {
        save_entity(vdu);
        const char *vim_name =
            json_string_value(json_array_get(json_object_get(vdu, "vimInstanceName"), 0));
        const json_t *vim = find_vim(n, vim_name);
        if (!vim) {
            json_decref(vdu_vim);
            snprintf(why, sizeof(why), "no VIM instance named %s", vim_name ? vim_name : "(none)");
            return refuse("GRANT_OPERATION", vnfr, why);
        }
        json_object_set(vdu_vim, json_string_value(json_object_get(vdu, "id")), (json_t *)vim);
        json_t *nets =
            driver_call(mq, n, "listNetworks", json_pack("[O]", (json_t *)vim), why, sizeof(why));
        if (!nets) {
            json_decref(vdu_vim);
            return refuse("GRANT_OPERATION", vnfr, why);
        }
        json_array_foreach (json_object_get(vdu, "vnfc"), j, vnfc) {
            save_entity(vnfc);
            json_array_foreach (json_object_get(vnfc, "connection_point"), k, cp) {
                save_entity(cp);
                const char *vl = json_string_value(json_object_get(cp, "virtual_link_reference"));
                size_t m;
                const json_t *net;
                json_array_foreach (nets, m, net)
                    if (vl && strcmp(vl, json_string_value(json_object_get(net, "name"))) == 0)
                        json_object_set(cp, "virtual_link_reference_id",
                                        json_object_get(net, "extId"));
            }
        }
        json_decref(nets);
    }
    json_t *hist = json_object_get(vnfr, "lifecycle_event_history");
    if (!json_is_array(hist)) {
        hist = json_array();
        json_object_set_new(vnfr, "lifecycle_event_history", hist);
    }
    json_t *ev = json_pack("{s:s, s:s, s:s}", "event", "GRANTED", "description",
                           "All the resources that are contained in this VNFR were granted to be "
                           "deployed in the chosen vim(s)",
                           "executedAt", "2026.12.02 18:00:00 +0000");
    save_entity(ev);
    json_array_append_new(hist, ev);
    say("granted %s id=%s\n", json_string_value(json_object_get(vnfr, "name")),
        json_string_value(json_object_get(vnfr, "id")));
    return json_pack("{s:b, s:o, s:O}", "grantAllowed", 1, "vduVim", vdu_vim,
                     "virtualNetworkFunctionRecord", vnfr);
}

/* GenericVIM.getVnfcInstance: the VNFC instance of one launched Server (§2.5). */
static json_t *vnfc_instance(const json_t *server, const json_t *vim, const char *hostname,
                             json_t *component, json_t *vnfr)
{
    json_t *ips = json_array();
    const char *net;
    json_t *list;
    json_object_foreach ((json_t *)json_object_get(server, "ips"), net, list) {
        json_array_append_new(
            ips, json_pack("{s:s, s:O}", "netName", net, "ip", json_array_get(list, 0)));
        json_t *addr = json_object_get(vnfr, "vnf_address");
        size_t i;
        json_t *ip;
        json_array_foreach (list, i, ip)
            json_array_append(addr, ip);
    }
    json_t *cps = json_array();
    size_t i;
    json_t *cp;
    json_array_foreach (json_object_get(component, "connection_point"), i, cp) {
        json_t *c = json_pack("{s:O, s:s}", "virtual_link_reference",
                              json_object_get(cp, "virtual_link_reference"), "type", "internal");
        save_entity(c);
        json_array_append_new(cps, c);
    }
    json_t *vi = json_pack("{s:O, s:O, s:s, s:O, s:o, s:[], s:o, s:O}", "vc_id",
                           json_object_get(server, "extId"), "vim_id", json_object_get(vim, "id"),
                           "hostname", hostname, "state", json_object_get(server, "status"), "ips",
                           ips, "floatingIps", "connection_point", cps, "vnfComponent", component);
    save_entity(vi);
    return vi;
}

/* Whether some VNFC instance of vdu was made from component (by the component's id). */
static bool has_instance(const json_t *vdu, const json_t *component)
{
    const char *id = json_string_value(json_object_get(component, "id"));
    size_t i;
    const json_t *vi;
    json_array_foreach (json_object_get(vdu, "vnfc_instance"), i, vi) {
        const char *cid =
            json_string_value(json_object_get(json_object_get(vi, "vnfComponent"), "id"));
        if (id && cid && strcmp(id, cid) == 0)
            return true;
    }
    return false;
}

/* Launches every VNFC component of vnfr that has no instance yet (all of them at
 * ALLOCATE_RESOURCES, the one the scale-out added at SCALING), on the VIM of its VDU:
 * by_vdu[vdu id] (ALLOCATE_RESOURCES' vimInstances), else one (SCALING's vimInstance), else
 * the NFVO's VIM named first in vimInstanceName. The reply, or a refusal. */
static json_t *launch_missing(struct mq *mq, const struct nfvo *n, const char *action, json_t *vnfr,
                              const json_t *by_vdu, const json_t *one, const char *userdata,
                              const char *answer_action)
{
    if (!json_is_array(json_object_get(vnfr, "vnf_address")))
        json_object_set_new(vnfr, "vnf_address", json_array());
    char why[1024];
    size_t i, j;
    json_t *vdu, *component;
    json_array_foreach (json_object_get(vnfr, "vdu"), i, vdu) {
        const json_t *vim = json_object_get(by_vdu, json_string_value(json_object_get(vdu, "id")));
        if (!vim)
            vim = one;
        if (!vim)
            vim = find_vim(
                n, json_string_value(json_array_get(json_object_get(vdu, "vimInstanceName"), 0)));
        if (!vim)
            return refuse(action, vnfr, "no VIM instance for a VDU");
        json_t *instances = json_object_get(vdu, "vnfc_instance");
        if (!json_is_array(instances)) {
            instances = json_array();
            json_object_set_new(vdu, "vnfc_instance", instances);
        }
        json_array_foreach (json_object_get(vdu, "vnfc"), j, component) {
            if (has_instance(vdu, component))
                continue;
            save_entity(component);
            uint32_t rnd = 0;
            auth_random_bytes(&rnd, sizeof(rnd));
            char hostname[300];
            snprintf(hostname, sizeof(hostname), "%s-%u",
                     json_string_value(json_object_get(vnfr, "name")), rnd % 10000000u);
            /* Generic VIM: the image's extId is the vm_image (§2.5); flavour and key pair "". */
            json_t *params =
                json_pack("[O, s, O, s, s, O, [], s, {}, []]", vim, hostname,
                          json_array_get(json_object_get(vdu, "vm_image"), 0), "", "",
                          json_object_get(component, "connection_point"), userdata ? userdata : "");
            json_t *server =
                params ? driver_call(mq, n, "launchInstanceAndWait", params, why, sizeof(why))
                       : NULL;
            if (!server)
                return refuse(action, vnfr, why);
            json_t *vi = vnfc_instance(server, vim, hostname, component, vnfr);
            char *ips = json_dumps(json_object_get(server, "ips"), JSON_COMPACT);
            say("%s %s %s %s\n", strcmp(action, "SCALING") == 0 ? "scaled" : "allocated",
                json_string_value(json_object_get(vnfr, "name")), hostname, ips ? ips : "?");
            free(ips);
            json_decref(server);
            json_array_append_new(instances, vi);
        }
    }
    return json_pack("{s:s, s:O}", "action", answer_action, "vnfr", vnfr);
}

/* STANDIN_ALLOCATE_DELAY_MS: an allocation that takes this long (a slow VIM); returns it. */
static int64_t delay_ms(void)
{
    int64_t ms = 0;
    if (parse_int64(env_or("STANDIN_ALLOCATE_DELAY_MS", "0"), 0, 600000, &ms) == 0 && ms > 0) {
        say("delaying the allocation %lld ms\n", (long long)ms);
        struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000};
        nanosleep(&ts, NULL);
    }
    return ms;
}

static void on_vnfm_call(struct mq_delivery *d, void *ud)
{
    const struct nfvo *n = ud;
    size_t len = 0;
    const char *body = mq_delivery_body(d, &len);
    json_t *msg = body ? json_loadb(body, len, 0, NULL) : NULL;
    const char *action = json_string_value(json_object_get(msg, "action"));
    json_t *vnfr = json_object_get(msg, "virtualNetworkFunctionRecord");
    json_t *reply = NULL;
    const char *ignore = getenv("STANDIN_IGNORE");
    if (action && ignore && strcmp(action, ignore) == 0) {
        /* An NFVO that takes the call and never answers (a hung task). */
        say("ignored %s %s\n", action, json_string_value(json_object_get(vnfr, "name")));
        mq_ack(d);
        json_decref(msg);
        return;
    }
    if (action && strcmp(action, "GRANT_OPERATION") == 0 && json_is_object(vnfr))
        reply = grant(mq_delivery_mq(d), n, vnfr);
    else if (action && strcmp(action, "ALLOCATE_RESOURCES") == 0 && json_is_object(vnfr) &&
             delay_ms() >= 0)
        reply = launch_missing(
            mq_delivery_mq(d), n, action, vnfr, json_object_get(msg, "vimInstances"), NULL,
            json_string_value(json_object_get(msg, "userdata")), "ALLOCATE_RESOURCES");
    else if (action && strcmp(action, "SCALING") == 0 && json_is_object(vnfr))
        reply = launch_missing(mq_delivery_mq(d), n, action, vnfr, NULL,
                               json_object_get(msg, "vimInstance"),
                               json_string_value(json_object_get(msg, "userData")), "SCALED");
    else
        say("answered null to %s\n", action ? action : "(no action)");
    mq_reply_json(d, reply);
    json_decref(msg);
}

static const struct mq_decl nfvo_decls[] = {
    {.kind = MQ_EXCHANGE, .exchange = MQ_OPENBATON_EXCHANGE, .type = "topic", .flags = MQ_DURABLE},
    {.kind = MQ_QUEUE, .queue = NFVO_QUEUE, .flags = MQ_DURABLE | MQ_AUTO_DELETE},
    {.kind = MQ_BIND,
     .exchange = MQ_OPENBATON_EXCHANGE,
     .queue = NFVO_QUEUE,
     .routing_key = NFVO_QUEUE},
};

int standin_vnfm_nfvo(int argc, char **argv)
{
    (void)argv;
    if (argc != 0) {
        fprintf(stderr, "usage: nfvo-standin vnfm-nfvo\n");
        return 2;
    }
    json_error_t je;
    struct nfvo n = {.vims = json_load_file(env_or("STANDIN_VIMS", "/dev/null"), 0, &je),
                     .driver = env_or("STANDIN_DRIVER", "vim-drivers.pop.it")};
    if (!json_is_array(n.vims)) {
        fprintf(stderr, "nfvo-standin: STANDIN_VIMS: %s\n", je.text);
        return 1;
    }
    struct mq_config cfg = {
        .name = "nfvo-standin-vnfm",
        .host = "127.0.0.1",
        .port = (uint16_t)atoi(env_or("STANDIN_BROKER_PORT", "5672")),
        .user = env_or("STANDIN_ADMIN_USER", "admin"),
        .password = env_or("STANDIN_ADMIN_PASS", "openbaton"),
        .connect_timeout_ms = 2000,
        .backoff_max_ms = 500,
        .prefetch = 25, /* the NFVO's 25 concurrent consumers (§11.2) */
        .body_max = 8u << 20,
        /* PluginCaller's reply queue is bound to openbaton-exchange under its own name. */
        .rpc_reply_exchange = MQ_OPENBATON_EXCHANGE,
    };
    struct mq_consumer cons = {.queue = NFVO_QUEUE, .handler = on_vnfm_call};
    struct workq *q = NULL;
    struct mq *mq = NULL;
    if (workq_new("standin-nfvo", 8, 64, &q) < 0 ||
        mq_start(&cfg, nfvo_decls, sizeof(nfvo_decls) / sizeof(nfvo_decls[0]), &cons, 1, q, NULL,
                 &n, &mq) < 0 ||
        mq_wait_connected(mq, 20000) < 0) {
        fprintf(stderr, "nfvo-standin: cannot serve %s on the broker\n", NFVO_QUEUE);
        return 1;
    }
    say("nfvo-standin vnfm-nfvo ready\n");
    signals_wait_termination();
    mq_stop(mq, time_mono_ms() + 2000);
    workq_free(q);
    mq_free(mq);
    json_decref(n.vims);
    return 0;
}

/* ---- vnfm-send ---- */

static int amqp_ok(amqp_connection_state_t c, const char *what)
{
    amqp_rpc_reply_t r = amqp_get_rpc_reply(c);
    if (r.reply_type == AMQP_RESPONSE_NORMAL)
        return 0;
    fprintf(stderr, "nfvo-standin: %s failed (reply type %d)\n", what, (int)r.reply_type);
    return -EIO;
}

int standin_vnfm_send(int argc, char **argv)
{
    int64_t timeout = 60000;
    int i = 0;
    if (i + 1 < argc && strcmp(argv[i], "-t") == 0) {
        if (parse_int64(argv[i + 1], 1, 3600000, &timeout) < 0)
            return 2;
        i += 2;
    }
    if (argc - i != 1) {
        fprintf(stderr, "usage: nfvo-standin vnfm-send [-t TIMEOUT_MS] ENDPOINT\n");
        return 2;
    }
    const char *endpoint = argv[i];
    struct strbuf in = {.max = SEND_INPUT_MAX};
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), stdin)) > 0)
        if (strbuf_append(&in, buf, n) < 0)
            return 1;
    /* The text as the NFVO's Gson wrote it, minus the shell's trailing newline. */
    while (in.len && in.buf[in.len - 1] == '\n')
        in.buf[--in.len] = '\0';

    amqp_connection_state_t c = amqp_new_connection();
    amqp_socket_t *s = c ? amqp_tcp_socket_new(c) : NULL;
    struct timeval tv = {.tv_sec = 5};
    int rc = 1;
    if (!s || amqp_socket_open_noblock(s, "127.0.0.1", atoi(env_or("STANDIN_BROKER_PORT", "5672")),
                                       &tv) != AMQP_STATUS_OK) {
        fprintf(stderr, "nfvo-standin: cannot connect to the broker\n");
        goto out;
    }
    amqp_rpc_reply_t lr = amqp_login(c, "/", 0, 131072, 0, AMQP_SASL_METHOD_PLAIN,
                                     env_or("STANDIN_ADMIN_USER", "admin"),
                                     env_or("STANDIN_ADMIN_PASS", "openbaton"));
    if (lr.reply_type != AMQP_RESPONSE_NORMAL) {
        fprintf(stderr, "nfvo-standin: login refused\n");
        goto out;
    }
    amqp_channel_open(c, 1);
    if (amqp_ok(c, "channel.open") < 0)
        goto out;
    /* Direct reply-to: a no-ack consumer of the pseudo-queue, on the publishing channel. */
    amqp_basic_consume(c, 1, amqp_cstring_bytes("amq.rabbitmq.reply-to"), amqp_empty_bytes, 0, 1, 0,
                       amqp_empty_table);
    if (amqp_ok(c, "basic.consume amq.rabbitmq.reply-to") < 0)
        goto out;
    amqp_basic_properties_t props = {
        ._flags =
            AMQP_BASIC_CONTENT_TYPE_FLAG | AMQP_BASIC_REPLY_TO_FLAG | AMQP_BASIC_DELIVERY_MODE_FLAG,
        .content_type = amqp_cstring_bytes("text/plain"),
        .reply_to = amqp_cstring_bytes("amq.rabbitmq.reply-to"),
        .delivery_mode = 2,
    };
    amqp_bytes_t body = {.len = in.len, .bytes = in.buf ? in.buf : ""};
    if (amqp_basic_publish(c, 1, amqp_cstring_bytes(MQ_OPENBATON_EXCHANGE),
                           amqp_cstring_bytes(endpoint), 0, 0, &props, body) != AMQP_STATUS_OK) {
        fprintf(stderr, "nfvo-standin: publish failed\n");
        goto out;
    }
    rc = 4;
    int64_t deadline = time_mono_ms() + timeout;
    for (;;) {
        int64_t left = deadline - time_mono_ms();
        if (left <= 0) {
            fprintf(stderr, "nfvo-standin: no reply from %s within %lld ms\n", endpoint,
                    (long long)timeout);
            break;
        }
        struct timeval wait = {.tv_sec = left / 1000, .tv_usec = (left % 1000) * 1000};
        amqp_envelope_t env;
        amqp_maybe_release_buffers(c);
        amqp_rpc_reply_t r = amqp_consume_message(c, &env, &wait, 0);
        if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
            r.library_error == AMQP_STATUS_TIMEOUT)
            continue;
        if (r.reply_type != AMQP_RESPONSE_NORMAL) {
            fprintf(stderr, "nfvo-standin: connection failed while waiting for the reply\n");
            rc = 1;
            break;
        }
        /* What the reply carried besides its body, for the tests to check. */
        if (env.message.properties._flags & AMQP_BASIC_CORRELATION_ID_FLAG)
            fprintf(stderr, "nfvo-standin: the reply has a correlation id\n");
        printf("%.*s\n", (int)env.message.body.len, (const char *)env.message.body.bytes);
        fflush(stdout);
        amqp_destroy_envelope(&env);
        rc = 0;
        break;
    }
out:
    if (c) {
        amqp_connection_close(c, AMQP_REPLY_SUCCESS);
        amqp_destroy_connection(c);
    }
    strbuf_done(&in);
    return rc;
}
