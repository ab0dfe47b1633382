/* pop md get|set|rm: a server's metadata, which becomes its environment when it starts. */
#include "cli.h"

#include "core/cleanup.h"
#include "json/jv.h"

#include <stdlib.h>
#include <string.h>

static int md_compare(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A copy of md with its keys sorted, so listings are stable. NULL on allocation failure. */
static json_t *md_sorted(const json_t *md)
{
    size_t n = json_object_size(md);
    _cleanup_free_ const char **keys = calloc(n ? n : 1, sizeof(*keys));
    json_t *out = json_object();
    if (!keys || !out) {
        json_decref(out);
        return NULL;
    }
    size_t i = 0;
    const char *key;
    json_t *value;
    json_object_foreach ((json_t *)md, key, value)
        keys[i++] = key;
    qsort(keys, n, sizeof(*keys), md_compare);
    for (i = 0; i < n; i++)
        if (json_object_set(out, keys[i], json_object_get(md, keys[i])) < 0) {
            json_decref(out);
            return NULL;
        }
    return out;
}

static int md_print(struct cli *cli, const json_t *c)
{
    _cleanup_json_ json_t *md = md_sorted(c ? jv_get_object(c, "md") : NULL);
    return md ? cli_print(cli, md, md) : CLI_EXIT_API;
}

/* PATCH /v1/containers/NAME/metadata with entries, then prints the resulting metadata. */
static int md_patch(struct cli *cli, const char *name, json_t *entries, bool recreate)
{
    _cleanup_json_ json_t *body = json_pack("{s:O}", "entries", entries);
    struct strbuf path = STRBUF_INIT;
    if (!body || cli_ref_path(&path, "/v1/containers/", name,
                              recreate ? "/metadata?apply=recreate" : "/metadata") < 0) {
        strbuf_done(&path);
        return CLI_EXIT_API;
    }
    _cleanup_json_ json_t *c = NULL;
    int rc = cli_call(cli, "PATCH", strbuf_str(&path), body, &c);
    strbuf_done(&path);
    return rc ? rc : md_print(cli, c);
}

/* pop md set KEY=VALUE: adds the entry. Returns 0 or the exit status (printed). */
static int md_set_entry(struct cli *cli, json_t *entries, const char *arg)
{
    _cleanup_free_ char *key = NULL;
    const char *value = NULL;
    int r = cli_kv_arg(cli, arg, "KEY=VALUE", &key, &value);
    if (r)
        return r;
    if (!*value)
        return cli_usage_error(cli, "%s= has no value (pop md rm removes a key)", key);
    if (json_object_get(entries, key))
        return cli_usage_error(cli, "%s given twice", key);
    return json_object_set_new(entries, key, json_string(value)) < 0 ? CLI_EXIT_API : 0;
}

/* pop md rm KEY: adds the entry that deletes KEY (an empty value). */
static int md_rm_entry(struct cli *cli, json_t *entries, const char *arg)
{
    if (strchr(arg, '='))
        return cli_usage_error(cli, "expected a KEY, got '%s'", arg);
    return json_object_set_new(entries, arg, json_string("")) < 0 ? CLI_EXIT_API : 0;
}

/* pop md set|rm: NAME and a --recreate anywhere, every other argument an entry made by add(),
 * then the PATCH. */
static int md_change(struct cli *cli, int argc, char **argv,
                     int (*add)(struct cli *cli, json_t *entries, const char *arg))
{
    bool recreate = false;
    const char *name = NULL;
    int n = 0;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--recreate") == 0)
            recreate = true;
        else if (argv[i][0] == '-')
            return cli_usage_error(cli, "unknown option '%s'", argv[i]);
        else if (!name)
            name = argv[i];
        else
            argv[n++] = argv[i];
    }
    if (!name)
        return cli_usage_error(cli, "a server NAME is required");
    int rc = cli_check_name(cli, "NAME", name);
    if (rc)
        return rc;
    if (n == 0)
        return cli_usage_error(cli, "nothing to change: give at least one KEY");
    _cleanup_json_ json_t *entries = json_object();
    if (!entries)
        return CLI_EXIT_API;
    for (int i = 0; i < n; i++)
        if ((rc = add(cli, entries, argv[i])) != 0)
            return rc;
    return md_patch(cli, name, entries, recreate);
}

int cmd_md_get(struct cli *cli, int argc, char **argv)
{
    _cleanup_json_ json_t *c = NULL;
    int rc = cli_call_one(cli, argc, argv, "server", "GET", "/v1/containers/", NULL, &c);
    return rc ? rc : md_print(cli, c);
}

int cmd_md_set(struct cli *cli, int argc, char **argv)
{
    return md_change(cli, argc, argv, md_set_entry);
}

int cmd_md_rm(struct cli *cli, int argc, char **argv)
{
    return md_change(cli, argc, argv, md_rm_entry);
}
