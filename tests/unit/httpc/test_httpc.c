/* Unit tests for lib/httpc against a tiny in-process HTTP server (TCP on 127.0.0.1 port 0 or a
 * unix socket): statuses and bodies, request shape, keep-alive, timeouts, caps, streaming, pulls.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <arpa/inet.h>
#include <cmocka.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/stopper.h"
#include "core/strbuf.h"
#include "core/timeutil.h"
#include "httpc/httpc.h"
#include "testlib.h"

enum srv_mode {
    SRV_CANNED, /* answers every request with srv.canned */
    SRV_SILENT, /* reads the request, never answers */
    SRV_STREAM, /* chunked 200, one line in two chunks, then idles */
    SRV_BIG,    /* 200 with srv.big_len bytes of 'x' */
    SRV_PIECES, /* 200 with a 19-byte body in three pieces, each sent on a byte in go_pipe */
    SRV_CLOSE,  /* sends srv.canned, then closes the connection */
};

struct srv {
    enum srv_mode mode;
    const char *canned;
    size_t big_len;
    int lfd;
    int stop_pipe[2];
    int go_pipe[2];
    pthread_t thread;
    atomic_int accepts;
    pthread_mutex_t lock;
    char last_req[8192]; /* last request seen, headers and body */
    char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
    int port;
};

/* Waits until fd is readable; false when the server is being stopped. */
static bool srv_wait(struct srv *s, int fd)
{
    struct pollfd p[2] = {{.fd = fd, .events = POLLIN}, {.fd = s->stop_pipe[0], .events = POLLIN}};
    for (;;) {
        int n = poll(p, 2, -1);
        if (n < 0 && errno == EINTR)
            continue;
        return n > 0 && !(p[1].revents & POLLIN);
    }
}

/* Reads one request (headers plus Content-Length body); false on EOF or stop. */
static bool srv_read_request(struct srv *s, int fd)
{
    char buf[8192];
    size_t len = 0;
    for (;;) {
        buf[len] = '\0';
        char *end = strstr(buf, "\r\n\r\n");
        if (end) {
            size_t want = (size_t)(end + 4 - buf);
            const char *cl = strcasestr(buf, "\r\nContent-Length:");
            if (cl && cl < end)
                want += strtoul(cl + 17, NULL, 10);
            if (len >= want || want >= sizeof(buf))
                break;
        }
        if (len + 1 >= sizeof(buf) || !srv_wait(s, fd))
            return false;
        ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);
        if (n <= 0)
            return false;
        len += (size_t)n;
    }
    pthread_mutex_lock(&s->lock);
    memcpy(s->last_req, buf, len + 1);
    pthread_mutex_unlock(&s->lock);
    return true;
}

static void srv_send(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
        if (n <= 0)
            return;
        data += n;
        len -= (size_t)n;
    }
}

static void srv_handle(struct srv *s, int fd)
{
    while (srv_read_request(s, fd)) {
        switch (s->mode) {
        case SRV_CANNED:
            srv_send(fd, s->canned, strlen(s->canned));
            continue; /* keep-alive when the canned reply allows it */
        case SRV_SILENT:
            while (srv_wait(s, fd)) {
                char b[256];
                if (read(fd, b, sizeof(b)) <= 0)
                    return;
            }
            return;
        case SRV_STREAM: {
            static const char head[] = "HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\n"
                                       "X-Stream: yes\r\nTransfer-Encoding: chunked\r\n\r\n";
            srv_send(fd, head, strlen(head));
            srv_send(fd, "4\r\n{\"a\"\r\n", 9);
            srv_send(fd, "4\r\n:1}\n\r\n", 9);
            while (srv_wait(s, fd)) {
                char b[256];
                if (read(fd, b, sizeof(b)) <= 0)
                    return;
            }
            return;
        }
        case SRV_PIECES: {
            static const char head[] = "HTTP/1.1 200 OK\r\nContent-Length: 19\r\n"
                                       "X-Piece: yes\r\n\r\n";
            static const char *const pieces[] = {"hello ", "pulled ", "world\n"};
            srv_send(fd, head, strlen(head));
            for (size_t i = 0; i < 3; i++) {
                char b;
                if (!srv_wait(s, s->go_pipe[0]) || read(s->go_pipe[0], &b, 1) != 1)
                    return;
                srv_send(fd, pieces[i], strlen(pieces[i]));
            }
            continue;
        }
        case SRV_CLOSE:
            srv_send(fd, s->canned, strlen(s->canned));
            return;
        case SRV_BIG: {
            char head[128];
            int n = snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n",
                             s->big_len);
            srv_send(fd, head, (size_t)n);
            char *body = malloc(s->big_len);
            memset(body, 'x', s->big_len);
            srv_send(fd, body, s->big_len);
            free(body);
            continue;
        }
        }
    }
}

