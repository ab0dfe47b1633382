/* Auto-scale, fault-management and high-availability policy field tables. */
#include "catalogue/policy.h"

#include "catalogue-int.h"

static const char *const scaling_mode_names[] = {"REACTIVE", "PROACTIVE", "PREDICTIVE"};
CAT_ENUM_NAMES_MATCH(scaling_mode_names, CAT_SCALING_PREDICTIVE);
static const char *const scaling_type_names[] = {"SINGLE", "VOTED", "WEIGHTED"};
CAT_ENUM_NAMES_MATCH(scaling_type_names, CAT_SCALING_WEIGHTED);
static const char *const scaling_action_names[] = {
    "SCALE_OUT", "SCALE_OUT_TO", "SCALE_OUT_TO_FLAVOUR",
    "SCALE_IN",  "SCALE_IN_TO",  "SCALE_IN_TO_FLAVOUR",
};
CAT_ENUM_NAMES_MATCH(scaling_action_names, CAT_SCALE_IN_TO_FLAVOUR);
static const char *const fault_action_names[] = {
    "RESTART",       "REINSTANTIATE_SERVICE", "HEAL",
    "REINSTANTIATE", "SWITCH_TO_STANDBY",     "SWITCH_TO_ACTIVE",
};
CAT_ENUM_NAMES_MATCH(fault_action_names, CAT_FAULT_SWITCH_TO_ACTIVE);
static const char *const severity_names[] = {"INDETERMINATE", "WARNING", "MINOR", "MAJOR",
                                             "CRITICAL"};
CAT_ENUM_NAMES_MATCH(severity_names, CAT_SEVERITY_CRITICAL);
static const char *const vnfc_selector_names[] = {"at_least_one", "all"};
CAT_ENUM_NAMES_MATCH(vnfc_selector_names, CAT_VNFC_SELECTOR_ALL);

static const struct cat_field alarm_fields[] = {
    CAT_ENTITY_FIELDS(struct cat_scaling_alarm),
    CAT_F("metric", struct cat_scaling_alarm, metric, &cat_t_str),
    CAT_F("statistic", struct cat_scaling_alarm, statistic, &cat_t_str),
    CAT_F("comparisonOperator", struct cat_scaling_alarm, comparison_operator, &cat_t_str),
    CAT_F("threshold", struct cat_scaling_alarm, threshold, &cat_t_num),
    CAT_F("weight", struct cat_scaling_alarm, weight, &cat_t_num),
};
CAT_CLASS(cat_scaling_alarm_class, "ScalingAlarm", struct cat_scaling_alarm, alarm_fields);

static const struct cat_field action_fields[] = {
    CAT_ENTITY_FIELDS(struct cat_scaling_action),
    CAT_F("type", struct cat_scaling_action, type, CAT_T_ENUM(scaling_action_names)),
    CAT_F("value", struct cat_scaling_action, value, &cat_t_str),
    CAT_F("target", struct cat_scaling_action, target, &cat_t_str),
};
CAT_CLASS(cat_scaling_action_class, "ScalingAction", struct cat_scaling_action, action_fields);

static const struct cat_field asp_fields[] = {
    CAT_ENTITY_FIELDS(struct cat_auto_scale_policy),
    CAT_F("name", struct cat_auto_scale_policy, name, &cat_t_str),
    CAT_F("threshold", struct cat_auto_scale_policy, threshold, &cat_t_num),
    CAT_F("comparisonOperator", struct cat_auto_scale_policy, comparison_operator, &cat_t_str),
    CAT_F("period", struct cat_auto_scale_policy, period, &cat_t_int),
    CAT_F("cooldown", struct cat_auto_scale_policy, cooldown, &cat_t_int),
    CAT_F("mode", struct cat_auto_scale_policy, mode, CAT_T_ENUM(scaling_mode_names)),
    CAT_F("type", struct cat_auto_scale_policy, type, CAT_T_ENUM(scaling_type_names)),
    CAT_F("alarms", struct cat_auto_scale_policy, alarms,
          CAT_T_VEC(cat_scaling_alarm_class, struct cat_scaling_alarm)),
    CAT_F("actions", struct cat_auto_scale_policy, actions,
          CAT_T_VEC(cat_scaling_action_class, struct cat_scaling_action)),
};
CAT_CLASS(cat_auto_scale_policy_class, "AutoScalePolicy", struct cat_auto_scale_policy, asp_fields);

static const struct cat_field criteria_fields[] = {
    CAT_ENTITY_FIELDS(struct cat_fault_criteria),
    CAT_F("name", struct cat_fault_criteria, name, &cat_t_str),
    CAT_F("parameter_ref", struct cat_fault_criteria, parameter_ref, &cat_t_str),
    CAT_F("function", struct cat_fault_criteria, function, &cat_t_str),
    CAT_F("vnfc_selector", struct cat_fault_criteria, vnfc_selector,
          CAT_T_ENUM(vnfc_selector_names)),
    CAT_F("comparison_operator", struct cat_fault_criteria, comparison_operator, &cat_t_str),
    CAT_F("threshold", struct cat_fault_criteria, threshold, &cat_t_str),
};
CAT_CLASS(cat_fault_criteria_class, "Criteria", struct cat_fault_criteria, criteria_fields);

static const struct cat_field fault_policy_fields[] = {
    CAT_ENTITY_FIELDS(struct cat_fault_policy),
    CAT_F("name", struct cat_fault_policy, name, &cat_t_str),
    CAT_F("isVNFAlarm", struct cat_fault_policy, is_vnf_alarm, &cat_t_bool),
    CAT_F("period", struct cat_fault_policy, period, &cat_t_int),
    CAT_F("action", struct cat_fault_policy, action, CAT_T_ENUM(fault_action_names)),
    CAT_F("severity", struct cat_fault_policy, severity, CAT_T_ENUM(severity_names)),
    CAT_F("criteria", struct cat_fault_policy, criteria,
          CAT_T_VEC(cat_fault_criteria_class, struct cat_fault_criteria)),
};
CAT_CLASS(cat_fault_policy_class, "VRFaultManagementPolicy", struct cat_fault_policy,
          fault_policy_fields);

static const struct cat_field ha_fields[] = {
    CAT_ENTITY_FIELDS(struct cat_high_availability),
    CAT_F("resiliencyLevel", struct cat_high_availability, resiliency_level, &cat_t_str),
    CAT_F("redundancyScheme", struct cat_high_availability, redundancy_scheme, &cat_t_str),
    CAT_F("geoRedundancy", struct cat_high_availability, geo_redundancy, &cat_t_bool),
};
CAT_CLASS(cat_high_availability_class, "HighAvailability", struct cat_high_availability, ha_fields);
