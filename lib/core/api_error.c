/* Lookups in the API error table (api_error.h). */
#include "core/api_error.h"

#include <string.h>

static const struct {
    unsigned status;
    const char *code;
    const char *title;
} api_errors[] = {
#define API_ERROR_ROW(name, status, code, title) [name] = {status, code, title},
    API_ERRORS(API_ERROR_ROW)
#undef API_ERROR_ROW
};

static enum api_error api_error_valid(enum api_error err)
{
    return (unsigned)err < API_ERROR_COUNT ? err : API_INTERNAL;
}

unsigned api_error_status(enum api_error err)
{
    return api_errors[api_error_valid(err)].status;
}

const char *api_error_code(enum api_error err)
{
    return api_errors[api_error_valid(err)].code;
}

const char *api_error_title(enum api_error err)
{
    return api_errors[api_error_valid(err)].title;
}

enum api_error api_error_from_code(const char *code)
{
    if (!code)
        return API_ERROR_COUNT;
    /* A linear scan of 19 rows: a client maps one code per failed call. */
    for (unsigned i = 0; i < API_ERROR_COUNT; i++)
        if (strcmp(api_errors[i].code, code) == 0)
            return (enum api_error)i;
    return API_ERROR_COUNT;
}
