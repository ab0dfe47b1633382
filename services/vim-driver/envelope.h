/* The Open Baton plugin envelopes (reference §2.2-2.3): the request {"methodName",
 * "parameters"} read with caps, and the replies {"answer": x} / {"exception": {"detailMessage":
 * "..."}} built from a result. Independent of the driver, so the AMQP side can use them as
 * they are. */
#pragma once

#include <jansson.h>
#include <stddef.h>

#include "core/error.h"

/* {"answer": answer}; steals answer (NULL is written as JSON null: a void method). Returns NULL
 * on ENOMEM (answer is released either way). */
json_t *vimd_envelope_answer(json_t *answer);

/* {"exception": {"detailMessage": e->detail}}, or the API title of e when it has no detail (a
 * reply with neither answer nor exception would be a PluginException at the NFVO). NULL on
 * ENOMEM. */
json_t *vimd_envelope_exception(const struct pop_error *e);

/* The reply for a call that returned r: vimd_envelope_answer(answer) when r >= 0, else
 * vimd_envelope_exception(e) (answer is released). */
json_t *vimd_envelope(int r, json_t *answer, const struct pop_error *e);

/* Reads a plugin message: at most max bytes (-EMSGSIZE), JSON through the catalogue's capped
 * parse, an object with "methodName" (a non-empty string of at most VIMD_METHOD_MAX bytes) and
 * "parameters" (an array); other members are ignored, as Gson does. Returns 0 with a malloc'ed
 * *ret_method and a new reference in *ret_params, or -EINVAL / -EMSGSIZE / -ENOMEM with e
 * naming the member at fault ("methodName: required"); outputs untouched on failure. */
int vimd_request_parse(const char *buf, size_t len, size_t max, char **ret_method,
                       json_t **ret_params, struct pop_error *e);
