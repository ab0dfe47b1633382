/* By id, else by name: the references of the NFVO commands. */
#include "nfvo_ref.h"

#include "core/strbuf.h"
#include "json/jv.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define NFVO_REF_IDS_SHOWN 4 /* ids listed in an ambiguity message */

/* The message for matches (an array of the matching items' ids) of ref. */
static int nfvo_ref_result(const char *what, const char *ref, const char *const *ids, size_t n,
                           char *err, size_t errlen)
{
    if (n == 0) {
        snprintf(err, errlen, "no %s with id or name '%s'", what, ref);
        return -ENOENT;
    }
    struct strbuf sb = STRBUF_INIT;
    for (size_t i = 0; i < n && i < NFVO_REF_IDS_SHOWN; i++)
        strbuf_printf(&sb, "%s%s", i ? ", " : "", ids[i]);
    if (n > NFVO_REF_IDS_SHOWN)
        strbuf_puts(&sb, ", ...");
    snprintf(err, errlen, "%s name '%s' is ambiguous: %zu match (ids %s); give an id", what, ref, n,
             strbuf_str(&sb));
    strbuf_done(&sb);
    return -EEXIST;
}

int nfvo_find(const json_t *list, const char *what, const char *name_key, const char *ref,
              json_t **ret, char *err, size_t errlen)
{
    size_t i, n = 0;
    json_t *item, *found = NULL;
    const char *ids[NFVO_REF_IDS_SHOWN];
    json_array_foreach (list, i, item) {
        const char *id = jv_get_string(item, "id");
        if (id && strcmp(id, ref) == 0) {
            *ret = item;
            return 0;
        }
    }
    json_array_foreach (list, i, item) {
        const char *name = jv_get_string(item, name_key);
        if (!name || strcmp(name, ref) != 0)
            continue;
        if (n < NFVO_REF_IDS_SHOWN) {
            const char *id = jv_get_string(item, "id");
            ids[n] = id ? id : "?";
        }
        n++;
        found = item;
    }
    if (n == 1) {
        *ret = found;
        return 0;
    }
    return nfvo_ref_result(what, ref, ids, n, err, errlen);
}

int nfvo_find_vnfc(const json_t *nsr, const char *ref, json_t **ret_vnfr, json_t **ret_vdu,
                   json_t **ret_vnfc, char *err, size_t errlen)
{
    const char *ids[NFVO_REF_IDS_SHOWN];
    size_t n = 0;
    for (int pass = 0; pass < 2 && n == 0; pass++) {
        const char *key = pass == 0 ? "id" : "hostname";
        size_t i, j, k;
        json_t *vnfr, *vdu, *vnfc;
        json_array_foreach (jv_get_array(nsr, "vnfr"), i, vnfr)
            json_array_foreach (jv_get_array(vnfr, "vdu"), j, vdu)
                json_array_foreach (jv_get_array(vdu, "vnfc_instance"), k, vnfc) {
                    const char *v = jv_get_string(vnfc, key);
                    if (!v || strcmp(v, ref) != 0)
                        continue;
                    if (n < NFVO_REF_IDS_SHOWN) {
                        const char *id = jv_get_string(vnfc, "id");
                        ids[n] = id ? id : "?";
                    }
                    n++;
                    *ret_vnfr = vnfr;
                    *ret_vdu = vdu;
                    *ret_vnfc = vnfc;
                }
    }
    if (n == 1)
        return 0;
    return nfvo_ref_result("VNFC", ref, ids, n, err, errlen);
}
