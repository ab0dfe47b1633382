#!/usr/bin/env bash
# Registration of pop-vim-driver with an NFVO (reference §1.2) through a real broker, the broker
# user holding exactly the rights NFVO 6 grants a plugin:
# - started before the broker and before the NFVO, the driver is up (ready line, /healthz 503
#   naming what it waits for) and registers by itself once both are there;
# - its queue is vim-drivers.pop.<name>, durable with an expiry (not auto-delete), bound to
#   openbaton-exchange under its own name, consumed by the plugin's own user;
# - the broker refusing that user (deleted by the NFVO side) makes it register again;
# - /metrics counts RPCs by method and outcome;
# - SIGTERM deregisters (the NFVO is told) and removes the then empty queue; exit status 0.
set -euo pipefail
. "$(dirname "$0")/../lib/popd.sh"
. "$(dirname "$0")/../lib/vimd.sh"

[ "$VIMD_TRANSPORT" = amqp ] || fail "run with VIMD_TRANSPORT=amqp"
popd_start
popd_login
vimd_vim

health() {
    curl -s -o "$POPD_WORK/health.json" -w '%{http_code}' "$VIMD_URL/healthz"
}

# wait_health CODE JQ_FILTER [TENTHS]: until /healthz answers CODE with a body matching.
wait_health() {
    local code=$1 filter=$2 n=${3:-100}
    for _ in $(seq "$n"); do
        [ "$(health)" = "$code" ] && jq -e "$filter" "$POPD_WORK/health.json" >/dev/null && return 0
        sleep 0.1
    done
    fail "healthz: expected $code and $filter, got $(cat "$POPD_WORK/health.json")"
}

# ---- no broker, no NFVO: up anyway, /healthz says why it does not serve ----
vimd_start 'ready'
wait_health 503 '.status == "unavailable" and .plugin.plugin == "vim-drivers.pop.it" and
    .plugin.state == "registering" and (.plugin.last_error | contains("no connection to the broker"))'

rmq_start
rmq_add_user "$VIMD_REG_USER" "$VIMD_REG_PASS" '^amq\.gen.*|amq\.default$' \
    '^amq\.gen.*|amq\.default$|nfvo.manager.handling|openbaton-exchange' \
    '^amq\.gen.*|amq\.default$|nfvo.manager.handling|openbaton-exchange'
# The broker is there, the NFVO is not: the registration finds no nfvo.manager.handling.
wait_health 503 '.plugin.last_error | contains("is the NFVO up?")' 150

t0=$(date +%s%N)
standin_start
wait_health 200 '.status == "ok" and .plugin.state == "serving"' 150
echo "registered and serving $((($(date +%s%N) - t0) / 1000000)) ms after the NFVO stand-in started" >&2
grep -qx "registered $VIMD_PLUGIN user=$VIMD_PLUGIN" "$POPD_WORK/standin.log" ||
    fail "the NFVO saw no registration: $(cat "$POPD_WORK/standin.log")"

# ---- the queue and who consumes it ----
q="$(rmq_queue "$VIMD_PLUGIN")"
jq -e '.durable == true and .auto_delete == false and .exclusive == false and
       .arguments == {"x-expires": 60000}' <<<"$q" >/dev/null || fail "plugin queue: $q"
rmq_api GET "/api/queues/%2F/$VIMD_PLUGIN/bindings" |
    jq -e --arg q "$VIMD_PLUGIN" 'any(.source == "openbaton-exchange" and .routing_key == $q)' >/dev/null ||
    fail "plugin queue not bound to openbaton-exchange"
[ "$(rmq_connections "$VIMD_PLUGIN" | grep -c .)" = 1 ] ||
    fail "not one connection of the plugin user: $(rmq_connections)"

vcall getType "[$VIM]"
expect_answer
[ "$ANSWER" = '"pop"' ] || fail "getType: $ANSWER"

# ---- the broker refuses the plugin user: the driver registers again ----
rmq_delete_user "$VIMD_PLUGIN"
rmq_close_connections "$VIMD_PLUGIN" >/dev/null
for _ in $(seq 150); do
    [ "$(grep -c "^registered $VIMD_PLUGIN" "$POPD_WORK/standin.log")" = 2 ] && [ "$(health)" = 200 ] && break
    sleep 0.1
done
[ "$(grep -c "^registered $VIMD_PLUGIN" "$POPD_WORK/standin.log")" = 2 ] ||
    fail "no second registration after the user was deleted: $(tail -n 5 "$POPD_WORK/vimd.log")"
grep -q "refuses the plugin user '$VIMD_PLUGIN'.*registering again" "$POPD_WORK/vimd.log" ||
    fail "the driver's log does not say why it registered again"
vcall listServer "[$VIM]"
expect_answer
[ "$ANSWER" = '[]' ] || fail "listServer after re-registration: $ANSWER"

# ---- metrics ----
curl -fs "$VIMD_URL/metrics" >"$POPD_WORK/metrics.txt"
grep -q '^vimd_rpcs_total{method="getType",outcome="ok"} 1$' "$POPD_WORK/metrics.txt" ||
    fail "no getType count: $(grep vimd_rpcs "$POPD_WORK/metrics.txt")"
grep -q '^vimd_rpcs_total{method="listServer",outcome="ok"} 1$' "$POPD_WORK/metrics.txt" ||
    fail "no listServer count"
grep -q '^mq_connects_total{outcome="up"} [2-9]' "$POPD_WORK/metrics.txt" ||
    fail "mq_connects_total: $(grep mq_connects "$POPD_WORK/metrics.txt")"

# ---- orderly stop: deregistered, the empty queue gone ----
vimd_stop
grep -qx "deregistered $VIMD_PLUGIN type=$VIMD_PLUGIN" "$POPD_WORK/standin.log" ||
    fail "no deregistration: $(cat "$POPD_WORK/standin.log")"
if rmq_queue "$VIMD_PLUGIN" >/dev/null 2>&1; then fail "the plugin queue outlived an orderly stop"; fi
echo "amqp_register: ok"
