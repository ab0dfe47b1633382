/* Policies of descriptors: auto-scaling (with alarms and actions), fault management (with
 * criteria) and high availability. */
#pragma once

#include "catalogue/base.h"

enum cat_scaling_mode {
    CAT_SCALING_MODE_NONE = 0,
    CAT_SCALING_REACTIVE,
    CAT_SCALING_PROACTIVE,
    CAT_SCALING_PREDICTIVE,
};

enum cat_scaling_type {
    CAT_SCALING_TYPE_NONE = 0,
    CAT_SCALING_SINGLE,
    CAT_SCALING_VOTED,
    CAT_SCALING_WEIGHTED,
};

enum cat_scaling_action_type {
    CAT_SCALE_ACTION_NONE = 0,
    CAT_SCALE_OUT,
    CAT_SCALE_OUT_TO,
    CAT_SCALE_OUT_TO_FLAVOUR,
    CAT_SCALE_IN,
    CAT_SCALE_IN_TO,
    CAT_SCALE_IN_TO_FLAVOUR,
};

struct cat_scaling_alarm {
    struct cat_entity base;
    char *metric;
    char *statistic;
    char *comparison_operator; /* "comparisonOperator" */
    struct cat_num threshold;
    struct cat_num weight;
    json_t *extra;
};
CAT_VEC(cat_scaling_alarm_vec, struct cat_scaling_alarm);

struct cat_scaling_action {
    struct cat_entity base;
    enum cat_scaling_action_type type;
    char *value;
    char *target; /* a VNF type */
    json_t *extra;
};
CAT_VEC(cat_scaling_action_vec, struct cat_scaling_action);

struct cat_auto_scale_policy {
    struct cat_entity base;
    char *name;
    struct cat_num threshold;
    char *comparison_operator; /* "comparisonOperator" */
    struct cat_int period;
    struct cat_int cooldown;
    enum cat_scaling_mode mode;
    enum cat_scaling_type type;
    struct cat_scaling_alarm_vec alarms;
    struct cat_scaling_action_vec actions;
    json_t *extra;
};
CAT_VEC(cat_auto_scale_policy_vec, struct cat_auto_scale_policy);

enum cat_fault_action {
    CAT_FAULT_ACTION_NONE = 0,
    CAT_FAULT_RESTART,
    CAT_FAULT_REINSTANTIATE_SERVICE,
    CAT_FAULT_HEAL,
    CAT_FAULT_REINSTANTIATE,
    CAT_FAULT_SWITCH_TO_STANDBY,
    CAT_FAULT_SWITCH_TO_ACTIVE,
};

enum cat_severity {
    CAT_SEVERITY_NONE = 0,
    CAT_SEVERITY_INDETERMINATE,
    CAT_SEVERITY_WARNING,
    CAT_SEVERITY_MINOR,
    CAT_SEVERITY_MAJOR,
    CAT_SEVERITY_CRITICAL,
};

enum cat_vnfc_selector {
    CAT_VNFC_SELECTOR_NONE = 0,
    CAT_VNFC_SELECTOR_AT_LEAST_ONE, /* "at_least_one" */
    CAT_VNFC_SELECTOR_ALL,          /* "all" */
};

struct cat_fault_criteria {
    struct cat_entity base;
    char *name;
    char *parameter_ref;
    char *function;
    enum cat_vnfc_selector vnfc_selector;
    char *comparison_operator;
    char *threshold; /* text in Java */
    json_t *extra;
};
CAT_VEC(cat_fault_criteria_vec, struct cat_fault_criteria);

/* VRFaultManagementPolicy (a VDU's fault_management_policy). */
struct cat_fault_policy {
    struct cat_entity base;
    char *name;
    struct cat_bool is_vnf_alarm; /* "isVNFAlarm" */
    struct cat_int period;
    enum cat_fault_action action;
    enum cat_severity severity;
    struct cat_fault_criteria_vec criteria;
    json_t *extra;
};
CAT_VEC(cat_fault_policy_vec, struct cat_fault_policy);

struct cat_high_availability {
    struct cat_entity base;
    char *resiliency_level;         /* "resiliencyLevel" */
    char *redundancy_scheme;        /* "redundancyScheme" */
    struct cat_bool geo_redundancy; /* "geoRedundancy" */
    json_t *extra;
};

CAT_CODEC(cat_scaling_alarm);
CAT_CODEC(cat_scaling_action);
CAT_CODEC(cat_auto_scale_policy);
CAT_CODEC(cat_fault_criteria);
CAT_CODEC(cat_fault_policy);
CAT_CODEC(cat_high_availability);
