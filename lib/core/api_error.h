/* The one table of API errors: HTTP status, stable machine code and human title of every
 * problem+json reply the services send. */
#pragma once

/* X(name, status, code, title) */
#define API_ERRORS(X)                                                                              \
    X(API_BAD_REQUEST, 400, "bad-request", "the request is malformed")                             \
    X(API_BAD_JSON, 400, "bad-json", "request body is not valid JSON")                             \
    X(API_INVALID_FIELD, 400, "invalid-field", "a field has an invalid value")                     \
    X(API_UNKNOWN_FIELD, 400, "unknown-field", "the body contains an unknown field")               \
    X(API_BAD_QUERY, 400, "bad-query", "a query parameter is invalid")                             \
    X(API_UNAUTHORIZED, 401, "unauthorized", "authentication is required")                         \
    X(API_FORBIDDEN, 403, "forbidden", "the operation is not allowed")                             \
    X(API_NOT_FOUND, 404, "not-found", "no such resource")                                         \
    X(API_METHOD_NOT_ALLOWED, 405, "method-not-allowed", "method not allowed on this resource")    \
    X(API_CONFLICT, 409, "conflict", "the resource already exists or is in use")                   \
    X(API_STATE_CONFLICT, 409, "state-conflict", "the resource is not in a state that allows it")  \
    X(API_EXHAUSTED, 409, "exhausted", "a resource pool is exhausted")                             \
    X(API_BODY_TOO_LARGE, 413, "body-too-large", "request body is too large")                      \
    X(API_UNSUPPORTED_MEDIA, 415, "unsupported-media-type", "request body must be JSON")           \
    X(API_TOO_MANY_REQUESTS, 429, "too-many-requests", "too many requests")                        \
    X(API_INTERNAL, 500, "internal", "internal error")                                             \
    X(API_BAD_GATEWAY, 502, "bad-gateway", "the upstream service failed")                          \
    X(API_UNAVAILABLE, 503, "unavailable", "the service is unavailable")                           \
    X(API_GATEWAY_TIMEOUT, 504, "gateway-timeout", "the upstream service did not answer in time")

enum api_error {
#define API_ERROR_ENUM(name, status, code, title) name,
    API_ERRORS(API_ERROR_ENUM)
#undef API_ERROR_ENUM
        API_ERROR_COUNT
};

/* Status, stable code ("bad-json") and title of err; out-of-range values map to API_INTERNAL. */
unsigned api_error_status(enum api_error err);
const char *api_error_code(enum api_error err);
const char *api_error_title(enum api_error err);

/* The reverse of api_error_code, for a client reading a problem+json reply: the error whose
 * stable code is exactly code ("bad-json" -> API_BAD_JSON), or API_ERROR_COUNT when code is
 * NULL or names no row (another service's vocabulary, a newer server). */
enum api_error api_error_from_code(const char *code);
