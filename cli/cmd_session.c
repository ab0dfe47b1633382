/* pop login, pop logout, pop info. */
#include "cli.h"

#include "core/cleanup.h"
#include "json/jv.h"

int cmd_login(struct cli *cli, int argc, char **argv)
{
    if (argc > 0)
        return cli_usage_error(cli, "unexpected argument '%s'", argv[0]);
    int64_t exp = 0;
    int r = session_login(cli->session, &exp);
    if (r < 0)
        return cli_fail(cli, r);
    _cleanup_json_ json_t *doc =
        json_pack("{s:s, s:s, s:o}", "url", session_url(cli->session), "user",
                  session_user(cli->session), "expires", cli_time(exp));
    _cleanup_json_ json_t *raw =
        json_pack("{s:s, s:s, s:I}", "url", session_url(cli->session), "user",
                  session_user(cli->session), "expires_at", (json_int_t)exp);
    if (!doc || !raw)
        return CLI_EXIT_API;
    return cli_print(cli, doc, raw);
}

int cmd_logout(struct cli *cli, int argc, char **argv)
{
    if (argc > 0)
        return cli_usage_error(cli, "unexpected argument '%s'", argv[0]);
    int r = session_logout(cli->session);
    if (r < 0)
        return cli_fail(cli, r);
    _cleanup_json_ json_t *doc =
        json_pack("{s:s, s:s, s:b}", "url", session_url(cli->session), "user",
                  session_user(cli->session), "logged_out", r == 1);
    if (!doc)
        return CLI_EXIT_API;
    return cli_print(cli, doc, doc);
}

int cmd_info(struct cli *cli, int argc, char **argv)
{
    if (argc > 0)
        return cli_usage_error(cli, "unexpected argument '%s'", argv[0]);
    _cleanup_json_ json_t *info = NULL;
    int rc = cli_call(cli, "GET", "/v1/info", NULL, &info);
    if (rc)
        return rc;
    _cleanup_json_ json_t *doc = json_object();
    if (!doc || cli_set_string(doc, "name", jv_get_string(info, "name")) < 0 ||
        cli_set_string(doc, "type", jv_get_string(info, "type")) < 0 ||
        cli_set_string(doc, "version", jv_get_string(info, "version")) < 0 ||
        cli_set_string(doc, "url", session_url(cli->session)) < 0 ||
        json_object_set_new(doc, "time", cli_time(jv_get_int(info, "timestamp", 0))) < 0)
        return CLI_EXIT_API;
    return cli_print(cli, doc, info);
}
