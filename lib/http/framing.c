/* Request framing checks (RFC 9112) run before anything else looks at a request: the checks
 * libmicrohttpd 0.9.75 leaves to the application, answered with problem+json, not its own text.
 * A request whose framing is ambiguous could smuggle a second request, so the connection is
 * closed after the 400. */
#include <microhttpd.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "http/http-int.h"
#include "http/request.h"

#define NAME_SHOWN_MAX 48 /* bytes of an offending header name quoted in the detail */

struct framing {
    unsigned content_length, transfer_encoding, host, authorization, content_type;
    const char *te_value;
    char bad[160];                   /* the first problem found, for the detail */
    char header[NAME_SHOWN_MAX + 1]; /* the header at fault, when its name can be shown */
};

/* RFC 9110 5.6.2 token characters, what a header name is made of. */
static bool is_tchar(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* A header name as it may be quoted in a problem detail: printable ASCII, capped. */
static void name_shown(char *out, size_t size, const char *name, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len && n + 1 < size && n < NAME_SHOWN_MAX; i++)
        out[n++] = (unsigned char)name[i] > 0x20 && (unsigned char)name[i] < 0x7f ? name[i] : '?';
    out[n] = '\0';
}

static enum MHD_Result header_visit(void *cls, enum MHD_ValueKind kind, const char *key,
                                    size_t key_size, const char *value, size_t value_size)
{
    (void)kind;
    struct framing *f = cls;
    if (f->bad[0])
        return MHD_NO;
    char shown[NAME_SHOWN_MAX + 1];
    name_shown(shown, sizeof(shown), key, key_size);
    if (key_size == 0 || strlen(key) != key_size) {
        snprintf(f->bad, sizeof(f->bad), "a header has an empty or NUL-cut name");
        return MHD_NO;
    }
    for (size_t i = 0; i < key_size; i++)
        if (!is_tchar((unsigned char)key[i])) {
            snprintf(f->bad, sizeof(f->bad),
                     "header name '%s' contains a character that is not allowed (a space "
                     "before the colon, a control byte, ...)",
                     shown);
            return MHD_NO;
        }
    if (!value)
        value = "";
    if (strlen(value) != value_size) {
        snprintf(f->bad, sizeof(f->bad), "the value of header %s contains a NUL byte", shown);
        return MHD_NO;
    }
    /* HTAB too: RFC 9110 tolerates it inside a value, but no header of ours needs it, and a
     * tab where a space belongs (Bearer\t<token>) would be read differently by different
     * hops. */
    for (size_t i = 0; i < value_size; i++) {
        unsigned char c = (unsigned char)value[i];
        if (c < 0x20 || c == 0x7f) {
            snprintf(f->bad, sizeof(f->bad),
                     "the value of header %s contains control byte 0x%02x at offset %zu", shown, c,
                     i);
            snprintf(f->header, sizeof(f->header), "%s", shown);
            return MHD_NO;
        }
    }
    if (strcasecmp(key, "Content-Length") == 0)
        f->content_length++;
    else if (strcasecmp(key, "Transfer-Encoding") == 0) {
        f->transfer_encoding++;
        f->te_value = value;
    } else if (strcasecmp(key, "Host") == 0)
        f->host++;
    else if (strcasecmp(key, "Authorization") == 0)
        f->authorization++;
    else if (strcasecmp(key, "Content-Type") == 0)
        f->content_type++;
    return MHD_YES;
}

/* Is v, without surrounding blanks, exactly "chunked"? Codings like "gzip", "identity" or
 * "chunked, gzip" are not ours to decode, and MHD would wait for a body it cannot frame. */
static bool is_plain_chunked(const char *v)
{
    v += strspn(v, " \t");
    size_t n = strlen(v);
    while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
        n--;
    return n == 7 && strncasecmp(v, "chunked", 7) == 0;
}

static const char *duplicate_of(const struct framing *f)
{
    if (f->content_length > 1)
        return "Content-Length";
    if (f->transfer_encoding > 1)
        return "Transfer-Encoding";
    if (f->host > 1)
        return "Host";
    if (f->authorization > 1)
        return "Authorization";
    if (f->content_type > 1)
        return "Content-Type";
    return NULL;
}

bool http_framing_check(struct http_request *req, const char *version)
{
    struct framing f = {0};
    MHD_get_connection_values_n(req->conn, MHD_HEADER_KIND, header_visit, &f);
    const char *dup = duplicate_of(&f);
    if (!f.bad[0] && dup) {
        snprintf(f.bad, sizeof(f.bad), "more than one %s header", dup);
        snprintf(f.header, sizeof(f.header), "%s", dup);
    }
    if (!f.bad[0] && f.transfer_encoding && f.content_length)
        snprintf(f.bad, sizeof(f.bad), "both Content-Length and Transfer-Encoding are present");
    if (!f.bad[0] && f.transfer_encoding && !is_plain_chunked(f.te_value))
        snprintf(f.bad, sizeof(f.bad),
                 "Transfer-Encoding must be chunked; other codings are not "
                 "supported");
    if (!f.bad[0] && !f.host && version && strcmp(version, MHD_HTTP_VERSION_1_0) != 0)
        snprintf(f.bad, sizeof(f.bad), "an HTTP/1.1 request needs a Host header");
    if (!f.bad[0])
        return true;
    http_reply_header(req, "Connection", "close");
    http_reply_error_ext(req, API_BAD_REQUEST,
                         f.header[0] ? json_pack("{s:s}", "header", f.header) : NULL, "%s", f.bad);
    return false;
}
