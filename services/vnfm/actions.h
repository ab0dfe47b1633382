/* The VNFM's actions: one NFVO -> VNFM message (reference §3.3) turned into the VNFM's work and
 * its reply (§3.4, corrected by §11), without the broker. The wiring parses a delivery's body,
 * calls vnfm_handle and publishes the reply it returns; the calls the work needs (RPCs to the
 * NFVO, plugin methods of the VIM driver) go through vnfm_ops, which the wiring implements
 * with lib/mq. Stateless: all the VNFM knows comes from the message and from the containers'
 * metadata (dependency_env.h). */
#pragma once

#include <jansson.h>
#include <stdbool.h>

#include "core/error.h"

/* What the actions need from outside. Every function returns 0 and a new reference in
 * *ret_answer, or a negative errno with e's detail saying why in words a user can act on:
 * the peer's own message word for word (a driver exception's detailMessage), or what did not
 * answer and after how long (-ETIMEDOUT). They may be called from several threads at once
 * (one vnfm_handle per thread). */
struct vnfm_ops {
    /* An RPC to the NFVO on `vnfm.nfvo.actions.reply` (§3.1): request is GRANT_OPERATION,
     * ALLOCATE_RESOURCES or SCALING; *ret_answer is the NFVO's answer as parsed (any JSON
     * value). A refusal is an answer ({"action":"ERROR","vnfr","message"}, §11.11), not a
     * failure of the call. */
    int (*nfvo_call)(void *ud, const json_t *request, json_t **ret_answer, struct pop_error *e);
    /* A plugin call on the driver of vim (its queue: the VIM's metadata.plugin, else
     * vim-drivers.<type>.<name>): {"methodName": method, "parameters": params}, params[0] being
     * vim. *ret_answer is the `answer` (JSON null for a void method); an `exception` is a
     * failure with its detailMessage as e's detail. */
    int (*driver_call)(void *ud, const json_t *vim, const char *method, const json_t *params,
                       json_t **ret_answer, struct pop_error *e);
    /* The VIM instance with id vim_id (a VNFC instance's vim_id), for requests that do not
     * carry it (every request but INSTANTIATE and SCALE_OUT): the NFVO sends VIM instances
     * only there, so the wiring keeps them (configuration, or what it saw). May be NULL: such
     * requests then fail naming the VIM id. */
    int (*vim_lookup)(void *ud, const char *vim_id, json_t **ret_vim, struct pop_error *e);
    /* Open Baton's `allocate` (VNFM_ALLOCATE): true = the VNFM launches the VNFCs itself
     * (launchInstanceAndWait through driver_call) after the grant and at SCALE_OUT, and sends
     * no ALLOCATE_RESOURCES or SCALING; false = the NFVO launches them (§3.4). */
    bool allocate;
    void *ud;
};

/* The outcome of one request. */
struct vnfm_result {
    /* The body to publish on the request's reply_to: a message object (§3.4), or JSON null
     * (SCALE_IN and ERROR have nothing to say). Owned. */
    json_t *reply;
    /* r == 0: the action was done. Otherwise why reply is an ERROR message (its detail is the
     * reply's exception.detailMessage), for the request's log line. */
    struct pop_error error;
    /* NULL, or what the request did that a log line should say (dependency values dropped,
     * VNFCs already in the wanted state): "; "-separated, owned. */
    char *notes;
};

/* Handles one NFVO -> VNFM message (the JSON body, any value): does its work through ops and
 * fills *ret with the reply. Every failure, a malformed message included, is an ERROR reply
 * (VnfmOrErrorMessage: {"action":"ERROR","virtualNetworkFunctionRecord","nsrId",
 * "exception":{"detailMessage"}}) naming the action, the VNFR, the VNFC and the cause; the
 * NFVO waits for a reply to every request, so there always is one. Returns 0, or -ENOMEM when
 * not even the reply could be made (ret untouched; the wiring should requeue the message). */
int vnfm_handle(const struct vnfm_ops *ops, const json_t *msg, struct vnfm_result *ret);

/* Frees what ret holds and zeroes it; accepts a zeroed result. */
void vnfm_result_done(struct vnfm_result *ret);

/* The id of the VNFR a message is about (`vnfr` or `virtualNetworkFunctionRecord`), NULL when
 * it names none (an INSTANTIATE). Borrowed from msg. Requests on the same VNFR must not run at
 * once (their dependency-state reads and writes would interleave): the wiring serialises them
 * on this key (lib/core's lock set). */
const char *vnfm_message_vnfr_id(const json_t *msg);
