/* --wait of the pop ns commands: poll the NS record until it settles or is gone, showing its
 * VNFs' states as they change. */
#include "cli.h"

#include "core/cleanup.h"
#include "core/timeutil.h"
#include "ns_view.h"
#include "json/jv.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

struct ns_progress {
    bool tty;
    bool quiet;       /* -o json: nothing but the document on stdout */
    int lines;        /* drawn on the terminal */
    json_t *shown;    /* {NS: "status task", VNF: status...} last shown */
    int64_t start_ms; /* monotonic */
};

/* {"NS": "STATUS (task)", VNF: status...} */
static json_t *ns_progress_states(const json_t *nsr)
{
    json_t *states = ns_view_states(nsr);
    const char *status = jv_get_string(nsr, "status"), *task = jv_get_string(nsr, "task");
    char line[256];
    snprintf(line, sizeof(line), "%s%s%s%s", status ? status : "?", task ? " (" : "",
             task ? task : "", task ? ")" : "");
    json_t *all = json_pack("{s:s}", "NS", line);
    if (!all || !states || json_object_update(all, states) < 0) {
        json_decref(all);
        all = NULL;
    }
    json_decref(states);
    return all;
}

static void ns_progress_show(struct ns_progress *p, const json_t *nsr)
{
    if (p->quiet)
        return;
    _cleanup_json_ json_t *states = ns_progress_states(nsr);
    /* a terminal is redrawn on every poll (its clock runs), lines only on a change */
    if (!states || (!p->tty && p->shown && json_equal(states, p->shown)))
        return;
    double t = (double)(time_mono_ms() - p->start_ms) / 1000.0;
    const char *name = jv_get_string(nsr, "name");
    const char *who;
    json_t *v;
    if (p->tty) {
        if (p->lines > 0)
            printf("\033[%dA\033[J", p->lines); /* back to the block's start, clear below */
        p->lines = 0;
        json_object_foreach (states, who, v) {
            printf("  %-24s %s\n", strcmp(who, "NS") == 0 && name ? name : who,
                   json_string_value(v));
            p->lines++;
        }
        printf("  %.1fs\n", t);
        p->lines++;
    } else {
        /* as YAML comments, so that the document printed after them still parses */
        json_object_foreach (states, who, v) {
            json_t *old = p->shown ? json_object_get(p->shown, who) : NULL;
            if (!old || !json_equal(old, v))
                printf("# %6.1fs %s %s\n", t, strcmp(who, "NS") == 0 && name ? name : who,
                       json_string_value(v));
        }
    }
    fflush(stdout);
    json_decref(p->shown);
    p->shown = json_incref(states);
}

static void ns_progress_done(struct ns_progress *p)
{
    if (p->tty && p->lines > 0)
        printf("\033[%dA\033[J", p->lines);
    fflush(stdout);
    json_decref(p->shown);
}

/* The last ERROR reason of the NSR or its VNFRs, or "". */
static const char *ns_last_error(const json_t *nsr)
{
    const char *why = "";
    const json_t *owners[64];
    size_t n = 0;
    owners[n++] = nsr;
    size_t i;
    json_t *vnfr;
    json_array_foreach (jv_get_array(nsr, "vnfr"), i, vnfr)
        if (n < ARRAY_SIZE(owners))
            owners[n++] = vnfr;
    for (size_t k = 0; k < n; k++) {
        json_t *e;
        json_array_foreach (jv_get_array(owners[k], "lifecycle_event_history"), i, e) {
            const char *ev = jv_get_string(e, "event"), *d = jv_get_string(e, "description");
            if (ev && strcmp(ev, "ERROR") == 0 && d && *d)
                why = d; /* the NSR's own (first) carries the whole reason; a VNFR's is later */
        }
        if (*why)
            break;
    }
    return why;
}

int ns_wait(struct cli *cli, const char *id, enum ns_wait_until until, int timeout_s,
            json_t **ret_nsr)
{
    struct nfvoc *n;
    int rc = cli_nfvo(cli, &n);
    if (rc)
        return rc;
    struct strbuf path = STRBUF_INIT;
    if (cli_ref_path(&path, "/api/v1/ns-records/", id, NULL) < 0) {
        strbuf_done(&path);
        return CLI_EXIT_API;
    }
    struct ns_progress p = {.tty = isatty(STDOUT_FILENO) == 1,
                            .quiet = cli->output == CLI_OUTPUT_JSON,
                            .start_ms = time_mono_ms()};
    int64_t deadline = p.start_ms + (int64_t)timeout_s * 1000;
    json_t *nsr = NULL;
    char msg[1024] = "";
    for (;;) {
        json_decref(nsr);
        nsr = NULL;
        int r = nfvoc_call(n, "GET", strbuf_str(&path), NULL, &nsr);
        if (r == -EREMOTEIO && nfvoc_status(n) == 404 && until == NS_WAIT_GONE) {
            rc = CLI_EXIT_OK;
            break;
        }
        if (r < 0) {
            snprintf(msg, sizeof(msg), "%s", nfvoc_error(n));
            rc = CLI_EXIT_API;
            break;
        }
        ns_progress_show(&p, nsr);
        const char *status = jv_get_string(nsr, "status");
        const char *task = jv_get_string(nsr, "task");
        /* A terminate runs after DELETE's answer: an NS in ERROR before it stays so a moment. */
        bool failed = until == NS_WAIT_GONE
                          ? task && strcmp(task, "Termination failed") == 0
                          : status && strcmp(status, "ERROR") == 0 && ns_view_settled(nsr);
        if (failed) {
            const char *why = ns_last_error(nsr);
            snprintf(msg, sizeof(msg), "NS %s is in ERROR%s%s", id, *why ? ": " : "", why);
            rc = CLI_EXIT_WAIT_ERROR;
            break;
        }
        if (until == NS_WAIT_SETTLED && ns_view_settled(nsr)) {
            rc = CLI_EXIT_OK;
            break;
        }
        if (time_mono_ms() >= deadline) {
            snprintf(msg, sizeof(msg), "NS %s is %s after %d s (status %s, task %s)", id,
                     until == NS_WAIT_GONE ? "still there" : "not ACTIVE", timeout_s,
                     status ? status : "?", task ? task : "?");
            rc = CLI_EXIT_WAIT_TIMEOUT;
            break;
        }
        time_sleep_ms(CLI_WAIT_POLL_MS);
    }
    ns_progress_done(&p);
    strbuf_done(&path);
    if (msg[0])
        fprintf(stderr, "pop: %s\n", msg);
    if (rc == CLI_EXIT_API) {
        json_decref(nsr);
        return rc;
    }
    *ret_nsr = nsr;
    return rc;
}
