/* pop nfvo login: a token and the project id from pop-nfvo, cached for the other commands. */
#include "cli.h"

#include "core/cleanup.h"
#include "json/jv.h"

#include <errno.h>

int cmd_nfvo_login(struct cli *cli, int argc, char **argv)
{
    const char *project = NULL;
    const struct cli_opt opts[] = {{"--project", &project, NULL}};
    char *pos[1];
    int npos;
    int rc = cli_opts(cli, argc, argv, opts, ARRAY_SIZE(opts), pos, 0, &npos);
    if (rc)
        return rc;
    cli->project = project;
    struct nfvoc *n;
    if ((rc = cli_nfvo(cli, &n)) != 0)
        return rc;
    int r = nfvoc_login(n);
    if (r < 0) {
        fprintf(stderr, "pop: %s\n", nfvoc_error(n));
        return r == -EACCES ? CLI_EXIT_USAGE : CLI_EXIT_API;
    }
    int64_t exp = nfvoc_expires_at(n);
    _cleanup_json_ json_t *doc = json_pack("{s:s, s:s, s:s, s:s, s:o}", "url", nfvoc_url(n), "user",
                                           nfvoc_user(n), "project", nfvoc_project(n), "project_id",
                                           nfvoc_project_id(n), "expires", cli_time(exp));
    _cleanup_json_ json_t *raw = json_pack("{s:s, s:s, s:s, s:s, s:I}", "url", nfvoc_url(n), "user",
                                           nfvoc_user(n), "project", nfvoc_project(n), "project_id",
                                           nfvoc_project_id(n), "expires_at", (json_int_t)exp);
    return doc && raw ? cli_print(cli, doc, raw) : CLI_EXIT_API;
}
