/* One start-up for every daemon: flags, named subcommands, configuration (table, file, then
 * environment), log level, signal policy, the ready line, waiting for SIGTERM/SIGINT, the
 * drain and the exit status. A service declares a struct service_def and its main is
 * `return service_main(&def, argc, argv);`. */
#pragma once

#include <stddef.h>
#include <stdio.h>

#include "core/config.h"
#include "core/error.h"

/* Exit statuses of service_main (and what a subcommand should return). */
#define SERVICE_EXIT_OK 0      /* served and stopped cleanly on SIGTERM/SIGINT; help printed */
#define SERVICE_EXIT_FAILURE 1 /* bad configuration or start-up failed; the message is logged */
#define SERVICE_EXIT_USAGE 2   /* unknown flag or command, missing argument */

#define SERVICE_READY_MAX 256
#define SERVICE_NAME_MAX 64 /* longest env_prefix plus "VERBOSE" */

struct service_def;

/* A named subcommand: `popd-rest init FILE`. It runs instead of the service, with the default
 * signal handling (Ctrl-C ends it) and SIGPIPE ignored; no configuration is loaded for it. */
struct service_cmd {
    const char *name; /* "init" */
    const char *args; /* its arguments for the usage text, "[FILE]"; NULL = none */
    const char *help; /* one line */
    /* argv[0] is the command's name. Returns an exit status (SERVICE_EXIT_*). */
    int (*run)(const struct service_def *def, int argc, char **argv);
};

/* What start hands back when the service is up. */
struct service_started {
    void *state;                      /* given to stop; the service's own */
    char ready_on[SERVICE_READY_MAX]; /* the text after "ready on" in the ready line */
};

struct service_def {
    const char *name;       /* the program: "popd-rest"; in usage, messages and the ready line */
    const char *version;    /* after the name in the ready line; NULL = none */
    const char *summary;    /* what serving does, one line for the usage text */
    const char *env_prefix; /* "POPD_": <prefix>VERBOSE is added to the table (see below) */
    const struct config_field *fields; /* the service's settings, on a struct of cfg_size */
    size_t n_fields;
    size_t cfg_size;
    /* Rules across settings, run after loading: 0, or a negative errno after writing a
     * message naming the variables into why. NULL = none. */
    int (*check_config)(const void *cfg, char *why, size_t n);
    const struct service_cmd *cmds;
    size_t n_cmds;
    /* Brings the service up: threads, listeners. cfg is the loaded config; start may move
     * string members out of it (leaving NULL), service_main frees what is left after stop,
     * so state may also borrow from it. On failure returns a negative errno with err filled
     * (its detail is logged as "start-up: <detail>"), having undone everything itself. */
    int (*start)(void *cfg, struct service_started *ret, struct pop_error *err);
    /* After SIGTERM/SIGINT: stop accepting, drain in-flight work, join, free state. */
    void (*stop)(void *state);
};

/* Runs the program:
 *   name [-verbose] [-config FILE]   serve: load, log the effective config (secrets
 *                                    redacted), start, log "<name> [<version> ]ready on
 *                                    <ready_on>", wait for SIGTERM/SIGINT, stop; exit 0
 *   name CMD ARGS...                 run a subcommand; its status
 *   name -h | --help                 usage with every setting and its default; exit 0
 * `--verbose` and `--config` are accepted too. Debug logging is on when -verbose is given
 * (from the start, so loading is logged at debug) or when <prefix>VERBOSE is true in the file
 * or the environment (from right after loading, so the effective config and all of start-up
 * are logged at debug); either turns it on, neither can turn the other off. Termination
 * signals are blocked in every thread before start (signals_block_termination) and waited
 * for here. Returns the exit status: SERVICE_EXIT_OK, _FAILURE (configuration or start-up,
 * message logged) or _USAGE (message and usage on stderr). */
int service_main(const struct service_def *def, int argc, char **argv);

/* Writes the usage text (commands, flags, every setting with its default and help) to f. */
void service_usage(const struct service_def *def, FILE *f);

/* For an `init` command: creates path (mode 0600; -EEXIST if it exists, never overwritten)
 * holding the commented template of every setting, <prefix>VERBOSE included; overrides as in
 * config_write_template. Returns 0 or a negative errno. */
int service_write_config(const struct service_def *def, const char *path,
                         const char *const *overrides);
