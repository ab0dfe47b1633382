/* Integration tests for lib/docker against the real Docker Engine: networks with fixed subnets,
 * multi-network containers with fixed IPs, hardened HostConfig, errors, images, events. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <arpa/inet.h>
#include <cmocka.h>
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/parse.h"
#include "core/stopper.h"
#include "core/timeutil.h"
#include "docker/docker.h"
#include "httpc/httpc.h"

#define TEST_LABEL "org.pop-nfv.test"
#define RUN_LABEL "org.pop-nfv.test.run" /* unique per run: we only ever remove our own */
#define IMAGE "pop-tiny:latest"

static struct docker_client *cli;
static char run_id[64];
static char net_name[2][96];
static char net_cidr[2][32];
static int net_octet[2]; /* 10.213.<octet>.0/24 */

static void ip_in(int net, int host, char *buf, size_t len)
{
    snprintf(buf, len, "10.213.%d.%d", net_octet[net], host);
}

static void obj_name(const char *what, char *buf, size_t len)
{
    snprintf(buf, len, "pop-test-%s-%s", run_id, what);
}

/* Removes every container carrying this run's label. */
static void remove_run_containers(void)
{
    char filter[128];
    snprintf(filter, sizeof(filter), RUN_LABEL "=%s", run_id);
    struct docker_container_info *list = NULL;
    size_t n = 0;
    if (docker_container_list(cli, filter, true, &list, &n) == 0) {
        for (size_t i = 0; i < n; i++)
            docker_container_remove(cli, list[i].id, true);
        docker_container_info_free(list, n);
    }
}

/* Removes every container and network carrying this run's label. */
static void cleanup_run(void)
{
    remove_run_containers();
    size_t n = 0;
    struct docker_network_info *nets = NULL;
    if (docker_network_list(cli, &nets, &n) == 0) {
        for (size_t i = 0; i < n; i++) {
            const char *v = docker_labels_get(nets[i].labels, RUN_LABEL);
            if (v && strcmp(v, run_id) == 0)
                docker_network_remove(cli, nets[i].id);
        }
        docker_network_info_free(nets, n);
    }
}

static bool have_image(void)
{
    struct docker_image_info *imgs = NULL;
    size_t n = 0;
    bool found = false;
    if (docker_image_list(cli, &imgs, &n) < 0)
        return false;
    for (size_t i = 0; i < n; i++)
        for (size_t t = 0; imgs[i].repo_tags[t]; t++)
            if (strcmp(imgs[i].repo_tags[t], IMAGE) == 0)
                found = true;
    docker_image_info_free(imgs, n);
    return found;
}

static bool parse_cidr(const char *cidr, uint32_t *addr, int *bits)
{
    char a[INET_ADDRSTRLEN];
    const char *slash = strchr(cidr, '/');
    if (!slash || slash - cidr >= (long)sizeof(a))
        return false;
    memcpy(a, cidr, (size_t)(slash - cidr));
    a[slash - cidr] = '\0';
    struct in_addr in;
    if (inet_pton(AF_INET, a, &in) != 1)
        return false;
    *addr = ntohl(in.s_addr);
    int64_t b;
    if (parse_int64(slash + 1, 0, 32, &b) < 0)
        return false;
    *bits = (int)b;
    return true;
}

static bool subnet_in_use(int octet)
{
    struct docker_network_info *nets = NULL;
    size_t n = 0;
    assert_int_equal(docker_network_list(cli, &nets, &n), 0);
    uint32_t mine = (10u << 24) | (213u << 16) | ((uint32_t)octet << 8);
    bool used = false;
    for (size_t i = 0; i < n; i++)
        for (size_t s = 0; s < nets[i].n_subnets; s++) {
            uint32_t a;
            int bits;
            if (!parse_cidr(nets[i].subnets[s].cidr, &a, &bits))
                continue;
            int b = bits < 24 ? bits : 24;
            uint32_t mask = b ? ~0u << (32 - b) : 0;
            if ((a & mask) == (mine & mask))
                used = true;
        }
    docker_network_info_free(nets, n);
    return used;
}

