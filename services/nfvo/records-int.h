/* What the records files share (records.c: the store and the module; nsr_build.c: a new NSR
 * from an NSD; grant.c: the VNFM's calls; launch.c, terminate.c: the operations; rest_nsr.c:
 * the routes). */
#pragma once

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"
#include "records.h"

struct lockset;
struct mq_delivery;
struct nfvo;

struct nfvo_records {
    struct nfvo *n;
    struct lockset *nsr_locks; /* one holder per NSR id: every edit of its document */
    struct lockset *vim_locks; /* one grant per VIM at a time (§11.8) */
    pthread_mutex_t lock;
    pthread_cond_t idle;
    unsigned running; /* operation threads alive */
    bool stopping;
    json_t *interrupted; /* [{id, kind, project}]: what nfvo_records_recover found */
};

/* ---- the store (records.c) ---- */

/* The NSR document of id in project ("" = any project): new reference, or -ENOENT. */
int records_load(struct nfvo_records *r, const char *project, const char *id, json_t **ret);
/* fn edits the NSR document in place, under the NSR's lock; the NSR's status is then
 * recomputed from its VNFRs (§3.5), held back from ACTIVE while an operation is in flight (see
 * records_finish), and the document saved. fn returns < 0 to abandon (nothing
 * saved). Returns fn's value or the store's error. */
typedef int (*records_edit_fn)(json_t *nsr, void *ud, struct pop_error *e);
int records_edit(struct nfvo_records *r, const char *id, records_edit_fn fn, void *ud,
                 struct pop_error *e);
/* records_edit for the last edit of an operation: in the same transaction, ends the operation
 * on the NSR if it is of kind (NULL: whatever operation is in flight, unless it is a terminate,
 * which only its own end ends). While an operation is in
 * flight, records_edit keeps the NSR from becoming ACTIVE; this edit lets it, so a client that
 * sees ACTIVE finds the NSR free for its next operation. */
int records_finish(struct nfvo_records *r, const char *id, const char *kind, records_edit_fn fn,
                   void *ud, struct pop_error *e);
/* Inserts a new NSR with an operation row of kind. */
int records_insert(struct nfvo_records *r, const char *project, const json_t *nsr,
                   const char *op_kind);
int records_delete(struct nfvo_records *r, const char *id);
/* Sets (kind non-NULL) or ends (NULL) the operation on the NSR. */
int records_set_operation(struct nfvo_records *r, const char *id, const char *kind);
/* Starts an operation of kind on the NSR unless one is in flight: 0, or -EBUSY with the kind
 * in flight copied to ret_current (for the 409), or the store's error. */
int records_claim_operation(struct nfvo_records *r, const char *id, const char *kind,
                            char *ret_current, size_t size);
/* Ends the operation on the NSR if it is still of kind (a terminate may have taken its place):
 * 1 when it was, 0 when not, or the store's error. */
int records_end_operation(struct nfvo_records *r, const char *id, const char *kind);
/* Every NSR of project (a JSON array). */
int records_list(struct nfvo_records *r, const char *project, json_t **ret);
/* Pending servers: written before a launch, removed once recorded (see 0005_records.sql). */
int records_pending_add(struct nfvo_records *r, const char *nsr_id, const json_t *vim,
                        const char *hostname);
int records_pending_remove(struct nfvo_records *r, const char *nsr_id, const char *hostname);

/* Makes the catalogue and the VIM instances refuse to delete what an NSR uses (records_use.c). */
void records_install_checks(struct nfvo_records *r);

/* Runs fn(arg) on a thread of its own, counted so that records_free waits for it. */
int records_spawn(struct nfvo_records *r, void (*fn)(void *arg), void *arg);

/* ---- documents ---- */

/* A new UUID string (new reference, NULL on failure). */
json_t *records_uuid(void);
/* Gives o an id and hbVersion 0 unless it has them; recursively for every object inside
 * (records and descriptors are trees of entities). */
