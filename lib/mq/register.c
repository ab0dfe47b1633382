/* The registration RPC (see register.h): a short-lived connection of its own, since the
 * registration user's rights end at its reply queue and nfvo.manager.handling. */
#include "mq/register.h"

#include "core/stopper.h"
#include "core/timeutil.h"

#include <errno.h>
#include <string.h>

#define REGISTER_SLICE_MS 100

json_t *mq_register_plugin_body(const char *plugin_id)
{
    return json_pack("{s:s, s:s}", "type", plugin_id, "action", "register");
}

/* A credential member of the reply: a string of 1..MQ_NAME_MAX bytes without NUL. */
static int take_credential(const json_t *reply, const char *key, char *out, size_t size,
                           struct pop_error *err)
{
    const json_t *v = json_object_get(reply, key);
    size_t len = json_is_string(v) ? json_string_length(v) : 0;
    if (!len || len >= size || memchr(json_string_value(v), '\0', len))
        return pop_error_set(err, -EBADMSG, API_INVALID_FIELD, key,
                             "the NFVO's registration reply has no usable %s", key);
    memcpy(out, json_string_value(v), len + 1);
    return 0;
}

/* Waits for the connection until deadline in short slices, so a stop is not held up; the
 * first failed attempt ends the wait (-ECONNREFUSED; its words in mq_last_error), since the
 * caller's backoff, not lib/mq's, paces the retries of a registration. */
static int wait_connected(struct mq *mq, int64_t deadline, const struct stopper *cancel)
{
    for (;;) {
        int64_t left = deadline - time_mono_ms();
        if (left <= 0)
            return -ETIMEDOUT;
        if (cancel && stopper_fired(cancel))
            return -ECANCELED;
        int r = mq_wait_connected(mq, left < REGISTER_SLICE_MS ? left : REGISTER_SLICE_MS);
        if (r != -ETIMEDOUT)
            return r;
        char why[8];
        mq_last_error(mq, why, sizeof(why));
        if (*why)
            return -ECONNREFUSED;
    }
}

int mq_register(const struct mq_config *reg, const json_t *request, int64_t timeout_ms,
                const struct stopper *cancel, struct mq_credentials *ret, struct pop_error *err)
{
    int64_t deadline = time_mono_ms() + (timeout_ms > 0 ? timeout_ms : MQ_DEFAULT_RPC_TIMEOUT_MS);
    struct mq_config cfg = *reg;
    cfg.no_rpc = false;
    cfg.rpc_reply_exchange = NULL;
    struct mq *mq = NULL;
    int r = mq_start(&cfg, NULL, 0, NULL, 0, NULL, NULL, NULL, &mq);
    if (r < 0)
        return pop_error_set(err, r, API_ERROR_COUNT, NULL,
                             "cannot start the registration connection: %s", strerror(-r));
    r = wait_connected(mq, deadline, cancel);
    if (r == -ECANCELED) {
        mq_free(mq);
        return pop_error_set(err, r, API_ERROR_COUNT, NULL, "registration cancelled");
    }
    if (r < 0) {
        char why[512];
        mq_last_error(mq, why, sizeof(why));
        mq_free(mq);
        return pop_error_set(
            err, -ETIMEDOUT, API_ERROR_COUNT, NULL,
            "no connection to the broker at %s:%u as '%s'%s%s", reg->host ? reg->host : "127.0.0.1",
            reg->port ? reg->port : MQ_DEFAULT_PORT, reg->user, *why ? ": " : "", why);
    }
    json_t *reply = NULL;
    int64_t left = deadline - time_mono_ms();
    r = mq_rpc(mq, "", MQ_MANAGER_QUEUE, request, left > 0 ? left : 1, &reply);
    mq_free(mq);
    if (r < 0) {
        json_decref(reply);
        return pop_error_set(err, r, API_ERROR_COUNT, NULL, "registration on %s: %s",
                             MQ_MANAGER_QUEUE,
                             r == -ENOENT      ? "no such queue (is the NFVO up?)"
                             : r == -ETIMEDOUT ? "the NFVO did not answer in time"
                                               : strerror(-r));
    }
    struct mq_credentials c;
    memset(&c, 0, sizeof(c));
    r = json_is_object(reply) ? 0
                              : pop_error_set(err, -EBADMSG, API_INVALID_FIELD, NULL,
                                              "the NFVO's registration reply is no object");
    if (r == 0)
        r = take_credential(reply, "rabbitUsername", c.username, sizeof(c.username), err);
    if (r == 0)
        r = take_credential(reply, "rabbitPassword", c.password, sizeof(c.password), err);
    json_decref(reply);
    if (r == 0)
        *ret = c;
    return r;
}

int mq_deregister_with(struct mq *mq, const struct mq_credentials *c, const json_t *extra)
{
    json_t *body = json_pack("{s:s, s:s, s:s}", "username", c->username, "password", c->password,
                             "action", "deregister");
    if (!body)
        return -ENOMEM;
    const char *k;
    json_t *v;
    json_object_foreach ((json_t *)extra, k, v)
        if (json_object_set(body, k, v) < 0) {
            json_decref(body);
            return -ENOMEM;
        }
    return mq_publish_json(mq, "", MQ_MANAGER_QUEUE, body);
}

int mq_deregister(struct mq *mq, const struct mq_credentials *c, const char *type)
{
    json_t *extra = type ? json_pack("{s:s}", "type", type) : NULL;
    if (type && !extra)
        return -ENOMEM;
    int r = mq_deregister_with(mq, c, extra);
    json_decref(extra);
    return r;
}