static void *srv_main(void *arg)
{
    struct srv *s = arg;
    while (srv_wait(s, s->lfd)) {
        int fd = accept(s->lfd, NULL, NULL);
        if (fd < 0)
            continue;
        atomic_fetch_add(&s->accepts, 1);
        srv_handle(s, fd);
        close(fd);
    }
    return NULL;
}

static void srv_start(struct srv *s, enum srv_mode mode, bool unix_socket)
{
    memset(s, 0, sizeof(*s));
    s->mode = mode;
    pthread_mutex_init(&s->lock, NULL);
    assert_int_equal(pipe(s->stop_pipe), 0);
    assert_int_equal(pipe(s->go_pipe), 0);
    if (unix_socket) {
        struct sockaddr_un a = {.sun_family = AF_UNIX};
        snprintf(s->path, sizeof(s->path), "/tmp/test-httpc-%d.sock", (int)getpid());
        unlink(s->path);
        memcpy(a.sun_path, s->path, strlen(s->path) + 1);
        s->lfd = socket(AF_UNIX, SOCK_STREAM, 0);
        assert_int_equal(bind(s->lfd, (struct sockaddr *)&a, sizeof(a)), 0);
    } else {
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        socklen_t alen = sizeof(a);
        s->lfd = socket(AF_INET, SOCK_STREAM, 0);
        assert_int_equal(bind(s->lfd, (struct sockaddr *)&a, sizeof(a)), 0);
        assert_int_equal(getsockname(s->lfd, (struct sockaddr *)&a, &alen), 0);
        s->port = ntohs(a.sin_port);
    }
    assert_int_equal(listen(s->lfd, 8), 0);
    assert_int_equal(pthread_create(&s->thread, NULL, srv_main, s), 0);
}

static void srv_stop(struct srv *s)
{
    assert_int_equal(write(s->stop_pipe[1], "x", 1), 1);
    pthread_join(s->thread, NULL);
    close(s->lfd);
    close(s->stop_pipe[0]);
    close(s->stop_pipe[1]);
    close(s->go_pipe[0]);
    close(s->go_pipe[1]);
    if (s->path[0])
        unlink(s->path);
    pthread_mutex_destroy(&s->lock);
}

static struct httpc *client_for(const struct srv *s, long timeout_ms, size_t max)
{
    char base[64];
    snprintf(base, sizeof(base), "http://127.0.0.1:%d/", s->port);
    struct httpc_config cfg = {
        .base_url = base, .timeout_ms = timeout_ms, .max_response_bytes = max};
    struct httpc *c = NULL;
    assert_int_equal(httpc_new(&cfg, &c), 0);
    return c;
}

/* The server a test is registered with (setup_<mode>) and a client for it with the default
 * timeout and cap; a test needing another client makes its own with client_for. */
struct fixture {
    struct srv s;
    struct httpc *c;
};

static int setup_mode(void **state, enum srv_mode mode)
{
    struct fixture *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    srv_start(&f->s, mode, false);
    f->c = client_for(&f->s, 0, 0);
    *state = f;
    return 0;
}

static int setup_canned(void **state)
{
    return setup_mode(state, SRV_CANNED);
}

static int setup_silent(void **state)
{
    return setup_mode(state, SRV_SILENT);
}

static int setup_stream(void **state)
{
    return setup_mode(state, SRV_STREAM);
}

static int setup_big(void **state)
{
    return setup_mode(state, SRV_BIG);
}

static int setup_pieces(void **state)
{
    return setup_mode(state, SRV_PIECES);
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    httpc_free(f->c);
    srv_stop(&f->s);
    free(f);
    return 0;
}

static void test_status_body_and_request_shape(void **state)
{
    struct fixture *f = *state;
    struct srv *s = &f->s;
    s->canned = "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n"
                "Content-Length: 15\r\n\r\n{\"message\":\"x\"}";
    struct httpc *c = f->c;

    const char *hdrs[] = {"X-Test: 1", NULL};
    struct httpc_response resp = {0};
    assert_int_equal(httpc_request(c, "GET", "/v1/things?a=b", hdrs, NULL, 0, &resp), 0);
    assert_int_equal(resp.status, 404);
    assert_int_equal(resp.body_len, 15);
    assert_string_equal(resp.body, "{\"message\":\"x\"}");
    assert_string_equal(resp.content_type, "application/json");
    assert_non_null(strstr(s->last_req, "GET /v1/things?a=b HTTP/1.1\r\n"));
    assert_non_null(strstr(s->last_req, "\r\nX-Test: 1\r\n"));
    httpc_response_done(&resp);

    /* A body with its content type and length; a POST without body says Content-Length: 0. */
    const char *json[] = {"Content-Type: application/json", NULL};
    assert_int_equal(httpc_request(c, "PUT", "/x", json, "{\"k\":1}", 7, &resp), 0);
    assert_non_null(strstr(s->last_req, "PUT /x HTTP/1.1\r\n"));
    assert_non_null(strstr(s->last_req, "Content-Length: 7\r\n"));
    assert_non_null(strstr(s->last_req, "Content-Type: application/json\r\n"));
    assert_non_null(strstr(s->last_req, "\r\n\r\n{\"k\":1}"));
    httpc_response_done(&resp);
    assert_int_equal(httpc_request(c, "POST", "/start", NULL, NULL, 0, &resp), 0);
    assert_non_null(strstr(s->last_req, "POST /start HTTP/1.1\r\n"));
    assert_non_null(strstr(s->last_req, "Content-Length: 0\r\n"));
    assert_null(strcasestr(s->last_req, "x-www-form-urlencoded"));
    assert_null(strcasestr(s->last_req, "Expect:"));
    httpc_response_done(&resp);

    /* All three went over one kept-alive connection. */
    assert_int_equal(atomic_load(&s->accepts), 1);
}

