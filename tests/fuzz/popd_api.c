/* Fuzz target for popd-rest's Create and metadata bodies end to end: the real service (popd_init,
 * its route table and Bearer hook) behind the real lib/http server on a loopback ephemeral port,
 * a store in a temporary directory, and each input sent with lib/httpc. Create, and metadata on
 * a CREATED container, never call Docker; the socket is pointed at a path that does not exist so
 * nothing here can reach a real engine.
 * Input: the first byte picks the request ('M': PATCH metadata, 'R': PATCH metadata
 * ?apply=recreate, anything else: POST /v1/containers), the rest is the body. */
#include "fuzz.h"

#include "auth/random.h"
#include "core/log.h"
#include "handlers.h"
#include "http/server.h"
#include "httpc/httpc.h"
#include "popd.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <unistd.h>

#define FUZZ_USER "fuzz"
#define FUZZ_PASSWORD "fuzz-password"
#define MD_TARGET "md-target"
/* Containers kept across inputs, so names, addresses and a whole network are in use: "holder"
 * takes 10.250.0.5 on the default network, it and "holder-2".."holder-5" the five host
 * addresses of the /29 "full". */
#define HOLDER "holder"
#define N_HOLDERS 5

static struct {
    bool ready;
    char dir[256];
    struct popd p;
    struct http_server *srv;
    struct httpc *client;
    char auth[2048];
    char holder_ids[N_HOLDERS][POP_ID_LEN];
} fz;

static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        char path[512];
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        unlink(path);
    }
    if (d)
        closedir(d);
    rmdir(dir);
}

static void teardown(void)
{
    httpc_free(fz.client);
    http_server_stop(fz.srv);
    popd_done(&fz.p);
    remove_dir(fz.dir);
}

/* Sends one request; the reply must be a well-formed answer, never a server error. */
static long send_json(const char *method, const char *path, const char *body, size_t len,
                      struct httpc_response *ret)
{
    const char *headers[] = {"Content-Type: application/json", fz.auth[0] ? fz.auth : NULL, NULL};
    struct httpc_response resp;
    int r = httpc_request(fz.client, method, path, headers, body, len, &resp);
    if (r < 0)
        fprintf(stderr, "%s %s: %s\n", method, path, httpc_last_error(fz.client));
    FUZZ_ASSERT(r == 0);
    if (resp.status >= 500)
        fprintf(stderr, "%s %s -> %ld %s\n", method, path, resp.status, resp.body);
    FUZZ_ASSERT(resp.status >= 200 && resp.status < 500);
    if (resp.status >= 400) {
        /* Every refusal is problem+json naming its status. */
        FUZZ_ASSERT(resp.content_type &&
                    strcmp(resp.content_type, "application/problem+json") == 0);
        json_t *doc = json_loadb(resp.body, resp.body_len, 0, NULL);
        FUZZ_ASSERT(doc && json_integer_value(json_object_get(doc, "status")) == resp.status);
        FUZZ_ASSERT(json_is_string(json_object_get(doc, "detail")));
        json_decref(doc);
    }
    long status = resp.status;
    if (ret)
        *ret = resp;
    else
        httpc_response_done(&resp);
    return status;
}

static void add_network(const char *name, const char *cidr)
{
    struct pop_network net = {0};
    FUZZ_ASSERT(auth_uuid4(net.id) == 0);
    snprintf(net.name, sizeof(net.name), "%s", name);
    popd_docker_name(&fz.p, name, net.docker_name, sizeof(net.docker_name));
    FUZZ_ASSERT(ipam_parse_cidr(cidr, &net.subnet) == 0);
    net.subnet.gateway = ipam_default_gateway(&net.subnet);
    FUZZ_ASSERT(store_network_add(fz.p.store, &net) == 0);
}

static char *json_field(const struct httpc_response *resp, const char *key)
{
    json_t *doc = json_loadb(resp->body, resp->body_len, 0, NULL);
    const char *v = json_string_value(json_object_get(doc, key));
    char *copy = v ? strdup(v) : NULL;
    json_decref(doc);
    FUZZ_ASSERT(copy != NULL);
    return copy;
}

