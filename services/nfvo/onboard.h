/* Onboarding an NSD as NFVO 6 does (reference §4.1, §4.7; NSDUtils.checkIntegrity and
 * fetchDependencies): the integrity checks, the `requires` of the VNFDs merged into
 * `vnf_dependency`, cycles marked, then ids, versions, project and dates given. Pure functions
 * on a decoded struct cat_nsd; the catalogue (catalogue.c) stores the result. */
#pragma once

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

struct cat_nsd;

/* Caps on one NSD, beyond lib/catalogue's (a string 16 KiB, a list 1024 entries) and the body
 * cap NFVO_BODY_MAX. A list over its cap is 413 naming it; a name over its cap is 400. */
#define NFVO_NSD_VNFD_MAX 64    /* VNFDs of one NSD */
#define NFVO_NSD_VLD_MAX 64     /* virtual links of the NSD, and of one VNFD */
#define NFVO_NSD_VDU_MAX 32     /* VDUs of one VNFD */
#define NFVO_NSD_VNFC_MAX 64    /* VNF components of one VDU */
#define NFVO_NSD_CP_MAX 16      /* connection points of one VNF component */
#define NFVO_NSD_DEP_MAX 1024   /* dependencies after the merge */
#define NFVO_NSD_PARAM_MAX 64   /* parameters of one dependency */
#define NFVO_NSD_NAME_MAX 255   /* bytes of a name, vendor, version, type, endpoint, parameter */
#define NFVO_NSD_SCALE_MAX 1000 /* scale_in_out */

/* Checks nsd (decoded with CAT_DEC_REQUIRED) and normalizes it in place:
 * - no NSD `id` (the NFVO gives it); at least one VNFD, none referenced by `id` (not
 *   supported: the VNFDs come inline);
 * - NSD, VLD, VNFD, VDU, internal link names present; VNFD names unique; VNFD `type` and
 *   `endpoint` present; every VDU with a `vm_image`, `scale_in_out` 1..NFVO_NSD_SCALE_MAX and
 *   at least its number of VNF components; every lifecycle event with its `event`;
 * - every VNFC connection point on a virtual link of the NSD's `vld` or of its VNFD's
 *   `virtual_link` (`chosenPool` taken from the VLD's `poolName`);
 * - every dependency with a known source and target, not itself, and parameters; the
 *   `requires` entries (an entry without parameters is skipped, as NFVO 6 does) merged into
 *   `vnf_dependency`, dependencies with the same source and target merged, parameters once;
 * - VDUs without a name named "<vnfd>-<n>"; VNFDs on a dependency cycle get
 *   `cyclicDependency: true` (NFVO 6 accepts cycles);
 * - the caps above.
 * Returns 0, or -EINVAL (400) / -E2BIG (413) / -ENOMEM with e naming the field's JSON path. */
int nfvo_nsd_check(struct cat_nsd *nsd, struct pop_error *e);

/* Gives every entity without an `id` a new UUID and without `hbVersion` 0; sets `projectId`
 * of the NSD, its VNFDs and VDUs, `createdAt`/`updatedAt` of the NSD and VNFDs (NFVO 6's
 * "yyyy.MM.dd 'at' HH:mm:ss z" text, UTC, from now in Unix seconds), `enabled` true, and the
 * dependencies' `source_id`/`target_id`. Returns 0 or -ENOMEM/-EIO (no randomness). */
int nfvo_nsd_assign(struct cat_nsd *nsd, const char *project, int64_t now, struct pop_error *e);

/* cat_parse of body, a VNFD referenced by id refused naming it, cat_nsd_from_json
 * (CAT_DEC_REQUIRED), nfvo_nsd_check, nfvo_nsd_assign: the NSD to store
 * in *ret (a new struct, cat_nsd_free it). Errors as those. */
int nfvo_nsd_onboard(const char *body, size_t len, const char *project, int64_t now,
                     struct cat_nsd **ret, struct pop_error *e);
