/* Unit tests for lib/mq's checks of the configuration and the topology/consumer tables, and
 * for the one translation of librabbitmq-c statuses and broker reply codes into errno. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "mq/mq-int.h"

static void handler(struct mq_delivery *d, void *ud)
{
    (void)d;
    (void)ud;
}

/* What an Open Baton plugin declares: its queue, bound to an exchange it may not configure. */
static const struct mq_decl plugin_decls[] = {
    {.kind = MQ_EXCHANGE, .exchange = "openbaton-exchange", .flags = MQ_PASSIVE},
    {.kind = MQ_QUEUE, .queue = "vim-drivers.pop.pop1", .flags = MQ_DURABLE | MQ_AUTO_DELETE},
    {.kind = MQ_BIND,
     .exchange = "openbaton-exchange",
     .queue = "vim-drivers.pop.pop1",
     .routing_key = "vim-drivers.pop.pop1"},
};
static const struct mq_consumer plugin_cons[] = {
    {.queue = "vim-drivers.pop.pop1", .handler = handler}};

static const char *check1(struct mq_decl d)
{
    static char why[256];
    why[0] = '\0';
    return mq_check_tables(&d, 1, NULL, 0, why, sizeof(why)) == 0 ? NULL : why;
}

static void test_valid_tables(void **state)
{
    (void)state;
    char why[256] = "";
    assert_int_equal(mq_check_tables(plugin_decls, 3, plugin_cons, 1, why, sizeof(why)), 0);
    assert_int_equal(mq_check_tables(NULL, 0, NULL, 0, why, sizeof(why)), 0);
    assert_null(check1((struct mq_decl){.kind = MQ_EXCHANGE, .exchange = "x", .type = "topic"}));
    assert_null(check1(
        (struct mq_decl){.kind = MQ_QUEUE, .queue = "q", .flags = MQ_EXCLUSIVE | MQ_AUTO_DELETE}));
    /* The broker's own exchanges may be checked, and bound to, just not declared. */
    assert_null(check1(
        (struct mq_decl){.kind = MQ_EXCHANGE, .exchange = "amq.topic", .flags = MQ_PASSIVE}));
    assert_null(check1((struct mq_decl){.kind = MQ_BIND, .exchange = "amq.topic", .queue = "q"}));
    /* pop-vim-driver's plugin queue: survives a crash for a minute, goes at an orderly stop. */
    assert_null(check1((struct mq_decl){.kind = MQ_QUEUE,
                                        .queue = "q",
                                        .flags = MQ_DURABLE | MQ_DELETE_ON_STOP,
                                        .expires_ms = 60000}));
    assert_null(
        check1((struct mq_decl){.kind = MQ_QUEUE, .queue = "q", .expires_ms = MQ_EXPIRES_MAX_MS}));
}

static void test_expiry_and_delete_on_stop_only_for_own_queues(void **state)
{
    (void)state;
    assert_string_equal(check1((struct mq_decl){.kind = MQ_QUEUE, .queue = "q", .expires_ms = -1}),
                        "decls[0].expires_ms: 0 (never) or 1..2147483647");
    assert_string_equal(check1((struct mq_decl){
                            .kind = MQ_QUEUE, .queue = "q", .expires_ms = MQ_EXPIRES_MAX_MS + 1}),
                        "decls[0].expires_ms: 0 (never) or 1..2147483647");
    assert_string_equal(
        check1((struct mq_decl){
            .kind = MQ_EXCHANGE, .exchange = "x", .type = "topic", .expires_ms = 1000}),
        "decls[0].expires_ms: only for queues");
    assert_non_null(
        strstr(check1((struct mq_decl){
                   .kind = MQ_QUEUE, .queue = "q", .flags = MQ_PASSIVE | MQ_DELETE_ON_STOP}),
               "someone else's"));
    assert_non_null(
        strstr(check1((struct mq_decl){
                   .kind = MQ_QUEUE, .queue = "q", .flags = MQ_PASSIVE, .expires_ms = 1000}),
               "someone else's"));
    assert_string_equal(
        check1((struct mq_decl){.kind = MQ_BIND, .exchange = "x", .queue = "q", .expires_ms = 5}),
        "decls[0].flags: a binding takes none");
}

