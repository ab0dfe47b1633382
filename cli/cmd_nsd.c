/* pop nsd onboard, ls, rm: Network Service Descriptors in the NFVO's catalogue. */
#include "cli.h"

#include "core/cleanup.h"
#include "json/jv.h"

#define NSD_PATH "/api/v1/ns-descriptors"

static json_t *nsd_view(const json_t *nsd)
{
    json_t *vnfds = json_array();
    size_t i;
    json_t *vnfd;
    json_array_foreach (jv_get_array(nsd, "vnfd"), i, vnfd) {
        const char *name = jv_get_string(vnfd, "name");
        if (vnfds && json_array_append_new(vnfds, json_string(name ? name : "")) < 0) {
            json_decref(vnfds);
            return NULL;
        }
    }
    const char *keys[] = {"name", "id", "vendor", "version"};
    const char *v[4];
    for (size_t k = 0; k < ARRAY_SIZE(keys); k++)
        v[k] = jv_get_string(nsd, keys[k]) ? jv_get_string(nsd, keys[k]) : "";
    return json_pack("{s:s, s:s, s:s, s:s, s:o}", "name", v[0], "id", v[1], "vendor", v[2],
                     "version", v[3], "vnfds", vnfds);
}

int cmd_nsd_onboard(struct cli *cli, int argc, char **argv)
{
    if (argc < 1)
        return cli_usage_error(cli, "an NSD FILE is required");
    if (argc > 1)
        return cli_usage_error(cli, "unexpected argument '%s'", argv[1]);
    _cleanup_json_ json_t *body = NULL, *nsd = NULL;
    int rc = cli_read_json(cli, argv[0], &body);
    if (rc || (rc = cli_nfvo_call(cli, "POST", NSD_PATH, body, &nsd)) != 0)
        return rc;
    _cleanup_json_ json_t *view = nsd_view(nsd);
    return view ? cli_print(cli, view, nsd) : CLI_EXIT_API;
}

int cmd_nsd_ls(struct cli *cli, int argc, char **argv)
{
    if (argc > 0)
        return cli_usage_error(cli, "unexpected argument '%s'", argv[0]);
    _cleanup_json_ json_t *list = NULL;
    int rc = cli_nfvo_call(cli, "GET", NSD_PATH, NULL, &list);
    return rc ? rc : cli_print_list(cli, list, nsd_view);
}

int cmd_nsd_rm(struct cli *cli, int argc, char **argv)
{
    if (argc < 1)
        return cli_usage_error(cli, "an NSD (id or name) is required");
    if (argc > 1)
        return cli_usage_error(cli, "unexpected argument '%s'", argv[1]);
    _cleanup_json_ json_t *nsd = NULL;
    int rc = cli_nfvo_find(cli, NSD_PATH, "NSD", "name", argv[0], &nsd);
    if (rc)
        return rc;
    const char *id = jv_get_string(nsd, "id");
    struct strbuf path = STRBUF_INIT;
    if (cli_ref_path(&path, NSD_PATH "/", id ? id : "", NULL) < 0) {
        strbuf_done(&path);
        return CLI_EXIT_API;
    }
    rc = cli_nfvo_call(cli, "DELETE", strbuf_str(&path), NULL, NULL);
    strbuf_done(&path);
    if (rc)
        return rc;
    _cleanup_json_ json_t *doc =
        json_pack("{s:s, s:s}", "removed",
                  jv_get_string(nsd, "name") ? jv_get_string(nsd, "name") : "", "id", id ? id : "");
    return doc ? cli_print(cli, doc, doc) : CLI_EXIT_API;
}
