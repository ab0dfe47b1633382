/* What the pop CLI shows of an NS record (Open Baton NSR, reference §4.6): a row for
 * `pop ns ls`, the whole picture for `pop ns show`, and the VNF states `--wait` follows. Pure:
 * documents in, new documents out (NULL on allocation failure). */
#pragma once

#include <jansson.h>
#include <stdbool.h>

#define NS_VIEW_EVENTS 5 /* last history entries shown per record */

/* {name, id, status, task, vnfs: {VNF name: status}} */
json_t *ns_view_row(const json_t *nsr);

/* name, id, status, task, nsd, vnfs (id, type, status, VNFCs with hostname, id, state, the
 * VIM and its Pop URL looked up in vims (a VIM instance list, may be NULL), addresses per
 * virtual link), virtual_links (network id, status, the VNFC addresses on it), dependencies
 * (target, per source VNF and VNFC the values it gives), events (the last NS_VIEW_EVENTS of the
 * NSR and of each VNFR: at, record ("NS" or the VNF), event, description) and errors (record and
 * reason of every ERROR entry). */
json_t *ns_view_show(const json_t *nsr, const json_t *vims);

/* {VNF name: status} in the record's order. */
json_t *ns_view_states(const json_t *nsr);

/* True when the NSR is ACTIVE or ERROR with no operation running (its task does not end in
 * "ing": Onboarding, Healing, Scaling out, Terminating...). */
bool ns_view_settled(const json_t *nsr);
