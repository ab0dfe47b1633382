/* The pop CLI's command table, shared state and the helpers every command uses to call the Pop,
 * print results and report errors with the right exit status. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/strbuf.h"
#include "nfvoc.h"
#include "session.h"

#define CLI_EXIT_OK 0
#define CLI_EXIT_API 1          /* the Pop refused, or could not be reached */
#define CLI_EXIT_USAGE 2        /* bad command line or configuration */
#define CLI_EXIT_WAIT_ERROR 3   /* --wait: the NS went to ERROR */
#define CLI_EXIT_WAIT_TIMEOUT 4 /* --wait: not there within --timeout */

#define CLI_DEFAULT_URL "http://127.0.0.1:8080"
#define CLI_MAX_ARGS 256 /* arguments of one command */

enum cli_output { CLI_OUTPUT_YAML, CLI_OUTPUT_JSON };

struct cli_command;

struct cli {
    enum cli_output output;
    struct session *session;
    struct nfvoc *nfvo;            /* made by cli_nfvo on first use */
    const char *project;           /* pop nfvo login --project */
    const struct cli_command *cmd; /* the command being run, for its usage */
};

/* One command: name is one or two words ("servers", "md get"). run gets the arguments after
 * the name and returns an exit status. */
struct cli_command {
    const char *name;
    const char *args;    /* synopsis of the arguments, "" if none */
    const char *summary; /* one line */
    const char *help;    /* more lines, or NULL */
    int (*run)(struct cli *cli, int argc, char **argv);
};

/* Prints "usage: pop NAME ARGS" with the summary and help of cmd to f. */
void cli_print_usage(const struct cli_command *cmd, FILE *f);

