/* The management API client (see admin.h): one lib/httpc client per call, since calls are
 * rare (registrations) and httpc is single-threaded. */
#include "mq/admin.h"

#include "core/base64.h"
#include "core/strbuf.h"
#include "httpc/httpc.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct mq_admin {
    char *url;
    char auth[768]; /* "Authorization: Basic ..." */
    long timeout_ms;
};

int mq_manager_permissions(const char *t, struct mq_permissions *p)
{
    int a = snprintf(p->configure, sizeof(p->configure),
                     "^amq\\.gen.*|amq\\.default$|(%s)|(nfvo.%s.actions)", t, t);
    int b = snprintf(p->write, sizeof(p->write),
                     "^amq\\.gen.*|amq\\.default$|(%s)|(vnfm.nfvo.actions)|"
                     "(vnfm.nfvo.actions.reply)|(nfvo.%s.actions)|(openbaton-exchange)",
                     t, t);
    int c =
        snprintf(p->read, sizeof(p->read),
                 "^amq\\.gen.*|amq\\.default$|(nfvo.%s.actions)|(%s)|(openbaton-exchange)", t, t);
    if (a < 0 || b < 0 || c < 0 || (size_t)a >= sizeof(p->configure) ||
        (size_t)b >= sizeof(p->write) || (size_t)c >= sizeof(p->read))
        return -ENAMETOOLONG;
    return 0;
}

void mq_registration_permissions(struct mq_permissions *p)
{
    snprintf(p->configure, sizeof(p->configure), "^amq\\.gen.*|amq\\.default$");
    snprintf(p->write, sizeof(p->write),
             "^amq\\.gen.*|amq\\.default$|nfvo.manager.handling|openbaton-exchange");
    snprintf(p->read, sizeof(p->read), "%s", p->write);
}

int mq_admin_new(const char *url, const char *user, const char *password, long timeout_ms,
                 struct mq_admin **ret)
{
    if (!url || !*url || !user || !password)
        return -EINVAL;
    char cred[600];
    int n = snprintf(cred, sizeof(cred), "%s:%s", user, password);
    if (n < 0 || (size_t)n >= sizeof(cred))
        return -EINVAL;
    struct mq_admin *a = calloc(1, sizeof(*a));
    if (!a || !(a->url = strdup(url))) {
        free(a);
        return -ENOMEM;
    }
    size_t pre = (size_t)snprintf(a->auth, sizeof(a->auth), "Authorization: Basic ");
    int r = base64_encode((const uint8_t *)cred, (size_t)n, BASE64_PAD, a->auth + pre,
                          sizeof(a->auth) - pre);
    explicit_bzero(cred, sizeof(cred));
    if (r < 0) {
        mq_admin_free(a);
        return -EINVAL;
    }
    a->timeout_ms = timeout_ms;
    *ret = a;
    return 0;
}

void mq_admin_free(struct mq_admin *a)
{
    if (!a)
        return;
    explicit_bzero(a->auth, sizeof(a->auth));
    free(a->url);
    free(a);
}

/* One request; 2xx (or, with missing_ok, 404) is 0. */
static int call(struct mq_admin *a, const char *method, const char *path, json_t *body,
                bool missing_ok, struct pop_error *err)
{
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    if (body && !text)
        return pop_error_set(err, -ENOMEM, API_ERROR_COUNT, NULL, "out of memory");
    struct httpc *c = NULL;
    int r = httpc_new(&(struct httpc_config){.base_url = a->url, .timeout_ms = a->timeout_ms}, &c);
    const char *headers[] = {a->auth, "Content-Type: application/json", NULL};
    struct httpc_response resp = {0};
    if (r == 0)
        r = httpc_request(c, method, path, headers, text, text ? strlen(text) : 0, &resp);
    if (r < 0)
        pop_error_set(err, r, API_ERROR_COUNT, NULL, "%s %s on the broker's management API: %s",
                      method, path, c ? httpc_last_error(c) : strerror(-r));
    else if (resp.status >= 200 && resp.status < 300)
        r = 0;
    else if (resp.status == 404 && missing_ok)
        r = 0;
    else
        r = pop_error_set(err, resp.status == 401 || resp.status == 403 ? -EACCES : -EIO,
                          API_ERROR_COUNT, NULL, "%s %s on the broker's management API: %ld %.200s",
                          method, path, resp.status, resp.body);
    httpc_response_done(&resp);
    httpc_free(c);
    free(text);
    return r;
}

static int user_path(struct strbuf *out, const char *prefix, const char *vhost, const char *user)
{
    struct strbuf esc = {.max = 2048};
    int r = strbuf_puts(out, prefix);
    if (r == 0 && vhost) {
        r = httpc_url_escape(&esc, vhost);
        if (r == 0)
            r = strbuf_printf(out, "%s/", esc.buf);
        strbuf_reset(&esc);
    }
    if (r == 0)
        r = httpc_url_escape(&esc, user);
    if (r == 0)
        r = strbuf_puts(out, esc.buf);
    strbuf_done(&esc);
    return r;
}

int mq_admin_put_user(struct mq_admin *a, const char *vhost, const char *user, const char *password,
                      const struct mq_permissions *p, struct pop_error *err)
{
    struct strbuf path = {.max = 4096};
    int r = user_path(&path, "/api/users/", NULL, user);
    if (r == 0)
        r = call(a, "PUT", path.buf, json_pack("{s:s, s:s}", "password", password, "tags", ""),
                 false, err);
    else
        pop_error_set(err, r, API_ERROR_COUNT, NULL, "out of memory");
    if (r == 0) {
        strbuf_reset(&path);
        if (user_path(&path, "/api/permissions/", vhost ? vhost : "/", user) < 0)
            r = pop_error_set(err, -ENOMEM, API_ERROR_COUNT, NULL, "out of memory");
        else
            r = call(a, "PUT", path.buf,
                     json_pack("{s:s, s:s, s:s}", "configure", p->configure, "write", p->write,
                               "read", p->read),
                     false, err);
    }
    strbuf_done(&path);
    return r;
}

int mq_admin_delete_user(struct mq_admin *a, const char *user, struct pop_error *err)
{
    struct strbuf path = {.max = 4096};
    int r = user_path(&path, "/api/users/", NULL, user);
    r = r < 0 ? pop_error_set(err, r, API_ERROR_COUNT, NULL, "out of memory")
              : call(a, "DELETE", path.buf, NULL, true, err);
    strbuf_done(&path);
    return r;
}
