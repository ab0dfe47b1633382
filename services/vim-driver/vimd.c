/* The driver core: options, the dispatch by method name and parameter count, the error
 * prefix naming the method and the Pop, the per-call VIM instance and session, metrics. */
#include "vimd.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/lockset.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/strbuf.h"
#include "core/timeutil.h"
#include "envelope.h"
#include "httpc/httpc.h"
#include "popc/popc.h"
#include "vimd-int.h"
#include "json/cleanup.h"

int vimd_new(const struct vimd_options *o, struct vimd **ret, struct pop_error *err)
{
    long timeout = o->pop_timeout_ms ? o->pop_timeout_ms : VIMD_DEFAULT_POP_TIMEOUT_MS;
    size_t sessions = o->max_sessions ? o->max_sessions : VIMD_DEFAULT_SESSIONS;
    if (timeout < 0)
        return pop_error_set(err, -EINVAL, API_INVALID_FIELD, "pop_timeout_ms",
                             "pop_timeout_ms: must not be negative");
    if (sessions > VIMD_SESSIONS_MAX)
        return pop_error_set(err, -EINVAL, API_INVALID_FIELD, "max_sessions",
                             "max_sessions: at most %d", VIMD_SESSIONS_MAX);
    struct vimd *d = calloc(1, sizeof(*d));
    if (!d)
        return pop_error_set(err, -ENOMEM, API_INTERNAL, NULL, NULL);
    d->pop_timeout_ms = timeout;
    d->body_max = o->body_max ? o->body_max : VIMD_DEFAULT_BODY_MAX;
    int r = -ENOMEM;
    if (!(d->type = strdup(o->type ? o->type : "pop")))
        goto fail;
    if ((r = vimd_sessions_new(sessions, timeout, o->pop_refused_retry_ms, o->max_idle,
                               &d->sessions)) < 0 ||
        (r = lockset_new(VIMD_LAUNCH_MARKS_MAX, &d->launching)) < 0)
        goto fail;
    if (o->metrics) {
        static const char *const by_outcome[] = {"method", "outcome", NULL};
        static const char *const by_method[] = {"method", NULL};
        if ((r = metrics_counter(o->metrics, "vimd_rpcs_total",
                                 "Plugin RPCs answered, by method and outcome (ok, error)",
                                 by_outcome, &d->rpcs)) < 0 ||
            (r = metrics_summary(o->metrics, "vimd_rpc_duration_seconds",
                                 "Time to answer a plugin RPC, popd-rest calls included", by_method,
                                 &d->latency)) < 0)
            goto fail;
    }
    *ret = d;
    return 0;
fail:
    vimd_free(d);
    if (r == -EEXIST)
        return pop_error_set(err, r, API_INTERNAL, "metrics",
                             "metrics: the registry has vimd families already");
    return pop_error_set(err, r, API_INTERNAL, NULL, "cannot set up the driver: %s", strerror(-r));
}

void vimd_free(struct vimd *d)
{
    if (!d)
        return;
    lockset_free(d->launching);
    vimd_sessions_free(d->sessions);
    free(d->type);
    free(d);
}

/* ---- per call ---- */

int vimd_call_open(struct vimd *d, const json_t *params, struct vimd_call *c, struct pop_error *err)
{
    *c = (struct vimd_call){.d = d};
    const json_t *v = json_array_get(params, 0);
    if (!json_is_object(v))
        return pop_error_set(err, -EINVAL, API_INVALID_FIELD, "parameters[0]",
                             "parameters[0] (VIM instance): expected an object");
    int r = cat_vim_from_json_at(v, "parameters[0]", 0, &c->vim, err);
    if (r < 0)
        return r;
    if (!c->vim->auth_url || !*c->vim->auth_url)
        return pop_error_set(err, -EINVAL, API_INVALID_FIELD, "parameters[0].authUrl",
                             "parameters[0].authUrl: required (the Pop's URL)");
    _cleanup_free_ char *url = NULL, *user = NULL, *password = NULL;
    r = cat_vim_credentials(c->vim, &url, &user, &password);
    if (r == -EINVAL)
        return pop_error_set(err, r, API_INVALID_FIELD, "parameters[0].authUrl",
                             "parameters[0].authUrl: bad %%-escape or NUL in its userinfo");
    if (r < 0)
        return pop_error_set(err, r, API_INTERNAL, NULL, NULL);
    struct pop_error perr = POP_ERROR_INIT;
    r = vimd_sessions_get(d->sessions, url, user, password, &c->session, &perr);
    if (password)
        explicit_bzero(password, strlen(password));
    if (r == -EINVAL) {
        /* popc names its own field (url, user, password): say where it came from. */
        const char *from = strcmp(perr.field, "url") == 0 ? "authUrl"
                           : c->vim->username             ? perr.field
                                                          : "authUrl userinfo";
        return pop_error_set(err, r, API_INVALID_FIELD, "parameters[0]",
                             "parameters[0] (VIM instance) %s: %s", from, perr.detail);
    }
    if (r < 0) {
        *err = perr;
        return r;
    }
    c->pop = vimd_session_popc(c->session);
    return 0;
}

