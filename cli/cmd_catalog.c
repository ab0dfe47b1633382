/* pop images, pop flavours, pop networks, pop network create, pop network rm. */
#include "cli.h"

#include "core/cleanup.h"
#include "httpc/httpc.h"
#include "json/jv.h"

#include <errno.h>
#include <string.h>

/* Turns every item of doc's "list" with view(); NULL on allocation failure. */
static json_t *catalog_map_list(const json_t *doc, json_t *(*view)(const json_t *item))
{
    json_t *out = json_array();
    size_t i;
    json_t *item;
    json_array_foreach (jv_get_array(doc, "list"), i, item) {
        if (!out || json_array_append_new(out, view(item)) < 0) {
            json_decref(out);
            return NULL;
        }
    }
    return out;
}

static json_t *catalog_image_view(const json_t *img)
{
    json_t *names = jv_get_array(img, "names");
    return json_pack("{s:o, s:s, s:o, s:I}", "names", names ? json_incref(names) : json_array(),
                     "id", jv_get_string(img, "id") ? jv_get_string(img, "id") : "", "created",
                     cli_time(jv_get_int(img, "created", 0)), "size",
                     (json_int_t)jv_get_int(img, "size", 0));
}

int cmd_images(struct cli *cli, int argc, char **argv)
{
    if (argc > 1)
        return cli_usage_error(cli, "unexpected argument '%s'", argv[1]);
    int rc;
    struct strbuf path = STRBUF_INIT;
    if (argc == 1 && (rc = cli_check_name(cli, "NAME", argv[0])) != 0)
        return rc;
    if (argc == 1 ? cli_ref_path(&path, "/v1/images?name=", argv[0], NULL) < 0
                  : strbuf_puts(&path, "/v1/images") < 0) {
        strbuf_done(&path);
        return CLI_EXIT_API;
    }
    _cleanup_json_ json_t *doc = NULL;
    rc = cli_call(cli, "GET", strbuf_str(&path), NULL, &doc);
    strbuf_done(&path);
    if (rc)
        return rc;
    if (argc == 1) {
        json_t *first = json_array_get(jv_get_array(doc, "list"), 0);
        if (!first) {
            fprintf(stderr, "pop: no image called '%s' on this Pop (see pop images)\n", argv[0]);
            return CLI_EXIT_API;
        }
        _cleanup_json_ json_t *view = catalog_image_view(first);
        return view ? cli_print(cli, view, first) : CLI_EXIT_API;
    }
    _cleanup_json_ json_t *list = catalog_map_list(doc, catalog_image_view);
    return list ? cli_print(cli, list, doc) : CLI_EXIT_API;
}

static json_t *catalog_flavour_view(const json_t *f)
{
    const char *name = jv_get_string(f, "name");
    return json_pack("{s:s, s:I, s:I}", "name", name ? name : "", "vcpus",
                     (json_int_t)jv_get_int(f, "vcpus", 0), "ram_mb",
                     (json_int_t)jv_get_int(f, "ram", 0));
}

int cmd_flavours(struct cli *cli, int argc, char **argv)
{
    if (argc > 0)
        return cli_usage_error(cli, "unexpected argument '%s'", argv[0]);
    _cleanup_json_ json_t *doc = NULL;
    int rc = cli_call(cli, "GET", "/v1/flavours", NULL, &doc);
    if (rc)
        return rc;
    _cleanup_json_ json_t *list = catalog_map_list(doc, catalog_flavour_view);
    return list ? cli_print(cli, list, doc) : CLI_EXIT_API;
}

static json_t *catalog_network_view(const json_t *n)
{
    const json_t *subnet = json_array_get(jv_get_array(n, "subnets"), 0);
    json_t *v = json_object();
    if (!v || cli_set_string(v, "name", jv_get_string(n, "name")) < 0 ||
        cli_set_string(v, "id", jv_get_string(n, "id")) < 0 ||
        cli_set_string(v, "cidr", subnet ? jv_get_string(subnet, "cidr") : NULL) < 0 ||
        cli_set_string(v, "gateway", subnet ? jv_get_string(subnet, "gateway") : NULL) < 0 ||
        json_object_set_new(v, "internal", json_boolean(jv_get_bool(n, "internal", false))) < 0 ||
        json_object_set_new(v, "created", cli_time(jv_get_int(n, "created", 0))) < 0) {
        json_decref(v);
        return NULL;
    }
    return v;
}

