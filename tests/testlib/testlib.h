/* Shared fixtures for the cmocka unit tests (linked into every one by pop_unit_test):
 * temporary directories, environment scrubbing, capture of what code writes to stdout or
 * stderr, loopback ports, and a raw-socket exchange for hostile-client tests. HTTP helpers
 * are in testlib_http.h. A helper that cannot do its job fails the running test (cmocka's
 * fail_msg), so callers check nothing and a test reads as its assertions. Include after
 * <cmocka.h> and its prerequisites. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- temporary directories ---- */

/* Creates a fresh private (0700) directory /tmp/<prefix>.XXXXXX and returns its path
 * (malloc'ed; free it with testlib_tmpdir_free). */
char *testlib_tmpdir_new(const char *prefix);

/* Removes dir and everything below it (without following symbolic links), then frees the
 * string. Accepts NULL. Fails the test when something cannot be removed. Call it from the
 * test's own thread (nftw gives no user data: the first failure is kept in a static). */
void testlib_tmpdir_free(char *dir);

/* ---- environment ---- */

/* Unsets every environment variable whose name starts with prefix (e.g. "POPD_"), so a test
 * sees only the settings it makes itself. Returns how many were unset. */
size_t testlib_env_clear(const char *prefix);

/* ---- capture of stdout / stderr ---- */

struct testlib_capture {
    int fd;    /* the descriptor captured (STDOUT_FILENO or STDERR_FILENO) */
    int saved; /* a copy of it, put back by testlib_capture_end */
    int file;  /* the unlinked temporary file it writes to meanwhile */
};

/* Sends everything written to fd (after flushing stdio) into a temporary file until
 * testlib_capture_end. Captures nest only for different descriptors. */
void testlib_capture_begin(struct testlib_capture *c, int fd);

/* Puts fd back and returns what was written meanwhile, NUL-terminated (malloc'ed). */
char *testlib_capture_end(struct testlib_capture *c);

/* ---- loopback TCP ---- */

/* A port on 127.0.0.1 that nothing listens on: bound, read back and closed again. */
uint16_t testlib_closed_port(void);

/* A connected TCP socket to 127.0.0.1:port (the caller closes it). */
int testlib_connect(uint16_t port);

/* ---- raw exchange, for requests no client library would send ---- */

struct testlib_exchange {
    char reply[8192];   /* what the server sent (NUL-terminated; cut at the buffer's size) */
    size_t len;         /* bytes in reply */
    bool closed;        /* the server closed the connection */
    int64_t elapsed_ms; /* from the send until closed, or until the wait ran out */
};

/* Connects to 127.0.0.1:port, sends len raw bytes, then reads until the server closes the
 * connection or wait_ms pass. */
void testlib_exchange(uint16_t port, const char *raw, size_t len, int64_t wait_ms,
                      struct testlib_exchange *ret);
