/* Route patterns: segment matching with "{name}" and trailing "{*name}" captures, percent
 * decoding of captured segments, and the sanity check applied to every raw path. */
#include "http/http-int.h"

#include "core/parse.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Segment [s, e) decodes to "." or ".."; encoded dots ("%2e") count too. */
static bool is_dot_segment(const char *s, const char *e)
{
    size_t dots = 0;
    while (s < e) {
        if (*s == '.') {
            s++;
        } else if (e - s >= 3 && s[0] == '%' && s[1] == '2' && (s[2] == 'e' || s[2] == 'E')) {
            s += 3;
        } else {
            return false;
        }
        dots++;
    }
    return dots == 1 || dots == 2;
}

int http_path_check(const char *path)
{
    if (!path || path[0] != '/')
        return -EBADMSG;
    for (const char *p = path; *p; p++)
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
            return -EBADMSG;
    const char *s = path;
    while (*s == '/') {
        const char *e = strchrnul(s + 1, '/');
        if (is_dot_segment(s + 1, e))
            return -EBADMSG;
        s = e;
    }
    return 0;
}

void http_params_free(struct http_param *params, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(params[i].value);
        params[i].value = NULL;
    }
}

/* "{name}" or "{*name}" spanning [p, pe): returns the name and whether it is a rest capture. */
static bool capture_name(const char *p, const char *pe, const char **ret_name, size_t *ret_len,
                         bool *ret_rest)
{
    if (pe - p < 3 || p[0] != '{' || pe[-1] != '}')
        return false;
    bool rest = p[1] == '*';
    const char *name = p + 1 + rest;
    if (name >= pe - 1)
        return false;
    *ret_name = name;
    *ret_len = (size_t)(pe - 1 - name);
    *ret_rest = rest;
    return true;
}

int http_route_match(const char *pattern, const char *path, struct http_param *params,
                     size_t max_params, size_t *ret_n)
{
    const char *p = pattern, *s = path;
    size_t n = 0;
    int r;

    for (;;) {
        if (*p == '\0' && *s == '\0')
            break;
        if (*p != '/' || *s != '/') {
            r = 0;
            goto fail;
        }
        p++;
        s++;
        const char *pe = strchrnul(p, '/'), *se = strchrnul(s, '/');
        const char *name;
        size_t name_len;
        bool rest;
        if (capture_name(p, pe, &name, &name_len, &rest)) {
            if (n == max_params) {
                r = -E2BIG;
                goto fail;
            }
            if (rest && *pe == '\0') {
                char *v = strdup(s);
                if (!v) {
                    r = -ENOMEM;
                    goto fail;
                }
                params[n++] = (struct http_param){name, name_len, v};
                break;
            }
            if (se == s) {
                r = 0;
                goto fail;
            }
            char *v;
            r = parse_percent_decode(s, (size_t)(se - s), &v);
            if (r < 0)
                goto fail;
            params[n++] = (struct http_param){name, name_len, v};
        } else if (pe - p != se - s || memcmp(p, s, (size_t)(pe - p)) != 0) {
            r = 0;
            goto fail;
        }
        p = pe;
        s = se;
    }
    *ret_n = n;
    return 1;
fail:
    http_params_free(params, n);
    return r;
}

enum http_method_class http_method_class(const char *method)
{
    static const char *const names[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(method, names[i]) == 0)
            return (enum http_method_class)i;
    return HTTP_M_OTHER;
}
