/* Helpers shared by the handlers: body parsing and reference checks. */
#include "handlers.h"

#include <errno.h>
#include <string.h>

int handler_body(struct http_request *req, const struct jv_schema *schema, json_t **ret)
{
    size_t len = 0;
    const char *body = http_request_body(req, &len);
    struct jv_error err;
    char msg[600];
    json_t *doc = NULL;
    if (len == 0) {
        http_reply_error(req, API_BAD_JSON, "a JSON object body is required");
        return -EINVAL;
    }
    if (jv_parse(body, len, &doc, &err) < 0) {
        jv_error_format(&err, msg, sizeof(msg));
        http_reply_error(req, API_BAD_JSON, "%s", msg);
        return -EINVAL;
    }
    if (jv_validate(doc, schema, &err) < 0) {
        jv_error_format(&err, msg, sizeof(msg));
        bool unknown = strstr(err.message, "unknown field") != NULL;
        http_reply_error_ext(req, unknown ? API_UNKNOWN_FIELD : API_INVALID_FIELD,
                             json_pack("{s:s}", "field", err.path), "%s", msg);
        json_decref(doc);
        return -EINVAL;
    }
    *ret = doc;
    return 0;
}

const char *handler_ref(struct http_request *req, const char *param)
{
    const char *ref = http_request_param(req, param);
    if (!ref || jv_check_name(ref)) {
        http_reply_error(req, API_BAD_REQUEST,
                         "'%s' is not an id or name (1-63 of A-Z a-z 0-9 _ . -, starting with a "
                         "letter or digit)",
                         ref ? ref : "");
        return NULL;
    }
    return ref;
}

int handler_query(struct http_request *req, const char *name, jv_check_fn check, const char **ret)
{
    const char *v = http_request_query(req, name);
    const char *why = v ? (check ? check : jv_check_name)(v) : NULL;
    if (why) {
        http_reply_error(req, API_BAD_QUERY, "%s: %s", name, why);
        return -EINVAL;
    }
    *ret = v;
    return 0;
}

const char *handler_check_image(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 255)
        return "must be 1-255 characters";
    for (const char *q = s; *q; q++)
        if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') ||
              strchr("._-/:@", *q)))
            return "must be an image reference (letters, digits and . _ - / : @)";
    return NULL;
}