static void setup(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(fz.dir, sizeof(fz.dir), "%s/fuzz-popd-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    FUZZ_ASSERT(mkdtemp(fz.dir) != NULL);
    char db[300], sock[300];
    snprintf(db, sizeof(db), "%s/popd.db", fz.dir);
    snprintf(sock, sizeof(sock), "%s/no-docker.sock", fz.dir);
    const char *env[][2] = {
        {"POPD_NAME", "fuzz"},
        {"POPD_DB", db},
        {"POPD_DOCKER_SOCKET", sock},
        {"POPD_AUTH", FUZZ_USER ":" FUZZ_PASSWORD},
        {"POPD_USERS_FILE", ""},
        {"POPD_JWT_KEY", "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"},
        {"POPD_TOKEN_TTL", "2592000"},
        {"POPD_PASSWORD_ITERATIONS", "1000"},
        {"POPD_PRIVATE_CIDR", ""},
        {"POPD_POOLS", "172.30.0.0/16/24"},
        {"POPD_FLAVOURS", "small:1:512,medium:2:2048"},
        {"POPD_IMAGE_ALLOWLIST", "tiny,sipp:latest,pop-tiny:latest"},
        {"POPD_BODY_MAX", "64k"},
        {"POPD_VERBOSE", "false"},
    };
    for (size_t i = 0; i < sizeof(env) / sizeof(env[0]); i++)
        FUZZ_ASSERT(setenv(env[i][0], env[i][1], 1) == 0);
    log_set_level(LOG_WARN);

    struct popd_config cfg = {0};
    char err[512] = "";
    if (popd_config_load(&cfg, NULL, err, sizeof(err)) < 0 ||
        popd_init(&fz.p, &cfg, err, sizeof(err)) < 0) {
        fprintf(stderr, "popd_api: start-up: %s\n", err);
        abort();
    }
    atexit(teardown);
    /* What popd_networks_init would make with an engine: the default network and two more, one
     * a /29 the holders fill. */
    add_network(POPD_DEFAULT_NETWORK, "10.250.0.0/24");
    add_network("mgmt", "10.251.0.0/28");
    add_network("full", "10.252.0.0/29");

    size_t n_routes;
    const struct http_route *routes = popd_routes(&n_routes);
    struct http_server_config hc = {
        .bind_addr = "127.0.0.1",
        .port = 0,
        .body_max = fz.p.cfg.body_max,
        .routes = routes,
        .n_routes = n_routes,
        .userdata = &fz.p,
        .authenticate = popd_authenticate,
    };
    FUZZ_ASSERT(http_server_start(&hc, &fz.srv) == 0);
    char base[64];
    snprintf(base, sizeof(base), "http://127.0.0.1:%u", http_server_port(fz.srv));
    struct httpc_config cc = {.base_url = base, .timeout_ms = 20000};
    FUZZ_ASSERT(httpc_new(&cc, &fz.client) == 0);

    static const char login[] =
        "{\"username\":\"" FUZZ_USER "\",\"password\":\"" FUZZ_PASSWORD "\"}";
    struct httpc_response resp;
    FUZZ_ASSERT(send_json("POST", "/v1/login", login, strlen(login), &resp) == 200);
    char *token = json_field(&resp, "value");
    httpc_response_done(&resp);
    snprintf(fz.auth, sizeof(fz.auth), "Authorization: Bearer %s", token);
    free(token);

    static const char holder[] = "{\"name\":\"" HOLDER "\",\"image_id\":\"tiny\",\"endpoints\":"
                                 "{\"private\":{\"ipv4\":{\"address\":\"10.250.0.5\"}},"
                                 "\"full\":{}}}";
    for (int i = 0; i < N_HOLDERS; i++) {
        char more[128];
        snprintf(more, sizeof(more),
                 "{\"name\":\"" HOLDER "-%d\",\"image_id\":\"tiny\",\"endpoints\":{\"full\":{}}}",
                 i + 1);
        const char *b = i == 0 ? holder : more;
        FUZZ_ASSERT(send_json("POST", "/v1/containers", b, strlen(b), &resp) == 201);
        char *id = json_field(&resp, "id");
        httpc_response_done(&resp);
        snprintf(fz.holder_ids[i], sizeof(fz.holder_ids[i]), "%s", id);
        free(id);
    }
    fz.ready = true;
}

static bool is_holder(const char *id)
{
    for (int i = 0; i < N_HOLDERS; i++)
        if (strcmp(fz.holder_ids[i], id) == 0)
            return true;
    return false;
}

/* What the store holds after any input: every address assignable in its subnet, and no
 * address held twice on one network. */
static void check_addresses(void)
{
    struct pop_container *list = NULL;
    size_t n = 0;
    FUZZ_ASSERT(store_container_list(fz.p.store, NULL, NULL, &list, &n) == 0);
    for (size_t i = 0; i < n; i++) {
        FUZZ_ASSERT(list[i].n_ep >= 1 && list[i].n_ep <= POP_MAX_ENDPOINTS);
        for (size_t e = 0; e < list[i].n_ep; e++) {
            const struct pop_endpoint *ep = &list[i].ep[e];
            FUZZ_ASSERT(ipam_assignable(&ep->subnet, ep->ipv4));
            for (size_t j = 0; j < i; j++)
                for (size_t f = 0; f < list[j].n_ep; f++)
                    FUZZ_ASSERT(strcmp(list[j].ep[f].network_id, ep->network_id) != 0 ||
                                list[j].ep[f].ipv4 != ep->ipv4);
        }
    }
    pop_container_list_free(list, n);
}

/* A 201 stored what the body asked for: its name and image, and each address it requested on
 * the network it named. */
static void check_created(const char *body, size_t len)
{
    json_t *doc = json_loadb(body, len, 0, NULL);
    FUZZ_ASSERT(doc != NULL);
    struct pop_container c;
    FUZZ_ASSERT(
        store_container_get(fz.p.store, json_string_value(json_object_get(doc, "name")), &c) == 0);
    FUZZ_ASSERT(c.status == POP_CREATED && !is_holder(c.id));
    FUZZ_ASSERT(strcmp(c.image_id, json_string_value(json_object_get(doc, "image_id"))) == 0);
    const char *net;
    json_t *ep;
    json_object_foreach (json_object_get(doc, "endpoints"), net, ep) {
        const char *want =
            json_string_value(json_object_get(json_object_get(ep, "ipv4"), "address"));
        size_t i = 0;
        while (i < c.n_ep && strcmp(c.ep[i].net_name, net) != 0)
            i++;
        FUZZ_ASSERT(i < c.n_ep);
        char got[16];
        ipam_format_addr(c.ep[i].ipv4, got);
        FUZZ_ASSERT(!want || !*want || strcmp(want, got) == 0);
    }
    pop_container_done(&c);
    json_decref(doc);
}

/* A 200 patch on a container without metadata leaves exactly its non-empty entries. */
static void check_patched(const char *body, size_t len)
{
    json_t *doc = json_loadb(body, len, 0, NULL);
    FUZZ_ASSERT(doc != NULL);
    struct pop_container c;
    FUZZ_ASSERT(store_container_get(fz.p.store, MD_TARGET, &c) == 0);
    size_t n = 0;
    const char *key;
    json_t *value;
    json_object_foreach (json_object_get(doc, "entries"), key, value) {
        const char *v = json_string_value(value);
        const char *stored = md_set_get(&c.md, key);
        FUZZ_ASSERT(*v ? stored && strcmp(stored, v) == 0 : stored == NULL);
        n += *v != '\0';
    }
    FUZZ_ASSERT(c.md.n == n);
    pop_container_done(&c);
    json_decref(doc);
}

/* Forgets every container but the holders, so each input starts from the same state; returns
 * how many there were. */
static size_t reset_store(void)
{
    struct pop_container *list = NULL;
    size_t n = 0, removed = 0;
    FUZZ_ASSERT(store_container_list(fz.p.store, NULL, NULL, &list, &n) == 0);
    for (size_t i = 0; i < n; i++) {
        if (is_holder(list[i].id))
            continue;
        FUZZ_ASSERT(store_container_remove(fz.p.store, list[i].id) == 0);
        removed++;
    }
    pop_container_list_free(list, n);
    return removed;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 65536)
        return 0;
    if (!fz.ready)
        setup();
    const char *body = (const char *)data + 1;
    size_t len = size - 1;
    if (data[0] == 'M' || data[0] == 'R') {
        static const char target[] = "{\"name\":\"" MD_TARGET "\",\"image_id\":\"tiny\"}";
        FUZZ_ASSERT(send_json("POST", "/v1/containers", target, strlen(target), NULL) == 201);
        const char *path = data[0] == 'M' ? "/v1/containers/" MD_TARGET "/metadata"
                                          : "/v1/containers/" MD_TARGET "/metadata?apply=recreate";
        long status = send_json("PATCH", path, body, len, NULL);
        FUZZ_ASSERT(status == 200 || status == 400 || status == 413 || status == 415);
        /* A refused patch changes nothing. */
        struct pop_container c;
        FUZZ_ASSERT(store_container_get(fz.p.store, MD_TARGET, &c) == 0);
        FUZZ_ASSERT(c.status == POP_CREATED && (status == 200 || c.md.n == 0));
        pop_container_done(&c);
        if (status == 200)
            check_patched(body, len);
        FUZZ_ASSERT(reset_store() == 1);
    } else {
        long status = send_json("POST", "/v1/containers", body, len, NULL);
        check_addresses();
        if (status == 201)
            check_created(body, len);
        /* Created, or refused with nothing stored. */
        FUZZ_ASSERT(reset_store() == (status == 201 ? 1u : 0u));
    }
    return 0;
}
