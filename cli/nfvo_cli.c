/* The NFVO commands' shared parts: the client made from the environment, calls and references
 * with their one-line errors, descriptor files, lists. */
#include "cli.h"

#include "core/cleanup.h"
#include "nfvo_ref.h"
#include "json/jv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define CLI_FILE_MAX (8 << 20) /* bytes of a descriptor file: what the NFVO takes at most */

static const char *cli_env(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

int cli_nfvo(struct cli *cli, struct nfvoc **ret)
{
    if (cli->nfvo) {
        *ret = cli->nfvo;
        return 0;
    }
    const char *url = cli_env("NFVO_URL");
    if (!url)
        url = cli_env("POP_URL");
    struct nfvoc_config cfg = {
        .url = url ? url : CLI_DEFAULT_URL,
        .auth = cli_env("NFVO_AUTH"),
        .client = cli_env("NFVO_CLIENT"),
        .project = cli->project ? cli->project : cli_env("NFVO_PROJECT"),
    };
    char err[256];
    int r = nfvoc_new(&cfg, err, sizeof(err), &cli->nfvo);
    if (r < 0) {
        fprintf(stderr, "pop: %s\n", r == -EINVAL ? err : strerror(-r));
        return r == -EINVAL ? CLI_EXIT_USAGE : CLI_EXIT_API;
    }
    *ret = cli->nfvo;
    return 0;
}

static int cli_nfvo_fail(struct cli *cli, int r)
{
    const char *msg = nfvoc_error(cli->nfvo);
    fprintf(stderr, "pop: %s\n", msg[0] ? msg : strerror(-r));
    return r == -EACCES ? CLI_EXIT_USAGE : CLI_EXIT_API;
}

int cli_nfvo_call(struct cli *cli, const char *method, const char *path, const json_t *body,
                  json_t **ret)
{
    struct nfvoc *n;
    int rc = cli_nfvo(cli, &n);
    if (rc)
        return rc;
    int r = nfvoc_call(n, method, path, body, ret);
    return r < 0 ? cli_nfvo_fail(cli, r) : 0;
}

int cli_nfvo_find(struct cli *cli, const char *path, const char *what, const char *name_key,
                  const char *ref, json_t **ret)
{
    int rc = cli_check_name(cli, what, ref);
    if (rc)
        return rc;
    _cleanup_json_ json_t *list = NULL;
    if ((rc = cli_nfvo_call(cli, "GET", path, NULL, &list)) != 0)
        return rc;
    if (!json_is_array(list)) {
        fprintf(stderr, "pop: the NFVO's answer to GET %s is no list\n", path);
        return CLI_EXIT_API;
    }
    char err[512];
    json_t *item = NULL;
    if (nfvo_find(list, what, name_key, ref, &item, err, sizeof(err)) < 0) {
        fprintf(stderr, "pop: %s\n", err);
        return CLI_EXIT_API;
    }
    *ret = json_incref(item);
    return 0;
}

int cli_read_json(struct cli *cli, const char *file, json_t **ret)
{
    FILE *f = strcmp(file, "-") == 0 ? stdin : fopen(file, "rb");
    if (!f)
        return cli_usage_error(cli, "cannot read %s: %s", file, strerror(errno));
    struct strbuf sb = STRBUF_INIT;
    sb.max = CLI_FILE_MAX;
    char buf[8192];
    size_t n;
    int r = 0;
    while (r == 0 && (n = fread(buf, 1, sizeof(buf), f)) > 0)
        r = strbuf_append(&sb, buf, n);
    bool bad = ferror(f);
    if (f != stdin)
        fclose(f);
    if (r == -E2BIG || bad) {
        strbuf_done(&sb);
        return cli_usage_error(cli, "cannot read %s: %s", file,
                               bad ? "read error" : "larger than 8 MiB");
    }
    if (r < 0) {
        strbuf_done(&sb);
        return CLI_EXIT_API;
    }
    struct jv_error jerr;
    r = jv_parse(sb.buf ? sb.buf : "", sb.len, ret, &jerr);
    strbuf_done(&sb);
    if (r == -EINVAL) {
        char why[256];
        jv_error_format(&jerr, why, sizeof(why));
        return cli_usage_error(cli, "%s is no JSON object: %s", file, why);
    }
    return r < 0 ? CLI_EXIT_API : 0;
}

int cli_print_list(struct cli *cli, const json_t *list, json_t *(*view)(const json_t *item))
{
    _cleanup_json_ json_t *rows = json_array();
    size_t i;
    json_t *item;
    json_array_foreach (list, i, item)
        if (!rows || json_array_append_new(rows, view(item)) < 0)
            return CLI_EXIT_API;
    return rows ? cli_print(cli, rows, list) : CLI_EXIT_API;
}
