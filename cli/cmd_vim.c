/* pop vim add, pop vim ls: the NFVO's VIM instances (/api/v1/datacenters), e.g. a Pop. */
#include "cli.h"

#include "core/cleanup.h"
#include "json/jv.h"

#include <stdlib.h>
#include <string.h>

/* The names of the items of a VIM's list member. */
static json_t *vim_names(const json_t *vim, const char *key, const char *name_key)
{
    json_t *names = json_array();
    size_t i;
    json_t *item;
    json_array_foreach (jv_get_array(vim, key), i, item) {
        const char *name = jv_get_string(item, name_key);
        if (name && names && json_array_append_new(names, json_string(name)) < 0) {
            json_decref(names);
            return NULL;
        }
    }
    return names;
}

static json_t *vim_view(const json_t *vim)
{
    const char *s[] = {"name", "id", "type", "authUrl"};
    const char *v[4];
    for (size_t i = 0; i < ARRAY_SIZE(s); i++)
        v[i] = jv_get_string(vim, s[i]) ? jv_get_string(vim, s[i]) : "";
    return json_pack("{s:s, s:s, s:s, s:s, s:b, s:o, s:o}", "name", v[0], "id", v[1], "type", v[2],
                     "url", v[3], "active", jv_get_bool(vim, "active", true), "networks",
                     vim_names(vim, "networks", "name"), "images",
                     vim_names(vim, "images", "name"));
}

/* The VIM instance of type "pop" that --pop URL --name NAME [--username --password --tenant]
 * describe; the credentials default to POP_AUTH's. */
static int vim_from_options(struct cli *cli, const char *url, const char *name, const char *user,
                            const char *password, const char *tenant, json_t **ret)
{
    if (!url || !name)
        return cli_usage_error(cli, "--pop URL and --name NAME go together (or give a FILE)");
    const char *auth = getenv("POP_AUTH");
    const char *colon = auth ? strchr(auth, ':') : NULL;
    _cleanup_free_ char *auth_user = colon ? strndup(auth, (size_t)(colon - auth)) : NULL;
    if (!user)
        user = auth_user;
    if (!password && colon)
        password = colon + 1;
    if (!user || !password)
        return cli_usage_error(cli, "the Pop's --username and --password are needed (or POP_AUTH)");
    json_t *vim = json_pack("{s:s, s:s, s:s, s:s, s:s}", "name", name, "type", "pop", "authUrl",
                            url, "username", user, "password", password);
    if (!vim || (tenant && json_object_set_new(vim, "tenant", json_string(tenant)) < 0)) {
        json_decref(vim);
        return CLI_EXIT_API;
    }
    *ret = vim;
    return 0;
}

int cmd_vim_add(struct cli *cli, int argc, char **argv)
{
    const char *url = NULL, *name = NULL, *user = NULL, *password = NULL, *tenant = NULL;
    const struct cli_opt opts[] = {{"--pop", &url, NULL},
                                   {"--name", &name, NULL},
                                   {"--username", &user, NULL},
                                   {"--password", &password, NULL},
                                   {"--tenant", &tenant, NULL}};
    char *pos[1];
    int npos;
    int rc = cli_opts(cli, argc, argv, opts, ARRAY_SIZE(opts), pos, 1, &npos);
    if (rc)
        return rc;
    _cleanup_json_ json_t *body = NULL;
    if (npos == 1 && (url || name || user || password || tenant))
        return cli_usage_error(cli, "give a FILE or --pop URL --name NAME, not both");
    rc = npos == 1 ? cli_read_json(cli, pos[0], &body)
                   : vim_from_options(cli, url, name, user, password, tenant, &body);
    if (rc)
        return rc;
    _cleanup_json_ json_t *vim = NULL;
    if ((rc = cli_nfvo_call(cli, "POST", "/api/v1/datacenters", body, &vim)) != 0)
        return rc;
    _cleanup_json_ json_t *view = vim_view(vim);
    return view ? cli_print(cli, view, vim) : CLI_EXIT_API;
}

int cmd_vim_ls(struct cli *cli, int argc, char **argv)
{
    if (argc > 0)
        return cli_usage_error(cli, "unexpected argument '%s'", argv[0]);
    _cleanup_json_ json_t *list = NULL;
    int rc = cli_nfvo_call(cli, "GET", "/api/v1/datacenters", NULL, &list);
    return rc ? rc : cli_print_list(cli, list, vim_view);
}
