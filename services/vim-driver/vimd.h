/* pop-vim-driver's core, without the broker: the Open Baton VIM driver methods (reference
 * §2.4) and the mgmt methods of the VNF manager (§7.8, §11 item 4), each answered from popd-rest
 * through lib/popc. The AMQP side hands a method name and its parameters (or a whole plugin
 * message) to this and publishes the envelope it gets back. Stateless: every fact lives in
 * popd-rest; what is kept here are the Pop sessions (a cache) and the per-hostname launch
 * marks. Thread-safe: one struct vimd serves every worker thread. */
#pragma once

#include <jansson.h>
#include <stddef.h>

#include "core/error.h"

struct metrics;
struct vimd;

#define VIMD_METHOD_MAX 128      /* bytes of a method name in a message */
#define VIMD_SESSIONS_MAX 4096   /* most Pop sessions a cache may hold */
#define VIMD_DEFAULT_SESSIONS 64 /* Pop sessions cached when the options say 0 */
#define VIMD_DEFAULT_POP_TIMEOUT_MS 30000L
#define VIMD_DEFAULT_BODY_MAX (4u << 20) /* the catalogue's document cap */
#define VIMD_LAUNCH_MARKS_MAX 4096       /* hostnames being launched at once */

struct vimd_options {
    const char *type;          /* getType's answer, the plugin type: "pop" when NULL */
    long pop_timeout_ms;       /* bounds each popd-rest call, login included; 0 = default */
    long pop_refused_retry_ms; /* a refused connection is tried again this long (popc) */
    size_t max_sessions;       /* Pop sessions cached (1..VIMD_SESSIONS_MAX); 0 = default */
    size_t max_idle;           /* idle HTTP connections kept per Pop session; 0 = popc's default */
    size_t body_max;           /* largest message vimd_handle_message reads; 0 = default */
    struct metrics *metrics;   /* optional: RPCs per method and outcome, and their latency */
};

/* Creates the driver core; o's strings are copied. Does no I/O. Returns 0, -EINVAL (err names
 * the option), -EEXIST (the metric families exist in o->metrics already) or -ENOMEM. */
int vimd_new(const struct vimd_options *o, struct vimd **ret, struct pop_error *err);

/* Frees it; no call may be running. Accepts NULL. */
void vimd_free(struct vimd *d);

/* Runs method with params (a JSON array whose first element is the VIM instance), choosing
 * the overload by the method name and the number of parameters, as Open Baton's plugin SDK
 * does. On success returns 0 and the answer in *ret_answer (a new reference; JSON null for a
 * method without a result). Otherwise returns a negative errno with err filled: its detail is
 * the exception's detailMessage, "<method> on <VIM instance name>: <what went wrong>" (a
 * popd-rest problem's detail word for word), or "<method>: ..." when parameters[0] carries no
 * name; *ret_answer is untouched then. An unknown method, a known one with another number of
 * parameters, a method a Pop cannot do and a bad parameter are all errors naming it. */
int vimd_dispatch(struct vimd *d, const char *method, const json_t *params, json_t **ret_answer,
                  struct pop_error *err);

/* One plugin message in, one envelope out: parses body ({"methodName", "parameters"}, at most
 * body_max bytes), dispatches it and returns {"answer": ...} or {"exception": {"detailMessage":
 * ...}} (a malformed message is an exception too). Returns NULL only when memory ran out. If
 * ret_method is not NULL it receives the method name for logs and metrics (malloc'ed, NULL
 * when the message had none). */
json_t *vimd_handle_message(struct vimd *d, const char *body, size_t len, char **ret_method);
