/* Helpers shared by the handlers: name and reference checks. */
#include "handlers.h"

#include <errno.h>
#include <string.h>

/* The shape of the ids popd-rest generates (auth_uuid4: 8-4-4-4-12 hex digits). Any case and
 * any version digit count, so nothing that looks like an id can be a name. */
static bool id_shaped(const char *s)
{
    static const char shape[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
    if (strlen(s) != sizeof(shape) - 1)
        return false;
    for (size_t i = 0; shape[i]; i++) {
        bool hex = (s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
                   (s[i] >= 'A' && s[i] <= 'F');
        if (shape[i] == '-' ? s[i] != '-' : !hex)
            return false;
    }
    return true;
}

const char *handler_check_name(const char *s)
{
    const char *why = jv_check_name(s);
    if (why)
        return why;
    if (id_shaped(s))
        return "must not have the form of an id (8-4-4-4-12 hex digits): a path takes an id or "
               "a name, so a name must never read as an id";
    return NULL;
}

const char *handler_ref(struct http_request *req, const char *param)
{
    const char *ref = http_request_param(req, param);
    if (!ref || jv_check_name(ref)) {
        http_reply_error(req, API_BAD_REQUEST,
                         "'%s' is not an id or name (1-63 of A-Z a-z 0-9 _ . -, starting with a "
                         "letter or digit)",
                         ref ? ref : "");
        return NULL;
    }
    return ref;
}

int handler_query(struct http_request *req, const char *name, jv_check_fn check, const char **ret)
{
    const char *v = http_request_query(req, name);
    const char *why = v ? (check ? check : jv_check_name)(v) : NULL;
    if (why) {
        http_reply_error(req, API_BAD_QUERY, "%s: %s", name, why);
        return -EINVAL;
    }
    *ret = v;
    return 0;
}

const char *handler_check_image(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 255)
        return "must be 1-255 characters";
    for (const char *q = s; *q; q++)
        if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') ||
              strchr("._-/:@", *q)))
            return "must be an image reference (letters, digits and . _ - / : @)";
    return NULL;
}
