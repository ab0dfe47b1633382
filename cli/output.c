/* Helpers shared by the pop commands: checking their arguments, calling the Pop, printing YAML or
 * JSON, usage errors. */
#include "cli.h"

#include "core/cleanup.h"
#include "httpc/httpc.h"
#include "yaml.h"
#include "json/jv.h"

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

/* The argument checks and path of cli_call_one, into *ret_path (the caller's to strbuf_done). */
static int cli_one_ref(struct cli *cli, int argc, char **argv, const char *what, const char *prefix,
                       const char *suffix, struct strbuf *ret_path)
{
    if (argc < 1)
        return cli_usage_error(cli, "a %s NAME is required", what);
    if (argc > 1)
        return cli_usage_error(cli, "unexpected argument '%s'", argv[1]);
    int rc = cli_check_name(cli, "NAME", argv[0]);
    if (rc)
        return rc;
    struct strbuf path = STRBUF_INIT;
    if (cli_ref_path(&path, prefix, argv[0], suffix) < 0) {
        strbuf_done(&path);
        return CLI_EXIT_API;
    }
    *ret_path = path;
    return 0;
}

int cli_call_one(struct cli *cli, int argc, char **argv, const char *what, const char *method,
                 const char *prefix, const char *suffix, json_t **ret)
{
    struct strbuf path;
    int rc = cli_one_ref(cli, argc, argv, what, prefix, suffix, &path);
    if (rc)
        return rc;
    rc = cli_call(cli, method, strbuf_str(&path), NULL, ret);
    strbuf_done(&path);
    return rc;
}

int cli_rm_one(struct cli *cli, int argc, char **argv, const char *what, const char *prefix)
{
    int rc = cli_call_one(cli, argc, argv, what, "DELETE", prefix, NULL, NULL);
    if (rc)
        return rc;
    _cleanup_json_ json_t *doc = json_pack("{s:s}", "removed", argv[0]);
    return doc ? cli_print(cli, doc, doc) : CLI_EXIT_API;
}

int cli_list(struct cli *cli, const char *path, json_t *(*view)(const json_t *item))
{
    _cleanup_json_ json_t *doc = NULL;
    int rc = cli_call(cli, "GET", path, NULL, &doc);
    if (rc)
        return rc;
    _cleanup_json_ json_t *list = json_array();
    size_t i;
    json_t *item;
    json_array_foreach (jv_get_array(doc, "list"), i, item)
        if (!list || json_array_append_new(list, view(item)) < 0)
            return CLI_EXIT_API;
    return list ? cli_print(cli, list, doc) : CLI_EXIT_API;
}

int cli_kv_arg(struct cli *cli, const char *arg, const char *shape, char **ret_key,
               const char **ret_value)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg)
        return cli_usage_error(cli, "expected %s, got '%s'", shape, arg);
    char *key = strndup(arg, (size_t)(eq - arg));
    if (!key)
        return CLI_EXIT_API;
    *ret_key = key;
    *ret_value = eq + 1;
    return 0;
}
