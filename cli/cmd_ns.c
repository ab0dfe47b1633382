/* pop ns launch, ls, show, scale-out, scale-in, heal, rm: Network Service records on the NFVO
 * (/api/v1/ns-records), named by id or name. */
#include "cli.h"

#include "core/cleanup.h"
#include "httpc/httpc.h"
#include "nfvo_ref.h"
#include "ns_view.h"
#include "json/jv.h"

#include <stdarg.h>
#include <string.h>

#define NS_PATH "/api/v1/ns-records"

/* Builds a path from (literal, id) pairs ending with a NULL literal; ids are escaped and may
 * be NULL (nothing appended). Returns 0 or CLI_EXIT_API. */
static int ns_path(struct strbuf *sb, ...)
{
    va_list ap;
    va_start(ap, sb);
    int r = 0;
    const char *lit;
    while (r == 0 && (lit = va_arg(ap, const char *)) != NULL) {
        const char *id = va_arg(ap, const char *);
        r = strbuf_puts(sb, lit);
        if (r == 0 && id)
            r = httpc_url_escape(sb, id);
    }
    va_end(ap);
    return r < 0 ? CLI_EXIT_API : 0;
}

static const char *ns_s(const json_t *o, const char *key)
{
    const char *s = jv_get_string(o, key);
    return s ? s : "";
}

/* The NS record named by ref (id or name). */
static int ns_find(struct cli *cli, const char *ref, json_t **ret)
{
    return cli_nfvo_find(cli, NS_PATH, "NS", "name", ref, ret);
}

/* The VNF record named by ref in nsr (borrowed). */
static int ns_find_vnf(const json_t *nsr, const char *ref, json_t **ret)
{
    char err[512];
    if (nfvo_find(jv_get_array(nsr, "vnfr"), "VNF", "name", ref, ret, err, sizeof(err)) < 0) {
        fprintf(stderr, "pop: %s in NS %s\n", err, ns_s(nsr, "name"));
        return CLI_EXIT_API;
    }
    return 0;
}

/* Prints the NS after a command: its row (or, with -o json, the record). */
static int ns_print_row(struct cli *cli, const json_t *nsr)
{
    _cleanup_json_ json_t *row = ns_view_row(nsr);
    return row ? cli_print(cli, row, nsr) : CLI_EXIT_API;
}

/* Waits (with --wait) for the NS id to settle and prints it; without, GETs and prints it.
 * rc_wait is CLI_EXIT_OK unless the wait ended otherwise. */
static int ns_finish(struct cli *cli, const char *id, bool wait, int timeout_s)
{
    _cleanup_json_ json_t *nsr = NULL;
    int rc;
    if (wait) {
        rc = ns_wait(cli, id, NS_WAIT_SETTLED, timeout_s, &nsr);
        if (rc != CLI_EXIT_OK && rc != CLI_EXIT_WAIT_ERROR && rc != CLI_EXIT_WAIT_TIMEOUT)
            return rc;
    } else {
        struct strbuf path = STRBUF_INIT;
        rc = ns_path(&path, NS_PATH "/", id, NULL);
        if (rc == 0)
            rc = cli_nfvo_call(cli, "GET", strbuf_str(&path), NULL, &nsr);
        strbuf_done(&path);
        if (rc)
            return rc;
    }
    int prc = nsr ? ns_print_row(cli, nsr) : CLI_EXIT_OK;
    return rc ? rc : prc;
}

/* NAME [ARG] [--wait] [--timeout S] [extra option]: the common arguments. */
struct ns_args {
    char *pos[2];
    int npos;
    bool wait;
    int timeout_s;
    const char *cause; /* heal --cause */
};

