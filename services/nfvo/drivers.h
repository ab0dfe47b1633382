/* Calls to VIM driver plugins as NFVO 6's PluginCaller makes them (reference §2): an RPC on
 * openbaton-exchange to the plugin registered for the VIM's type, with a timeout, the answer
 * or the plugin's exception turned into an error that names the method and the driver. */
#pragma once

#include <jansson.h>
#include <stdint.h>

#include "core/error.h"

struct nfvo;

/* The id of the registered plugin serving VIM type `type` ("vim-drivers.<type>.<name>"),
 * preferring `want` when it is one of them (a VIM's metadata.plugin); copied into buf.
 * -ENOENT with e saying no driver for that type registered. */
int nfvo_driver_for(struct nfvo *n, const char *type, const char *want, char *buf, size_t size,
                    struct pop_error *e);

/* methodName(params) on the driver of vim (its metadata.plugin, else any plugin of its
 * type); steals params. timeout_ms <= 0 = NFVO_DRIVER_TIMEOUT. *ret = the answer (new
 * reference, may be JSON null). Errors: -ENOENT (no driver / its queue is gone), -ETIMEDOUT,
 * -EREMOTEIO (the driver's exception: its detailMessage in e), or the broker's. */
int nfvo_driver_call(struct nfvo *n, const json_t *vim, const char *method, json_t *params,
                     int64_t timeout_ms, json_t **ret, struct pop_error *e);
