/* Java byte[] as base64 text, the form the plugin RPC Gson writes (padded, standard alphabet):
 * lib/core's codec with the catalogue's cap and allocation. */
#include <errno.h>
#include <stdlib.h>

#include "catalogue-int.h"
#include "core/base64.h"

int cat_base64_decode(const char *s, size_t len, size_t max, uint8_t **ret, size_t *ret_len)
{
    /* The decoded size is at most 3/4 of the text: check the cap before allocating it. */
    size_t bound = len / 4 * 3 + 3;
    size_t room = bound < max ? bound : max;
    uint8_t *out = malloc(room ? room : 1);
    if (!out)
        return -ENOMEM;
    int n = base64_decode(s, len, BASE64_PAD, out, room);
    if (n < 0) {
        free(out);
        return n == -ENOBUFS ? -E2BIG : n;
    }
    *ret = out;
    *ret_len = (size_t)n;
    return 0;
}

char *cat_base64_encode(const uint8_t *data, size_t len)
{
    size_t size = BASE64_PADDED_SIZE(len);
    char *out = malloc(size);
    if (out && base64_encode(data, len, BASE64_PAD, out, size) < 0) {
        free(out);
        return NULL;
    }
    return out;
}
