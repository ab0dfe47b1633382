/* State machine tables: the single place that decides what a state allows. */
#include "state.h"

#include <string.h>

static const char *const status_names[] = {
    [POP_UNAVAILABLE] = "UNAVAILABLE", [POP_CREATED] = "CREATED", [POP_RUNNING] = "RUNNING",
    [POP_EXITED] = "EXITED",           [POP_FAILED] = "FAILED",   [POP_STOPPING] = "STOPPING",
};

const char *pop_status_name(enum pop_status s)
{
    if ((unsigned)s >= sizeof(status_names) / sizeof(status_names[0]))
        return "UNAVAILABLE";
    return status_names[s];
}

enum pop_status pop_status_from_name(const char *name)
{
    for (unsigned i = 1; i < sizeof(status_names) / sizeof(status_names[0]); i++)
        if (name && strcmp(name, status_names[i]) == 0)
            return (enum pop_status)i;
    return POP_UNAVAILABLE;
}

const char *pop_op_name(enum pop_op op)
{
    switch (op) {
    case POP_OP_METADATA:
        return "metadata";
    case POP_OP_METADATA_RECREATE:
        return "metadata with apply=recreate";
    case POP_OP_START:
        return "start";
    case POP_OP_STOP:
        return "stop";
    case POP_OP_DELETE:
        return "delete";
    }
    return "unknown";
}

bool pop_status_is_final(enum pop_status s)
{
    return s == POP_EXITED || s == POP_FAILED;
}

bool pop_op_allowed(enum pop_op op, enum pop_status s)
{
    switch (op) {
    case POP_OP_METADATA:
    case POP_OP_START:
        return s == POP_CREATED;
    case POP_OP_METADATA_RECREATE:
        /* CREATED: nothing runs yet, the new metadata simply applies at start */
        return s == POP_CREATED || s == POP_RUNNING;
    case POP_OP_STOP:
        return s == POP_RUNNING;
    case POP_OP_DELETE:
        return s != POP_UNAVAILABLE;
    }
    return false;
}

bool pop_transition_allowed(enum pop_status from, enum pop_status to)
{
    switch (from) {
    case POP_CREATED:
        return to == POP_RUNNING || to == POP_FAILED;
    case POP_RUNNING:
        /* RUNNING -> RUNNING: a recreate with new metadata replaces the engine container. */
        return to == POP_RUNNING || to == POP_STOPPING || to == POP_EXITED || to == POP_FAILED;
    case POP_STOPPING:
        return to == POP_EXITED || to == POP_FAILED;
    default:
        return false;
    }
}