/* Prints "pop: <message>" and the current command's usage to stderr; returns CLI_EXIT_USAGE. */
int cli_usage_error(struct cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* session_call that prints "pop: <error>" on failure. Returns 0 with *ret as session_call, or
 * the exit status to return (CLI_EXIT_USAGE when POP_AUTH is missing, else CLI_EXIT_API). */
int cli_call(struct cli *cli, const char *method, const char *path, const json_t *body,
             json_t **ret);

/* Prints a session failure (r from a session_* call) and returns the exit status for it. */
int cli_fail(struct cli *cli, int r);

/* Prints yaml_doc as YAML, or json_doc as indented JSON with -o json (either may be the same
 * document; both borrowed). Returns CLI_EXIT_OK, or CLI_EXIT_API when stdout fails. */
int cli_print(struct cli *cli, const json_t *yaml_doc, const json_t *json_doc);

/* Builds prefix + percent-escaped ref + suffix (suffix may be NULL) into a fresh strbuf.
 * Returns 0 or -ENOMEM. */
int cli_ref_path(struct strbuf *sb, const char *prefix, const char *ref, const char *suffix);

/* An ISO-8601 UTC time string ("2024-05-01T10:00:00Z") for Unix seconds, or JSON null for 0.
 * Returns a new reference (NULL on allocation failure). */
json_t *cli_time(int64_t t);

/* Sets key to a copy of s ("" when s is NULL). Returns 0 or -ENOMEM. */
int cli_set_string(json_t *obj, const char *key, const char *s);

/* Checks a NAME argument: non-empty and not an option. Prints the usage error when it is not
 * and returns CLI_EXIT_USAGE, else 0. */
int cli_check_name(struct cli *cli, const char *what, const char *arg);

/* pop COMMAND NAME: checks that argv is exactly one NAME ("a WHAT NAME is required",
 * "unexpected argument", cli_check_name), then cli_call(method, prefix + escaped NAME + suffix)
 * (suffix may be NULL). Returns 0 with *ret as cli_call, or the exit status to return (usage
 * and call errors printed; CLI_EXIT_API without a message when the path cannot be allocated). */
int cli_call_one(struct cli *cli, int argc, char **argv, const char *what, const char *method,
                 const char *prefix, const char *suffix, json_t **ret);

/* pop rm, pop network rm: DELETE prefix + NAME (argv checked as by cli_call_one) and print
 * "removed: NAME". Returns the exit status. */
int cli_rm_one(struct cli *cli, int argc, char **argv, const char *what, const char *prefix);

/* GETs path and prints the items of its "list" turned by view() (YAML), or the document as is
 * with -o json. view returns a new reference or NULL on allocation failure. Returns the exit
 * status. */
int cli_list(struct cli *cli, const char *path, json_t *(*view)(const json_t *item));

/* Splits the argument "key=value" at the first '='; *ret_key is a malloc'ed copy, *ret_value
 * points into arg. Returns 0, or the exit status to return: CLI_EXIT_USAGE after printing
 * "expected SHAPE, got 'ARG'" (no '=' or empty key), CLI_EXIT_API on allocation failure. */
int cli_kv_arg(struct cli *cli, const char *arg, const char *shape, char **ret_key,
               const char **ret_value);

/* ---- options of a command (opts.c) ---- */

/* One option: "--name VALUE" or "--name=VALUE" sets *value; a flag (value NULL) sets *flag. */
struct cli_opt {
    const char *name; /* "--wait" */
    const char **value;
    bool *flag;
};

/* Splits argv into the options of opts (the last of a repeated one wins) and at most maxpos
 * positional arguments, into pos (*npos of them). Returns 0, or CLI_EXIT_USAGE after printing
 * an unknown option, a missing value or an unexpected argument. */
int cli_opts(struct cli *cli, int argc, char **argv, const struct cli_opt *opts, size_t nopts,
             char **pos, int maxpos, int *npos);

/* Parses --timeout SECONDS (1..86400) into *ret; NULL keeps *ret. Returns 0 or CLI_EXIT_USAGE
 * (printed). */
int cli_opt_seconds(struct cli *cli, const char *name, const char *value, int *ret);

/* ---- the NFVO (nfvo_cli.c) ---- */

#define CLI_WAIT_DEFAULT_S 300
#define CLI_WAIT_POLL_MS 250

/* The NFVO client of this run, made on first use from NFVO_URL (else POP_URL, else the
 * default URL), NFVO_AUTH, NFVO_CLIENT and NFVO_PROJECT (or cli->project). Returns 0, or the
 * exit status after printing why (CLI_EXIT_USAGE for a bad setting). */
int cli_nfvo(struct cli *cli, struct nfvoc **ret);

/* nfvoc_call that prints "pop: <error>" on failure. Returns 0 with *ret as nfvoc_call, or the
 * exit status (CLI_EXIT_USAGE without NFVO_AUTH, else CLI_EXIT_API). */
int cli_nfvo_call(struct cli *cli, const char *method, const char *path, const json_t *body,
                  json_t **ret);

/* GETs the list at path and finds ref in it (nfvo_find: by id, else by name_key). Returns 0
 * with a new reference to the item in *ret, or the exit status after printing why
 * (CLI_EXIT_API for an unknown or ambiguous name). */
int cli_nfvo_find(struct cli *cli, const char *path, const char *what, const char *name_key,
                  const char *ref, json_t **ret);

/* Reads FILE ("-": stdin) as one JSON object. Returns 0 with a new reference in *ret, or
 * CLI_EXIT_USAGE after printing why it cannot be read or parsed. */
int cli_read_json(struct cli *cli, const char *file, json_t **ret);

/* Prints the items of list (a JSON array) turned by view() as YAML, or list itself with
 * -o json. Returns the exit status. */
int cli_print_list(struct cli *cli, const json_t *list, json_t *(*view)(const json_t *item));

enum ns_wait_until {
    NS_WAIT_SETTLED, /* ACTIVE or ERROR with no operation running */
    NS_WAIT_GONE,    /* GET answers 404 */
};

/* Polls the NS record id (ns_wait.c) every CLI_WAIT_POLL_MS until `until`, showing its VNFs'
 * states as they change (redrawn in place on a terminal, else "# ..." lines, none with -o
 * json). Returns CLI_EXIT_OK with the last record in *ret_nsr (NULL when gone),
 * CLI_EXIT_WAIT_ERROR (ERROR, the reason printed), CLI_EXIT_WAIT_TIMEOUT (printed) or the
 * exit status of a failed call. */
int ns_wait(struct cli *cli, const char *id, enum ns_wait_until until, int timeout_s,
            json_t **ret_nsr);

/* Commands, one file per area. */
int cmd_login(struct cli *cli, int argc, char **argv);
int cmd_logout(struct cli *cli, int argc, char **argv);
int cmd_info(struct cli *cli, int argc, char **argv);
int cmd_images(struct cli *cli, int argc, char **argv);
int cmd_flavours(struct cli *cli, int argc, char **argv);
int cmd_networks(struct cli *cli, int argc, char **argv);
int cmd_network_create(struct cli *cli, int argc, char **argv);
int cmd_network_rm(struct cli *cli, int argc, char **argv);
int cmd_servers(struct cli *cli, int argc, char **argv);
int cmd_create(struct cli *cli, int argc, char **argv);
int cmd_spawn(struct cli *cli, int argc, char **argv);
int cmd_start(struct cli *cli, int argc, char **argv);
int cmd_stop(struct cli *cli, int argc, char **argv);
int cmd_rm(struct cli *cli, int argc, char **argv);
int cmd_md_get(struct cli *cli, int argc, char **argv);
int cmd_md_set(struct cli *cli, int argc, char **argv);
int cmd_md_rm(struct cli *cli, int argc, char **argv);
int cmd_nfvo_login(struct cli *cli, int argc, char **argv);
int cmd_vim_add(struct cli *cli, int argc, char **argv);
int cmd_vim_ls(struct cli *cli, int argc, char **argv);
int cmd_nsd_onboard(struct cli *cli, int argc, char **argv);
int cmd_nsd_ls(struct cli *cli, int argc, char **argv);
int cmd_nsd_rm(struct cli *cli, int argc, char **argv);
int cmd_ns_launch(struct cli *cli, int argc, char **argv);
int cmd_ns_ls(struct cli *cli, int argc, char **argv);
int cmd_ns_show(struct cli *cli, int argc, char **argv);
int cmd_ns_scale_out(struct cli *cli, int argc, char **argv);
int cmd_ns_scale_in(struct cli *cli, int argc, char **argv);
int cmd_ns_heal(struct cli *cli, int argc, char **argv);
int cmd_ns_rm(struct cli *cli, int argc, char **argv);
