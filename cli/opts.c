/* The options of one command: "--name VALUE", "--name=VALUE", flags, positional arguments. */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define CLI_SECONDS_MAX 86400

static const struct cli_opt *cli_opt_find(const struct cli_opt *opts, size_t nopts, const char *a,
                                          const char **ret_inline)
{
    for (size_t i = 0; i < nopts; i++) {
        size_t n = strlen(opts[i].name);
        if (strncmp(a, opts[i].name, n) != 0)
            continue;
        if (a[n] == '\0') {
            *ret_inline = NULL;
            return &opts[i];
        }
        if (a[n] == '=') {
            *ret_inline = a + n + 1;
            return &opts[i];
        }
    }
    return NULL;
}

int cli_opts(struct cli *cli, int argc, char **argv, const struct cli_opt *opts, size_t nopts,
             char **pos, int maxpos, int *npos)
{
    *npos = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-' || a[1] == '\0') {
            if (*npos >= maxpos)
                return cli_usage_error(cli, "unexpected argument '%s'", a);
            pos[(*npos)++] = argv[i];
            continue;
        }
        const char *inl = NULL;
        const struct cli_opt *o = cli_opt_find(opts, nopts, a, &inl);
        if (!o)
            return cli_usage_error(cli, "unknown option '%s'", a);
        if (!o->value) {
            if (inl)
                return cli_usage_error(cli, "%s takes no value", o->name);
            *o->flag = true;
            continue;
        }
        if (!inl && i + 1 >= argc)
            return cli_usage_error(cli, "%s needs a value", o->name);
        *o->value = inl ? inl : argv[++i];
        if (!(*o->value)[0])
            return cli_usage_error(cli, "%s needs a value", o->name);
    }
    return 0;
}

int cli_opt_seconds(struct cli *cli, const char *name, const char *value, int *ret)
{
    if (!value)
        return 0;
    char *end = NULL;
    errno = 0;
    long v = strtol(value, &end, 10);
    if (errno || end == value || *end || v < 1 || v > CLI_SECONDS_MAX)
        return cli_usage_error(cli, "%s must be a number of seconds from 1 to %d, got '%s'", name,
                               CLI_SECONDS_MAX, value);
    *ret = (int)v;
    return 0;
}
