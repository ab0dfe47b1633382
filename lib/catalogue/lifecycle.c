/* LifecycleEvent and HistoryLifecycleEvent field tables, and the Event names. */
#include "catalogue/lifecycle.h"

#include "catalogue-int.h"

static const char *const event_names[] = {
    "GRANTED",
    "ALLOCATE",
    "SCALE",
    "RELEASE",
    "ERROR",
    "INSTANTIATE",
    "TERMINATE",
    "CONFIGURE",
    "START",
    "STOP",
    "HEAL",
    "SCALE_OUT",
    "SCALE_IN",
    "SCALE_UP",
    "SCALE_DOWN",
    "UPDATE",
    "UPDATE_ROLLBACK",
    "UPGRADE",
    "UPGRADE_ROLLBACK",
    "RESET",
};
CAT_ENUM_NAMES_MATCH(event_names, CAT_EVENT_RESET);

const char *cat_event_name(enum cat_event ev)
{
    if (ev < 1 || ev > CAT_EVENT_RESET)
        return NULL;
    return event_names[ev - 1];
}

static const struct cat_field lifecycle_event_fields[] = {
    CAT_ENTITY_FIELDS(struct cat_lifecycle_event),
    CAT_F("event", struct cat_lifecycle_event, event, CAT_T_ENUM(event_names)),
    CAT_F("lifecycle_events", struct cat_lifecycle_event, lifecycle_events, &cat_t_strv),
};
CAT_CLASS(cat_lifecycle_event_class, "LifecycleEvent", struct cat_lifecycle_event,
          lifecycle_event_fields);

static const struct cat_field history_fields[] = {
    CAT_ENTITY_FIELDS(struct cat_history_event),
    CAT_F("event", struct cat_history_event, event, &cat_t_str),
    CAT_F("description", struct cat_history_event, description, &cat_t_str),
    CAT_F("executedAt", struct cat_history_event, executed_at, &cat_t_str),
};
CAT_CLASS(cat_history_event_class, "HistoryLifecycleEvent", struct cat_history_event,
          history_fields);