/* What the server received for header name: the value, "" when it came empty, NULL when the
 * header did not arrive at all. */
static const char *srv_header(struct srv *s, const char *name, char *out, size_t size)
{
    char want[64];
    snprintf(want, sizeof(want), "\r\n%s:", name);
    const char *p = strcasestr(s->last_req, want);
    const char *end = strstr(s->last_req, "\r\n\r\n");
    if (!p || p > end)
        return NULL;
    p += strlen(want);
    p += strspn(p, " ");
    size_t len = strcspn(p, "\r");
    snprintf(out, size, "%.*s", (int)len, p);
    return out;
}

static void test_headers_sent_as_given(void **state)
{
    struct fixture *f = *state;
    struct srv *s = &f->s;
    s->canned = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    struct httpc *c = f->c;
    struct httpc_response resp = {0};
    char v[256];

    /* Pulls (the gateway's path) build their headers the same way. First, so that the
     * requests below reuse the pull's connection (the test server serves one at a time). */
    const char *empty_accept[] = {"Accept:", "X-Empty:", NULL};
    struct httpc_pull *p = NULL;
    assert_int_equal(httpc_pull_begin(c, "GET", "/p", empty_accept, NULL, 0, 2000, &p), 0);
    httpc_pull_end(p);
    assert_non_null(strstr(s->last_req, "GET /p HTTP/1.1\r\n"));
    assert_non_null(srv_header(s, "Accept", v, sizeof(v)));
    assert_string_equal(v, "");
    assert_non_null(srv_header(s, "X-Empty", v, sizeof(v)));
    assert_string_equal(v, "");
    /* Empty values are legal HTTP and arrive empty; curl would drop "Name:" lines. A tab
     * inside a value is legal too. */
    const char *hdrs[] = {"X-Empty:", "X-Blank: \t ", "Content-Type:", "X-Tab: a\tb", NULL};
    assert_int_equal(httpc_request(c, "POST", "/e", hdrs, "x", 1, &resp), 0);
    httpc_response_done(&resp);
    assert_non_null(srv_header(s, "X-Empty", v, sizeof(v)));
    assert_string_equal(v, "");
    assert_non_null(srv_header(s, "X-Blank", v, sizeof(v)));
    assert_string_equal(v, "");
    assert_non_null(srv_header(s, "X-Tab", v, sizeof(v)));
    assert_string_equal(v, "a\tb");
    /* An empty Content-Type stays empty: no invented form type. */
    assert_non_null(srv_header(s, "Content-Type", v, sizeof(v)));
    assert_string_equal(v, "");
    assert_null(strcasestr(s->last_req, "x-www-form-urlencoded"));

    /* curl invents no Accept; the caller's is sent as given. */
    assert_int_equal(httpc_request(c, "GET", "/a", NULL, NULL, 0, &resp), 0);
    httpc_response_done(&resp);
    assert_null(srv_header(s, "Accept", v, sizeof(v)));
    const char *accept[] = {"Accept: application/json", NULL};
    assert_int_equal(httpc_request(c, "GET", "/a", accept, NULL, 0, &resp), 0);
    httpc_response_done(&resp);
    assert_non_null(srv_header(s, "Accept", v, sizeof(v)));
    assert_string_equal(v, "application/json");
}

static void test_empty_body_is_empty_string(void **state)
{
    struct fixture *f = *state;
    struct srv *s = &f->s;
    s->canned = "HTTP/1.1 204 No Content\r\n\r\n";
    struct httpc *c = f->c;
    struct httpc_response resp = {0};
    assert_int_equal(httpc_request(c, "DELETE", "/things/1", NULL, NULL, 0, &resp), 0);
    assert_int_equal(resp.status, 204);
    assert_non_null(resp.body);
    assert_string_equal(resp.body, "");
    assert_null(resp.content_type);
    assert_non_null(strstr(s->last_req, "DELETE /things/1 HTTP/1.1\r\n"));
    httpc_response_done(&resp);
}

