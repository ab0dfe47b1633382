/* Plugin calls (see drivers.h). */
#include "drivers.h"

#include "config.h"
#include "core/log.h"
#include "core/strv.h"
#include "managers.h"
#include "mq/mq.h"
#include "mq/register.h"
#include "nfvo.h"
#include "rpc_metrics.h"

#include <errno.h>
#include <string.h>

int nfvo_driver_for(struct nfvo *n, const char *type, const char *want, char *buf, size_t size,
                    struct pop_error *e)
{
    int r = nfvo_managers_plugin_for(n->managers, type, want, buf, size);
    if (r == -ENOENT || r == -EINVAL)
        return pop_error_set(e, -ENOENT, API_CONFLICT, "type",
                             "no VIM driver for VIM type '%s' is registered (a "
                             "vim-drivers.%s.<name> plugin must register first)",
                             type ? type : "", type ? type : "");
    if (r < 0)
        return pop_error_set(e, r, API_INTERNAL, NULL, "cannot read the registered drivers: %s",
                             strerror(-r));
    return 0;
}

/* The text of a plugin's exception (§2.3): its detailMessage, else its message. */
static const char *exception_text(const json_t *exc)
{
    const char *t = json_string_value(json_object_get(exc, "detailMessage"));
    if (!t)
        t = json_string_value(json_object_get(exc, "message"));
    return t ? t : "(no message)";
}

int nfvo_driver_call(struct nfvo *n, const json_t *vim, const char *method, json_t *params,
                     int64_t timeout_ms, json_t **ret, struct pop_error *e)
{
    const char *type = json_string_value(json_object_get(vim, "type"));
    const char *want =
        json_string_value(json_object_get(json_object_get(vim, "metadata"), "plugin"));
    const char *vim_name = json_string_value(json_object_get(vim, "name"));
    if (!vim_name)
        vim_name = "?";
    char plugin[MQ_NAME_MAX + 1];
    int r = nfvo_driver_for(n, type, want, plugin, sizeof(plugin), e);
    if (r < 0) {
        json_decref(params);
        return r;
    }
    if (timeout_ms <= 0)
        timeout_ms = n->cfg->driver_timeout_s * 1000;
    json_t *req =
        json_pack("{s:s, s:o}", "methodName", method, "parameters", params ? params : json_array());
    if (!req)
        return pop_error_set(e, -ENOMEM, API_INTERNAL, NULL, "out of memory");
    json_t *env = NULL;
    int64_t t0 = nfvo_rpc_now_us();
    r = mq_rpc(n->mq, MQ_OPENBATON_EXCHANGE, plugin, req, timeout_ms, &env);
    json_decref(req);
    const json_t *exc0 = r == 0 ? json_object_get(env, "exception") : NULL;
    nfvo_rpc_observe(n->rpc, "driver", method,
                     r == 0 && exc0 && !json_is_null(exc0) ? -EREMOTEIO : r, t0);
    if (r == -ENOENT)
        return pop_error_set(e, r, API_UNAVAILABLE, NULL,
                             "%s on VIM %s: the driver %s is not running (its queue is gone)",
                             method, vim_name, plugin);
    if (r == -ETIMEDOUT)
        return pop_error_set(e, r, API_GATEWAY_TIMEOUT, NULL,
                             "%s on VIM %s: the driver %s did not answer within %lld s", method,
                             vim_name, plugin, (long long)(timeout_ms / 1000));
    if (r < 0)
        return pop_error_set(e, r, API_UNAVAILABLE, NULL, "%s on VIM %s: driver %s: %s", method,
                             vim_name, plugin, strerror(-r));
    const json_t *exc = json_object_get(env, "exception");
    if (exc && !json_is_null(exc)) {
        pop_error_set(
            e, -EREMOTEIO, API_BAD_GATEWAY, NULL, "%s on VIM %s: %s", method, vim_name,
            /* pop-vim-driver's exceptions start "<method> on <vim>: " */
            strv_after_prefix(exception_text(exc),
                              (const char *const[]){method, " on ", vim_name, ": ", NULL}));
        json_decref(env);
        return -EREMOTEIO;
    }
    json_t *answer = json_object_get(env, "answer");
    *ret = json_incref(answer ? answer : json_null());
    json_decref(env);
    return 0;
}
