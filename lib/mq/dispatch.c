/* Method tables over an envelope codec: one request body -> parse, pick the method by name and
 * parameter count, run it, and build the answer or the error body. Every failure becomes an
 * error reply naming the problem, so a caller never waits for a reply that is not coming. */
#include "mq/mq-int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "core/metrics.h"
#include "json/jv.h"

static json_t *openbaton_ok(json_t *answer)
{
    json_t *o = json_object();
    if (!o || json_object_set_new(o, "answer", answer) < 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *openbaton_fail(const struct pop_error *e)
{
    enum api_error api = pop_error_api(e);
    const char *detail = e->detail[0] ? e->detail : api_error_title(api);
    return json_pack("{s:{s:s,s:s}}", "exception", "detailMessage", detail, "code",
                     api_error_code(api));
}

const struct mq_codec mq_codec_openbaton = {
    .method_key = "methodName",
    .params_key = "parameters",
    .ok = openbaton_ok,
    .fail = openbaton_fail,
};

/* "8 or 10" for the counts the overloads of name take. */
static void overload_counts(const struct mq_method *m, size_t n, const char *name, char *buf,
                            size_t size)
{
    size_t k = 0, total = 0, used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++)
        if (strcmp(m[i].name, name) == 0)
            total++;
    for (size_t i = 0; i < n && used < size; i++) {
        if (strcmp(m[i].name, name) != 0)
            continue;
        int w = snprintf(buf + used, size - used, "%s%d",
                         k == 0 ? "" : (k + 1 == total ? " or " : ", "), m[i].n_params);
        if (w < 0)
            break;
        used += (size_t)w;
        k++;
    }
}

static int dispatch_parse(const struct mq_codec *c, const char *body, size_t len, json_t **ret,
                          struct pop_error *err)
{
    if (c->parse) {
        int r = c->parse(body, len, ret, err);
        if (r < 0)
            pop_error_default(err, r, API_BAD_JSON, "request body is not valid JSON");
        return r;
    }
    struct jv_error je;
    int r = jv_parse(body, len, ret, &je);
    if (r < 0)
        return jv_error_to_pop(&je, err);
    return 0;
}

/* Finds the method: by name, then by parameter count (params_n < 0: params is an object). */
static const struct mq_method *find_method(const struct mq_codec *c, const struct mq_method *m,
                                           size_t n, const char *name, long params_n,
                                           struct pop_error *err)
{
    bool named = false;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(m[i].name, name) != 0)
            continue;
        named = true;
        if (m[i].n_params < 0 || (params_n >= 0 && m[i].n_params == params_n))
            return &m[i];
    }
    if (!named) {
        pop_error_set(err, -EOPNOTSUPP, API_BAD_REQUEST, c->method_key,
                      "method '%s' is not supported", name);
        return NULL;
    }
    char counts[64];
    overload_counts(m, n, name, counts, sizeof(counts));
    if (params_n < 0)
        pop_error_set(err, -EINVAL, API_INVALID_FIELD, c->params_key,
                      "method '%s' takes an array of %s parameters", name, counts);
    else
        pop_error_set(err, -EINVAL, API_INVALID_FIELD, c->params_key,
                      "method '%s' takes %s parameters, got %ld", name, counts, params_n);
    return NULL;
}

static int dispatch(const struct mq_codec *c, const struct mq_method *m, size_t n, int status,
                    uint64_t body_size, size_t body_max, const char *body, size_t len, void *ud,
                    json_t **ret_answer, const char **ret_method, struct pop_error *err)
{
    if (status == -EMSGSIZE)
        return pop_error_set(err, -EMSGSIZE, API_BODY_TOO_LARGE, NULL,
                             "message body of %" PRIu64 " bytes is over the cap of %zu bytes",
                             body_size, body_max);
    if (status < 0)
        return pop_error_set(err, status, API_BAD_REQUEST, NULL, "the message was not readable");
    _cleanup_json_ json_t *doc = NULL;
    int r = dispatch_parse(c, body ? body : "", body ? len : 0, &doc, err);
    if (r < 0)
        return r;
    if (!json_is_object(doc))
        return pop_error_set(err, -EINVAL, API_BAD_JSON, NULL, "expected a JSON object");
    const char *name = json_string_value(json_object_get(doc, c->method_key));
    if (!name)
        return pop_error_set(err, -EINVAL, API_INVALID_FIELD, c->method_key,
                             "%s: required, a string", c->method_key);
    json_t *params = c->params_key ? json_object_get(doc, c->params_key) : NULL;
    _cleanup_json_ json_t *empty = NULL;
    if (!params || json_is_null(params)) {
        params = empty = json_array();
        if (!params)
            return pop_error_set(err, -ENOMEM, API_INTERNAL, NULL, NULL);
    }
    if (!json_is_array(params) && !json_is_object(params))
        return pop_error_set(err, -EINVAL, API_INVALID_FIELD, c->params_key,
                             "%s: expected an array or an object", c->params_key);
    long params_n = json_is_array(params) ? (long)json_array_size(params) : -1;
    const struct mq_method *method = find_method(c, m, n, name, params_n, err);
    if (!method)
        return err->r;
    *ret_method = method->name;
    if (json_is_object(params) && method->params_schema) {
        struct jv_error je;
        r = jv_validate(params, method->params_schema, &je);
        if (r < 0)
            return jv_error_to_pop(&je, err);
    }
    json_t *answer = NULL;
    r = method->run(params, &answer, err, ud);
    if (r < 0) {
        json_decref(answer);
        return pop_error_default(err, r, API_ERROR_COUNT, "%s: %s", method->name, strerror(-r));
    }
    *ret_answer = answer ? answer : json_null();
    return 0;
}

int mq_dispatch_body(const struct mq_codec *c, const struct mq_method *m, size_t n, int status,
                     uint64_t body_size, size_t body_max, const char *body, size_t len, void *ud,
                     json_t **ret_reply, const char **ret_method)
{
    struct pop_error err = POP_ERROR_INIT;
    json_t *answer = NULL;
    *ret_method = "unknown";
    int r =
        dispatch(c, m, n, status, body_size, body_max, body, len, ud, &answer, ret_method, &err);
    if (r < 0) {
        log_debug("mq: method %s failed: %s", *ret_method, err.detail);
        *ret_reply = c->fail(&err);
        return r;
    }
    *ret_reply = c->ok(answer);
    return 0;
}

void mq_dispatch(struct mq_delivery *d, const struct mq_codec *c, const struct mq_method *m,
                 size_t n, void *ud)
{
    struct mq *mq = d->mq;
    int64_t t0 = mq_now_us();
    json_t *reply = NULL;
    const char *method = "unknown";
    int r = mq_dispatch_body(c, m, n, d->status, d->body_size, mq->cfg.body_max, d->body, d->len,
                             ud, &reply, &method);
    const char *queue = mq_delivery_queue(d);
    const char *labels[] = {queue, method, r < 0 ? "error" : "ok"};
    metric_add(mq->met.methods, labels, 1);
    metric_observe_us(mq->met.method_time, labels, (uint64_t)(mq_now_us() - t0));
    mq_reply_json(d, reply);
}
