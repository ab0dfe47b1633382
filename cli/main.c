/* pop: the operator's command-line client of a Pop (thesis 4.3.3). Parses the global options,
 * finds the command and runs it against POP_URL with POP_AUTH. */
#include "cli.h"

#include "core/cleanup.h"
#include "core/log.h"
#include "core/signals.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const struct cli_command commands[] = {
    {"login", "", "log in now and cache the session token (other commands log in when needed)",
     NULL, cmd_login},
    {"logout", "", "revoke the cached session token and forget it", NULL, cmd_logout},
    {"info", "", "show the Pop's name, type and version", NULL, cmd_info},
    {"images", "[NAME]", "list the images servers can use, or show one", NULL, cmd_images},
    {"flavours", "", "list the flavours (resource limits) servers can use", NULL, cmd_flavours},
    {"networks", "", "list the networks", NULL, cmd_networks},
    {"network create", "NAME [cidr=CIDR] [gateway=IP] [internal=true|false]",
     "create a network (the subnet is picked from the Pop's pools unless cidr= is given)", NULL,
     cmd_network_create},
    {"network rm", "NAME", "remove a network no server uses", NULL, cmd_network_rm},
    {"servers", "[NAME]", "list the servers (containers), or show one", NULL, cmd_servers},
    {"create", "image=IMAGE name=NAME [net=NETWORK[:IP]]... [flavour=FLAVOUR]",
     "register a server and reserve its addresses, without starting it",
     "  Without net= the server joins the 'private' network; with :IP it gets that address.\n",
     cmd_create},
    {"spawn", "image=IMAGE name=NAME [net=NETWORK[:IP]]... [flavour=FLAVOUR]",
     "create a server and start it (removed again if it cannot start)",
     "  Without net= the server joins the 'private' network; with :IP it gets that address.\n",
     cmd_spawn},
    {"start", "NAME", "start a created server with its metadata as environment", NULL, cmd_start},
    {"stop", "NAME", "stop a running server (it goes STOPPING, then EXITED)", NULL, cmd_stop},
    {"rm", "NAME", "stop a server if needed and remove it with its addresses", NULL, cmd_rm},
    {"md get", "NAME", "print a server's metadata as KEY: value lines", NULL, cmd_md_get},
    {"md set", "NAME KEY=VALUE... [--recreate]", "add or change metadata entries",
     "  A running server keeps its environment unless --recreate restarts it with the new one.\n",
     cmd_md_set},
    {"md rm", "NAME KEY... [--recreate]", "remove metadata entries",
     "  A running server keeps its environment unless --recreate restarts it with the new one.\n",
     cmd_md_rm},
    {"nfvo login", "[--project NAME|ID]", "log in to pop-nfvo; cache its tokens and project id",
     "  The project defaults to 'default' (or NFVO_PROJECT); the choice is cached with the "
     "token.\n",
     cmd_nfvo_login},
    {"vim add", "FILE | --pop URL --name NAME [--username U] [--password P] [--tenant T]",
     "register a VIM instance with the NFVO: a JSON file, or a Pop",
     "  FILE is a VIM instance JSON ('-' for stdin). With --pop the VIM is of type 'pop' at\n"
     "  URL; --username and --password default to POP_AUTH's.\n",
     cmd_vim_add},
    {"vim ls", "", "list the NFVO's VIM instances", NULL, cmd_vim_ls},
    {"nsd onboard", "FILE", "onboard a Network Service Descriptor (JSON, VNFDs inline)", NULL,
     cmd_nsd_onboard},
    {"nsd ls", "", "list the onboarded NSDs", NULL, cmd_nsd_ls},
    {"nsd rm", "NSD", "remove an NSD no NS uses (by id or name)", NULL, cmd_nsd_rm},
    {"ns launch", "NSD [--wait [--timeout SECONDS]]", "launch a Network Service from an NSD",
     "  --wait follows the VNFs until the NS is ACTIVE (exit 0) or ERROR (exit 3), at most\n"
     "  --timeout seconds (default 300, exit 4).\n",
     cmd_ns_launch},
    {"ns ls", "", "list the Network Services: name, id, status, VNF states", NULL, cmd_ns_ls},
    {"ns show", "NS", "show an NS: VNFs, VNFCs, VIMs, addresses, dependencies, events, errors",
     NULL, cmd_ns_show},
    {"ns scale-out", "NS VNF [--wait [--timeout SECONDS]]", "add a VNFC instance to a VNF", NULL,
     cmd_ns_scale_out},
    {"ns scale-in", "NS VNF [--wait [--timeout SECONDS]]", "remove a VNFC instance of a VNF", NULL,
     cmd_ns_scale_in},
    {"ns heal", "NS VNFC [--cause TEXT] [--wait [--timeout SECONDS]]",
     "heal a VNFC instance (by id or hostname)", NULL, cmd_ns_heal},
    {"ns rm", "NS [--wait [--timeout SECONDS]]", "terminate an NS (--wait: until it is gone)", NULL,
     cmd_ns_rm},
};

