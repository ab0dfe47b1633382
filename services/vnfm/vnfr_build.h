/* The VNF record the VNFM makes from a VNFD at INSTANTIATE (reference §4.4), and the rules for
 * the copies of it the NFVO sends back: the NFVO's copy is the record from then on (§11.5,
 * §11.12), and the VNFM finds its VNFC instances in it. */
#pragma once

#include <jansson.h>

#include "catalogue/catalogue.h"
#include "core/error.h"

/* What an INSTANTIATE (OrVnfmInstantiateMessage, §3.3) gives the builder. */
struct vnfr_build_in {
    const struct cat_vnfd *vnfd;        /* "vnfd": an onboarded VNFD (it and its VDUs have ids) */
    const char *flavour_key;            /* "vnfdf".flavour_key */
    const struct cat_vlr_vec *vlrs;     /* "vlrs": the NSR's virtual link records; may be NULL */
    const struct cat_strmap *extension; /* "extension": nsr-id is required */
    const json_t *vim_instances;        /* "vimInstances": {vnfdVduId: [VimInstance]} */
};

/* Builds the VNFR of in->vnfd exactly as §4.4 says (Open Baton's vnfm-sdk VNFRUtils):
 * - name, type, vendor, version copied; endpoint = the VNFD's, else its type;
 *   descriptor_reference = the VNFD id; packageId = vnfPackageLocation; parent_ns_id =
 *   extension["nsr-id"]; cyclicDependency copied; status NULL; vnf_address [];
 *   lifecycle_event_history [];
 * - configurations: the VNFD's parameters (confKey, value, description), named as the VNFD's
 *   configuration or, without one, after the VNFR; requires and provides as Configurations
 *   named "requires" and "provides" with one value-less parameter per key (requires: every key
 *   of every source, once);
 * - each VDU copied without its id, parent_vdu = the VNFD VDU id, its VNFCs copied without ids,
 *   vnfc_instance [], vimInstanceName = the names of vimInstances[vdu id] (or [vdu name], as
 *   the SDK also looks), in their order;
 * - virtual_link copied, extId from the VLR of the same name; lifecycle_event, connection_point,
 *   monitoring_parameter and auto_scale_policy copied (a scaling action without a target gets
 *   the VNFD type); deployment_flavour_key = flavour_key.
 * Every copied part loses its BaseEntity id and hbVersion: the NFVO assigns them at the grant.
 * Refused (-EINVAL, e names the field): no VNFD, a VNFD or VDU without id, no flavour key, no
 * nsr-id, a VDU without VIM instances or one without a name, a VIM that lists flavours none of
 * which is flavour_key (a launch there could only fail). -ENOMEM. On success *ret is new. */
int vnfr_build(const struct vnfr_build_in *in, struct cat_vnfr **ret, struct pop_error *e);

/* Makes the VNFR the NFVO answered a grant, allocate or scaling request with (`what` names
 * the answer in errors, e.g. "GRANT_OPERATION answer") the VNFM's record, replacing *cur. The
 * NFVO's copy wins whole: it has saved the record, so its ids, hbVersions, lifecycle event
 * history, VNFC instances and any member this VNFM does not know are the truth, and every
 * later reply must carry them exactly as received (a stale hbVersion fails the NFVO's save).
 * It is checked first to be the record that was sent: same name, same id once *cur has one,
 * an id on the VNFR and on every VDU (the NFVO assigns them at the grant), and the same VDUs
 * (matched by id, else by parent_vdu). Takes answer in every case (freed on failure); on
 * failure (-EINVAL, -EPROTO for an answer that is not that record) *cur is unchanged. */
int vnfr_adopt(struct cat_vnfr **cur, struct cat_vnfr *answer, const char *what,
               struct pop_error *e);

/* The VNFC instance of vnfr with that id, else (id NULL or not found) the one with that
 * hostname (the Pop container name); NULL when neither matches. *ret_vdu (optional) gets its
 * VDU. */
struct cat_vnfc_instance *vnfr_find_vnfc(const struct cat_vnfr *vnfr, const char *id,
                                         const char *hostname, struct cat_vdu **ret_vdu);

/* The first VNFC instance of after that before does not have (matched by id, or by hostname
 * for an instance without id): the one a SCALING answer added. NULL if there is none.
 * *ret_count (optional) gets how many are new, so a caller can refuse an answer that added
 * several. */
struct cat_vnfc_instance *vnfr_new_vnfc(const struct cat_vnfr *before, const struct cat_vnfr *after,
                                        size_t *ret_count);