static void test_bad_declarations_name_the_entry(void **state)
{
    (void)state;
    assert_string_equal(check1((struct mq_decl){.kind = MQ_EXCHANGE, .type = "topic"}),
                        "decls[0].exchange: required");
    assert_string_equal(
        check1((struct mq_decl){.kind = MQ_EXCHANGE, .exchange = "x", .type = "fan-out"}),
        "decls[0].type: expected direct, fanout, topic or headers");
    assert_string_equal(check1((struct mq_decl){.kind = MQ_EXCHANGE, .exchange = "x"}),
                        "decls[0].type: expected direct, fanout, topic or headers");
    assert_non_null(strstr(
        check1((struct mq_decl){.kind = MQ_EXCHANGE, .exchange = "amq.mine", .type = "topic"}),
        "'amq.' names are the broker's"));
    assert_string_equal(
        check1((struct mq_decl){
            .kind = MQ_EXCHANGE, .exchange = "x", .type = "topic", .flags = MQ_EXCLUSIVE}),
        "decls[0].flags: only durable, auto-delete, passive");
    assert_string_equal(check1((struct mq_decl){.kind = MQ_QUEUE, .queue = ""}),
                        "decls[0].queue: required");
    assert_non_null(
        strstr(check1((struct mq_decl){.kind = MQ_QUEUE, .queue = "amq.gen-x"}), "broker's"));
    assert_string_equal(check1((struct mq_decl){.kind = MQ_QUEUE, .queue = "q", .flags = 1u << 7}),
                        "decls[0].flags: unknown flag");
    assert_string_equal(check1((struct mq_decl){.kind = MQ_BIND, .exchange = "x"}),
                        "decls[0].queue: required");
    assert_string_equal(check1((struct mq_decl){
                            .kind = MQ_BIND, .exchange = "x", .queue = "q", .flags = MQ_DURABLE}),
                        "decls[0].flags: a binding takes none");
    assert_string_equal(check1((struct mq_decl){.kind = (enum mq_decl_kind)7, .queue = "q"}),
                        "decls[0].kind: unknown");
    char longname[300];
    memset(longname, 'q', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    assert_string_equal(check1((struct mq_decl){.kind = MQ_QUEUE, .queue = longname}),
                        "decls[0].queue: longer than 255 bytes");
    assert_string_equal(check1((struct mq_decl){
                            .kind = MQ_BIND, .exchange = "x", .queue = "q", .routing_key = "a\nb"}),
                        "decls[0].routing_key: contains a control character");
    /* The index points at the faulty entry. */
    struct mq_decl two[] = {plugin_decls[1], {.kind = MQ_QUEUE}};
    char why[256];
    assert_int_equal(mq_check_tables(two, 2, NULL, 0, why, sizeof(why)), -EINVAL);
    assert_string_equal(why, "decls[1].queue: required");
}

static void test_bad_consumers(void **state)
{
    (void)state;
    char why[256];
    struct mq_consumer c[] = {{.queue = "a", .handler = handler},
                              {.queue = "a", .handler = handler}};
    assert_int_equal(mq_check_tables(NULL, 0, c, 2, why, sizeof(why)), -EINVAL);
    assert_string_equal(why, "consumers[1].queue: 'a' is consumed twice");
    c[1] = (struct mq_consumer){.queue = "b"};
    assert_int_equal(mq_check_tables(NULL, 0, c, 2, why, sizeof(why)), -EINVAL);
    assert_string_equal(why, "consumers[1].handler: required");
    c[1] = (struct mq_consumer){.handler = handler};
    assert_int_equal(mq_check_tables(NULL, 0, c, 2, why, sizeof(why)), -EINVAL);
    assert_string_equal(why, "consumers[1].queue: required");
    assert_int_equal(mq_check_tables(NULL, 1, NULL, 0, why, sizeof(why)), -EINVAL);
}

static void test_config_checks(void **state)
{
    (void)state;
    char why[256];
    struct mq_config ok = {.user = "u", .password = "p"};
    assert_int_equal(mq_check_config(&ok, why, sizeof(why)), 0);
    struct mq_config c = ok;
    c.user = NULL;
    assert_int_equal(mq_check_config(&c, why, sizeof(why)), -EINVAL);
    assert_string_equal(why, "user: required");
    c = ok;
    c.password = NULL;
    assert_int_equal(mq_check_config(&c, why, sizeof(why)), -EINVAL);
    assert_string_equal(why, "password: required");
    c = ok;
    c.heartbeat_s = 70000;
    assert_int_equal(mq_check_config(&c, why, sizeof(why)), -EINVAL);
    assert_string_equal(why, "heartbeat_s: at most 65535");
    c = ok;
    c.prefetch = 70000;
    assert_int_equal(mq_check_config(&c, why, sizeof(why)), -EINVAL);
    c = ok;
    c.backoff_max_ms = 10;
    assert_int_equal(mq_check_config(&c, why, sizeof(why)), -EINVAL);
    assert_string_equal(why, "backoff_max_ms: at least 100");
    c = ok;
    c.rpc_timeout_ms = -1;
    assert_int_equal(mq_check_config(&c, why, sizeof(why)), -EINVAL);
    c = ok;
    c.vhost = "a\tb";
    assert_int_equal(mq_check_config(&c, why, sizeof(why)), -EINVAL);
    assert_string_equal(why, "vhost: contains a control character");
    assert_int_equal(mq_check_config(NULL, why, sizeof(why)), -EINVAL);
}

static void test_mq_check_fills_pop_error(void **state)
{
    (void)state;
    struct mq_config cfg = {.user = "u", .password = "p"};
    struct mq_decl bad = {.kind = MQ_QUEUE};
    struct pop_error err = POP_ERROR_INIT;
    assert_int_equal(mq_check(&cfg, &bad, 1, NULL, 0, &err), -EINVAL);
    assert_int_equal(err.r, -EINVAL);
    assert_int_equal(err.api, API_INVALID_FIELD);
    assert_string_equal(err.detail, "decls[0].queue: required");
    assert_int_equal(mq_check(&cfg, plugin_decls, 3, plugin_cons, 1, NULL), 0);
    /* mq_start refuses what mq_check refuses, before any thread or socket exists. */
    struct mq *mq = NULL;
    assert_int_equal(mq_start(&cfg, &bad, 1, NULL, 0, NULL, NULL, NULL, &mq), -EINVAL);
    assert_null(mq);
    assert_int_equal(mq_start(&cfg, plugin_decls, 3, plugin_cons, 1, NULL, NULL, NULL, &mq),
                     -EINVAL); /* consumers without a worker queue */
}

static void test_status_translation(void **state)
{
    (void)state;
    assert_int_equal(mq_errno_from_status(AMQP_STATUS_OK), 0);
    assert_int_equal(mq_errno_from_status(AMQP_STATUS_NO_MEMORY), -ENOMEM);
    assert_int_equal(mq_errno_from_status(AMQP_STATUS_TIMEOUT), -ETIMEDOUT);
    assert_int_equal(mq_errno_from_status(AMQP_STATUS_HEARTBEAT_TIMEOUT), -ETIMEDOUT);
    assert_int_equal(mq_errno_from_status(AMQP_STATUS_CONNECTION_CLOSED), -ECONNRESET);
    assert_int_equal(mq_errno_from_status(AMQP_STATUS_SOCKET_ERROR), -ECONNRESET);
    assert_int_equal(mq_errno_from_status(AMQP_STATUS_HOSTNAME_RESOLUTION_FAILED), -EHOSTUNREACH);
    assert_int_equal(mq_errno_from_status(AMQP_STATUS_BAD_AMQP_DATA), -EPROTO);
    assert_int_equal(mq_errno_from_status(AMQP_STATUS_UNEXPECTED_STATE), -EPROTO);
    assert_int_equal(mq_errno_from_status(AMQP_STATUS_INVALID_PARAMETER), -EINVAL);
    assert_int_equal(mq_errno_from_status(AMQP_STATUS_TABLE_TOO_BIG), -E2BIG);
    assert_int_equal(mq_errno_from_status(AMQP_STATUS_BROKER_UNSUPPORTED_SASL_METHOD), -EOPNOTSUPP);
    assert_int_equal(mq_errno_from_status(AMQP_STATUS_SSL_ERROR), -EIO);
    assert_int_equal(mq_errno_from_status(-0x7777), -EIO);
}

static void test_reply_code_translation(void **state)
{
    (void)state;
    struct {
        unsigned code;
        int r;
        const char *name;
    } t[] = {
        {200, 0, "REPLY_SUCCESS"},
        {311, -EMSGSIZE, "CONTENT_TOO_LARGE"},
        {312, -ENOENT, "NO_ROUTE"},
        {313, -ENOENT, "NO_CONSUMERS"},
        {320, -ECONNRESET, "CONNECTION_FORCED"},
        {402, -EINVAL, "INVALID_PATH"},
        {403, -EACCES, "ACCESS_REFUSED"},
        {404, -ENOENT, "NOT_FOUND"},
        {405, -EBUSY, "RESOURCE_LOCKED"},
        {406, -EEXIST, "PRECONDITION_FAILED"},
        {501, -EPROTO, "FRAME_ERROR"},
        {504, -EPROTO, "CHANNEL_ERROR"},
        {506, -ENOSPC, "RESOURCE_ERROR"},
        {530, -EPERM, "NOT_ALLOWED"},
        {540, -EOPNOTSUPP, "NOT_IMPLEMENTED"},
        {541, -EIO, "INTERNAL_ERROR"},
        {999, -EPROTO, "UNKNOWN"},
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        assert_int_equal(mq_errno_from_reply_code(t[i].code), t[i].r);
        assert_string_equal(mq_reply_code_name(t[i].code), t[i].name);
    }
}

static void test_rpc_reply_translation_keeps_the_words(void **state)
{
    (void)state;
    char text[256];
    amqp_rpc_reply_t ok = {.reply_type = AMQP_RESPONSE_NORMAL};
    assert_int_equal(mq_errno_from_reply(ok, "x", text, sizeof(text)), 0);

    static const char refused[] = "ACCESS_REFUSED - access to queue 'vim-mgmt-1' in vhost '/' "
                                  "refused for user 'vim-drivers.pop.pop1'";
    amqp_channel_close_t cc = {
        .reply_code = 403, .reply_text = {.len = sizeof(refused) - 1, .bytes = (void *)refused}};
    amqp_rpc_reply_t ch = {.reply_type = AMQP_RESPONSE_SERVER_EXCEPTION,
                           .reply = {.id = AMQP_CHANNEL_CLOSE_METHOD, .decoded = &cc}};
    assert_int_equal(mq_errno_from_reply(ch, "declare queue 'vim-mgmt-1'", text, sizeof(text)),
                     -EACCES);
    assert_string_equal(text, "declare queue 'vim-mgmt-1': 403 ACCESS_REFUSED: ACCESS_REFUSED - "
                              "access to queue 'vim-mgmt-1' in vhost '/' refused for user "
                              "'vim-drivers.pop.pop1'");

    static const char vhost[] = "NOT_ALLOWED - vhost nfv not found";
    amqp_connection_close_t conn = {
        .reply_code = 530, .reply_text = {.len = sizeof(vhost) - 1, .bytes = (void *)vhost}};
    amqp_rpc_reply_t cl = {.reply_type = AMQP_RESPONSE_SERVER_EXCEPTION,
                           .reply = {.id = AMQP_CONNECTION_CLOSE_METHOD, .decoded = &conn}};
    assert_int_equal(mq_errno_from_reply(cl, "login", text, sizeof(text)), -EPERM);
    assert_string_equal(text, "login: 530 NOT_ALLOWED: NOT_ALLOWED - vhost nfv not found");

    amqp_rpc_reply_t lib = {.reply_type = AMQP_RESPONSE_LIBRARY_EXCEPTION,
                            .library_error = AMQP_STATUS_TIMEOUT};
    assert_int_equal(mq_errno_from_reply(lib, "basic.qos", text, sizeof(text)), -ETIMEDOUT);
    assert_string_equal(text, "basic.qos: request timed out");

    amqp_rpc_reply_t none = {.reply_type = AMQP_RESPONSE_NONE};
    assert_int_equal(mq_errno_from_reply(none, "x", text, sizeof(text)), -EPROTO);
    amqp_rpc_reply_t odd = {.reply_type = AMQP_RESPONSE_SERVER_EXCEPTION,
                            .reply = {.id = AMQP_BASIC_ACK_METHOD}};
    assert_int_equal(mq_errno_from_reply(odd, "x", text, sizeof(text)), -EPROTO);
    /* A reply text longer than a short string is cut, never overrun. */
    static char huge[400];
    memset(huge, 'z', sizeof(huge));
    amqp_channel_close_t hc = {.reply_code = 404,
                               .reply_text = {.len = sizeof(huge), .bytes = huge}};
    amqp_rpc_reply_t h = {.reply_type = AMQP_RESPONSE_SERVER_EXCEPTION,
                          .reply = {.id = AMQP_CHANNEL_CLOSE_METHOD, .decoded = &hc}};
    char small[64];
    assert_int_equal(mq_errno_from_reply(h, "x", small, sizeof(small)), -ENOENT);
    assert_int_equal(strlen(small), sizeof(small) - 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_tables),
        cmocka_unit_test(test_bad_declarations_name_the_entry),
        cmocka_unit_test(test_expiry_and_delete_on_stop_only_for_own_queues),
        cmocka_unit_test(test_bad_consumers),
        cmocka_unit_test(test_config_checks),
        cmocka_unit_test(test_mq_check_fills_pop_error),
        cmocka_unit_test(test_status_translation),
        cmocka_unit_test(test_reply_code_translation),
        cmocka_unit_test(test_rpc_reply_translation_keeps_the_words),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
