/* RabbitMQ's management HTTP API, the part an NFVO needs (reference §1.1-1.2): create or reset
 * a broker user, give it permissions, delete it. Also the permissions NFVO 6 grants a manager.
 * Separate from lib/mq's connection (library pop_mq_admin, over lib/httpc). */
#pragma once

#include <stddef.h>

#include "core/error.h"

struct mq_admin;

/* The regular expressions of one manager's permissions: NFVO 6's ComponentManager for the
 * queue name t (a VNFM's endpoint, or a plugin's id): configure its queue and nfvo.<t>.actions,
 * write also vnfm.nfvo.actions(.reply) and openbaton-exchange, read its queues and the
 * exchange; amq.gen-* and the default exchange always. */
#define MQ_PERMISSION_MAX 1024
struct mq_permissions {
    char configure[MQ_PERMISSION_MAX];
    char write[MQ_PERMISSION_MAX];
    char read[MQ_PERMISSION_MAX];
};
/* Fills p for t. Returns 0, or -ENAMETOOLONG when t makes a pattern longer than the buffers. */
int mq_manager_permissions(const char *t, struct mq_permissions *p);
/* NFVO 6's registration user (SystemStartup): configure ^amq\.gen.*|amq\.default$, write and
 * read also nfvo.manager.handling and openbaton-exchange. */
void mq_registration_permissions(struct mq_permissions *p);

/* A client of the API at url ("http://127.0.0.1:15672") as an administrator (HTTP basic
 * auth). Does no I/O. Returns 0, -EINVAL or -ENOMEM. */
int mq_admin_new(const char *url, const char *user, const char *password, long timeout_ms,
                 struct mq_admin **ret);
void mq_admin_free(struct mq_admin *a);

/* Creates user (or sets its password, if it exists) without tags, then sets its permissions
 * on vhost. Returns 0, or a negative errno with err naming the call and the broker's answer
 * (-ECONNREFUSED, -ETIMEDOUT, -EACCES for 401/403, -EIO for other statuses). Thread-safe. */
int mq_admin_put_user(struct mq_admin *a, const char *vhost, const char *user, const char *password,
                      const struct mq_permissions *p, struct pop_error *err);
/* Deletes user; one that does not exist is not an error. Thread-safe. */
int mq_admin_delete_user(struct mq_admin *a, const char *user, struct pop_error *err);
