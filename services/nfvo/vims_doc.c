/* The VIM instance document rules (see vims-int.h): input checks, masking, what a refresh
 * takes. */
#include "vims-int.h"

#include "auth/random.h"
#include "catalogue/vim.h"
#include "core/cleanup.h"
#include "json/cleanup.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The members holding a secret, as BaseVimInstance's classes name them (§4.3). */
static const char *const secrets[] = {"password", "cert", "dockerKey", "secretKey"};

static int bad(struct pop_error *e, const char *field, const char *why)
{
    return pop_error_set(e, -EINVAL, API_INVALID_FIELD, field, "%s: %s", field, why);
}

static bool has_control(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return true;
    return false;
}

static int check_name(const char *name, struct pop_error *e)
{
    if (!name || !*name)
        return bad(e, "name", "required (the VIM instance's name)");
    if (strlen(name) > NFVO_VIM_NAME_MAX)
        return pop_error_set(e, -EINVAL, API_INVALID_FIELD, "name", "name: longer than %d bytes",
                             NFVO_VIM_NAME_MAX);
    if (has_control(name))
        return bad(e, "name", "holds a control character");
    return 0;
}

static int check_type(const char *type, struct pop_error *e)
{
    if (!type || !*type)
        return bad(e, "type", "required (the VIM type, which picks the driver: e.g. \"pop\")");
    size_t n = strlen(type);
    if (n > NFVO_VIM_TYPE_MAX)
        return pop_error_set(e, -EINVAL, API_INVALID_FIELD, "type", "type: longer than %d bytes",
                             NFVO_VIM_TYPE_MAX);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)type[i];
        bool part_start = i == 0 || type[i - 1] == '.';
        if (c == '.' && (part_start || i == n - 1))
            return bad(e, "type", "has an empty part between dots");
        if (!isalnum(c) && !(c == '.' || ((c == '_' || c == '-') && !part_start)))
            return pop_error_set(e, -EINVAL, API_INVALID_FIELD, "type",
                                 "type: '%s' is not a VIM type (letters, digits, '_', '-', "
                                 "dot-separated parts)",
                                 type);
    }
    return 0;
}

/* The authority of url ("user:pw@host:port"): its start and length; NULL when url has no
 * "scheme://". */
static const char *authority(const char *url, size_t *ret_len)
{
    const char *sep = strstr(url, "://");
    if (!sep || sep == url)
        return NULL;
    const char *a = sep + 3;
    *ret_len = strcspn(a, "/?#");
    return a;
}

static int check_url(const char *url, struct pop_error *e)
{
    if (!url || !*url)
        return bad(e, "authUrl", "required (the URL the driver reaches the VIM at)");
    if (strlen(url) > NFVO_VIM_URL_MAX)
        return pop_error_set(e, -EINVAL, API_INVALID_FIELD, "authUrl",
                             "authUrl: longer than %d bytes", NFVO_VIM_URL_MAX);
    for (const unsigned char *p = (const unsigned char *)url; *p; p++)
        if (*p <= 0x20 || *p == 0x7f)
            return bad(e, "authUrl", "holds a space or a control character");
    size_t alen = 0;
    const char *a = authority(url, &alen);
    size_t slen = a ? (size_t)(a - 3 - url) : 0;
    bool scheme_ok = a && isalpha((unsigned char)url[0]);
    for (size_t i = 1; scheme_ok && i < slen; i++)
        scheme_ok = isalnum((unsigned char)url[i]) || strchr("+.-", url[i]);
    if (!scheme_ok)
        return pop_error_set(e, -EINVAL, API_INVALID_FIELD, "authUrl",
                             "authUrl: not a URL (scheme://host...), e.g. http://10.0.0.1:8080");
    bool http = (slen == 4 && strncasecmp(url, "http", 4) == 0) ||
                (slen == 5 && strncasecmp(url, "https", 5) == 0);
    if (http) {
        const char *at = memrchr(a, '@', alen);
        const char *host = at ? at + 1 : a;
        size_t hlen = alen - (size_t)(host - a);
        /* host, [v6], then an optional :port of digits */
        const char *colon = hlen && host[0] == '[' ? memchr(host, ']', hlen) : host;
        colon = colon ? memchr(colon, ':', hlen - (size_t)(colon - host)) : NULL;
        size_t name_len = colon ? (size_t)(colon - host) : hlen;
        if (name_len == 0)
            return bad(e, "authUrl", "names no host");
        if (colon) {
            size_t plen = hlen - name_len - 1;
            if (plen == 0 || plen > 5 || strspn(colon + 1, "0123456789") < plen)
                return bad(e, "authUrl", "has a port that is not a number");
        }
    }
    return 0;
}

int nfvo_vim_doc_check(const json_t *body, json_t **ret, struct pop_error *e)
{
    if (!json_is_object(body))
        return pop_error_set(e, -EINVAL, API_BAD_JSON, NULL, "expected a VIM instance object");
    struct cat_vim *vim = NULL;
    int r = cat_vim_from_json(body, 0, &vim, e);
    if (r < 0)
        return r;
    if ((r = check_name(vim->name, e)) < 0 || (r = check_type(vim->type, e)) < 0 ||
        (r = check_url(vim->auth_url, e)) < 0) {
        cat_vim_free(vim);
        return r;
    }
    json_t *doc = cat_vim_to_json(vim, 0);
    cat_vim_free(vim);
    if (!doc)
        return pop_error_set(e, -ENOMEM, API_INTERNAL, NULL, "out of memory");
    *ret = doc;
    return 0;
}

