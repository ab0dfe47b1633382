/* Dependency values as environment (services/vnfm/README.md, "Dependency values"): what a
 * target VNF's containers get from its dependency records and its own configuration, and the
 * state that makes partial records (scale-out, heal) and removals (scale-in) add up to what
 * the whole record would give. The state lives in the target VNFCs' own Pop metadata, under
 * DEP_STATE_PREFIX keys, because the VNFM keeps nothing itself. */
#pragma once

#include <jansson.h>
#include <stdint.h>

#include "catalogue/catalogue.h"
#include "core/error.h"

/* What popd-rest keeps of a container's metadata (openapi/pop.yaml NewMetadata; popd-rest's
 * metadata.h): names of 1-128 of [A-Za-z0-9_] not starting with a digit, values of at most
 * 4096 bytes, 256 entries. */
#define DEP_MD_KEY_MAX 128
#define DEP_MD_VALUE_MAX 4096
#define DEP_MD_ENTRIES_MAX 256

/* The metadata keys of the state begin with this; no value name the VNFM computes does (one
 * that would is dropped with a note). */
#define DEP_STATE_PREFIX "POP_VNFM_"

/* What one target knows of its sources: per source type the VNFR-level values (the keys are
 * the parameters the dependency asks for), per source VNFC instance its values and its place
 * in creation order, and a generation counted up on every change. Opaque. */
struct dep_state;

/* A new empty state (generation 0), NULL on ENOMEM. */
struct dep_state *dep_state_new(void);
/* Accepts NULL. */
void dep_state_free(struct dep_state *st);

/* Reads the state one target VNFC's metadata holds (its DEP_STATE_PREFIX keys; the others are
 * not looked at). md may be NULL (no metadata). -EINVAL naming the key when an entry is not
 * one this VNFM writes; -ENOMEM. On success *ret is new. */
int dep_state_from_metadata(const struct cat_strmap *md, struct dep_state **ret,
                            struct pop_error *e);

/* The state of a target: of the states its n VNFCs' metadata hold, the one of the highest
 * generation (the last complete write; a VNFC an interrupted update did not reach has an older
 * one), the first of them on a tie. mds[i] may be NULL. Errors as dep_state_from_metadata. */
int dep_state_load(const struct cat_strmap *const *mds, size_t n, struct dep_state **ret,
                   struct pop_error *e);

/* Checks that rec is a record for target (its `target` is the VNFR's name when both are set):
 * -EINVAL naming vnfrd.target otherwise. */
int dep_record_check(const struct cat_vnfr_dependency *rec, const struct cat_vnfr *target,
                     struct pop_error *e);

/* Merges a dependency record into st, whether it is whole (the first MODIFY, a SCALE_OUT's
 * `dependency`) or partial (the MODIFY after a source's scale-out or heal carries only that
 * VNFC, §11.15), so that the result is the same either way:
 * - parameters[type] replaces that type's VNFR-level values (the NFVO sends all of them);
 * - vnfcParameters[type].parameters[id] replaces that VNFC's values, keeping its place; a VNFC
 *   not seen before is placed after every VNFC known, in the order the record lists the new
 *   ones (the first record's order is the creation order an NFVO can give, see README);
 * - VNFCs the record does not mention are kept (only SCALE_IN removes one);
 * - entries without values are ignored (§11.7's empty entry under some type); empty values
 *   are not kept for a VNFC.
 * All or nothing: returns 1 when st changed (its generation went up), 0 when it already said
 * all that, -EINVAL naming the field (path, e.g. "vnfrd", prefixes it) for an empty source type
 * or VNFC id or a VNFC id listed under two types, -ENOMEM. */
int dep_state_apply(struct dep_state *st, const struct cat_vnfr_dependency *rec, const char *path,
                    struct pop_error *e);

/* Forgets the values of the source VNFC instance vnfc_id (SCALE_IN). Returns 1 when it was
 * known (generation up), 0 when not (a repeated SCALE_IN changes nothing). */
int dep_state_remove_vnfc(struct dep_state *st, const char *vnfc_id);

uint64_t dep_state_generation(const struct dep_state *st);
/* How many VNFC instances of source type the state knows (all types: type NULL). */
size_t dep_state_vnfc_count(const struct dep_state *st, const char *type);

/* The environment name for a source type and parameter (key NULL: a name of its own, for a
 * confKey): upper-cased, every character outside [A-Z0-9_] replaced by one '_', "_" between
 * type and key, a leading '_' when it would begin with a digit. Writes it NUL-terminated into
 * buf. Returns its length, -ENAMETOOLONG past DEP_MD_KEY_MAX or size - 1, -EINVAL when empty. */
int dep_env_name(const char *type, const char *key, char *buf, size_t size);

/* The environment a target VNFC gets (README, "Dependency values"): for every source type and
 * asked-for parameter with a value, <TYPE>_<KEY> = the first-created source VNFC's value and
 * <TYPE>_<KEY>_ALL = every source VNFC's value in creation order, comma-separated; then the
 * target's own configuration and provides parameters by their confKey. Empty values are never
 * written. A name taken by an earlier claimant (the order is in the README) is not written
 * twice: *ret_notes (optional; NULL when nothing was dropped, else malloc'ed, "; "-separated)
 * says what was dropped and why. target may be NULL (no own parameters). Returns 0 and a new
 * JSON object {name: value} in *ret; -ENAMETOOLONG or -E2BIG (a value past DEP_MD_VALUE_MAX)
 * naming it; -ENOMEM. */
int dep_env(const struct dep_state *st, const struct cat_vnfr *target, json_t **ret,
            char **ret_notes, struct pop_error *e);

/* All the metadata a target VNFC should hold: dep_env plus the state's own keys. -E2BIG when it
 * is more than popd-rest keeps (DEP_MD_ENTRIES_MAX entries, DEP_MD_VALUE_MAX per value). */
int dep_metadata(const struct dep_state *st, const struct cat_vnfr *target, json_t **ret,
                 char **ret_notes, struct pop_error *e);

/* The entries to PATCH (mgmtAddMetadata) so that a VNFC whose metadata is current holds want
 * (from dep_metadata): every name whose value differs, and "" (delete) for each name the VNFM
 * had written there before (what dep_metadata gives for the state current holds, and every
 * DEP_STATE_PREFIX key) that want no longer has. Names the VNFM never wrote are left alone.
 * An empty object means nothing to do (no container recreated). Returns 0 and a new object in
 * *ret, or an error of dep_state_from_metadata, -ENOMEM. */
int dep_metadata_patch(const struct cat_strmap *current, const json_t *want,
                       const struct cat_vnfr *target, json_t **ret, struct pop_error *e);

/* One request's whole change to a target of n VNFCs (MODIFY: rec; SCALE_IN: remove_vnfc_id; a
 * new VNFC at the target's own SCALE_OUT: rec with that VNFC's metadata NULL or empty among
 * mds): loads the state from mds (dep_state_load), applies rec and removes remove_vnfc_id
 * (either may be NULL), and gives in ret_patches[i] (an array of n the caller provides) what
 * to PATCH on VNFC i, an empty object when it holds the right metadata already. Returns 0,
 * or an error of the steps (nothing in ret_patches then); *ret_notes as in dep_env. */
int dep_update(const struct cat_strmap *const *mds, size_t n, const struct cat_vnfr_dependency *rec,
               const char *remove_vnfc_id, const struct cat_vnfr *target, json_t **ret_patches,
               char **ret_notes, struct pop_error *e);
