/* Which headers the gateway passes on: hop-by-hop headers (RFC 9110 7.6.1) and those named in
 * Connection stay on their own hop; the gateway sets its own forwarding headers. Values are
 * never rewritten: lib/http has already refused any header with a control byte or a name that
 * is not a token. */
#pragma once

#include <stdbool.h>

/* true for Connection, Keep-Alive, Proxy-*, TE, Trailer(s), Transfer-Encoding, Upgrade. */
bool gw_header_hop_by_hop(const char *name);

/* true when name is one of the comma-separated tokens of list (case-insensitive); list may be
 * NULL. */
bool gw_header_in_list(const char *list, const char *name);

/* Whether a client's request header goes upstream. connection is the request's Connection
 * value (or NULL). Besides hop-by-hop headers this drops Host, Content-Length, Expect and the
 * headers the gateway writes itself (X-Request-Id, X-Forwarded-*). */
bool gw_header_forward_request(const char *name, const char *connection);

/* Whether an upstream response header goes to the client. Besides hop-by-hop headers this drops
 * the ones the server layer writes itself (X-Request-Id, Date). */
bool gw_header_forward_response(const char *name, const char *connection);
