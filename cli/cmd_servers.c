/* pop servers, create, spawn, start, stop, rm: the Pop's containers ("servers" in the thesis). */
#include "cli.h"

#include "core/cleanup.h"
#include "json/jv.h"

#include <errno.h>
#include <string.h>

#define SERVERS_MAX_NETS 16 /* net= arguments of one create (popd-rest's POP_MAX_ENDPOINTS) */

/* The readable shape of a container: name, id, status, image, flavour, ips per network, times. */
static json_t *servers_view(const json_t *c)
{
    json_t *v = json_object();
    json_t *ips = json_object();
    const char *name = json_string_value(json_array_get(jv_get_array(c, "names"), 0));
    const char *net;
    json_t *ep;
    json_object_foreach (jv_get_object(c, "endpoints"), net, ep) {
        const char *addr = jv_get_string(jv_get_object(ep, "ipv4"), "address");
        json_t *list = json_array();
        if (list && addr && *addr && json_array_append_new(list, json_string(addr)) < 0)
            json_decref(TAKE_PTR(list));
        /* steals list, also when it fails */
        if (!ips || json_object_set_new(ips, net, list) < 0) {
            json_decref(ips);
            ips = NULL;
            break;
        }
    }
    int64_t started = jv_get_int(c, "started", 0);
    if (!v || !ips || cli_set_string(v, "name", name) < 0 ||
        cli_set_string(v, "id", jv_get_string(c, "id")) < 0 ||
        cli_set_string(v, "status", jv_get_string(c, "status")) < 0 ||
        cli_set_string(v, "extended_status", jv_get_string(c, "extended_status")) < 0 ||
        cli_set_string(v, "image", jv_get_string(c, "image_id")) < 0 ||
        cli_set_string(v, "flavour", jv_get_string(c, "flavour_id")) < 0 ||
        json_object_set_new(v, "ips", TAKE_PTR(ips)) < 0 ||
        json_object_set_new(v, "created", cli_time(jv_get_int(c, "created", 0))) < 0 ||
        (started > 0 && json_object_set_new(v, "started", cli_time(started)) < 0)) {
        json_decref(ips);
        json_decref(v);
        return NULL;
    }
    return v;
}

static int servers_print_one(struct cli *cli, const json_t *c)
{
    if (!c) {
        fprintf(stderr, "pop: the Pop sent no description of the server\n");
        return CLI_EXIT_API;
    }
    _cleanup_json_ json_t *view = servers_view(c);
    return view ? cli_print(cli, view, c) : CLI_EXIT_API;
}

/* GET/POST/DELETE /v1/containers/{ref}{suffix}. */
static int servers_call(struct cli *cli, const char *method, const char *ref, const char *suffix,
                        json_t **ret)
{
    struct strbuf path = STRBUF_INIT;
    if (cli_ref_path(&path, "/v1/containers/", ref, suffix) < 0) {
        strbuf_done(&path);
        return CLI_EXIT_API;
    }
    int rc = cli_call(cli, method, strbuf_str(&path), NULL, ret);
    strbuf_done(&path);
    return rc;
}

/* METHOD /v1/containers/NAME{suffix} and print the server. */
static int servers_one(struct cli *cli, int argc, char **argv, const char *method,
                       const char *suffix)
{
    _cleanup_json_ json_t *c = NULL;
    int rc = cli_call_one(cli, argc, argv, "server", method, "/v1/containers/", suffix, &c);
    return rc ? rc : servers_print_one(cli, c);
}

int cmd_servers(struct cli *cli, int argc, char **argv)
{
    if (argc == 0)
        return cli_list(cli, "/v1/containers", servers_view);
    return servers_one(cli, argc, argv, "GET", NULL);
}

/* Adds "net=NETWORK[:IP]" to endpoints. Returns 0, CLI_EXIT_USAGE (printed) or CLI_EXIT_API. */
static int servers_add_net(struct cli *cli, json_t *endpoints, const char *value)
{
    const char *colon = strchr(value, ':');
    _cleanup_free_ char *net = colon ? strndup(value, (size_t)(colon - value)) : strdup(value);
    if (!net)
        return CLI_EXIT_API;
    if (!*net)
        return cli_usage_error(cli, "net= needs a network name (net=NETWORK[:IP])");
    if (colon && !colon[1])
        return cli_usage_error(cli, "net=%s: missing the IP address after ':'", net);
    if (json_object_get(endpoints, net))
        return cli_usage_error(cli, "net=%s given twice", net);
    if (json_object_size(endpoints) >= SERVERS_MAX_NETS)
        return cli_usage_error(cli, "at most %d net= arguments", SERVERS_MAX_NETS);
    json_t *ep = colon ? json_pack("{s:{s:s}}", "ipv4", "address", colon + 1) : json_object();
    if (!ep || json_object_set_new(endpoints, net, ep) < 0)
        return CLI_EXIT_API;
    return 0;
}

