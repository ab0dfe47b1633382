/* librabbitmq-c's status codes and the broker's reply codes, translated once into negative
 * errno; the library's and the broker's own words are kept as text for logs. */
#include "mq/mq-int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int mq_errno_from_status(int status)
{
    switch (status) {
    case AMQP_STATUS_OK:
        return 0;
    case AMQP_STATUS_NO_MEMORY:
        return -ENOMEM;
    case AMQP_STATUS_BAD_AMQP_DATA:
    case AMQP_STATUS_UNKNOWN_CLASS:
    case AMQP_STATUS_UNKNOWN_METHOD:
    case AMQP_STATUS_INCOMPATIBLE_AMQP_VERSION:
    case AMQP_STATUS_WRONG_METHOD:
    case AMQP_STATUS_UNEXPECTED_STATE:
        return -EPROTO;
    case AMQP_STATUS_HOSTNAME_RESOLUTION_FAILED:
        return -EHOSTUNREACH;
    case AMQP_STATUS_CONNECTION_CLOSED:
    case AMQP_STATUS_SOCKET_CLOSED:
        return -ECONNRESET;
    case AMQP_STATUS_BAD_URL:
    case AMQP_STATUS_INVALID_PARAMETER:
        return -EINVAL;
    case AMQP_STATUS_TABLE_TOO_BIG:
        return -E2BIG;
    case AMQP_STATUS_TIMEOUT:
    case AMQP_STATUS_HEARTBEAT_TIMEOUT:
        return -ETIMEDOUT;
    case AMQP_STATUS_SOCKET_INUSE:
        return -EBUSY;
    case AMQP_STATUS_BROKER_UNSUPPORTED_SASL_METHOD:
    case AMQP_STATUS_UNSUPPORTED:
        return -EOPNOTSUPP;
    case AMQP_STATUS_SOCKET_ERROR:
    case AMQP_STATUS_TCP_ERROR:
        /* The library keeps no errno: a socket that failed on an open connection. A connect
         * that fails this way is -ECONNREFUSED, which the connect step says itself. */
        return -ECONNRESET;
    case AMQP_STATUS_TIMER_FAILURE:
    case AMQP_STATUS_TCP_SOCKETLIB_INIT_ERROR:
    default:
        return -EIO;
    }
}

int mq_errno_from_reply_code(unsigned code)
{
    switch (code) {
    case AMQP_REPLY_SUCCESS:
        return 0;
    case AMQP_CONTENT_TOO_LARGE:
        return -EMSGSIZE;
    case AMQP_NO_ROUTE:
    case AMQP_NO_CONSUMERS:
    case AMQP_NOT_FOUND:
        return -ENOENT;
    case AMQP_CONNECTION_FORCED:
        return -ECONNRESET;
    case AMQP_INVALID_PATH:
        return -EINVAL;
    case AMQP_ACCESS_REFUSED:
        return -EACCES;
    case AMQP_RESOURCE_LOCKED:
        return -EBUSY;
    case AMQP_PRECONDITION_FAILED:
        /* Mostly "inequivalent arg": the object exists with other properties. */
        return -EEXIST;
    case AMQP_RESOURCE_ERROR:
        return -ENOSPC;
    case AMQP_NOT_ALLOWED:
        return -EPERM;
    case AMQP_NOT_IMPLEMENTED:
        return -EOPNOTSUPP;
    case AMQP_INTERNAL_ERROR:
        return -EIO;
    case AMQP_FRAME_ERROR:
    case AMQP_SYNTAX_ERROR:
    case AMQP_COMMAND_INVALID:
    case AMQP_CHANNEL_ERROR:
    case AMQP_UNEXPECTED_FRAME:
    default:
        return -EPROTO;
    }
}

const char *mq_reply_code_name(unsigned code)
{
    switch (code) {
    case AMQP_REPLY_SUCCESS:
        return "REPLY_SUCCESS";
    case AMQP_CONTENT_TOO_LARGE:
        return "CONTENT_TOO_LARGE";
    case AMQP_NO_ROUTE:
        return "NO_ROUTE";
    case AMQP_NO_CONSUMERS:
        return "NO_CONSUMERS";
    case AMQP_CONNECTION_FORCED:
        return "CONNECTION_FORCED";
    case AMQP_INVALID_PATH:
        return "INVALID_PATH";
    case AMQP_ACCESS_REFUSED:
        return "ACCESS_REFUSED";
    case AMQP_NOT_FOUND:
        return "NOT_FOUND";
    case AMQP_RESOURCE_LOCKED:
        return "RESOURCE_LOCKED";
    case AMQP_PRECONDITION_FAILED:
        return "PRECONDITION_FAILED";
    case AMQP_FRAME_ERROR:
        return "FRAME_ERROR";
    case AMQP_SYNTAX_ERROR:
        return "SYNTAX_ERROR";
    case AMQP_COMMAND_INVALID:
        return "COMMAND_INVALID";
    case AMQP_CHANNEL_ERROR:
        return "CHANNEL_ERROR";
    case AMQP_UNEXPECTED_FRAME:
        return "UNEXPECTED_FRAME";
    case AMQP_RESOURCE_ERROR:
        return "RESOURCE_ERROR";
    case AMQP_NOT_ALLOWED:
        return "NOT_ALLOWED";
    case AMQP_NOT_IMPLEMENTED:
        return "NOT_IMPLEMENTED";
    case AMQP_INTERNAL_ERROR:
        return "INTERNAL_ERROR";
    default:
        return "UNKNOWN";
    }
}

/* The broker's reply text is an AMQP short string, not NUL-terminated. */
static int reply_text(char *text, size_t size, const char *what, unsigned code, amqp_bytes_t t)
{
    int len = t.len > MQ_NAME_MAX ? MQ_NAME_MAX : (int)t.len;
    snprintf(text, size, "%s: %u %s: %.*s", what, code, mq_reply_code_name(code), len,
             t.bytes ? (const char *)t.bytes : "");
    return mq_errno_from_reply_code(code);
}

int mq_errno_from_reply(amqp_rpc_reply_t r, const char *what, char *text, size_t size)
{
    switch (r.reply_type) {
    case AMQP_RESPONSE_NORMAL:
        return 0;
    case AMQP_RESPONSE_NONE:
        snprintf(text, size, "%s: no reply (missing RPC reply type)", what);
        return -EPROTO;
    case AMQP_RESPONSE_LIBRARY_EXCEPTION:
        snprintf(text, size, "%s: %s", what, amqp_error_string2(r.library_error));
        return mq_errno_from_status(r.library_error);
    case AMQP_RESPONSE_SERVER_EXCEPTION:
        if (r.reply.id == AMQP_CONNECTION_CLOSE_METHOD && r.reply.decoded) {
            const amqp_connection_close_t *c = r.reply.decoded;
            return reply_text(text, size, what, c->reply_code, c->reply_text);
        }
        if (r.reply.id == AMQP_CHANNEL_CLOSE_METHOD && r.reply.decoded) {
            const amqp_channel_close_t *c = r.reply.decoded;
            return reply_text(text, size, what, c->reply_code, c->reply_text);
        }
        snprintf(text, size, "%s: unexpected server method 0x%08x", what, r.reply.id);
        return -EPROTO;
    }
    snprintf(text, size, "%s: unknown reply type %d", what, (int)r.reply_type);
    return -EPROTO;
}
