/* Lifecycle events (scripts per Event) and the history entries records keep. */
#pragma once

#include "catalogue/base.h"

/* Event, in Java ordinal order (0 = absent). */
enum cat_event {
    CAT_EVENT_NONE = 0,
    CAT_EVENT_GRANTED,
    CAT_EVENT_ALLOCATE,
    CAT_EVENT_SCALE,
    CAT_EVENT_RELEASE,
    CAT_EVENT_ERROR,
    CAT_EVENT_INSTANTIATE,
    CAT_EVENT_TERMINATE,
    CAT_EVENT_CONFIGURE,
    CAT_EVENT_START,
    CAT_EVENT_STOP,
    CAT_EVENT_HEAL,
    CAT_EVENT_SCALE_OUT,
    CAT_EVENT_SCALE_IN,
    CAT_EVENT_SCALE_UP,
    CAT_EVENT_SCALE_DOWN,
    CAT_EVENT_UPDATE,
    CAT_EVENT_UPDATE_ROLLBACK,
    CAT_EVENT_UPGRADE,
    CAT_EVENT_UPGRADE_ROLLBACK,
    CAT_EVENT_RESET,
};

/* "GRANTED", ... or NULL for CAT_EVENT_NONE and values out of range. */
const char *cat_event_name(enum cat_event ev);

struct cat_lifecycle_event {
    struct cat_entity base;
    enum cat_event event;
    struct cat_strv lifecycle_events; /* script names */
    json_t *extra;
};
CAT_VEC(cat_lifecycle_event_vec, struct cat_lifecycle_event);

/* HistoryLifecycleEvent: `event` is free text in Java, e.g. "GRANTED" or "ERROR". */
struct cat_history_event {
    struct cat_entity base;
    char *event;
    char *description;
    char *executed_at; /* "executedAt", text chosen by the NFVO */
    json_t *extra;
};
CAT_VEC(cat_history_event_vec, struct cat_history_event);

CAT_CODEC(cat_lifecycle_event);
CAT_CODEC(cat_history_event);