static void test_silent_server_times_out(void **state)
{
    struct fixture *f = *state;
    struct srv *s = &f->s;
    struct httpc *c = client_for(s, 300, 0);
    struct httpc_response resp = {.status = -7};
    assert_int_equal(httpc_request(c, "GET", "/slow", NULL, NULL, 0, &resp), -ETIMEDOUT);
    assert_int_equal(resp.status, -7); /* untouched */
    assert_non_null(strstr(httpc_last_error(c), "/slow"));
    httpc_free(c);
}

static void test_response_cap(void **state)
{
    struct fixture *f = *state;
    struct srv *s = &f->s;
    s->big_len = 100000;
    struct httpc *c = client_for(s, 0, 1000);
    struct httpc_response resp = {0};
    assert_int_equal(httpc_request(c, "GET", "/big", NULL, NULL, 0, &resp), -EMSGSIZE);
    assert_null(resp.body);
    httpc_free(c);

    c = client_for(s, 0, 100000);
    assert_int_equal(httpc_request(c, "GET", "/big", NULL, NULL, 0, &resp), 0);
    assert_int_equal(resp.body_len, 100000);
    assert_int_equal(resp.body[99999], 'x');
    httpc_response_done(&resp);
    httpc_free(c);
}

static void test_connection_refused(void **state)
{
    (void)state;
    struct srv fake = {.port = testlib_closed_port()};
    struct httpc *c = client_for(&fake, 0, 0);
    struct httpc_response resp = {0};
    assert_int_equal(httpc_request(c, "GET", "/", NULL, NULL, 0, &resp), -ECONNREFUSED);
    assert_true(strlen(httpc_last_error(c)) > 0);
    httpc_free(c);
}

static void test_unix_socket(void **state)
{
    (void)state;
    struct srv s;
    srv_start(&s, SRV_CANNED, true);
    s.canned = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    struct httpc_config cfg = {.unix_socket = s.path};
    struct httpc *c = NULL;
    assert_int_equal(httpc_new(&cfg, &c), 0);
    struct httpc_response resp = {0};
    assert_int_equal(httpc_request(c, "GET", "/_ping", NULL, NULL, 0, &resp), 0);
    assert_int_equal(resp.status, 200);
    assert_string_equal(resp.body, "ok");
    assert_non_null(strstr(s.last_req, "Host: localhost\r\n"));
    httpc_response_done(&resp);
    httpc_free(c);
    srv_stop(&s);

    /* The socket file is gone now. */
    assert_int_equal(httpc_new(&cfg, &c), 0);
    assert_int_equal(httpc_request(c, "GET", "/_ping", NULL, NULL, 0, &resp), -ECONNREFUSED);
    httpc_free(c);
}

static void test_rejects_injection_without_sending(void **state)
{
    struct fixture *f = *state;
    struct srv *s = &f->s;
    s->canned = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    struct httpc *c = f->c;
    struct httpc_response resp = {0};
    const char *bad_hdr[] = {"X-A: 1\r\nX-Injected: 2", NULL};
    const char *no_colon[] = {"X-A 1", NULL};
    assert_int_equal(httpc_request(c, "GET", "/", bad_hdr, NULL, 0, &resp), -EINVAL);
    assert_int_equal(httpc_request(c, "GET", "/", no_colon, NULL, 0, &resp), -EINVAL);
    /* Names are tokens ending at the colon; values carry no control byte but HTAB. A ';' in a
     * name would also change what curl makes of the line. */
    const char *const bad[] = {"X A: 1",     "X-A : 1",   " X-A: 1",  ": 1",
                               "X;A: 1",     "X;A",       "X\x01: 1", "X-A: a\033b",
                               "X-A: a\x7f", "X-A: \x01", "X-A: a\rb"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        const char *one[] = {bad[i], NULL};
        assert_int_equal(httpc_request(c, "GET", "/", one, NULL, 0, &resp), -EINVAL);
    }
    assert_int_equal(httpc_request(c, "GET", "relative", NULL, NULL, 0, &resp), -EINVAL);
    assert_int_equal(httpc_request(c, "GET", "/a b", NULL, NULL, 0, &resp), -EINVAL);
    assert_int_equal(httpc_request(c, "GET", "/a\r\nX: y", NULL, NULL, 0, &resp), -EINVAL);
    assert_int_equal(httpc_request(c, "GET X", "/", NULL, NULL, 0, &resp), -EINVAL);
    assert_int_equal(atomic_load(&s->accepts), 0);
    /* The client is still usable afterwards. */
    assert_int_equal(httpc_request(c, "GET", "/", NULL, NULL, 0, &resp), 0);
    assert_int_equal(resp.status, 200);
    httpc_response_done(&resp);
}