static int group_setup(void **state)
{
    (void)state;
    snprintf(run_id, sizeof(run_id), "%d-%lld", (int)getpid(), (long long)time_now_ms());
    if (docker_client_new(NULL, &cli) < 0 || docker_ping(cli) < 0) {
        fprintf(stderr, "docker engine not reachable: %s\n", cli ? docker_last_error(cli) : "");
        return -1;
    }
    if (!have_image() && (system(POP_SOURCE_DIR "/images/tiny/build.sh") != 0 || !have_image())) {
        fprintf(stderr, "image " IMAGE " missing and could not be built\n");
        return -1;
    }
    /* Two free /24s in 10.213.0.0/16; another run may take one between list and create. */
    int made = 0;
    for (int octet = 1; octet < 255 && made < 2; octet++) {
        if (subnet_in_use(octet))
            continue;
        char what[16];
        snprintf(what, sizeof(what), "net%d", made);
        obj_name(what, net_name[made], sizeof(net_name[made]));
        snprintf(net_cidr[made], sizeof(net_cidr[made]), "10.213.%d.0/24", octet);
        const char *labels[] = {TEST_LABEL, "1", RUN_LABEL, run_id, NULL};
        struct docker_network_spec spec = {
            .name = net_name[made], .cidr = net_cidr[made], .labels = labels};
        char *id = NULL;
        int r = docker_network_create(cli, &spec, &id);
        if (r == -EADDRINUSE)
            continue;
        if (r < 0) {
            fprintf(stderr, "network create: %s\n", docker_last_error(cli));
            cleanup_run();
            return -1;
        }
        free(id);
        net_octet[made++] = octet;
    }
    return made == 2 ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    cleanup_run();
    docker_client_free(cli);
    return 0;
}

/* Each test leaves no container behind, also when it fails half-way. */
static int test_teardown(void **state)
{
    (void)state;
    remove_run_containers();
    return 0;
}

static bool strv_has(char *const *v, const char *s)
{
    for (size_t i = 0; v && v[i]; i++)
        if (strcmp(v[i], s) == 0)
            return true;
    return false;
}

static const struct docker_endpoint_info *endpoint_on(const struct docker_container_info *info,
                                                      const char *net)
{
    for (size_t i = 0; i < info->n_endpoints; i++)
        if (strcmp(info->endpoints[i].network, net) == 0)
            return &info->endpoints[i];
    return NULL;
}

/* The engine's own view of the container, to check fields the typed API does not return. */
static json_t *raw_inspect(const char *id)
{
    struct httpc_config cfg = {.unix_socket = DOCKER_DEFAULT_SOCKET};
    struct httpc *h = NULL;
    assert_int_equal(httpc_new(&cfg, &h), 0);
    char path[256];
    snprintf(path, sizeof(path), "/v1.41/containers/%s/json", id);
    struct httpc_response resp = {0};
    assert_int_equal(httpc_request(h, "GET", path, NULL, NULL, 0, &resp), 0);
    assert_int_equal(resp.status, 200);
    json_t *j = json_loads(resp.body, 0, NULL);
    assert_non_null(j);
    httpc_response_done(&resp);
    httpc_free(h);
    return j;
}

