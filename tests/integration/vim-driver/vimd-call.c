/* Test-only entry to the driver core: one plugin call (or the same call on several threads at
 * once) through vimd_handle_message, the path the AMQP side takes, printing each reply
 * envelope on its own line. Configuration from VIMD_* like the driver.
 *
 *   vimd-call [-n THREADS] METHOD [PARAMS]   PARAMS: a JSON array (stdin when absent or "-")
 *   vimd-call -m                             a whole plugin message on stdin
 *
 * Exit status: 0 every reply is an answer, 3 some reply is an exception, 2 usage, 1 set-up. */
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "core/log.h"
#include "core/parse.h"
#include "core/signals.h"
#include "core/strbuf.h"
#include "vimd.h"

#define THREADS_MAX 32
#define INPUT_MAX (8u << 20)

struct job {
    struct vimd *d;
    const char *msg;
    size_t len;
    char *reply; /* the envelope, compact JSON */
    bool exception;
};

static void *run(void *arg)
{
    struct job *j = arg;
    json_t *env = vimd_handle_message(j->d, j->msg, j->len, NULL);
    if (env) {
        j->exception = json_object_get(env, "exception") != NULL;
        j->reply = json_dumps(env, JSON_COMPACT);
        json_decref(env);
    }
    return NULL;
}

static int read_all(FILE *f, struct strbuf *out)
{
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        if (strbuf_append(out, buf, n) < 0)
            return -E2BIG;
    return ferror(f) ? -EIO : 0;
}

static int usage(void)
{
    fprintf(stderr, "usage: vimd-call [-n THREADS] METHOD [PARAMS|-]\n"
                    "       vimd-call -m   (a whole plugin message on stdin)\n");
    return 2;
}

int main(int argc, char **argv)
{
    int64_t threads = 1;
    bool whole = false;
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        if (strcmp(argv[i], "-m") == 0)
            whole = true;
        else if (strcmp(argv[i], "-n") == 0 && i + 1 < argc &&
                 parse_int64(argv[i + 1], 1, THREADS_MAX, &threads) == 0)
            i++;
        else
            return usage();
    }
    if (whole ? i != argc : (i != argc - 1 && i != argc - 2))
        return usage();

    struct strbuf msg = {.max = INPUT_MAX};
    if (whole) {
        if (read_all(stdin, &msg) < 0) {
            fprintf(stderr, "vimd-call: cannot read the message\n");
            return 1;
        }
    } else {
        /* The message text is built around the parameters as given, so they go through the
         * driver's own request parser. */
        json_t *name = json_string(argv[i]);
        char *quoted = name ? json_dumps(name, JSON_ENCODE_ANY) : NULL;
        json_decref(name);
        int r = quoted ? strbuf_printf(&msg, "{\"methodName\":%s,\"parameters\":", quoted) : -1;
        free(quoted);
        if (r == 0 && i + 1 < argc && strcmp(argv[i + 1], "-") != 0)
            r = strbuf_puts(&msg, argv[i + 1]);
        else if (r == 0)
            r = read_all(stdin, &msg);
        if (r < 0 || strbuf_puts(&msg, "}") < 0) {
            fprintf(stderr, "vimd-call: cannot build the message\n");
            return 1;
        }
    }

    signals_ignore_sigpipe();
    log_set_level(LOG_WARN);
    struct vimd_config cfg = {0};
    char why[512];
    if (vimd_config_load(&cfg, NULL, why, sizeof(why)) < 0) {
        fprintf(stderr, "vimd-call: %s\n", why);
        vimd_config_done(&cfg);
        strbuf_done(&msg);
        return 1;
    }
    struct vimd_options o;
    vimd_config_options(&cfg, &o);
    struct vimd *d = NULL;
    struct pop_error err = POP_ERROR_INIT;
    if (vimd_new(&o, &d, &err) < 0) {
        fprintf(stderr, "vimd-call: %s\n", err.detail);
        vimd_config_done(&cfg);
        strbuf_done(&msg);
        return 1;
    }

    struct job jobs[THREADS_MAX];
    pthread_t tids[THREADS_MAX];
    int64_t started = 0;
    for (; started < threads; started++) {
        jobs[started] = (struct job){.d = d, .msg = strbuf_str(&msg), .len = msg.len};
        if (pthread_create(&tids[started], NULL, run, &jobs[started]) != 0)
            break;
    }
    int status = started == threads ? 0 : 1;
    for (int64_t t = 0; t < started; t++) {
        pthread_join(tids[t], NULL);
        if (!jobs[t].reply) {
            status = 1;
            continue;
        }
        printf("%s\n", jobs[t].reply);
        if (jobs[t].exception && status == 0)
            status = 3;
        free(jobs[t].reply);
    }
    vimd_free(d);
    vimd_config_done(&cfg);
    strbuf_done(&msg);
    return status;
}