struct stream_state {
    long status;
    int n_headers_calls;
    char ctype[64];
    bool saw_custom;
    struct strbuf data;
    int data_result; /* what on_data returns once a full line arrived */
    bool stop_on_line;
    atomic_bool got_line;
    atomic_bool stop;
    int should_stop_calls;
};

static int st_on_headers(long status, const struct httpc_header *h, size_t n, void *ud)
{
    struct stream_state *st = ud;
    st->status = status;
    st->n_headers_calls++;
    for (size_t i = 0; i < n; i++) {
        if (strcasecmp(h[i].name, "Content-Type") == 0)
            snprintf(st->ctype, sizeof(st->ctype), "%s", h[i].value);
        if (strcasecmp(h[i].name, "X-Stream") == 0 && strcmp(h[i].value, "yes") == 0)
            st->saw_custom = true;
    }
    return 0;
}

static int st_on_data(const char *data, size_t len, void *ud)
{
    struct stream_state *st = ud;
    assert_int_equal(strbuf_append(&st->data, data, len), 0);
    if (strchr(strbuf_str(&st->data), '\n')) {
        atomic_store(&st->got_line, true);
        if (st->stop_on_line)
            atomic_store(&st->stop, true);
        return st->data_result;
    }
    return 0;
}

static bool st_should_stop(void *ud)
{
    struct stream_state *st = ud;
    st->should_stop_calls++;
    return atomic_load(&st->stop);
}

static const struct httpc_stream_callbacks st_cb = {st_on_headers, st_on_data, st_should_stop};

/* Asks the stream to stop a while after its line arrived, when the connection is idle. */
static void *st_stopper(void *ud)
{
    struct stream_state *st = ud;
    while (!atomic_load(&st->got_line))
        usleep(10 * 1000);
    usleep(300 * 1000);
    atomic_store(&st->stop, true);
    return NULL;
}

static void test_stream_idle_is_cancelled(void **state)
{
    struct fixture *f = *state;
    struct srv *s = &f->s;
    struct httpc *c = client_for(s, 100, 0);
    struct stream_state st = {0};
    pthread_t stopper;
    assert_int_equal(pthread_create(&stopper, NULL, st_stopper, &st), 0);
    /* The server goes quiet after one line and the stream has no timeout (the client's 100 ms
     * request timeout does not apply): only the polled should_stop can end this transfer. */
    assert_int_equal(httpc_stream(c, "GET", "/events", NULL, NULL, 0, 0, &st_cb, &st), 0);
    pthread_join(stopper, NULL);
    assert_int_equal(st.status, 200);
    assert_int_equal(st.n_headers_calls, 1);
    assert_string_equal(st.ctype, "application/x-ndjson");
    assert_true(st.saw_custom);
    assert_string_equal(strbuf_str(&st.data), "{\"a\":1}\n");
    assert_true(st.should_stop_calls > 0);
    strbuf_done(&st.data);
    httpc_free(c);
}

static void test_stream_callback_ends_transfer(void **state)
{
    struct fixture *f = *state;
    struct httpc *c = f->c;
    static const struct httpc_stream_callbacks no_poll = {st_on_headers, st_on_data, NULL};

    struct stream_state st = {.data_result = 1, .stop_on_line = true};
    assert_int_equal(httpc_stream(c, "GET", "/e", NULL, NULL, 0, 0, &no_poll, &st), 0);
    assert_string_equal(strbuf_str(&st.data), "{\"a\":1}\n");
    strbuf_done(&st.data);

    struct stream_state st2 = {.data_result = -ECANCELED};
    assert_int_equal(httpc_stream(c, "GET", "/e", NULL, NULL, 0, 0, &no_poll, &st2), -ECANCELED);
    strbuf_done(&st2.data);

    /* With a stream timeout and nothing else to end it, the idle stream times out. */
    struct stream_state st3 = {.data_result = 0};
    assert_int_equal(httpc_stream(c, "GET", "/e", NULL, NULL, 0, 300, &no_poll, &st3), -ETIMEDOUT);
    assert_string_equal(strbuf_str(&st3.data), "{\"a\":1}\n");
    strbuf_done(&st3.data);
}

static void test_stream_complete_response(void **state)
{
    struct fixture *f = *state;
    struct srv *s = &f->s;
    s->canned =
        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 502 Bad Gateway\r\nContent-Type: text/plain\r\n"
        "Content-Length: 5\r\n\r\nnope\n";
    struct httpc *c = f->c;
    struct stream_state st = {0};
    assert_int_equal(httpc_stream(c, "POST", "/p", NULL, "abc", 3, 2000, &st_cb, &st), 0);
    assert_int_equal(st.n_headers_calls, 1); /* not for the 100 */
    assert_int_equal(st.status, 502);
    assert_string_equal(st.ctype, "text/plain");
    assert_string_equal(strbuf_str(&st.data), "nope\n");
    assert_non_null(strstr(s->last_req, "\r\n\r\nabc"));
    strbuf_done(&st.data);
}