static int ns_args(struct cli *cli, int argc, char **argv, int want, const char *const *what,
                   bool with_cause, struct ns_args *a)
{
    const char *timeout = NULL;
    a->timeout_s = CLI_WAIT_DEFAULT_S;
    struct cli_opt opts[] = {
        {"--wait", NULL, &a->wait}, {"--timeout", &timeout, NULL}, {"--cause", &a->cause, NULL}};
    int rc = cli_opts(cli, argc, argv, opts, ARRAY_SIZE(opts) - (with_cause ? 0 : 1), a->pos, want,
                      &a->npos);
    if (rc)
        return rc;
    if (a->npos < want)
        return cli_usage_error(cli, "%s is required", what[a->npos]);
    if (timeout && !a->wait)
        return cli_usage_error(cli, "--timeout goes with --wait");
    return cli_opt_seconds(cli, "--timeout", timeout, &a->timeout_s);
}

int cmd_ns_launch(struct cli *cli, int argc, char **argv)
{
    struct ns_args a = {0};
    const char *what[] = {"an NSD (id or name)"};
    int rc = ns_args(cli, argc, argv, 1, what, false, &a);
    if (rc)
        return rc;
    _cleanup_json_ json_t *nsd = NULL, *nsr = NULL, *body = json_object();
    if (!body ||
        (rc = cli_nfvo_find(cli, "/api/v1/ns-descriptors", "NSD", "name", a.pos[0], &nsd)) != 0)
        return body ? rc : CLI_EXIT_API;
    struct strbuf path = STRBUF_INIT;
    rc = ns_path(&path, NS_PATH "/", ns_s(nsd, "id"), NULL);
    if (rc == 0)
        rc = cli_nfvo_call(cli, "POST", strbuf_str(&path), body, &nsr);
    strbuf_done(&path);
    if (rc)
        return rc;
    const char *id = jv_get_string(nsr, "id");
    if (!id) {
        fprintf(stderr, "pop: the NFVO answered the launch without an NS id\n");
        return CLI_EXIT_API;
    }
    return a.wait ? ns_finish(cli, id, true, a.timeout_s) : ns_print_row(cli, nsr);
}

int cmd_ns_ls(struct cli *cli, int argc, char **argv)
{
    if (argc > 0)
        return cli_usage_error(cli, "unexpected argument '%s'", argv[0]);
    _cleanup_json_ json_t *list = NULL;
    int rc = cli_nfvo_call(cli, "GET", NS_PATH, NULL, &list);
    return rc ? rc : cli_print_list(cli, list, ns_view_row);
}

int cmd_ns_show(struct cli *cli, int argc, char **argv)
{
    if (argc < 1)
        return cli_usage_error(cli, "an NS (id or name) is required");
    if (argc > 1)
        return cli_usage_error(cli, "unexpected argument '%s'", argv[1]);
    _cleanup_json_ json_t *nsr = NULL, *vims = NULL;
    int rc = ns_find(cli, argv[0], &nsr);
    if (rc || (rc = cli_nfvo_call(cli, "GET", "/api/v1/datacenters", NULL, &vims)) != 0)
        return rc;
    _cleanup_json_ json_t *view = ns_view_show(nsr, vims);
    return view ? cli_print(cli, view, nsr) : CLI_EXIT_API;
}

/* scale-out / scale-in NS VNF: on the VNF's only VDU (so that a refusal names its limit), or
 * the NFVO's pick among several. */
static int ns_scale(struct cli *cli, int argc, char **argv, const char *method)
{
    struct ns_args a = {0};
    const char *what[] = {"an NS (id or name)", "a VNF (id or name)"};
    int rc = ns_args(cli, argc, argv, 2, what, false, &a);
    if (rc)
        return rc;
    _cleanup_json_ json_t *nsr = NULL, *body = json_object();
    json_t *vnfr = NULL;
    if (!body)
        return CLI_EXIT_API;
    if ((rc = ns_find(cli, a.pos[0], &nsr)) != 0 || (rc = ns_find_vnf(nsr, a.pos[1], &vnfr)) != 0)
        return rc;
    const json_t *vdus = jv_get_array(vnfr, "vdu");
    const char *vdu =
        json_array_size(vdus) == 1 ? jv_get_string(json_array_get(vdus, 0), "id") : NULL;
    struct strbuf path = STRBUF_INIT;
    rc = ns_path(&path, NS_PATH "/", ns_s(nsr, "id"), "/vnfrecords/", ns_s(vnfr, "id"), "/vdunits",
                 NULL, vdu ? "/" : "", vdu, "/vnfcinstances", NULL, NULL);
    if (rc == 0)
        rc = cli_nfvo_call(cli, method, strbuf_str(&path),
                           strcmp(method, "POST") == 0 ? body : NULL, NULL);
    strbuf_done(&path);
    return rc ? rc : ns_finish(cli, ns_s(nsr, "id"), a.wait, a.timeout_s);
}

