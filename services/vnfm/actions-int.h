/* What the action handlers share: the request being handled, and the steps several actions
 * take (the VNFCs of a VNFR, the VIM of a VNFC, a driver call, an NFVO RPC, a dependency
 * update over a target's VNFCs). */
#pragma once

#include <stdbool.h>

#include "actions.h"
#include "catalogue/catalogue.h"
#include "core/strbuf.h"

/* One request in progress. */
struct act_req {
    const struct vnfm_ops *ops;
    const json_t *msg;
    const char *action;
    struct cat_vnfr *vnfr;   /* the record as last received (owned); NULL until known */
    const json_t *vdu_vim;   /* the grant's vduVim {vnfrVduId: VIM}, when known */
    const json_t *msg_vim;   /* a VIM the request carries (SCALE_OUT's vimInstance) */
    const json_t *vim_lists; /* INSTANTIATE's vimInstances {vnfdVduId: [VIM]} */
    json_t *stub;            /* an INSTANTIATE that failed before its VNFR: what names it */
    /* VNFM_ALLOCATE: the servers this request launched [{vim, hostname}] and the record before
     * them, so a request that fails deletes them and names the record as it was (act_unlaunch) */
    json_t *launched;
    struct cat_vnfr *unlaunched;
    struct strbuf notes; /* for the log line */
};

/* A VNFC instance of a VNFR, with its VDU. */
struct act_vnfc {
    struct cat_vdu *vdu;
    struct cat_vnfc_instance *vi;
};

/* The handlers: 0 and a new reply in *ret (JSON null allowed), or a negative errno with e's
 * detail the cause (actions.c adds the action and the VNFR in front). */
typedef int act_fn(struct act_req *q, json_t **ret, struct pop_error *e);
act_fn act_instantiate, act_modify, act_start, act_stop, act_release, act_scale_out, act_scale_in,
    act_heal;

/* The VNFR in msg[key] decoded into q->vnfr (required: "<key>: required"). */
int act_take_vnfr(struct act_req *q, const char *key, struct pop_error *e);
/* The VNFRecordDependency of msg[key] for q->vnfr, decoded and checked (dep_record_check);
 * *ret NULL when absent and not required. */
int act_take_record(struct act_req *q, const char *key, bool required,
                    struct cat_vnfr_dependency **ret, struct pop_error *e);
/* {"action": action, "virtualNetworkFunctionRecord": q->vnfr} plus, when vi is set,
 * "vnfcInstance": vi. NULL on ENOMEM. */
json_t *act_reply(const struct act_req *q, const char *action, const struct cat_vnfc_instance *vi);
/* Appends a note (printf) to q->notes. */
void act_note(struct act_req *q, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Every VNFC instance of vnfr in VDU order, in a new array (*ret_n of them; an empty VNFR gives
 * NULL and 0). -ENOMEM. */
int act_vnfcs(struct cat_vnfr *vnfr, struct act_vnfc **ret, size_t *ret_n, struct pop_error *e);
/* The VNFC named by msg[key] (a VNFCInstance: by id, else hostname) in q->vnfr. Required:
 * -EINVAL naming key, or naming the VNFC when the VNFR has none such. */
int act_find_vnfc(struct act_req *q, const char *key, struct act_vnfc *ret, struct pop_error *e);

/* Calls method on the driver of c's VIM with [VIM, c's hostname, args...] (args: an array,
 * stolen, NULL for none). The VIM: the grant's vduVim for c's VDU, else the one of
 * INSTANTIATE's vimInstances for its parent_vdu with c's vim_id, else the request's own VIM
 * when its id is c's vim_id, else ops->vim_lookup(vim_id). *ret (optional) gets the answer.
 * Errors are "VNFC <hostname>: <driver's words>". */
int act_mgmt(struct act_req *q, const struct act_vnfc *c, const char *method, json_t *args,
             json_t **ret, struct pop_error *e);
/* mgmtCheck of c, decoded: a new Server in *ret (its metadata = the container's). */
int act_check(struct act_req *q, const struct act_vnfc *c, struct cat_server **ret,
              struct pop_error *e);
/* Replaces the container of c by a new one like s (its mgmtCheck): mgmtDelete,
 * launchInstanceAndWait with the same image, flavour and addresses, mgmtAddMetadata of all it
 * held, mgmtStart; c's vc_id becomes the new container's (act_heal.c). */
int act_recreate(struct act_req *q, struct act_vnfc *c, const struct cat_server *s,
                 struct pop_error *e);
/* Whether a failed mgmt call said the container does not exist (the driver's words for
 * popd-rest's 404, services/vim-driver/README.md). */
bool act_gone(const struct pop_error *e);

/* One dependency update of q->vnfr as the target (dependency_env.h dep_update): mgmtCheck every
 * VNFC, compute what each should hold after applying rec (may be NULL: only the VNFR's own
 * configuration) and removing remove_vnfc_id (may be NULL), and mgmtAddMetadata on each VNFC
 * only what differs. Returns how many VNFCs were patched. */
int act_configure(struct act_req *q, const struct cat_vnfr_dependency *rec,
                  const char *remove_vnfc_id, struct pop_error *e);

/* An RPC to the NFVO (what: "GRANT_OPERATION", ...): request stolen. A refusal
 * ({"action":"ERROR", "message"}) is -EPERM "the NFVO refused <what>: <message>"; an answer
 * that is not an object, or whose action is neither want_action nor absent, is -EPROTO. */
int act_nfvo(struct act_req *q, const char *what, json_t *request, const char *want_action,
             json_t **ret, struct pop_error *e);
/* The VNFR of an NFVO answer (`vnfr`, or `virtualNetworkFunctionRecord` as the grant has it)
 * made q->vnfr (vnfr_adopt's checks). */
int act_adopt(struct act_req *q, const json_t *answer, const char *what, struct pop_error *e);

/* VNFM_ALLOCATE (act_allocate.c). Every VNF component of q->vnfr's VDUs launched with
 * launchInstanceAndWait on the VIM the grant chose for its VDU (q->vdu_vim), hostname
 * `<vnfr>-<random>`, and its VNFC instance added as NFVO 6 makes it (lib/catalogue/launch.h):
 * what ALLOCATE_RESOURCES does in the NFVO. Errors name the VNFC: "VNFC <hostname> of VDU
 * <vdu>: <driver's words>". */
int act_allocate(struct act_req *q, struct pop_error *e);
/* SCALE_OUT's launch: the component component_id names (else the first of a VDU without its
 * VNFC instance, as NFVO 6's ScalingTask picks) launched on vim and added to q->vnfr. */
int act_allocate_scaled(struct act_req *q, const char *component_id, const json_t *vim,
                        struct pop_error *e);
/* After a failed request: deletes every server it launched (deleteServerByIdAndWait; one gone
 * already is fine) and puts q->vnfr back to the record before them; notes what it did. */
void act_unlaunch(struct act_req *q);
