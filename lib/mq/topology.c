/* Checks of the configuration and of the topology and consumer tables, done once at start so a
 * mistake is an error naming the entry instead of a broker refusal on every reconnect. */
#include "mq/mq-int.h"

#include "core/error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Writes why and returns -EINVAL, so a check reads `return why_set(...)`. */
#define why_set(why, size, ...) (errbuf_setf(why, size, __VA_ARGS__), -EINVAL)

/* A name the broker will take: present unless optional, at most MQ_NAME_MAX bytes, no NUL
 * (a C string has none) and no control characters (they would only make logs unreadable). */
static const char *name_problem(const char *s, bool optional)
{
    if (!s)
        return optional ? NULL : "required";
    if (!*s && !optional)
        return "required";
    if (strlen(s) > MQ_NAME_MAX)
        return "longer than 255 bytes";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return "contains a control character";
    return NULL;
}

static bool known_exchange_type(const char *t)
{
    static const char *const types[] = {"direct", "fanout", "topic", "headers"};
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
        if (strcmp(t, types[i]) == 0)
            return true;
    return false;
}

static int check_decl(const struct mq_decl *d, size_t i, char *why, size_t size)
{
    const char *p;
    switch (d->kind) {
    case MQ_EXCHANGE:
        if ((p = name_problem(d->exchange, false)))
            return why_set(why, size, "decls[%zu].exchange: %s", i, p);
        if (d->flags & ~(unsigned)(MQ_DURABLE | MQ_AUTO_DELETE | MQ_PASSIVE))
            return why_set(why, size, "decls[%zu].flags: only durable, auto-delete, passive", i);
        if (d->expires_ms)
            return why_set(why, size, "decls[%zu].expires_ms: only for queues", i);
        if (!(d->flags & MQ_PASSIVE)) {
            if (!d->type || !known_exchange_type(d->type))
                return why_set(why, size,
                               "decls[%zu].type: expected direct, fanout, topic or headers", i);
            if (strncmp(d->exchange, "amq.", 4) == 0)
                return why_set(why, size,
                               "decls[%zu].exchange: 'amq.' names are the broker's (declare "
                               "them passive)",
                               i);
        }
        return 0;
    case MQ_QUEUE:
        if ((p = name_problem(d->queue, false)))
            return why_set(why, size, "decls[%zu].queue: %s", i, p);
        if (d->flags & ~(unsigned)(MQ_DURABLE | MQ_AUTO_DELETE | MQ_EXCLUSIVE | MQ_PASSIVE |
                                   MQ_DELETE_ON_STOP))
            return why_set(why, size, "decls[%zu].flags: unknown flag", i);
        if (d->expires_ms < 0 || d->expires_ms > MQ_EXPIRES_MAX_MS)
            return why_set(why, size, "decls[%zu].expires_ms: 0 (never) or 1..%lld", i,
                           MQ_EXPIRES_MAX_MS);
        if ((d->flags & MQ_PASSIVE) && (d->expires_ms || (d->flags & MQ_DELETE_ON_STOP)))
            return why_set(why, size,
                           "decls[%zu]: a passive queue is someone else's (no expiry, no delete)",
                           i);
        if (!(d->flags & MQ_PASSIVE) && strncmp(d->queue, "amq.", 4) == 0)
            return why_set(why, size, "decls[%zu].queue: 'amq.' names are the broker's", i);
        return 0;
    case MQ_BIND:
        if ((p = name_problem(d->exchange, false)))
            return why_set(why, size, "decls[%zu].exchange: %s", i, p);
        if ((p = name_problem(d->queue, false)))
            return why_set(why, size, "decls[%zu].queue: %s", i, p);
        if ((p = name_problem(d->routing_key, true)))
            return why_set(why, size, "decls[%zu].routing_key: %s", i, p);
        if (d->flags || d->expires_ms)
            return why_set(why, size, "decls[%zu].flags: a binding takes none", i);
        return 0;
    }
    return why_set(why, size, "decls[%zu].kind: unknown", i);
}

int mq_check_tables(const struct mq_decl *decls, size_t n_decls, const struct mq_consumer *cons,
                    size_t n_cons, char *why, size_t size)
{
    if (n_decls && !decls)
        return why_set(why, size, "decls: NULL with %zu entries", n_decls);
    if (n_cons && !cons)
        return why_set(why, size, "consumers: NULL with %zu entries", n_cons);
    for (size_t i = 0; i < n_decls; i++) {
        int r = check_decl(&decls[i], i, why, size);
        if (r < 0)
            return r;
    }
    for (size_t i = 0; i < n_cons; i++) {
        const char *p = name_problem(cons[i].queue, false);
        if (p)
            return why_set(why, size, "consumers[%zu].queue: %s", i, p);
        if (!cons[i].handler)
            return why_set(why, size, "consumers[%zu].handler: required", i);
        for (size_t j = 0; j < i; j++)
            if (strcmp(cons[j].queue, cons[i].queue) == 0)
                return why_set(why, size, "consumers[%zu].queue: '%s' is consumed twice", i,
                               cons[i].queue);
    }
    /* Consumer tags are "pop-<index>", parsed back on each delivery. */
    if (n_cons > 9999)
        return why_set(why, size, "consumers: at most 9999");
    return 0;
}

int mq_check_config(const struct mq_config *cfg, char *why, size_t size)
{
    const char *p;
    if (!cfg)
        return why_set(why, size, "config: NULL");
    if ((p = name_problem(cfg->user, false)))
        return why_set(why, size, "user: %s", p);
    if (!cfg->password)
        return why_set(why, size, "password: required");
    if (strlen(cfg->password) > MQ_NAME_MAX)
        return why_set(why, size, "password: longer than 255 bytes");
    if ((p = name_problem(cfg->vhost, true)))
        return why_set(why, size, "vhost: %s", p);
    if ((p = name_problem(cfg->host, true)))
        return why_set(why, size, "host: %s", p);
    if ((p = name_problem(cfg->name, true)))
        return why_set(why, size, "name: %s", p);
    if ((p = name_problem(cfg->rpc_reply_exchange, true)))
        return why_set(why, size, "rpc_reply_exchange: %s", p);
    /* AMQP negotiates the heartbeat as a 16-bit number of seconds. */
    if (cfg->heartbeat_s > 65535)
        return why_set(why, size, "heartbeat_s: at most 65535");
    if (cfg->prefetch > 65535)
        return why_set(why, size, "prefetch: at most 65535");
    if (cfg->body_max > (size_t)1 << 30)
        return why_set(why, size, "body_max: at most 1 GiB");
    if (cfg->backoff_max_ms < 0 || cfg->connect_timeout_ms < 0 || cfg->rpc_timeout_ms < 0)
        return why_set(why, size, "timeouts: must not be negative");
    if (cfg->backoff_max_ms > 0 && cfg->backoff_max_ms < 100)
        return why_set(why, size, "backoff_max_ms: at least 100");
    return 0;
}

int mq_check(const struct mq_config *cfg, const struct mq_decl *decls, size_t n_decls,
             const struct mq_consumer *cons, size_t n_cons, struct pop_error *err)
{
    char why[256] = "";
    int r = mq_check_config(cfg, why, sizeof(why));
    if (r == 0)
        r = mq_check_tables(decls, n_decls, cons, n_cons, why, sizeof(why));
    if (r < 0)
        pop_error_set(err, r, API_INVALID_FIELD, NULL, "%s", why);
    return r;
}