void records_assign_ids(json_t *o);
/* Appends {event, description, executedAt} to the entity's lifecycle_event_history. */
void records_history(json_t *entity, const char *event, const char *description);
/* The entity's name for messages, "?" when it has none. */
static inline const char *records_name(const json_t *o)
{
    const char *n = json_string_value(json_object_get(o, "name"));
    return n ? n : "?";
}
/* The VNFR named name in nsr (borrowed), or NULL. */
json_t *records_vnfr(const json_t *nsr, const char *name);
/* Puts vnfr into nsr, replacing the VNFR of the same name (steals vnfr). */
int records_put_vnfr(json_t *nsr, json_t *vnfr);
/* Sets the VNFR's status (and the NSR's, recomputed at save). */
void records_set_status(json_t *vnfr, const char *status);
/* 0 when the NSR may still take resources, else -ECANCELED with e saying why (terminated, or
 * in ERROR: its launch is over). */
int records_still_launching(const json_t *nsr, struct pop_error *e);
/* Ordinal of a status name (§3.5), -1 when unknown. */
int records_status_ordinal(const char *status);
/* The NSR status from its VNFRs (§3.5): the lowest, TERMINATED if any is. Every VNFD has a
 * VNFR from the start (nsr_build puts one with status NULL), so the rule holds throughout. */
const char *records_nsr_status(const json_t *nsr);

/* ---- building (nsr_build.c) ---- */

/* A new NSR (status NULL) for nsd in project from the launch body (§6.2: vduVimInstances,
 * keys, configurations; may be NULL): VLRs from the VLDs, dependency records (§5.1), the VIM
 * names of every VDU resolved (body, else the VDU's vimInstanceName, else every VIM of the
 * project), the VNFM of every VNFD checked registered. New reference, or NULL with e. */
json_t *nsr_build(struct nfvo *n, const char *project, const json_t *nsd, const json_t *body,
                  struct pop_error *e);
/* Fills the dependency records of nsr where vnfr is a source (§5.2). */
void nsr_fill_dependencies(json_t *nsr, const json_t *vnfr);
/* The dependency record whose target is name (borrowed), or NULL. */
json_t *nsr_dependency_of(const json_t *nsr, const char *target);
/* The start level of each VNFR of the NSR, by its index in "vnfr" (malloc'd; NULL when out of
 * memory): 0 for a VNFR that is the target of nothing, else one above its highest source, so a
 * source is ACTIVE before its targets start. The dependencies on a cycle (the target is also,
 * directly or through others, a source of its source) do not count: the VNFRs of one cycle get
 * the level their sources from outside it give, and what depends on them comes after. */
int *nsr_start_levels(const json_t *nsr);
/* Whether name is the source of some dependency record. */
bool nsr_is_source(const json_t *nsr, const char *source_type_or_name);

/* ---- the VNFM's calls (grant.c) ---- */

void records_on_vnfm_call(struct mq_delivery *d, void *ud);    /* vnfm.nfvo.actions.reply */
void records_on_vnfm_message(struct mq_delivery *d, void *ud); /* vnfm.nfvo.actions */

/* ---- operations ---- */

/* Runs the launch of NSR id (§3.6) on an operation thread. */
int launch_start(struct nfvo_records *r, const char *id);
/* Runs the termination of NSR id (§3.7) on an operation thread. */
int terminate_start(struct nfvo_records *r, const char *id);
/* Deletes the networks a grant of NSR id meant to create (_launch.networkIntents) whose
 * creation was never recorded in _launch.createdNetworks, unless another NSR uses them; returns
 * how many could not be, noting each in left. */
int records_release_intents(struct nfvo_records *r, const char *id, const char *project, char *left,
                            size_t size);
/* Whether the grant of NSR nsr meant to create the network of virtual link vlr on vim_id. */
bool records_network_intended(const json_t *nsr, const char *vim_id, const char *vlr);
/* Deletes the servers a launch of NSR id left pending; returns how many could not be. */
int records_release_pending(struct nfvo_records *r, const char *id, const char *project, char *left,
                            size_t size);