void vimd_call_done(struct vimd_call *c)
{
    cat_vim_free(c->vim);
    c->vim = NULL;
    vimd_session_put(c->session);
    c->session = NULL;
}

int vimd_pop(struct vimd_call *c, const char *verb, const char *path, const json_t *body,
             json_t **ret, long *ret_status, struct pop_error *err)
{
    struct popc_error pe = POPC_ERROR_INIT;
    int r = popc_call(c->pop, verb, path, body, ret, &pe);
    if (ret_status)
        *ret_status = r < 0 ? pe.status : 0;
    if (r >= 0)
        return r;
    /* A refused login says so (a transport failure names the URL already). */
    if (pe.login && pe.status != 0 && popc_user(c->pop))
        return pop_error_set(err, r, pe.err.api, pe.err.field, "login to %s as '%s' failed: %s",
                             popc_url(c->pop), popc_user(c->pop), pe.err.detail);
    *err = pe.err;
    return r;
}

int vimd_path(struct strbuf *path, const char *prefix, const char *ref, const char *suffix)
{
    int r;
    if ((r = strbuf_puts(path, prefix)) < 0 || (r = httpc_url_escape(path, ref)) < 0 ||
        (suffix && (r = strbuf_puts(path, suffix)) < 0))
        return r;
    return 0;
}

/* ---- dispatch ---- */

/* The Pop's name for the error prefix: the VIM instance's name, read without decoding the
 * rest (the prefix must be there also when parameters[0] itself is the problem). */
static const char *pop_name(const json_t *params)
{
    const char *name = json_string_value(json_object_get(json_array_get(params, 0), "name"));
    return name && *name && strlen(name) <= 128 ? name : NULL;
}

/* Rewrites err's detail as "<method> on <pop>: <detail>" (the detail as the handler or
 * popd-rest wrote it). */
static void prefix_error(struct pop_error *err, const char *method, const json_t *params)
{
    char detail[POP_ERROR_DETAIL_MAX];
    snprintf(detail, sizeof(detail), "%s",
             err->detail[0] ? err->detail : api_error_title(pop_error_api(err)));
    char field[POP_ERROR_FIELD_MAX];
    snprintf(field, sizeof(field), "%s", err->field);
    const char *pop = pop_name(params);
    if (pop)
        pop_error_set(err, err->r, err->api, field, "%s on %s: %s", method, pop, detail);
    else
        pop_error_set(err, err->r, err->api, field, "%s: %s", method, detail);
}

/* The counts a method name takes, "8 or 10", for the wrong-count error. */
static void counts_of(const char *name, char *buf, size_t size)
{
    size_t n, used = 0, found = 0, total = 0;
    const struct vimd_method *m = vimd_methods(&n);
    for (size_t i = 0; i < n; i++)
        total += strcmp(m[i].name, name) == 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && used < size; i++) {
        if (strcmp(m[i].name, name) != 0)
            continue;
        found++;
        const char *sep = found == 1 ? "" : found == total ? " or " : ", ";
        int w = snprintf(buf + used, size - used, "%s%u", sep, m[i].n_params);
        used += w > 0 ? (size_t)w : 0;
    }
}