char *nfvo_vim_mask_url(const char *url)
{
    size_t alen = 0;
    const char *a = url ? authority(url, &alen) : NULL;
    const char *at = a ? memrchr(a, '@', alen) : NULL;
    const char *colon = at ? memchr(a, ':', (size_t)(at - a)) : NULL;
    if (!colon)
        return url ? strdup(url) : NULL;
    size_t head = (size_t)(colon + 1 - url), n = head + strlen(NFVO_VIM_MASK) + strlen(at) + 1;
    char *out = malloc(n);
    if (out)
        snprintf(out, n, "%.*s%s%s", (int)head, url, NFVO_VIM_MASK, at);
    return out;
}

json_t *nfvo_vim_doc_masked(const json_t *doc)
{
    _cleanup_json_ json_t *out = json_deep_copy(doc);
    if (!out)
        return NULL;
    for (size_t i = 0; i < ARRAY_SIZE(secrets); i++)
        if (json_object_get(out, secrets[i]) &&
            json_object_set_new(out, secrets[i], json_string(NFVO_VIM_MASK)) < 0)
            return NULL;
    const char *url = json_string_value(json_object_get(out, "authUrl"));
    if (url) {
        char *masked = nfvo_vim_mask_url(url);
        if (!masked || json_object_set_new(out, "authUrl", json_string(masked)) < 0) {
            free(masked);
            return NULL;
        }
        free(masked);
    }
    return TAKE_PTR(out);
}

int nfvo_vim_doc_keep_secrets(json_t *doc, const json_t *old)
{
    for (size_t i = 0; i < ARRAY_SIZE(secrets); i++) {
        const char *now = json_string_value(json_object_get(doc, secrets[i]));
        json_t *before = json_object_get(old, secrets[i]);
        bool keep = !json_object_get(doc, secrets[i]) || (now && !strcmp(now, NFVO_VIM_MASK));
        if (keep && before) {
            if (json_object_set(doc, secrets[i], before) < 0)
                return -ENOMEM;
        } else if (keep) {
            json_object_del(doc, secrets[i]);
        }
    }
    const char *url = json_string_value(json_object_get(doc, "authUrl"));
    const char *old_url = json_string_value(json_object_get(old, "authUrl"));
    if (url && old_url) {
        _cleanup_free_ char *masked = nfvo_vim_mask_url(old_url);
        if (!masked)
            return -ENOMEM;
        if (strcmp(masked, old_url) != 0 && strcmp(url, masked) == 0 &&
            json_object_set_new(doc, "authUrl", json_string(old_url)) < 0)
            return -ENOMEM;
    }
    return 0;
}

/* A copy of list whose entries without an id get one (new uuid, hbVersion 0), as the NFVO
 * persists them. NULL on ENOMEM or a failing random source. */
static json_t *with_ids(const json_t *list)
{
    _cleanup_json_ json_t *out = json_deep_copy(list);
    if (!out)
        return NULL;
    size_t i;
    json_t *item;
    json_array_foreach (out, i, item) {
        if (!json_is_object(item) || json_string_value(json_object_get(item, "id")))
            continue;
        char id[37];
        if (auth_uuid4(id) < 0 || json_object_set_new(item, "id", json_string(id)) < 0 ||
            json_object_set_new(item, "hbVersion", json_integer(0)) < 0)
            return NULL;
    }
    return TAKE_PTR(out);
}

int nfvo_vim_doc_take_refresh(json_t *doc, const json_t *answer, struct pop_error *e)
{
    if (!json_is_object(answer))
        return pop_error_set(e, -EBADMSG, API_BAD_GATEWAY, NULL,
                             "the driver's refresh answered no VIM instance (%s)",
                             json_is_null(answer) ? "null" : "not an object");
    struct cat_vim *vim = NULL;
    struct pop_error inner = POP_ERROR_INIT;
    if (cat_vim_from_json_at(answer, "answer", 0, &vim, &inner) < 0)
        return pop_error_set(e, inner.r == -ENOMEM ? -ENOMEM : -EBADMSG, API_BAD_GATEWAY, NULL,
                             "the driver's refresh answer is malformed: %s", inner.detail);
    cat_vim_free(vim);
    static const char *const lists[] = {"images", "networks", "flavours"};
    json_t *taken[ARRAY_SIZE(lists)] = {NULL};
    int r = 0;
    for (size_t i = 0; i < ARRAY_SIZE(lists) && r == 0; i++) {
        const json_t *l = json_object_get(answer, lists[i]);
        if (json_is_array(l))
            taken[i] = with_ids(l);
        else if (i < 2)
            taken[i] = json_array();
        else
            continue;
        if (!taken[i])
            r = pop_error_set(e, -ENOMEM, API_INTERNAL, NULL, "out of memory");
    }
    /* All or nothing: doc changes only once every list is ready. */
    for (size_t i = 0; i < ARRAY_SIZE(lists); i++) {
        if (r == 0 && taken[i] && json_object_set(doc, lists[i], taken[i]) < 0)
            r = pop_error_set(e, -ENOMEM, API_INTERNAL, NULL, "out of memory");
        json_decref(taken[i]);
    }
    return r;
}
