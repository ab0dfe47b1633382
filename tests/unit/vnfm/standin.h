/* An NFVO stand-in for the VNFM's unit tests: what NFVO 6 does to the records between the VNFM's
 * steps (reference §3.6, §3.7, §5.1, §5.2, §11.15), written from the reference, so the tests
 * feed the VNFM what it would really receive. Every function fails the test on error. */
#pragma once

#include "../catalogue/helpers.h"
#include "core/cleanup.h"
#include "dependency_env.h"
#include "vnfr_build.h"

/* Addresses handed out per network: 10.<network number>.0.<2, 3, ...>, as popd-rest's lowest
 * free address does on a fresh subnet. */
struct standin_ipam {
    char *net[8];
    int next[8];
};
void standin_ipam_done(struct standin_ipam *ipam);
/* The next address on network net (malloc'ed). */
char *standin_next_ip(struct standin_ipam *ipam, const char *net);

/* Parses tests/fixtures/<rel> as an NSD and onboards it: ids "vnfd-<name>" and
 * "vdu-<vnfd name>-<i>", as the NFVO assigns them when it stores the descriptor. */
struct cat_nsd *standin_onboard_fixture(const char *rel);
struct cat_nsd *standin_onboard_text(const char *text);

/* The VNFR the VNFM builds at INSTANTIATE for vnfd, with what NFVO 6 sends (§3.3, §3.8): the
 * first deployment flavour, the NSR's VLRs (extId "net-<name>"), extension with nsr-id, one Pop
 * VIM "pop1" per VDU. */
struct cat_vnfr *standin_build(const struct cat_nsd *nsd, const struct cat_vnfd *vnfd);

/* The grant: ids and hbVersion on the VNFR, its VDUs and VNFC components, a GRANTED history
 * entry, and the connection points' virtual_link_reference_id (§3.6 step 3). */
void standin_grant(struct cat_vnfr *vnfr);

/* The allocation: one VNFC instance per component (id "<vnfr>-vnfci-<n>", hostname
 * "<vnfr>-<n>"), an address per connection point (§2.5, §3.6 step 4). */
void standin_allocate(struct standin_ipam *ipam, struct cat_vnfr *vnfr);

/* A scale-out of VDU 0: a new component and its instance (§3.7). Returns the new instance. */
struct cat_vnfc_instance *standin_scale_out(struct standin_ipam *ipam, struct cat_vnfr *vnfr);

/* The VNFRecordDependency of target as the NFVO stores it once every source is instantiated
 * (§5.1, §5.2), with the empty vnfcParameters entry of the NSD's last VNFD type (§11.7).
 * Launch-time configuration is assumed merged into the VNFRs' configurations already. */
struct cat_vnfr_dependency *standin_record(const struct cat_nsd *nsd, struct cat_vnfr *const *vnfrs,
                                           size_t n, const char *target);

/* The record of the MODIFY after source scaled out or healed vi (§3.7, §11.15): no id, the
 * stored VNFR-level values of source's type, and only vi in vnfcParameters with all its
 * addresses, floating addresses and hostname, whatever was asked for. */
struct cat_vnfr_dependency *standin_partial(const struct cat_vnfr_dependency *stored,
                                            const struct cat_vnfr *source,
                                            const struct cat_vnfc_instance *vi);

/* The VNFR of vnfrs named name (fails the test if none). */
struct cat_vnfr *standin_find(struct cat_vnfr *const *vnfrs, size_t n, const char *name);

/* The environment a fresh target (no state yet) gets from rec: dep_env after dep_state_apply. */
json_t *standin_env(const struct cat_vnfr_dependency *rec, const struct cat_vnfr *target);

/* Parses "K=V\n..." lines into a JSON object. */
json_t *standin_env_text(const char *lines);

/* cat_strmap view of a JSON object of strings (what mgmtCheck's Server.metadata decodes to;
 * NULL: empty); free with standin_strmap_free. */
struct cat_strmap *standin_strmap(const json_t *o);
void standin_strmap_free(struct cat_strmap *m);
/* Applies a metadata patch the way popd-rest merges it ("" deletes, entries sorted by key). */
void standin_patch(struct cat_strmap *md, const json_t *patch);