/* Lets the SRV_PIECES server send its next piece. */
static void srv_go(struct srv *s)
{
    assert_int_equal(write(s->go_pipe[1], "g", 1), 1);
}

/* Reads the rest of a pull's body into sb until the end (0) or an error, which it returns. */
static ssize_t pull_drain(struct httpc_pull *p, struct strbuf *sb, size_t chunk)
{
    char buf[16384];
    for (;;) {
        ssize_t n = httpc_pull_read(p, buf, chunk < sizeof(buf) ? chunk : sizeof(buf));
        if (n <= 0)
            return n;
        assert_int_equal(strbuf_append(sb, buf, (size_t)n), 0);
    }
}

static void test_pull_headers_then_pieces(void **state)
{
    struct fixture *f = *state;
    struct srv *s = &f->s;
    struct httpc *c = f->c;
    struct httpc_pull *p = NULL;
    assert_int_equal(httpc_pull_begin(c, "GET", "/pieces", NULL, NULL, 0, 2000, &p), 0);

    /* Status and headers are there while the server has not sent a byte of body. */
    assert_int_equal(httpc_pull_status(p), 200);
    assert_int_equal(httpc_pull_content_length(p), 19);
    size_t n = 0;
    const struct httpc_header *h = httpc_pull_headers(p, &n);
    bool seen = false;
    for (size_t i = 0; i < n; i++)
        seen = seen || (strcasecmp(h[i].name, "X-Piece") == 0 && strcmp(h[i].value, "yes") == 0);
    assert_true(seen);
    assert_false(httpc_pull_finished(p));
    assert_int_equal(httpc_pull_buffered(p), 0);
    struct httpc_pull *second = NULL;
    assert_int_equal(httpc_pull_begin(c, "GET", "/", NULL, NULL, 0, 100, &second), -EBUSY);
    struct httpc_response busy = {0};
    assert_int_equal(httpc_request(c, "GET", "/", NULL, NULL, 0, &busy), -EBUSY);

    /* Nothing yet: the read gives up after its timeout, and the transfer goes on. */
    char buf[64];
    httpc_pull_set_timeout(p, 200);
    assert_int_equal(httpc_pull_read(p, buf, sizeof(buf)), -ETIMEDOUT);
    httpc_pull_set_timeout(p, 2000);
    srv_go(s);
    assert_int_equal(httpc_pull_read(p, buf, sizeof(buf)), 6);
    assert_memory_equal(buf, "hello ", 6);
    srv_go(s);
    assert_int_equal(httpc_pull_read(p, buf, 3), 3);
    assert_memory_equal(buf, "pul", 3);
    srv_go(s);
    struct strbuf rest = STRBUF_INIT;
    assert_int_equal(pull_drain(p, &rest, 64), 0);
    assert_string_equal(strbuf_str(&rest), "led world\n");
    assert_true(httpc_pull_finished(p));
    assert_int_equal(httpc_pull_read(p, buf, sizeof(buf)), 0); /* the end stays the end */
    httpc_pull_end(p);
    strbuf_done(&rest);
}

static void *fire_soon(void *arg)
{
    time_sleep_ms(100);
    stopper_fire(arg);
    return NULL;
}

static void test_pull_read_is_cancelled_by_its_fd(void **state)
{
    struct fixture *f = *state;
    struct srv *s = &f->s;
    struct httpc *c = f->c;
    struct httpc_pull *p = NULL;
    assert_int_equal(httpc_pull_begin(c, "GET", "/pieces", NULL, NULL, 0, 2000, &p), 0);
    struct stopper *stop = NULL;
    assert_int_equal(stopper_new(&stop), 0);
    httpc_pull_set_cancel_fd(p, stopper_fd(stop));

    /* A read waiting on a silent upstream wakes when the fd turns readable, not after its
     * 60 s timeout. */
    httpc_pull_set_timeout(p, 60000);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, fire_soon, stop), 0);
    int64_t start = time_mono_ms();
    char buf[64];
    assert_int_equal(httpc_pull_read(p, buf, sizeof(buf)), -ECANCELED);
    assert_true(time_mono_ms() - start < 30000);
    pthread_join(t, NULL);
    assert_non_null(strstr(httpc_last_error(c), "cancelled"));
    /* It stays readable: the next wait is cut at once too. */
    assert_int_equal(httpc_pull_read(p, buf, sizeof(buf)), -ECANCELED);

    /* The transfer went on: without the fd, reading carries on where it was. */
    httpc_pull_set_cancel_fd(p, -1);
    httpc_pull_set_timeout(p, 2000);
    srv_go(s);
    assert_int_equal(httpc_pull_read(p, buf, sizeof(buf)), 6);
    assert_memory_equal(buf, "hello ", 6);
    srv_go(s);
    srv_go(s);
    struct strbuf rest = STRBUF_INIT;
    assert_int_equal(pull_drain(p, &rest, 64), 0);
    assert_string_equal(strbuf_str(&rest), "pulled world\n");
    strbuf_done(&rest);
    httpc_pull_end(p);
    stopper_free(stop);
}