/* Builds the ContainerConfig body from image= name= net=... flavour= arguments. */
static int servers_create_body(struct cli *cli, int argc, char **argv, json_t **ret)
{
    _cleanup_json_ json_t *body = json_object();
    json_t *endpoints = json_object();
    if (!body || !endpoints || json_object_set_new(body, "endpoints", endpoints) < 0)
        return CLI_EXIT_API;
    for (int i = 0; i < argc; i++) {
        _cleanup_free_ char *key = NULL;
        const char *value = NULL;
        int r = cli_kv_arg(cli, argv[i], "key=value", &key, &value);
        if (r)
            return r;
        if (strcmp(key, "net") == 0) {
            if ((r = servers_add_net(cli, endpoints, value)) != 0)
                return r;
            continue;
        }
        const char *field = strcmp(key, "image") == 0     ? "image_id"
                            : strcmp(key, "name") == 0    ? "name"
                            : strcmp(key, "flavour") == 0 ? "flavour_id"
                                                          : NULL;
        if (!field)
            return cli_usage_error(cli, "unknown setting '%s' (image, name, net, flavour)", key);
        if (!*value)
            return cli_usage_error(cli, "%s= needs a value", key);
        if (json_object_get(body, field))
            return cli_usage_error(cli, "%s= given twice", key);
        if (json_object_set_new(body, field, json_string(value)) < 0)
            return CLI_EXIT_API;
    }
    if (!json_object_get(body, "image_id"))
        return cli_usage_error(cli, "image= is required");
    if (!json_object_get(body, "name"))
        return cli_usage_error(cli, "name= is required");
    *ret = TAKE_PTR(body);
    return 0;
}

static int servers_create(struct cli *cli, int argc, char **argv, json_t **ret)
{
    _cleanup_json_ json_t *body = NULL;
    int rc = servers_create_body(cli, argc, argv, &body);
    if (rc)
        return rc;
    _cleanup_json_ json_t *c = NULL;
    if ((rc = cli_call(cli, "POST", "/v1/containers", body, &c)) != 0)
        return rc;
    if (!c) {
        fprintf(stderr, "pop: the Pop sent no description of the server\n");
        return CLI_EXIT_API;
    }
    *ret = TAKE_PTR(c);
    return 0;
}

int cmd_create(struct cli *cli, int argc, char **argv)
{
    _cleanup_json_ json_t *c = NULL;
    int rc = servers_create(cli, argc, argv, &c);
    return rc ? rc : servers_print_one(cli, c);
}

int cmd_spawn(struct cli *cli, int argc, char **argv)
{
    _cleanup_json_ json_t *created = NULL;
    int rc = servers_create(cli, argc, argv, &created);
    if (rc)
        return rc;
    const char *id = jv_get_string(created, "id");
    if (!id || !*id) {
        fprintf(stderr, "pop: the Pop sent a server without an id\n");
        return CLI_EXIT_API;
    }
    _cleanup_json_ json_t *c = NULL;
    struct strbuf path = STRBUF_INIT;
    if (cli_ref_path(&path, "/v1/containers/", id, "/start") < 0) {
        strbuf_done(&path);
        return CLI_EXIT_API;
    }
    int r = session_call(cli->session, "POST", strbuf_str(&path), NULL, &c);
    strbuf_done(&path);
    if (r == -EREMOTEIO) {
        /* The Pop refused to start it: take the half-made server back so that the same
         * command can simply be run again once the cause is fixed. */
        fprintf(stderr, "pop: %s\n", session_error(cli->session));
        json_t *names = jv_get_array(created, "names");
        const char *name = json_string_value(json_array_get(names, 0));
        if (servers_call(cli, "DELETE", id, NULL, NULL) == 0)
            fprintf(stderr, "pop: removed '%s' again since it could not start\n", name ? name : id);
        return CLI_EXIT_API;
    }
    if (r < 0)
        return cli_fail(cli, r);
    return servers_print_one(cli, c);
}

int cmd_start(struct cli *cli, int argc, char **argv)
{
    return servers_one(cli, argc, argv, "POST", "/start");
}

int cmd_stop(struct cli *cli, int argc, char **argv)
{
    return servers_one(cli, argc, argv, "POST", "/stop");
}

int cmd_rm(struct cli *cli, int argc, char **argv)
{
    return cli_rm_one(cli, argc, argv, "server", "/v1/containers/");
}