/* Marks every VNFR not ACTIVE and the NSR ERROR with reason (history entries), ending the
 * operation. */
void records_fail(struct nfvo_records *r, const char *id, const char *vnfr_name,
                  const char *reason);
/* Sends one request to the VNFM of vnfr_endpoint (the VNFD's `endpoint`) and waits for its
 * reply (NFVO_VNFM_TIMEOUT); -ETIMEDOUT etc. with e naming the action, VNF and VNFM. */
int records_vnfm_rpc(struct nfvo_records *r, const char *vnfm_type, const char *action,
                     const char *vnf, json_t *msg, json_t **reply, struct pop_error *e);
/* The same; need_vnfr false also takes an answer without a VNFR (SCALE_IN's `null`). */
int records_vnfm_request(struct nfvo_records *r, const char *vnfm_type, const char *action,
                         const char *vnf, json_t *msg, bool need_vnfr, json_t **reply,
                         struct pop_error *e);
/* One request of an operation: records_vnfm_rpc, then the reply's VNFR stored as vnf (its id
 * kept, its status set; START also marks its VNFC instances ACTIVE; fill: the dependencies
 * where it is a source are filled from it, §5.2). e names the action and VNF. */
int records_vnfm_step(struct nfvo_records *r, const char *nsr_id, const char *vnfm,
                      const char *action, const char *vnf, json_t *msg, const char *status,
                      bool fill, struct pop_error *e);
/* The VNFM type of the VNFR named vnf (its endpoint, else its type), or NULL. */
const char *records_vnfm_of(const json_t *nsr, const char *vnf);
/* Deletes one server (deleteServerByIdAndWait) on the VIM vim_given or, when NULL, the VIM of
 * project whose id or name is vim_id. */
int records_delete_server(struct nfvo_records *r, const char *project, const json_t *vim_given,
                          const char *vim_id, const char *server, struct pop_error *e);

/* ---- scaling (scale.c: the routes and operations; scale_pick.c: the choices, pure) ---- */

/* Runs the scale out (kind "out") or in ("in") that _launch.scaling of NSR id describes (§3.7)
 * on an operation thread. */
int scale_start(struct nfvo_records *r, const char *id, const char *kind);
/* The element of the array list whose id is id (borrowed), or NULL. */
json_t *scale_by_id(const json_t *list, const char *id);
/* The VDU of vnfr to scale out: the one of id vdu_id (-ENOENT when none), refused (-EBUSY, 409
 * naming the limit) when it has scale_in_out instances already; vdu_id NULL: the first VDU
 * below its scale_in_out (-EBUSY when none is). */
int scale_out_vdu(const json_t *vnfr, const char *vdu_id, json_t **ret, struct pop_error *e);
/* The VNFC instance of vnfr to scale in and its VDU: vdu_id and vnfc_id name them (-ENOENT
 * when absent); vdu_id NULL: the first VDU with more than one instance; vnfc_id NULL: the
 * VDU's newest instance (the last). -EBUSY (409) when the VDU has one instance or none. */
int scale_in_pick(const json_t *vnfr, const char *vdu_id, const char *vnfc_id, json_t **ret_vdu,
                  json_t **ret_vnfc, struct pop_error *e);
/* A new VNF component for vdu (new reference, no ids yet): the connection points of given
 * (the body's vnfComponent), else those of the VDU's first vnfc, without ids. Checks that
 * every one names a virtual link of nsr (-EINVAL, 400 naming the field). */
json_t *scale_new_component(const json_t *nsr, const json_t *vdu, const json_t *given,
                            struct pop_error *e);
/* Removes vnfc_id's values from the dependency record dep (every source type). */
void scale_forget_vnfc(json_t *dep, const char *vnfc_id);
/* Removes the VNFC instance vnfc_id from vdu of vnfr with its component and its addresses in
 * vnf_address; -ENOENT when vdu has no such instance. */
int scale_remove_instance(json_t *vnfr, json_t *vdu, const char *vnfc_id);