static void test_container_lifecycle(void **state)
{
    (void)state;
    char name[128], ip0[32], ip1[32];
    obj_name("life", name, sizeof(name));
    ip_in(0, 10, ip0, sizeof(ip0));
    ip_in(1, 20, ip1, sizeof(ip1));
    const char *env[] = {"FOO=bar baz", "SERVER_PRIVATE=172.16.0.2", NULL};
    const char *labels[] = {TEST_LABEL, "1", RUN_LABEL, run_id, "org.pop-nfv.pop-id", name, NULL};
    const char *caps[] = {"NET_ADMIN", NULL};
    struct docker_endpoint_spec eps[] = {{net_name[0], ip0}, {net_name[1], ip1}};
    struct docker_container_spec spec = {.name = name,
                                         .image = IMAGE,
                                         .env = env,
                                         .labels = labels,
                                         .endpoints = eps,
                                         .n_endpoints = 2,
                                         .nano_cpus = 500000000,
                                         .memory_bytes = 64 << 20,
                                         .cap_add = caps};
    char *id = NULL;
    assert_int_equal(docker_container_create(cli, &spec, &id), 0);
    assert_non_null(id);

    struct docker_container_info info;
    assert_int_equal(docker_container_inspect(cli, name, &info), 0);
    assert_string_equal(info.id, id);
    assert_string_equal(info.state, "created");
    assert_int_equal(info.n_endpoints, 2); /* the second network is connected before start */
    docker_container_info_done(&info);

    assert_int_equal(docker_container_start(cli, id), 0);
    assert_int_equal(docker_container_start(cli, id), 0); /* already running: fine */

    assert_int_equal(docker_container_inspect(cli, id, &info), 0);
    assert_string_equal(info.state, "running");
    assert_string_equal(info.name, name);
    assert_string_equal(info.image, IMAGE);
    assert_true(info.created > 0 && info.started >= info.created);
    assert_true(strv_has(info.env, "FOO=bar baz"));
    assert_true(strv_has(info.env, "SERVER_PRIVATE=172.16.0.2"));
    assert_string_equal(docker_labels_get(info.labels, "org.pop-nfv.pop-id"), name);
    assert_int_equal(info.n_endpoints, 2);
    const struct docker_endpoint_info *e0 = endpoint_on(&info, net_name[0]);
    const struct docker_endpoint_info *e1 = endpoint_on(&info, net_name[1]);
    assert_non_null(e0);
    assert_non_null(e1);
    assert_string_equal(e0->ipv4, ip0);
    assert_string_equal(e1->ipv4, ip1);
    assert_true(strlen(e1->mac) > 0);
    docker_container_info_done(&info);

    /* HostConfig exactly as promised: unprivileged, init, no capabilities but the allowed. */
    json_t *raw = raw_inspect(id);
    json_t *hc = json_object_get(raw, "HostConfig");
    assert_true(json_is_true(json_object_get(hc, "Init")));
    assert_true(json_is_false(json_object_get(hc, "Privileged")));
    assert_int_equal(json_array_size(json_object_get(hc, "CapDrop")), 1);
    assert_string_equal(json_string_value(json_array_get(json_object_get(hc, "CapDrop"), 0)),
                        "ALL");
    assert_string_equal(json_string_value(json_array_get(json_object_get(hc, "CapAdd"), 0)),
                        "NET_ADMIN");
    assert_string_equal(json_string_value(json_array_get(json_object_get(hc, "SecurityOpt"), 0)),
                        "no-new-privileges");
    assert_int_equal(json_integer_value(json_object_get(hc, "NanoCpus")), 500000000);
    assert_int_equal(json_integer_value(json_object_get(hc, "Memory")), 64 << 20);
    assert_string_equal(json_string_value(json_object_get(hc, "NetworkMode")), net_name[0]);
    assert_int_equal(json_array_size(json_object_get(hc, "Binds")), 0);
    json_decref(raw);

    /* The network sees the container at its fixed address. */
    struct docker_network_info net;
    assert_int_equal(docker_network_inspect(cli, net_name[1], &net), 0);
    assert_string_equal(net.name, net_name[1]);
    assert_int_equal(net.n_subnets, 1);
    assert_string_equal(net.subnets[0].cidr, net_cidr[1]);
    assert_int_equal(net.n_members, 1);
    assert_string_equal(net.members[0].container_id, id);
    assert_string_equal(net.members[0].ipv4, ip1);
    docker_network_info_done(&net);

    /* Listed by its Pop label; only while running unless all is asked for. */
    char filter[160];
    snprintf(filter, sizeof(filter), "org.pop-nfv.pop-id=%s", name);
    struct docker_container_info *list = NULL;
    size_t n = 0;
    assert_int_equal(docker_container_list(cli, filter, false, &list, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(list[0].id, id);
    assert_string_equal(list[0].state, "running");
    assert_non_null(endpoint_on(&list[0], net_name[1]));
    assert_string_equal(endpoint_on(&list[0], net_name[1])->ipv4, ip1);
    docker_container_info_free(list, n);

    assert_int_equal(docker_container_stop(cli, id, 1), 0);
    assert_int_equal(docker_container_stop(cli, id, 1), 0); /* already stopped: fine */
    assert_int_equal(docker_container_list(cli, filter, false, &list, &n), 0);
    assert_int_equal(n, 0);
    docker_container_info_free(list, n);
    assert_int_equal(docker_container_list(cli, filter, true, &list, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(list[0].state, "exited");
    docker_container_info_free(list, n);

    assert_int_equal(docker_container_remove(cli, id, false), 0);
    assert_int_equal(docker_container_inspect(cli, id, &info), -ENOENT);
    assert_int_equal(docker_container_remove(cli, id, false), -ENOENT);
    free(id);
}

static void test_conflicts_and_missing(void **state)
{
    (void)state;
    char name[128], missing[128], clash[128], ip[32];
    obj_name("dup", name, sizeof(name));
    obj_name("missing", missing, sizeof(missing));
    obj_name("clash", clash, sizeof(clash));
    ip_in(0, 40, ip, sizeof(ip));
    const char *labels[] = {TEST_LABEL, "1", RUN_LABEL, run_id, NULL};
    struct docker_endpoint_spec ep = {net_name[0], ip};
    struct docker_container_spec spec = {
        .name = name, .image = IMAGE, .labels = labels, .endpoints = &ep, .n_endpoints = 1};
    char *id = NULL, *id2 = NULL;
    assert_int_equal(docker_container_create(cli, &spec, &id), 0);
    assert_int_equal(docker_container_create(cli, &spec, &id2), -EEXIST);
    assert_null(id2);
    assert_non_null(strstr(docker_last_error(cli), "already in use"));

    struct docker_container_info info;
    assert_int_equal(docker_container_inspect(cli, missing, &info), -ENOENT);
    assert_int_equal(docker_container_start(cli, missing), -ENOENT);
    assert_int_equal(docker_container_stop(cli, missing, 1), -ENOENT);
    assert_int_equal(docker_network_remove(cli, missing), -ENOENT);
    struct docker_container_spec no_image = {
        .name = missing, .image = "pop-test-no-such-image:none", .labels = labels};
    assert_int_equal(docker_container_create(cli, &no_image, &id2), -ENOENT);

    /* A running container holds its network and refuses a non-forced removal. */
    assert_int_equal(docker_container_start(cli, id), 0);
    assert_int_equal(docker_network_remove(cli, net_name[0]), -EBUSY);

    /* A second container asking for the same fixed address is refused at start. */
    struct docker_container_spec same_ip = spec;
    same_ip.name = clash;
    assert_int_equal(docker_container_create(cli, &same_ip, &id2), 0);
    assert_int_equal(docker_container_start(cli, id2), -EADDRINUSE);
    assert_int_equal(docker_container_remove(cli, id2, true), 0);
    free(id2);
    id2 = NULL;

    assert_int_equal(docker_container_remove(cli, id, false), -EBUSY);
    assert_int_equal(docker_container_remove(cli, id, true), 0);

    /* Networks: a taken name, then an overlapping subnet under a new name. */
    const char *nlabels[] = {TEST_LABEL, "1", RUN_LABEL, run_id, NULL};
    struct docker_network_spec dup = {.name = net_name[0], .cidr = net_cidr[0], .labels = nlabels};
    assert_int_equal(docker_network_create(cli, &dup, &id2), -EEXIST);
    struct docker_network_spec overlap = {.name = missing, .cidr = net_cidr[1], .labels = nlabels};
    assert_int_equal(docker_network_create(cli, &overlap, &id2), -EADDRINUSE);
    assert_null(id2);
    free(id);
}

static void test_failed_connect_leaves_nothing(void **state)
{
    (void)state;
    char name[128], nonet[128], ip[32];
    obj_name("half", name, sizeof(name));
    obj_name("no-such-net", nonet, sizeof(nonet));
    ip_in(0, 30, ip, sizeof(ip));
    const char *labels[] = {TEST_LABEL, "1", RUN_LABEL, run_id, NULL};
    struct docker_endpoint_spec eps[] = {{net_name[0], ip}, {nonet, NULL}};
    struct docker_container_spec spec = {
        .name = name, .image = IMAGE, .labels = labels, .endpoints = eps, .n_endpoints = 2};
    char *id = NULL;
    assert_int_equal(docker_container_create(cli, &spec, &id), -ENOENT);
    assert_null(id);
    assert_true(strlen(docker_last_error(cli)) > 0);
    struct docker_container_info info;
    assert_int_equal(docker_container_inspect(cli, name, &info), -ENOENT);
}

static void test_unsafe_specs_rejected(void **state)
{
    (void)state;
    char name[128];
    obj_name("unsafe", name, sizeof(name));
    const char *labels[] = {TEST_LABEL, "1", RUN_LABEL, run_id, NULL};
    const char *odd_labels[] = {TEST_LABEL, "1", RUN_LABEL, NULL};
    const char *bad_env[] = {"NOEQUALS", NULL};
    const char *all_caps[] = {"ALL", NULL};
    struct docker_endpoint_spec host = {"host", NULL};
    struct docker_endpoint_spec bad_ip = {net_name[0], "10.213.999.1"};
    struct docker_container_spec base = {.name = name, .image = IMAGE, .labels = labels};
    char *id = NULL;

    struct docker_container_spec s = base;
    s.endpoints = &host;
    s.n_endpoints = 1;
    assert_int_equal(docker_container_create(cli, &s, &id), -EINVAL);
    s = base;
    s.endpoints = &bad_ip;
    s.n_endpoints = 1;
    assert_int_equal(docker_container_create(cli, &s, &id), -EINVAL);
    s = base;
    s.env = bad_env;
    assert_int_equal(docker_container_create(cli, &s, &id), -EINVAL);
    s = base;
    s.labels = odd_labels;
    assert_int_equal(docker_container_create(cli, &s, &id), -EINVAL);
    s = base;
    s.cap_add = all_caps;
    assert_int_equal(docker_container_create(cli, &s, &id), -EINVAL);
    assert_null(id);
    struct docker_container_info info;
    assert_int_equal(docker_container_inspect(cli, name, &info), -ENOENT);
}

static void test_images_listed(void **state)
{
    (void)state;
    struct docker_image_info *imgs = NULL;
    size_t n = 0;
    assert_int_equal(docker_image_list(cli, &imgs, &n), 0);
    const struct docker_image_info *tiny = NULL;
    for (size_t i = 0; i < n; i++)
        if (strv_has(imgs[i].repo_tags, IMAGE))
            tiny = &imgs[i];
    assert_non_null(tiny);
    assert_int_equal(strncmp(tiny->id, "sha256:", 7), 0);
    assert_true(tiny->size > 0);
    assert_true(tiny->created > 0);
    assert_string_equal(docker_labels_get(tiny->labels, "org.pop-nfv.image"), "tiny");
    docker_image_info_free(imgs, n);
}

struct watch {
    const char *id;
    const char *name;
    struct stopper *stop;
    atomic_bool saw_die;
    bool saw_start;
    int die_code;
    bool die_has_run_label;
    bool die_name_ok;
    int result;
};

static int on_event(const struct docker_event *ev, void *ud)
{
    struct watch *w = ud;
    if (strcmp(ev->type, "container") != 0 || strcmp(ev->actor_id, w->id) != 0)
        return 0;
    if (strcmp(ev->action, "start") == 0)
        w->saw_start = true;
    if (strcmp(ev->action, "die") == 0) {
        const char *run = docker_event_attr(ev, RUN_LABEL);
        w->die_code = ev->exit_code;
        w->die_has_run_label = run && strcmp(run, run_id) == 0;
        w->die_name_ok = strcmp(ev->name, w->name) == 0;
        atomic_store(&w->saw_die, true);
    }
    return 0;
}

static int64_t since;

static void *follow_thread(void *ud)
{
    struct watch *w = ud;
    char label[128];
    snprintf(label, sizeof(label), "label=" RUN_LABEL "=%s", run_id);
    const char *filters[] = {"type=container", label, NULL};
    w->result = docker_events_follow(NULL, filters, since, on_event, w, w->stop);
    return NULL;
}

static void test_events_report_crash(void **state)
{
    (void)state;
    char name[128];
    obj_name("crash", name, sizeof(name));
    const char *env[] = {"CRASH_AFTER=1", NULL};
    const char *labels[] = {TEST_LABEL, "1", RUN_LABEL, run_id, NULL};
    struct docker_endpoint_spec ep = {net_name[0], NULL};
    struct docker_container_spec spec = {.name = name,
                                         .image = IMAGE,
                                         .env = env,
                                         .labels = labels,
                                         .endpoints = &ep,
                                         .n_endpoints = 1};
    char *id = NULL;
    since = time_now_s() - 1; /* replayed from here, so no race with the follower connecting */
    assert_int_equal(docker_container_create(cli, &spec, &id), 0);
    struct watch w = {.id = id, .name = name, .die_code = -2, .result = 1};
    assert_int_equal(stopper_new(&w.stop), 0);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, follow_thread, &w), 0);
    assert_int_equal(docker_container_start(cli, id), 0);

    for (int i = 0; i < 300 && !atomic_load(&w.saw_die); i++)
        time_sleep_ms(50);
    stopper_fire(w.stop);
    pthread_join(t, NULL);
    stopper_free(w.stop);

    assert_true(atomic_load(&w.saw_die));
    assert_true(w.saw_start);
    assert_int_equal(w.die_code, 3);
    assert_true(w.die_has_run_label);
    assert_true(w.die_name_ok);
    assert_int_equal(w.result, 0); /* stopped on request, not broken */

    struct docker_container_info info;
    assert_int_equal(docker_container_inspect(cli, id, &info), 0);
    assert_string_equal(info.state, "exited");
    assert_int_equal(info.exit_code, 3);
    assert_false(info.oom_killed);
    docker_container_info_done(&info);

    /* The list reply carries the exit code only in its status text. */
    char filter[128];
    snprintf(filter, sizeof(filter), RUN_LABEL "=%s", run_id);
    struct docker_container_info *list = NULL;
    size_t n = 0;
    assert_int_equal(docker_container_list(cli, filter, true, &list, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(list[0].exit_code, 3);
    docker_container_info_free(list, n);
    free(id);
}

static void test_unreachable_engine(void **state)
{
    (void)state;
    struct docker_client *c = NULL;
    assert_int_equal(docker_client_new("/nonexistent/docker.sock", &c), 0);
    assert_int_equal(docker_ping(c), -ECONNREFUSED);
    assert_true(strlen(docker_last_error(c)) > 0);
    docker_client_free(c);
    struct stopper *stop = NULL;
    assert_int_equal(stopper_new(&stop), 0);
    assert_int_equal(
        docker_events_follow("/nonexistent/docker.sock", NULL, 0, on_event, NULL, stop),
        -ECONNREFUSED);
    stopper_free(stop);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_container_lifecycle, test_teardown),
        cmocka_unit_test_teardown(test_conflicts_and_missing, test_teardown),
        cmocka_unit_test_teardown(test_failed_connect_leaves_nothing, test_teardown),
        cmocka_unit_test_teardown(test_unsafe_specs_rejected, test_teardown),
        cmocka_unit_test(test_images_listed),
        cmocka_unit_test_teardown(test_events_report_crash, test_teardown),
        cmocka_unit_test(test_unreachable_engine),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
