/* Compiled, never run (see CMakeLists.txt): a config table entry whose constructor does not
 * match its member's C type must not compile; the matching table must. */
#include "core/config.h"

struct types_cfg {
    int64_t count;
    bool on;
    char *name;
};

#define T struct types_cfg
static const struct config_field fields[] = {
#ifdef CONFIG_TYPES_SWAPPED
    /* An int64_t member read as a bool: with positional initializers this compiled. */
    CONFIG_BOOL(T, count, "T_COUNT", "false", .help = "count"),
#else
    CONFIG_INT(T, count, "T_COUNT", "1", 0, 9, .help = "count"),
#endif
    CONFIG_BOOL(T, on, "T_ON", "false", .help = "on"),
    CONFIG_STR(T, name, "T_NAME", "x", .help = "name"),
};
#undef T

const struct config_field *config_types_fields(void);
const struct config_field *config_types_fields(void)
{
    return fields;
}