int cmd_networks(struct cli *cli, int argc, char **argv)
{
    if (argc > 0)
        return cli_usage_error(cli, "unexpected argument '%s'", argv[0]);
    _cleanup_json_ json_t *doc = NULL;
    int rc = cli_call(cli, "GET", "/v1/networks", NULL, &doc);
    if (rc)
        return rc;
    _cleanup_json_ json_t *list = catalog_map_list(doc, catalog_network_view);
    return list ? cli_print(cli, list, doc) : CLI_EXIT_API;
}

int cmd_network_create(struct cli *cli, int argc, char **argv)
{
    if (argc < 1)
        return cli_usage_error(cli, "a network NAME is required");
    int rc = cli_check_name(cli, "NAME", argv[0]);
    if (rc)
        return rc;
    _cleanup_json_ json_t *body = json_pack("{s:s}", "name", argv[0]);
    if (!body)
        return CLI_EXIT_API;
    for (int i = 1; i < argc; i++) {
        _cleanup_free_ char *key = NULL;
        const char *value = NULL;
        int r = cli_split_kv(argv[i], &key, &value);
        if (r == -ENOMEM)
            return CLI_EXIT_API;
        if (r < 0)
            return cli_usage_error(cli, "expected key=value, got '%s'", argv[i]);
        if (json_object_get(body, key))
            return cli_usage_error(cli, "%s= given twice", key);
        if (strcmp(key, "cidr") == 0 || strcmp(key, "gateway") == 0) {
            if (!*value)
                return cli_usage_error(cli, "%s= needs a value", key);
            r = json_object_set_new(body, key, json_string(value));
        } else if (strcmp(key, "internal") == 0) {
            bool internal = strcmp(value, "true") == 0 || strcmp(value, "yes") == 0;
            if (!internal && strcmp(value, "false") != 0 && strcmp(value, "no") != 0)
                return cli_usage_error(cli, "internal= must be true or false");
            r = json_object_set_new(body, key, json_boolean(internal));
        } else {
            return cli_usage_error(cli, "unknown setting '%s' (cidr, gateway, internal)", key);
        }
        if (r < 0)
            return CLI_EXIT_API;
    }
    _cleanup_json_ json_t *net = NULL;
    if ((rc = cli_call(cli, "POST", "/v1/networks", body, &net)) != 0)
        return rc;
    if (!net) {
        fprintf(stderr, "pop: the Pop created the network but sent no description of it\n");
        return CLI_EXIT_API;
    }
    _cleanup_json_ json_t *view = catalog_network_view(net);
    return view ? cli_print(cli, view, net) : CLI_EXIT_API;
}

int cmd_network_rm(struct cli *cli, int argc, char **argv)
{
    if (argc < 1)
        return cli_usage_error(cli, "a network NAME is required");
    if (argc > 1)
        return cli_usage_error(cli, "unexpected argument '%s'", argv[1]);
    int rc = cli_check_name(cli, "NAME", argv[0]);
    if (rc)
        return rc;
    struct strbuf path = STRBUF_INIT;
    if (cli_ref_path(&path, "/v1/networks/", argv[0], NULL) < 0) {
        strbuf_done(&path);
        return CLI_EXIT_API;
    }
    rc = cli_call(cli, "DELETE", strbuf_str(&path), NULL, NULL);
    strbuf_done(&path);
    if (rc)
        return rc;
    _cleanup_json_ json_t *doc = json_pack("{s:s}", "removed", argv[0]);
    return doc ? cli_print(cli, doc, doc) : CLI_EXIT_API;
}