static void test_pull_request_shape_and_keepalive(void **state)
{
    struct fixture *f = *state;
    struct srv *s = &f->s;
    s->canned = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Type: text/plain\r\n"
                "Content-Length: 5\r\n\r\nmade\n";
    struct httpc *c = f->c;
    const char *hdrs[] = {"X-Test: pull", NULL};
    for (int i = 0; i < 3; i++) {
        char body[16];
        snprintf(body, sizeof(body), "abc%d", i);
        struct httpc_pull *p = NULL;
        assert_int_equal(httpc_pull_begin(c, "POST", "/p?x=1", hdrs, body, 4, 2000, &p), 0);
        /* The body was copied: the caller's buffer may change at once. */
        memset(body, 0, sizeof(body));
        assert_int_equal(httpc_pull_status(p), 201);
        struct strbuf got = STRBUF_INIT;
        assert_int_equal(pull_drain(p, &got, 2), 0);
        assert_string_equal(strbuf_str(&got), "made\n");
        strbuf_done(&got);
        httpc_pull_end(p);
        char want[32];
        snprintf(want, sizeof(want), "\r\n\r\nabc%d", i);
        assert_non_null(strstr(s->last_req, "POST /p?x=1 HTTP/1.1\r\n"));
        assert_non_null(strstr(s->last_req, "\r\nX-Test: pull\r\n"));
        assert_non_null(strstr(s->last_req, want));
        assert_null(strcasestr(s->last_req, "Expect:"));
    }
    /* Complete pulls leave their connection for the next one. */
    assert_int_equal(atomic_load(&s->accepts), 1);
    /* A buffered request on the same client goes over that connection too. */
    struct httpc_response resp = {0};
    assert_int_equal(httpc_request(c, "GET", "/after", NULL, NULL, 0, &resp), 0);
    assert_int_equal(resp.status, 201);
    assert_string_equal(resp.body, "made\n");
    assert_int_equal(atomic_load(&s->accepts), 1);
    httpc_response_done(&resp);
}

static void test_pull_abort_then_reuse(void **state)
{
    struct fixture *f = *state;
    struct srv *s = &f->s;
    s->big_len = 4 << 20;
    struct httpc *c = f->c;
    struct httpc_pull *p = NULL;
    assert_int_equal(httpc_pull_begin(c, "GET", "/big", NULL, NULL, 0, 2000, &p), 0);
    assert_int_equal(httpc_pull_content_length(p), 4 << 20);
    /* A slow reader: the buffer never holds more than the cap, the rest waits upstream. */
    char buf[1000];
    size_t total = 0;
    while (total < (1 << 20)) {
        ssize_t n = httpc_pull_read(p, buf, sizeof(buf));
        assert_true(n > 0);
        assert_int_equal(buf[0], 'x');
        total += (size_t)n;
        assert_true(httpc_pull_buffered(p) <= HTTPC_PULL_BUFFER_MAX);
    }
    assert_false(httpc_pull_finished(p));
    httpc_pull_end(p); /* aborted half-way */

    /* The client is usable at once, on a new connection, and reads a whole body intact. */
    assert_int_equal(httpc_pull_begin(c, "GET", "/big", NULL, NULL, 0, 2000, &p), 0);
    assert_int_equal(httpc_pull_status(p), 200);
    struct strbuf all = STRBUF_INIT;
    assert_int_equal(pull_drain(p, &all, 16384), 0);
    assert_int_equal(all.len, 4 << 20);
    assert_int_equal(strspn(strbuf_str(&all), "x"), 4 << 20);
    strbuf_done(&all);
    httpc_pull_end(p);
    assert_int_equal(atomic_load(&s->accepts), 2);
}

