/* pop-probe: the healthcheck of the service images, which have no shell. `pop-probe PORT PATH`
 * exits 0 when GET PATH on 127.0.0.1:PORT answers 2xx; `pop-probe PORT` when a TCP connection
 * to it succeeds. Anything else (refused, timeout, other status) exits 1 with one line. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static int fail(const char *what)
{
    fprintf(stderr, "pop-probe: %s: %s\n", what, errno ? strerror(errno) : "failed");
    return 1;
}

static int connect_port(long port)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
    struct timeval tv = {.tv_sec = 3};
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    if (fd < 0)
        return -1;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

int main(int argc, char **argv)
{
    char req[512], head[16] = {0};
    char *end = NULL;
    long port;
    size_t got = 0;
    int fd, n;

    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: pop-probe PORT [PATH]\n");
        return 2;
    }
    port = strtol(argv[1], &end, 10);
    if (*argv[1] == '\0' || *end != '\0' || port < 1 || port > 65535) {
        fprintf(stderr, "pop-probe: bad port '%s'\n", argv[1]);
        return 2;
    }
    fd = connect_port(port);
    if (fd < 0)
        return fail("connect");
    if (argc == 2) {
        close(fd);
        return 0;
    }
    n = snprintf(req, sizeof(req), "GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n", argv[2]);
    if (n < 0 || (size_t)n >= sizeof(req) || write(fd, req, (size_t)n) != n) {
        close(fd);
        return fail("request");
    }
    /* "HTTP/1.x 2" is all that matters: the first 10 bytes. */
    while (got < 10) {
        ssize_t r = read(fd, head + got, 10 - got);
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    if (got < 10 || strncmp(head, "HTTP/1.", 7) != 0 || head[9] != '2') {
        errno = 0;
        fprintf(stderr, "pop-probe: GET %s: answered '%.12s'\n", argv[2], head);
        return 1;
    }
    return 0;
}
