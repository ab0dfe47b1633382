/* Open Baton plugin envelopes: request reading with caps, answer and exception replies. */
#include "envelope.h"

#include <errno.h>
#include <string.h>

#include "catalogue/base.h"
#include "core/cleanup.h"
#include "vimd.h"
#include "json/cleanup.h"

json_t *vimd_envelope_answer(json_t *answer)
{
    if (!answer && !(answer = json_null()))
        return NULL;
    return json_pack("{s:o}", "answer", answer); /* "o" steals, also on failure */
}

json_t *vimd_envelope_exception(const struct pop_error *e)
{
    const char *msg = e && e->detail[0] ? e->detail : api_error_title(pop_error_api(e));
    json_t *text = json_string(msg);
    if (!text) {
        /* Not UTF-8 (a value cut by a precision somewhere): the exception must still go out,
         * so the bytes jansson refuses become '?' rather than losing the message. */
        char ascii[POP_ERROR_DETAIL_MAX];
        size_t i = 0;
        for (; msg[i] && i + 1 < sizeof(ascii); i++)
            ascii[i] = (unsigned char)msg[i] < 0x80 ? msg[i] : '?';
        ascii[i] = '\0';
        text = json_string(ascii);
    }
    return text ? json_pack("{s:{s:o}}", "exception", "detailMessage", text) : NULL;
}

json_t *vimd_envelope(int r, json_t *answer, const struct pop_error *e)
{
    if (r >= 0)
        return vimd_envelope_answer(answer);
    json_decref(answer);
    return vimd_envelope_exception(e);
}

int vimd_request_parse(const char *buf, size_t len, size_t max, char **ret_method,
                       json_t **ret_params, struct pop_error *e)
{
    if (len > max)
        return pop_error_set(e, -EMSGSIZE, API_BODY_TOO_LARGE, NULL,
                             "message of %zu bytes is larger than %zu", len, max);
    _cleanup_json_ json_t *msg = NULL;
    int r = cat_parse(buf, len, &msg, e);
    if (r < 0)
        return r;
    json_t *name = json_object_get(msg, "methodName");
    if (!name || json_is_null(name))
        return pop_error_set(e, -EINVAL, API_INVALID_FIELD, "methodName", "methodName: required");
    if (!json_is_string(name))
        return pop_error_set(e, -EINVAL, API_INVALID_FIELD, "methodName",
                             "methodName: expected a string");
    size_t name_len = json_string_length(name);
    if (name_len == 0 || name_len > VIMD_METHOD_MAX) /* cat_parse refuses NUL characters */
        return pop_error_set(e, -EINVAL, API_INVALID_FIELD, "methodName",
                             "methodName: must be 1-%d bytes", VIMD_METHOD_MAX);
    json_t *params = json_object_get(msg, "parameters");
    if (!params || json_is_null(params))
        return pop_error_set(e, -EINVAL, API_INVALID_FIELD, "parameters", "parameters: required");
    if (!json_is_array(params))
        return pop_error_set(e, -EINVAL, API_INVALID_FIELD, "parameters",
                             "parameters: expected an array");
    char *method = strdup(json_string_value(name));
    if (!method)
        return pop_error_set(e, -ENOMEM, API_INTERNAL, NULL, NULL);
    *ret_method = method;
    *ret_params = json_incref(params);
    return 0;
}