static void main_help(FILE *f)
{
    fprintf(f, "usage: pop [-o yaml|json] [-v] COMMAND [ARGS...]\n"
               "       pop COMMAND --help\n\n"
               "Operator client of a Pop (popd-rest): its images, networks, flavours and servers;\n"
               "and of pop-nfvo: VIM instances, NSDs and Network Services.\n\n"
               "commands:\n");
    for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
        fprintf(f, "  %-16s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\noptions:\n"
               "  -o, --output FORMAT  yaml (default, for people) or json (the Pop's own JSON)\n"
               "  -v, --verbose        debug messages on stderr\n"
               "  -h, --help           this help, or a command's usage\n"
               "\nenvironment:\n"
               "  POP_URL         the Pop's address (default " CLI_DEFAULT_URL ")\n"
               "  POP_AUTH        user:password to log in with\n"
               "  XDG_CACHE_HOME  session tokens are cached in $XDG_CACHE_HOME/pop (default\n"
               "                  ~/.cache/pop), one file per user and URL, readable only by you\n"
               "  NFVO_URL        pop-nfvo, directly or through the gateway (default POP_URL)\n"
               "  NFVO_AUTH       user:password for the NFVO\n"
               "  NFVO_CLIENT     the OAuth2 client id:secret (default " NFVOC_DEFAULT_CLIENT ")\n"
               "  NFVO_PROJECT    the NFVO project, name or id (default: cached, else default)\n"
               "\nexit status: 0 done, 1 the Pop or NFVO refused or could not be reached, 2 usage\n"
               "error, 3 --wait ended with the NS in ERROR, 4 --wait timed out\n");
}

/* Length of the first word of a command name. */
static size_t main_word_len(const char *name)
{
    const char *sp = strchr(name, ' ');
    return sp ? (size_t)(sp - name) : strlen(name);
}

static bool main_word_is(const char *name, const char *word)
{
    size_t n = main_word_len(name);
    return strlen(word) == n && strncmp(name, word, n) == 0;
}

/* Prints the usage of every command whose first word is word. */
static void main_group_usage(const char *word, FILE *f)
{
    for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
        if (main_word_is(commands[i].name, word))
            cli_print_usage(&commands[i], f);
}

/* Finds the command named by argv[0] (and argv[1] for two-word commands). Returns it and the
 * number of words used, or NULL: *ret_group then says whether argv[0] starts a group. */
static const struct cli_command *main_find(int argc, char **argv, int *ret_words, bool *ret_group)
{
    *ret_group = false;
    for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
        const char *name = commands[i].name;
        if (!main_word_is(name, argv[0]))
            continue;
        const char *second = strchr(name, ' ');
        if (!second) {
            *ret_words = 1;
            return &commands[i];
        }
        *ret_group = true;
        if (argc > 1 && strcmp(second + 1, argv[1]) == 0) {
            *ret_words = 2;
            return &commands[i];
        }
    }
    return NULL;
}

/* Global options may appear anywhere before "--": they are taken out of argv. Returns 0, or
 * CLI_EXIT_USAGE after printing the problem. */
