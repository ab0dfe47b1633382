/* pop images, pop flavours, pop networks, pop network create, pop network rm. */
#include "cli.h"

#include "core/cleanup.h"
#include "json/jv.h"

#include <string.h>

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
    if (argc == 0)
        return cli_list(cli, "/v1/images", catalog_image_view);
    _cleanup_json_ json_t *doc = NULL;
    int rc = cli_call_one(cli, argc, argv, "image", "GET", "/v1/images?name=", NULL, &doc);
    if (rc)
        return rc;
    json_t *first = json_array_get(jv_get_array(doc, "list"), 0);
    if (!first) {
        fprintf(stderr, "pop: no image called '%s' on this Pop (see pop images)\n", argv[0]);
        return CLI_EXIT_API;
    }
    _cleanup_json_ json_t *view = catalog_image_view(first);
    return view ? cli_print(cli, view, first) : CLI_EXIT_API;
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
    return cli_list(cli, "/v1/flavours", catalog_flavour_view);
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
    return cli_list(cli, "/v1/networks", catalog_network_view);
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
        int r = cli_kv_arg(cli, argv[i], "key=value", &key, &value);
        if (r)
            return r;
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
    return cli_rm_one(cli, argc, argv, "network", "/v1/networks/");
}
