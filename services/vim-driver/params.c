/* Reading plugin parameters by position, with errors that name the parameter: the NFVO (or a
 * person reading its log) learns which argument was wrong and how. */
#include <errno.h>
#include <string.h>

#include "vimd-int.h"
#include "json/jv.h"

static int bad(struct pop_error *err, size_t i, const char *what, const char *problem)
{
    char field[32];
    snprintf(field, sizeof(field), "parameters[%zu]", i);
    return pop_error_set(err, -EINVAL, API_INVALID_FIELD, field, "%s (%s): %s", field, what,
                         problem);
}

/* parameters[i], or NULL when absent or JSON null. */
static const json_t *param_at(const json_t *params, size_t i)
{
    const json_t *v = json_array_get(params, i);
    return v && !json_is_null(v) ? v : NULL;
}

int vimd_param_string(const json_t *params, size_t i, const char *what, bool allow_null,
                      const char **ret, struct pop_error *err)
{
    const json_t *v = param_at(params, i);
    if (!v) {
        if (!allow_null)
            return bad(err, i, what, "required");
        *ret = NULL;
        return 0;
    }
    if (!json_is_string(v))
        return bad(err, i, what, "expected a string");
    if (json_string_length(v) > CAT_STRING_MAX)
        return bad(err, i, what, "longer than 16384 bytes");
    if (memchr(json_string_value(v), '\0', json_string_length(v)))
        return bad(err, i, what, "contains a NUL character");
    *ret = json_string_value(v);
    return 0;
}

int vimd_param_ref(const json_t *params, size_t i, const char *what, const char **ret,
                   struct pop_error *err)
{
    const char *s;
    int r = vimd_param_string(params, i, what, false, &s, err);
    if (r < 0)
        return r;
    /* Checked here rather than left to popd-rest: the value goes into a URL path, and "not a
     * container name" says more than popd-rest's 400 for a malformed path would. */
    const char *why = jv_check_name(s);
    if (why) {
        char problem[192];
        if (strlen(s) <= 63)
            snprintf(problem, sizeof(problem), "'%s' is not a Pop container name: %s", s, why);
        else
            snprintf(problem, sizeof(problem),
                     "a name of %zu bytes is not a Pop container "
                     "name: %s",
                     strlen(s), why);
        return bad(err, i, what, problem);
    }
    *ret = s;
    return 0;
}

int vimd_param_array(const json_t *params, size_t i, const char *what, bool allow_null,
                     const json_t **ret, struct pop_error *err)
{
    const json_t *v = param_at(params, i);
    if (!v) {
        if (!allow_null)
            return bad(err, i, what, "required");
        *ret = NULL;
        return 0;
    }
    if (!json_is_array(v))
        return bad(err, i, what, "expected an array");
    if (json_array_size(v) > CAT_LIST_MAX)
        return bad(err, i, what, "more than 1024 entries");
    *ret = v;
    return 0;
}

int vimd_param_object(const json_t *params, size_t i, const char *what, bool allow_null,
                      const json_t **ret, struct pop_error *err)
{
    const json_t *v = param_at(params, i);
    if (!v) {
        if (!allow_null)
            return bad(err, i, what, "required");
        *ret = NULL;
        return 0;
    }
    if (!json_is_object(v))
        return bad(err, i, what, "expected an object");
    if (json_object_size(v) > CAT_LIST_MAX)
        return bad(err, i, what, "more than 1024 entries");
    *ret = v;
    return 0;
}
