/* Finding what the user names on the command line (an NS, NSD, VNF, VNFC) in the NFVO's
 * documents: by id first, else by name; an unknown or ambiguous name is an error that says
 * so. Pure: no I/O. */
#pragma once

#include <jansson.h>
#include <stddef.h>

/* Finds in list (a JSON array of objects) the item whose "id" is ref, else the only one whose
 * name_key member is ref. what names the kind in messages ("NS", "NSD", "VNF"). Returns 0 with
 * *ret borrowed from list, or -ENOENT ("no WHAT with id or name 'REF'") or -EEXIST ("WHAT name
 * 'REF' is ambiguous: N match (ids A, B); give an id") with the message in err. */
int nfvo_find(const json_t *list, const char *what, const char *name_key, const char *ref,
              json_t **ret, char *err, size_t errlen);

/* Finds the VNFC instance of nsr whose id or hostname is ref, in any VNFR and VDU. Returns 0
 * with the VNFR, VDU and VNFC instance (borrowed), or -ENOENT / -EEXIST as nfvo_find. */
int nfvo_find_vnfc(const json_t *nsr, const char *ref, json_t **ret_vnfr, json_t **ret_vdu,
                   json_t **ret_vnfc, char *err, size_t errlen);
