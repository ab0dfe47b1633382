/* Helpers shared by the pop commands: calling the Pop, printing YAML or JSON, usage errors. */
#include "cli.h"

#include "core/cleanup.h"
#include "httpc/httpc.h"
#include "yaml.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

void cli_print_usage(const struct cli_command *cmd, FILE *f)
{
    fprintf(f, "usage: pop %s%s%s\n  %s\n", cmd->name, cmd->args[0] ? " " : "", cmd->args,
            cmd->summary);
    if (cmd->help)
        fprintf(f, "%s", cmd->help);
}

int cli_usage_error(struct cli *cli, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("pop: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputs("\n", stderr);
    va_end(ap);
    if (cli->cmd)
        cli_print_usage(cli->cmd, stderr);
    return CLI_EXIT_USAGE;
}

int cli_fail(struct cli *cli, int r)
{
    const char *msg = session_error(cli->session);
    fprintf(stderr, "pop: %s\n", msg[0] ? msg : strerror(-r));
    return r == -EACCES ? CLI_EXIT_USAGE : CLI_EXIT_API;
}

int cli_call(struct cli *cli, const char *method, const char *path, const json_t *body,
             json_t **ret)
{
    int r = session_call(cli->session, method, path, body, ret);
    return r < 0 ? cli_fail(cli, r) : 0;
}

int cli_print(struct cli *cli, const json_t *yaml_doc, const json_t *json_doc)
{
    _cleanup_free_ char *text = NULL;
    struct strbuf sb = STRBUF_INIT;
    int r;
    if (cli->output == CLI_OUTPUT_JSON) {
        text = json_dumps(json_doc, JSON_INDENT(2));
        r = text ? 0 : -ENOMEM;
    } else {
        r = yaml_emit(&sb, yaml_doc);
        text = r == 0 ? strbuf_steal(&sb) : NULL;
        strbuf_done(&sb);
        if (r == 0 && !text)
            r = -ENOMEM;
    }
    if (r < 0) {
        fprintf(stderr, "pop: cannot format the output: %s\n", strerror(-r));
        return CLI_EXIT_API;
    }
    size_t len = strlen(text);
    bool newline = cli->output == CLI_OUTPUT_JSON;
    if (fwrite(text, 1, len, stdout) != len || (newline && fputs("\n", stdout) == EOF) ||
        fflush(stdout) == EOF) {
        fprintf(stderr, "pop: cannot write the output: %s\n", strerror(errno));
        return CLI_EXIT_API;
    }
    return CLI_EXIT_OK;
}

int cli_ref_path(struct strbuf *sb, const char *prefix, const char *ref, const char *suffix)
{
    int r = strbuf_puts(sb, prefix);
    if (r == 0)
        r = httpc_url_escape(sb, ref);
    if (r == 0 && suffix)
        r = strbuf_puts(sb, suffix);
    return r;
}

json_t *cli_time(int64_t t)
{
    if (t <= 0)
        return json_null();
    time_t tt = (time_t)t;
    struct tm tm;
    char buf[32];
    if (!gmtime_r(&tt, &tm) || strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        return json_integer(t);
    return json_string(buf);
}

int cli_set_string(json_t *obj, const char *key, const char *s)
{
    return json_object_set_new(obj, key, json_string(s ? s : "")) < 0 ? -ENOMEM : 0;
}

int cli_check_name(struct cli *cli, const char *what, const char *arg)
{
    if (!arg || !arg[0])
        return cli_usage_error(cli, "%s is empty", what);
    if (arg[0] == '-')
        return cli_usage_error(cli, "unknown option '%s'", arg);
    return 0;
}

int cli_split_kv(const char *arg, char **ret_key, const char **ret_value)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg)
        return -EINVAL;
    char *key = strndup(arg, (size_t)(eq - arg));
    if (!key)
        return -ENOMEM;
    *ret_key = key;
    *ret_value = eq + 1;
    return 0;
}
