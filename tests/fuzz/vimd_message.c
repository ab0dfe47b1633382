/* Fuzz target for pop-vim-driver's plugin messages, what an NFVO (or anyone who may publish
 * on openbaton-exchange) sends the driver: vimd_request_parse on the raw bytes, then, for a
 * message that parses, vimd_dispatch with the VIM instance's authUrl pointed at a closed
 * loopback port (so a method that gets as far as calling the Pop fails at once, and no input
 * makes the fuzzer talk to any other host), then vimd_handle_message on the raw bytes with the
 * same rewrite. Every outcome is an envelope with exactly one of answer or exception; an
 * exception's detailMessage is a non-empty string that begins with the method or names the
 * message as malformed. */
#include "fuzz.h"

#include <errno.h>
#include <jansson.h>
#include <string.h>

#include "core/error.h"
#include "envelope.h"
#include "vimd.h"

#define CLOSED_POP "http://127.0.0.1:1"
#define BODY_MAX (64u << 10)

static struct vimd *driver(void)
{
    static struct vimd *d;
    if (!d) {
        struct vimd_options o = {.pop_timeout_ms = 200, .max_sessions = 4, .body_max = BODY_MAX};
        struct pop_error e = POP_ERROR_INIT;
        FUZZ_ASSERT(vimd_new(&o, &d, &e) == 0);
    }
    return d;
}

/* Points parameters[0].authUrl, when there is one, at the closed port, keeping any userinfo
 * (the credentials an authUrl may carry) so that parsing is still fuzzed. */
static void close_pop(json_t *params)
{
    json_t *vim = json_array_get(params, 0);
    const char *url = json_string_value(json_object_get(vim, "authUrl"));
    if (!url)
        return;
    const char *scheme = strstr(url, "://");
    const char *at = scheme ? strrchr(scheme, '@') : NULL;
    char buf[512];
    if (at && (size_t)(at - (scheme + 3)) < sizeof(buf) - 32)
        snprintf(buf, sizeof(buf), "http://%.*s@127.0.0.1:1", (int)(at - (scheme + 3)), scheme + 3);
    else
        snprintf(buf, sizeof(buf), "%s", CLOSED_POP);
    json_object_set_new(vim, "authUrl", json_string(buf));
}

static void check_envelope(const json_t *env)
{
    FUZZ_ASSERT(json_is_object(env));
    const json_t *answer = json_object_get(env, "answer");
    const json_t *exc = json_object_get(env, "exception");
    FUZZ_ASSERT((answer != NULL) != (exc != NULL));
    if (exc) {
        const char *detail = json_string_value(json_object_get(exc, "detailMessage"));
        FUZZ_ASSERT(detail && *detail);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct vimd *d = driver();
    char *method = NULL;
    json_t *params = NULL;
    struct pop_error e = POP_ERROR_INIT;
    int r = vimd_request_parse((const char *)data, size, BODY_MAX, &method, &params, &e);
    if (r < 0) {
        FUZZ_ASSERT(method == NULL && params == NULL);
        FUZZ_ASSERT(e.detail[0] != '\0');
        /* The whole path answers the same refusal as an exception. */
        json_t *env = vimd_handle_message(d, (const char *)data, size, NULL);
        check_envelope(env);
        FUZZ_ASSERT(json_object_get(env, "exception") != NULL);
        json_decref(env);
        return 0;
    }
    FUZZ_ASSERT(method != NULL && json_is_array(params));
    close_pop(params);
    json_t *answer = NULL;
    struct pop_error de = POP_ERROR_INIT;
    r = vimd_dispatch(d, method, params, &answer, &de);
    if (r < 0) {
        FUZZ_ASSERT(answer == NULL);
        FUZZ_ASSERT(de.detail[0] != '\0');
        FUZZ_ASSERT(strncmp(de.detail, method, strlen(method)) == 0);
    } else {
        FUZZ_ASSERT(answer != NULL);
    }
    json_decref(answer);

    /* The same message, rewritten, through the whole path the AMQP side takes. */
    json_t *msg = json_pack("{s:s, s:O}", "methodName", method, "parameters", params);
    char *text = msg ? json_dumps(msg, JSON_COMPACT) : NULL;
    if (text) {
        char *seen = NULL;
        json_t *env = vimd_handle_message(d, text, strlen(text), &seen);
        check_envelope(env);
        FUZZ_ASSERT(seen && strcmp(seen, method) == 0);
        free(seen);
        json_decref(env);
    }
    free(text);
    json_decref(msg);
    json_decref(params);
    free(method);
    return 0;
}
