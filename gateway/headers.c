/* Header filtering for both directions of the proxy. */
#include "headers.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>

static bool name_is(const char *name, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(name, list[i]) == 0)
            return true;
    return false;
}

bool gw_header_hop_by_hop(const char *name)
{
    static const char *const hop[] = {"Connection", "Keep-Alive",        "TE",     "Trailer",
                                      "Trailers",   "Transfer-Encoding", "Upgrade"};
    return name_is(name, hop, sizeof(hop) / sizeof(hop[0])) || strncasecmp(name, "Proxy-", 6) == 0;
}

bool gw_header_in_list(const char *list, const char *name)
{
    if (!list)
        return false;
    size_t nlen = strlen(name);
    const char *p = list;
    while (*p) {
        p += strspn(p, " \t,");
        size_t len = strcspn(p, ",");
        size_t tlen = len;
        while (tlen && (p[tlen - 1] == ' ' || p[tlen - 1] == '\t'))
            tlen--;
        if (tlen == nlen && nlen && strncasecmp(p, name, nlen) == 0)
            return true;
        p += len;
    }
    return false;
}

bool gw_header_forward_request(const char *name, const char *connection)
{
    static const char *const own[] = {"Host",
                                      "Content-Length",
                                      "Expect",
                                      "X-Request-Id",
                                      "X-Forwarded-For",
                                      "X-Forwarded-Proto",
                                      "X-Forwarded-Host",
                                      "X-Real-IP"};
    return !gw_header_hop_by_hop(name) && !gw_header_in_list(connection, name) &&
           !name_is(name, own, sizeof(own) / sizeof(own[0]));
}

bool gw_header_forward_response(const char *name, const char *connection)
{
    static const char *const own[] = {"X-Request-Id", "Date", "Content-Length"};
    return !gw_header_hop_by_hop(name) && !gw_header_in_list(connection, name) &&
           !name_is(name, own, sizeof(own) / sizeof(own[0]));
}