static void test_pull_failures(void **state)
{
    (void)state;
    struct httpc_pull *p = NULL;

    /* Headers that never come: -ETIMEDOUT after the begin timeout, *ret untouched. */
    struct srv s;
    srv_start(&s, SRV_SILENT, false);
    struct httpc *c = client_for(&s, 0, 0);
    assert_int_equal(httpc_pull_begin(c, "GET", "/slow", NULL, NULL, 0, 300, &p), -ETIMEDOUT);
    assert_null(p);
    assert_non_null(strstr(httpc_last_error(c), "/slow"));
    httpc_free(c);
    srv_stop(&s);

    /* A peer that closes without answering, and one that cuts its body short. */
    srv_start(&s, SRV_CLOSE, false);
    s.canned = "";
    c = client_for(&s, 0, 0);
    assert_int_equal(httpc_pull_begin(c, "GET", "/", NULL, NULL, 0, 2000, &p), -EIO);
    assert_null(p);
    s.canned = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten..";
    assert_int_equal(httpc_pull_begin(c, "GET", "/", NULL, NULL, 0, 2000, &p), 0);
    struct strbuf got = STRBUF_INIT;
    assert_int_equal(pull_drain(p, &got, 64), -EIO);
    assert_string_equal(strbuf_str(&got), "only ten..");
    char b[8];
    assert_int_equal(httpc_pull_read(p, b, sizeof(b)), -EIO); /* sticky */
    strbuf_done(&got);
    httpc_pull_end(p);
    p = NULL;
    assert_int_equal(httpc_pull_begin(c, "GET", "bad", NULL, NULL, 0, 2000, &p), -EINVAL);
    httpc_free(c);
    srv_stop(&s);

    /* Nothing listening. */
    struct srv fake = {.port = testlib_closed_port()};
    c = client_for(&fake, 0, 0);
    assert_int_equal(httpc_pull_begin(c, "GET", "/", NULL, NULL, 0, 2000, &p), -ECONNREFUSED);
    assert_null(p);
    httpc_free(c);
}

static void test_url_escape(void **state)
{
    (void)state;
    struct strbuf sb = STRBUF_INIT;
    assert_int_equal(httpc_url_escape(&sb, "{\"label\":[\"a=b c\"]}/~x-y_z.1"), 0);
    assert_string_equal(strbuf_str(&sb), "%7B%22label%22%3A%5B%22a%3Db%20c%22%5D%7D%2F~x-y_z.1");
    strbuf_done(&sb);
    sb.max = 4;
    assert_int_equal(httpc_url_escape(&sb, "ab/"), -E2BIG);
    strbuf_done(&sb);
}

/* SIGPIPE is the application's policy (lib/core/signals.h): making clients must not change it. */
static void test_new_leaves_sigpipe_alone(void **state)
{
    (void)state;
    struct sigaction sa;
    assert_int_equal(sigaction(SIGPIPE, NULL, &sa), 0);
    assert_ptr_equal(sa.sa_handler, SIG_DFL);
    struct httpc_config cfg = {.base_url = "http://127.0.0.1:1"};
    struct httpc *c = NULL;
    assert_int_equal(httpc_new(&cfg, &c), 0);
    httpc_free(c);
    assert_int_equal(sigaction(SIGPIPE, NULL, &sa), 0);
    assert_ptr_equal(sa.sa_handler, SIG_DFL);
}

static void test_new_rejects_bad_config(void **state)
{
    (void)state;
    struct httpc *c = NULL;
    struct httpc_config none = {0};
    struct httpc_config ctl = {.base_url = "http://x\r\n"};
    assert_int_equal(httpc_new(&none, &c), -EINVAL);
    assert_int_equal(httpc_new(&ctl, &c), -EINVAL);
    assert_null(c);
    httpc_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_status_body_and_request_shape, setup_canned, teardown),
        cmocka_unit_test_setup_teardown(test_headers_sent_as_given, setup_canned, teardown),
        cmocka_unit_test_setup_teardown(test_empty_body_is_empty_string, setup_canned, teardown),
        cmocka_unit_test_setup_teardown(test_silent_server_times_out, setup_silent, teardown),
        cmocka_unit_test_setup_teardown(test_response_cap, setup_big, teardown),
        cmocka_unit_test(test_connection_refused),
        cmocka_unit_test(test_unix_socket),
        cmocka_unit_test_setup_teardown(test_rejects_injection_without_sending, setup_canned,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_stream_idle_is_cancelled, setup_stream, teardown),
        cmocka_unit_test_setup_teardown(test_stream_callback_ends_transfer, setup_stream, teardown),
        cmocka_unit_test_setup_teardown(test_stream_complete_response, setup_canned, teardown),
        cmocka_unit_test_setup_teardown(test_pull_headers_then_pieces, setup_pieces, teardown),
        cmocka_unit_test_setup_teardown(test_pull_read_is_cancelled_by_its_fd, setup_pieces,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_pull_request_shape_and_keepalive, setup_canned,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_pull_abort_then_reuse, setup_big, teardown),
        cmocka_unit_test(test_pull_failures),
        cmocka_unit_test(test_url_escape),
        cmocka_unit_test(test_new_leaves_sigpipe_alone),
        cmocka_unit_test(test_new_rejects_bad_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