static int main_options(struct cli *cli, int *argc, char **argv, bool *ret_help, bool *ret_verbose)
{
    int n = 0;
    bool dashdash = false;
    for (int i = 0; i < *argc; i++) {
        const char *a = argv[i];
        const char *format = NULL;
        if (dashdash) {
            argv[n++] = argv[i];
            continue;
        }
        if (strcmp(a, "--") == 0) {
            dashdash = true;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            *ret_help = true;
        } else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
            *ret_verbose = true;
        } else if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
            if (i + 1 >= *argc) {
                fprintf(stderr, "pop: %s needs a format (yaml or json)\n", a);
                return CLI_EXIT_USAGE;
            }
            format = argv[++i];
        } else if (strncmp(a, "--output=", 9) == 0) {
            format = a + 9;
        } else if (strncmp(a, "-o", 2) == 0) {
            format = a + 2;
        } else {
            argv[n++] = argv[i];
        }
        if (format && strcmp(format, "yaml") == 0)
            cli->output = CLI_OUTPUT_YAML;
        else if (format && strcmp(format, "json") == 0)
            cli->output = CLI_OUTPUT_JSON;
        else if (format) {
            fprintf(stderr, "pop: unknown output format '%s' (yaml or json)\n", format);
            return CLI_EXIT_USAGE;
        }
    }
    *argc = n;
    return 0;
}

int main(int argc, char **argv)
{
    struct cli cli = {.output = CLI_OUTPUT_YAML};
    bool help = false, verbose = false;
    int nargs = argc - 1;
    char **args = argv + 1;
    /* A server closing the connection mid-request is an error to report, not a death. */
    signals_ignore_sigpipe();
    log_set_level(LOG_WARN);
    int rc = main_options(&cli, &nargs, args, &help, &verbose);
    if (rc)
        return rc;
    if (verbose)
        log_set_level(LOG_DEBUG);
    if (nargs > CLI_MAX_ARGS) {
        fprintf(stderr, "pop: too many arguments (at most %d)\n", CLI_MAX_ARGS);
        return CLI_EXIT_USAGE;
    }
    for (int i = 0; i < nargs; i++) {
        json_t *utf8 = json_string(args[i]);
        if (!utf8) {
            fprintf(stderr, "pop: argument %d is not valid UTF-8\n", i + 1);
            return CLI_EXIT_USAGE;
        }
        json_decref(utf8);
    }
    if (nargs == 0) {
        main_help(help ? stdout : stderr);
        return help ? CLI_EXIT_OK : CLI_EXIT_USAGE;
    }
    if (strcmp(args[0], "help") == 0) {
        main_help(stdout);
        return CLI_EXIT_OK;
    }
    int words = 0;
    bool group = false;
    const struct cli_command *cmd = main_find(nargs, args, &words, &group);
    if (!cmd && group) {
        if (help) {
            main_group_usage(args[0], stdout);
            return CLI_EXIT_OK;
        }
        if (nargs > 1)
            fprintf(stderr, "pop: unknown command '%s %s'\n", args[0], args[1]);
        else
            fprintf(stderr, "pop: '%s' needs a subcommand\n", args[0]);
        main_group_usage(args[0], stderr);
        return CLI_EXIT_USAGE;
    }
    if (!cmd) {
        fprintf(stderr, "pop: unknown command '%s' (see pop --help)\n", args[0]);
        return CLI_EXIT_USAGE;
    }
    if (help) {
        cli_print_usage(cmd, stdout);
        return CLI_EXIT_OK;
    }
    cli.cmd = cmd;

    const char *url = getenv("POP_URL");
    const char *auth = getenv("POP_AUTH");
    char err[256];
    rc = session_new(url && *url ? url : CLI_DEFAULT_URL, auth && *auth ? auth : NULL, err,
                     sizeof(err), &cli.session);
    if (rc < 0) {
        fprintf(stderr, "pop: %s\n", rc == -EINVAL ? err : strerror(-rc));
        return rc == -EINVAL ? CLI_EXIT_USAGE : CLI_EXIT_API;
    }
    rc = cmd->run(&cli, nargs - words, args + words);
    session_free(cli.session);
    nfvoc_free(cli.nfvo);
    return rc;
}
