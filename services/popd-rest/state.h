/* The Pop container state machine (thesis 4.2.3, fig. 4.3): which operation each state allows. */
#pragma once

#include <stdbool.h>

enum pop_status {
    POP_UNAVAILABLE = 0,
    POP_CREATED = 1,
    POP_RUNNING = 2,
    POP_EXITED = 3,
    POP_FAILED = 4,
    POP_STOPPING = 5,
};
/* Slots of an array indexed by enum pop_status (kept next to the enum, so a new state is
 * counted everywhere such an array is). */
#define POP_STATUS_COUNT 6

enum pop_op {
    POP_OP_METADATA,          /* merge metadata before start */
    POP_OP_METADATA_RECREATE, /* merge; recreate the container if it is running */
    POP_OP_START,
    POP_OP_STOP,
    POP_OP_DELETE,
};

const char *pop_status_name(enum pop_status s);
/* Returns the status for a name ("RUNNING"), or POP_UNAVAILABLE when unknown. */
enum pop_status pop_status_from_name(const char *name);
const char *pop_op_name(enum pop_op op);

/* EXITED and FAILED: only DELETE is allowed afterwards. */
bool pop_status_is_final(enum pop_status s);

/* Whether op may run on a container in state s. */
bool pop_op_allowed(enum pop_op op, enum pop_status s);

/* Whether moving from -> to is an edge of the state graph: each state is entered once, except
 * that a recreate with new metadata re-enters RUNNING. store_container_transition refuses any
 * move this denies. */
bool pop_transition_allowed(enum pop_status from, enum pop_status to);
