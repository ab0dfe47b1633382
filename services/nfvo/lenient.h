/* Gson's lenient reading of the bodies Open Baton's Java plugin SDK builds by string
 * concatenation (reference §1.2: {'type':'vim-drivers.x.y','action':'register'}): single-quoted
 * strings become JSON strings, then lib/json parses the result with its usual rules. */
#pragma once

#include <jansson.h>
#include <stddef.h>

#include "core/error.h"

/* Parses buf (len bytes) as a JSON object, accepting '...' strings (with \' and \\ escapes) as
 * well as "..." ones. Returns 0 and a new reference, or -EINVAL/-ENOMEM with e naming the
 * problem ("line 1, column 9: ..."; an unterminated '...' string). */
int nfvo_parse_lenient(const char *buf, size_t len, json_t **ret, struct pop_error *e);