/* The table's own copy of name, or NULL: metric labels come only from the table. */
static const char *table_name(const char *name)
{
    size_t n;
    const struct vimd_method *m = vimd_methods(&n);
    for (size_t i = 0; name && i < n; i++)
        if (strcmp(m[i].name, name) == 0)
            return m[i].name;
    return NULL;
}

static int run_method(struct vimd *d, const char *method, const json_t *params, json_t **ret_answer,
                      struct pop_error *err)
{
    if (!method || !*method)
        return pop_error_set(err, -EINVAL, API_INVALID_FIELD, "methodName", "methodName: required");
    if (strlen(method) > VIMD_METHOD_MAX)
        return pop_error_set(err, -ENOENT, API_NOT_FOUND, "methodName",
                             "unknown method (a name longer than %d bytes)", VIMD_METHOD_MAX);
    if (!json_is_array(params))
        return pop_error_set(err, -EINVAL, API_INVALID_FIELD, "parameters",
                             "parameters: expected an array");
    size_t n = json_array_size(params);
    bool known = false;
    const struct vimd_method *m = vimd_method_find(method, n, &known);
    if (!m && !known)
        return pop_error_set(err, -ENOENT, API_NOT_FOUND, "methodName",
                             "unknown method '%s' (with %zu parameter%s)", method, n,
                             n == 1 ? "" : "s");
    if (!m) {
        char counts[64];
        counts_of(method, counts, sizeof(counts));
        return pop_error_set(err, -EINVAL, API_INVALID_FIELD, "parameters",
                             "%s takes %s parameters, not %zu", method, counts, n);
    }
    if (!m->run)
        return pop_error_set(err, -EOPNOTSUPP, API_FORBIDDEN, "methodName",
                             "not supported by a Pop: %s", m->why);
    json_t *answer = NULL;
    int r = m->run(d, params, &answer, err);
    if (r < 0) {
        json_decref(answer);
        if (err && err->r == 0) /* a handler must say why; never an empty exception */
            pop_error_set(err, r, API_ERROR_COUNT, NULL, "%s", strerror(-r));
        return r;
    }
    *ret_answer = answer ? answer : json_null();
    return 0;
}

int vimd_dispatch(struct vimd *d, const char *method, const json_t *params, json_t **ret_answer,
                  struct pop_error *err)
{
    struct pop_error local = POP_ERROR_INIT;
    if (!err)
        err = &local;
    int64_t start = time_mono_ms();
    json_t *answer = NULL;
    int r = run_method(d, method, params, &answer, err);
    /* Metric labels only from the table, so a client cannot grow the series. */
    const char *label = table_name(method);
    if (!label)
        label = "unknown";
    const char *outcome = r < 0 ? "error" : "ok";
    const char *by_outcome[] = {label, outcome};
    const char *by_method[] = {label};
    metric_add(d->rpcs, by_outcome, 1);
    metric_observe_us(d->latency, by_method, (uint64_t)(time_mono_ms() - start) * 1000u);
    if (r < 0) {
        /* Only names that fit are repeated (a cut one might end inside a UTF-8 character). */
        const char *shown = !method || !*method                ? "(no method)"
                            : strlen(method) > VIMD_METHOD_MAX ? "(a long method name)"
                                                               : method;
        prefix_error(err, shown, params);
        log_info("%s", err->detail);
        return r;
    }
    log_debug("%s: answered in %lld ms", label, (long long)(time_mono_ms() - start));
    *ret_answer = answer;
    return 0;
}

json_t *vimd_handle_message(struct vimd *d, const char *body, size_t len, char **ret_method)
{
    struct pop_error err = POP_ERROR_INIT;
    _cleanup_free_ char *method = NULL;
    _cleanup_json_ json_t *params = NULL;
    json_t *answer = NULL;
    int r = vimd_request_parse(body, len, d->body_max, &method, &params, &err);
    if (r < 0) {
        char detail[POP_ERROR_DETAIL_MAX];
        snprintf(detail, sizeof(detail), "%s", err.detail);
        pop_error_set(&err, r, err.api, err.field, "malformed plugin message: %s", detail);
        log_info("%s", err.detail);
    } else {
        r = vimd_dispatch(d, method, params, &answer, &err);
    }
    if (ret_method)
        *ret_method = TAKE_PTR(method);
    return vimd_envelope(r, answer, &err);
}
