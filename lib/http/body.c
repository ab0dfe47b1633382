/* Request bodies as handlers want them: one JSON object, parsed with lib/json's caps and
 * validated against the handler's schema, or a 400 sent here that names the field. */
#include <errno.h>

#include "http/request.h"
#include "json/jv.h"

int http_request_json(struct http_request *req, const struct jv_schema *schema, json_t **ret)
{
    size_t len = 0;
    const char *body = http_request_body(req, &len);
    struct pop_error e = POP_ERROR_INIT;
    struct jv_error jerr;
    json_t *doc = NULL;
    if (len == 0) {
        pop_error_set(&e, -EINVAL, API_BAD_JSON, NULL, "a JSON object body is required");
    } else if (jv_parse(body, len, &doc, &jerr) < 0 || jv_validate(doc, schema, &jerr) < 0) {
        jv_error_to_pop(&jerr, &e);
        json_decref(doc);
    } else {
        *ret = doc;
        return 0;
    }
    http_reply_pop_error(req, &e);
    return e.r;
}
