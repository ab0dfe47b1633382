/* START and STOP of a VNFR or of one of its VNFCs, and RELEASE_RESOURCES (§3.4, §3.7): the
 * driver's mgmtStart and mgmtStop on each container. START of a running container is done
 * (§11.14: NFVO 6 sends START again after every MODIFY; the driver answers it as RUNNING).
 * STOP and RELEASE look first and stop only what runs: a container never started, stopping or
 * ended is where they would take it. RELEASE leaves the deletes to the NFVO (§3.7 step 3,
 * deleteServerByIdAndWait of every vc_id), so it only makes sure nothing runs any more; a
 * container gone already is not an error there. */
#include <errno.h>
#include <string.h>

#include "actions-int.h"
#include "core/cleanup.h"
#include "json/jv.h"

/* The VNFCs a START or STOP is about: the one of vnfcInstance when it is set, else all. */
static int targets(struct act_req *q, struct act_vnfc **ret, size_t *ret_n, bool *ret_one,
                   struct pop_error *e)
{
    const json_t *vi = json_object_get(q->msg, "vnfcInstance");
    *ret_one = vi && !json_is_null(vi);
    if (!*ret_one)
        return act_vnfcs(q->vnfr, ret, ret_n, e);
    struct act_vnfc *c = calloc(1, sizeof(*c));
    if (!c)
        return pop_error_set(e, -ENOMEM, API_INTERNAL, NULL, NULL);
    int r = act_find_vnfc(q, "vnfcInstance", c, e);
    if (r < 0) {
        free(c);
        return r;
    }
    *ret = c;
    *ret_n = 1;
    return 0;
}

/* mgmtStop of c if it runs. gone_ok: a container that does not exist counts as stopped. */
static int stop_if_running(struct act_req *q, const struct act_vnfc *c, bool gone_ok,
                           struct pop_error *e)
{
    struct cat_server *s = NULL;
    int r = act_check(q, c, &s, e);
    if (r < 0 && gone_ok && act_gone(e)) {
        act_note(q, "VNFC %s is gone already", c->vi->hostname);
        pop_error_clear(e);
        return 0;
    }
    if (r < 0)
        return r;
    if (s->status && strcmp(s->status, "RUNNING") == 0)
        r = act_mgmt(q, c, "mgmtStop", NULL, NULL, e);
    else
        act_note(q, "VNFC %s is %s: nothing to stop", c->vi->hostname,
                 s->status ? s->status : "in no state");
    cat_server_free(s);
    return r;
}

/* START of one VNFC (the NFVO's .../vnfcinstances/{id}/start, after its stop): a Pop
 * container that ended cannot start again, so it is replaced like a HEAL does; one never
 * started is started, one running is done. */
static int start_one(struct act_req *q, struct act_vnfc *c, struct pop_error *e)
{
    struct cat_server *s = NULL;
    int r = act_check(q, c, &s, e);
    if (r < 0)
        return r;
    const char *st = s->status ? s->status : "";
    if (strcmp(st, "EXITED") == 0 || strcmp(st, "FAILED") == 0)
        r = act_recreate(q, c, s, e);
    else if (strcmp(st, "RUNNING") != 0)
        r = act_mgmt(q, c, "mgmtStart", NULL, NULL, e);
    cat_server_free(s);
    return r;
}

static int start_stop(struct act_req *q, bool start, json_t **ret, struct pop_error *e)
{
    _cleanup_free_ struct act_vnfc *vs = NULL;
    size_t n = 0;
    bool one = false;
    int r = act_take_vnfr(q, "virtualNetworkFunctionRecord", e);
    if (r == 0)
        r = targets(q, &vs, &n, &one, e);
    for (size_t i = 0; r == 0 && i < n; i++)
        r = start && one ? start_one(q, &vs[i], e)
            : start      ? act_mgmt(q, &vs[i], "mgmtStart", NULL, NULL, e)
                         : stop_if_running(q, &vs[i], false, e);
    if (r < 0)
        return r;
    *ret = act_reply(q, start ? "START" : "STOP", one ? vs[0].vi : NULL);
    return *ret ? 0 : pop_error_set(e, -ENOMEM, API_INTERNAL, NULL, NULL);
}

int act_start(struct act_req *q, json_t **ret, struct pop_error *e)
{
    return start_stop(q, true, ret, e);
}

int act_stop(struct act_req *q, json_t **ret, struct pop_error *e)
{
    return start_stop(q, false, ret, e);
}

int act_release(struct act_req *q, json_t **ret, struct pop_error *e)
{
    _cleanup_free_ struct act_vnfc *vs = NULL;
    size_t n = 0;
    int r = act_take_vnfr(q, "vnfr", e);
    if (r == 0)
        r = act_vnfcs(q->vnfr, &vs, &n, e);
    for (size_t i = 0; r == 0 && i < n; i++)
        r = stop_if_running(q, &vs[i], true, e);
    if (r < 0)
        return r;
    *ret = act_reply(q, "RELEASE_RESOURCES", NULL);
    return *ret ? 0 : pop_error_set(e, -ENOMEM, API_INTERNAL, NULL, NULL);
}
