/* pop-vnfm's AMQP side (reference §1.2, §3.1, §11.1-3): registers as a VNFM with the NFVO (one
 * endpoint, endpointType RABBIT) through lib/mq's manager, serves the endpoint queue, handles each
 * request with vnfm_handle (one at a time per VNFR) and publishes its reply on the request's
 * reply_to; the NFVO and driver calls the actions make are mq_rpc calls over the same
 * connection. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"

struct vnfm_config;
struct vnfm_vims;
struct metrics;
struct vnfm_wire;

/* The VNFM -> NFVO RPC queue (§3.1), on the default exchange. */
#define VNFM_NFVO_QUEUE "vnfm.nfvo.actions.reply"

/* Starts the wiring; cfg and vims are borrowed and must outlive it. Does not wait for the broker
 * or the NFVO. Returns 0, or a negative errno with err filled. */
int vnfm_wire_start(const struct vnfm_config *cfg, struct vnfm_vims *vims, struct metrics *metrics,
                    struct vnfm_wire **ret, struct pop_error *err);

/* Deregisters, stops consuming, lets the requests being handled finish (at most drain_ms; the
 * rest are redelivered to the next VNFM) and frees it. Accepts NULL. */
void vnfm_wire_stop(struct vnfm_wire *w, int64_t drain_ms);

/* {"type", "endpoint", "state", "connects", "last_error", "in_flight"} for /healthz;
 * *ret_serving says whether requests are being served. NULL on ENOMEM. */
json_t *vnfm_wire_health(struct vnfm_wire *w, bool *ret_serving);
