/* Open Baton's manager registration (reference §1.2): a VNF manager or a VIM driver plugin asks
 * the NFVO, over `nfvo.manager.handling` and as the shared registration user, for a broker user
 * of its own, then works as that user; on an orderly stop it deregisters. Written once here for
 * pop-vim-driver and pop-vnfm. */
#pragma once

#include <jansson.h>
#include <stdint.h>

#include "core/error.h"
#include "mq/mq.h"

struct stopper;

#define MQ_OPENBATON_EXCHANGE "openbaton-exchange"
#define MQ_MANAGER_QUEUE "nfvo.manager.handling"

/* What the NFVO answers (ManagerCredentials): the broker user to reconnect as. */
struct mq_credentials {
    char username[MQ_NAME_MAX + 1];
    char password[MQ_NAME_MAX + 1];
};

/* {"type": plugin_id, "action": "register"}: a plugin's registration (plugin_id
 * "vim-drivers.<type>.<name>"). NULL on ENOMEM. */
json_t *mq_register_plugin_body(const char *plugin_id);

/* Registers once: connects with reg (the registration user, e.g. openbaton-manager-user), sends
 * request (borrowed) as an RPC to nfvo.manager.handling on the default exchange (the route the
 * registration user may always write to, also before the NFVO has bound its queue to
 * openbaton-exchange) and reads the ManagerCredentials reply, all within timeout_ms. Returns
 * 0 with *ret filled, or a negative errno with err naming what failed: -ECONNREFUSED (the
 * first connection attempt failed: err has the socket's or the broker's words, e.g. a refused
 * login), -ETIMEDOUT (no connection, or no answer from the NFVO, in time), -ENOENT (no
 * nfvo.manager.handling queue: no NFVO is up), -EBADMSG (the reply is no object with string
 * rabbitUsername and rabbitPassword of 1..255 bytes), -ENOMEM, or -ECANCELED as soon as cancel (may
 * be NULL) fires while waiting for the broker. The caller retries with backoff: an NFVO or a broker
 * that is not there yet is normal at start-up. */
int mq_register(const struct mq_config *reg, const json_t *request, int64_t timeout_ms,
                const struct stopper *cancel, struct mq_credentials *ret, struct pop_error *err);

/* Deregisters over the service's own connection (its user may write to the default exchange):
 * publishes {"username", "password", "action": "deregister", "type": type} (type may be NULL)
 * to nfvo.manager.handling, waiting for the broker's confirm. Returns mq_publish_json's
 * result: the NFVO sends no reply. */
int mq_deregister(struct mq *mq, const struct mq_credentials *c, const char *type);

/* mq_deregister with the members of extra (an object, may be NULL; a VNFM's "type" and
 * "vnfmManagerEndpoint") next to username, password and action. */
int mq_deregister_with(struct mq *mq, const struct mq_credentials *c, const json_t *extra);