int cmd_ns_scale_out(struct cli *cli, int argc, char **argv)
{
    return ns_scale(cli, argc, argv, "POST");
}

int cmd_ns_scale_in(struct cli *cli, int argc, char **argv)
{
    return ns_scale(cli, argc, argv, "DELETE");
}

int cmd_ns_heal(struct cli *cli, int argc, char **argv)
{
    struct ns_args a = {0};
    const char *what[] = {"an NS (id or name)", "a VNFC (id or hostname)"};
    int rc = ns_args(cli, argc, argv, 2, what, true, &a);
    if (rc)
        return rc;
    _cleanup_json_ json_t *nsr = NULL;
    if ((rc = ns_find(cli, a.pos[0], &nsr)) != 0)
        return rc;
    json_t *vnfr, *vdu, *vnfc;
    char err[512];
    if (nfvo_find_vnfc(nsr, a.pos[1], &vnfr, &vdu, &vnfc, err, sizeof(err)) < 0) {
        fprintf(stderr, "pop: %s in NS %s\n", err, ns_s(nsr, "name"));
        return CLI_EXIT_API;
    }
    _cleanup_json_ json_t *body =
        json_pack("{s:s, s:s}", "action", "HEAL", "cause", a.cause ? a.cause : "pop ns heal");
    struct strbuf path = STRBUF_INIT;
    rc = body ? ns_path(&path, NS_PATH "/", ns_s(nsr, "id"), "/vnfrecords/", ns_s(vnfr, "id"),
                        "/vdunits/", ns_s(vdu, "id"), "/vnfcinstances/", ns_s(vnfc, "id"),
                        "/actions", NULL, NULL)
              : CLI_EXIT_API;
    if (rc == 0)
        rc = cli_nfvo_call(cli, "POST", strbuf_str(&path), body, NULL);
    strbuf_done(&path);
    return rc ? rc : ns_finish(cli, ns_s(nsr, "id"), a.wait, a.timeout_s);
}

int cmd_ns_rm(struct cli *cli, int argc, char **argv)
{
    struct ns_args a = {0};
    const char *what[] = {"an NS (id or name)"};
    int rc = ns_args(cli, argc, argv, 1, what, false, &a);
    if (rc)
        return rc;
    _cleanup_json_ json_t *nsr = NULL, *left = NULL;
    if ((rc = ns_find(cli, a.pos[0], &nsr)) != 0)
        return rc;
    const char *id = ns_s(nsr, "id");
    struct strbuf path = STRBUF_INIT;
    rc = ns_path(&path, NS_PATH "/", id, NULL);
    if (rc == 0)
        rc = cli_nfvo_call(cli, "DELETE", strbuf_str(&path), NULL, NULL);
    strbuf_done(&path);
    if (rc == 0 && a.wait)
        rc = ns_wait(cli, id, NS_WAIT_GONE, a.timeout_s, &left);
    if (rc)
        return rc;
    _cleanup_json_ json_t *doc = json_pack("{s:s, s:s, s:s}", "removed", ns_s(nsr, "name"), "id",
                                           id, "status", a.wait ? "gone" : "terminating");
    return doc ? cli_print(cli, doc, doc) : CLI_EXIT_API;
}
