#!/usr/bin/env bash
# pop-nfvo when its peers do not answer (issue 11), with every real component (RabbitMQ,
# popd-rest on the Docker Engine, pop-vim-driver, pop-vnfm):
# - a VNFM that never answers (the test's own pop-vnfm frozen with SIGSTOP), NFVO_VNFM_TIMEOUT=3:
#   the launch ends in ERROR within a few seconds, each VNFR and the NSR with the reason
#   "INSTANTIATE of <vnf>: VNFM <queue> did not answer within 3 s"; the Pop agrees with the
#   record; a DELETE (whose RELEASE_RESOURCES times out too) removes the NSR and leaves nothing;
#   once the VNFM runs again (SIGCONT) the requests it had taken are refused and make nothing;
# - popd-rest killed (kill -9) and back 1.5 s after a launch request: the driver waits for it
#   and the NS ends ACTIVE with the client's environment right;
# - RabbitMQ restarted during a launch: the NSR ends ACTIVE or ERROR with a reason, never stuck;
#   once everyone is back on the broker the Pop agrees with the record and a DELETE leaves
#   nothing.
set -euo pipefail
. "$(dirname "$0")/../lib/popd.sh"
. "$(dirname "$0")/../lib/nfvo.sh"

t_start=$(date +%s%N)
ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }

popd_start
popd_login
rmq_start
nfvod_start NFVO_VNFM_TIMEOUT=3 NFVO_DRIVER_TIMEOUT=10 NFVO_PASSWORD_ITERATIONS=1000
vimd_start
vimd_vim
vnfm_start VNFM_NFVO_TIMEOUT=10000
nfvod_login
nfvo_pop_baseline
BASE=/api/v1/ns-records

napi POST /api/v1/datacenters "$VIM"
expect_status 201 "datacenter"
napi POST /api/v1/ns-descriptors "$(cat "$SIPP_FIXTURE")"
expect_status 201 "onboarding"
NSD_ID="$(jq -r .id "$HTTP_BODY")"
napi GET /api/v1/vnfmanagers
VNFM_QUEUE="$(jq -r --arg t "$VNFM_TYPE" '.[] | select(.type == $t) | .endpoint' "$HTTP_BODY")"
[ -n "$VNFM_QUEUE" ] && [ "$VNFM_QUEUE" != null ] || fail "no endpoint of VNFM $VNFM_TYPE: $(cat "$HTTP_BODY")"

# ---- a VNFM that never answers ----
vnfm_pid=$VNFM_PID
kill -STOP "$vnfm_pid"
thaw() { kill -CONT "$vnfm_pid" 2>/dev/null || true; }
on_exit "the frozen VNFM resumed" thaw
t0=$(date +%s%N)
napi POST "$BASE/$NSD_ID" '{}'
expect_status 201 "launch to a frozen VNFM"
nsr_id="$(jq -r .id "$HTTP_BODY")"
# Both INSTANTIATEs time out (the first one puts the NSR in ERROR already).
for _ in $(seq 150); do
    napi GET "$BASE/$nsr_id"
    jq -e 'all(.vnfr[]; .status == "ERROR")' "$HTTP_BODY" >/dev/null && break
    sleep 0.1
done
NSR_STATUS="$(jq -r .status "$HTTP_BODY")"
took=$(ms_since "$t0")
summary="$(jq -c '{status, h: [.lifecycle_event_history[]?.description], vnfr: [.vnfr[] | {name, status, h: [.lifecycle_event_history[]?.description]}]}' "$HTTP_BODY")"
[ "$NSR_STATUS" = ERROR ] && jq -e 'all(.vnfr[]; .status == "ERROR")' "$HTTP_BODY" >/dev/null ||
    fail "launch to a frozen VNFM: NSR $NSR_STATUS: $summary"
[ "$took" -lt 8000 ] || fail "the launch took $took ms to fail with a 3 s timeout"
for vnf in sipp-server sipp-client; do
    want="INSTANTIATE of $vnf: VNFM $VNFM_QUEUE did not answer within 3 s"
    jq -e --arg w "$want" --arg v "$vnf" 'any(.lifecycle_event_history[]; .event == "ERROR" and .description == $w)
        and any(.vnfr[] | select(.name == $v); .status == "ERROR"
            and any(.lifecycle_event_history[]; .event == "ERROR" and .description == $w))' \
        "$HTTP_BODY" >/dev/null || fail "no '$want' in the records: $summary"
done
echo "launch to a frozen VNFM: ERROR in $took ms" >&2
nfvo_pop_agrees "a launch to a frozen VNFM"
t0=$(date +%s%N)
nsr_terminate "$BASE/$nsr_id" "the NSR of the frozen VNFM"
echo "terminated (RELEASE_RESOURCES timing out) in $(ms_since "$t0") ms" >&2
nfvo_pop_empty "terminate with a frozen VNFM"
# Thawed, the VNFM takes what waited for it: each INSTANTIATE it had been handed asks for a
# grant, refused for an NSR that is gone; it then reports the failure. Nothing is made.
offset=$(stat -c %s "$POPD_WORK/nfvo.log")
kill -CONT "$vnfm_pid"
wait_vnfm_health 200 . 300
for _ in $(seq 100); do
    [ "$(tail -c +$((offset + 1)) "$POPD_WORK/nfvo.log" | grep -c "refused for sipp-")" -ge 2 ] && break
    sleep 0.1
done
[ "$(tail -c +$((offset + 1)) "$POPD_WORK/nfvo.log" | grep -c "refused for sipp-")" -ge 2 ] ||
    fail "the thawed VNFM's grants: $(tail -c +$((offset + 1)) "$POPD_WORK/nfvo.log" | grep -v access | tail -n 5)"
nfvo_pop_empty "the thawed VNFM"
napi GET "$BASE"
[ "$(jq length "$HTTP_BODY")" = 0 ] || fail "an NSR came back: $(cat "$HTTP_BODY")"

# ---- popd-rest killed (kill -9) and restarted while a launch waits for it ----
# pop-vim-driver goes on trying a Pop that refuses connections (VIMD_POP_RETRY_REFUSED, 5 s by
# default): the grant's refresh waits for popd-rest to be back, and the NS comes up ACTIVE.
popd_kill9
t0=$(date +%s%N)
napi POST "$BASE/$NSD_ID" '{}'
expect_status 201 "launch with popd-rest down"
nsr_id="$(jq -r .id "$HTTP_BODY")"
sleep 1.5
napi GET "$BASE/$nsr_id"
[ "$(jq -r .status "$HTTP_BODY")" != ERROR ] ||
    fail "the launch failed while popd-rest was down: $(jq -c '[.lifecycle_event_history[]?.description]' "$HTTP_BODY")"
popd_start
nsr_wait_settled "$BASE/$nsr_id" 120
[ "$NSR_STATUS" = ACTIVE ] ||
    fail "the launch across a popd-rest restart: $NSR_STATUS: $(jq -c '{h: [.lifecycle_event_history[]?.description], vnfr: [.vnfr[] | {name, status}]}' "$HTTP_BODY")"
nsr_check_env "$(cat "$SIPP_FIXTURE")" "$(cat "$HTTP_BODY")" container_of >/dev/null
echo "launch across a popd-rest restart: ACTIVE $(ms_since "$t0") ms after the request" >&2
nfvo_pop_agrees "the launch across a popd-rest restart"
nsr_terminate "$BASE/$nsr_id" "the NSR launched across a popd-rest restart"
nfvo_pop_empty "terminate after the popd-rest restart"

# ---- RabbitMQ restarted during a launch ----
t0=$(date +%s%N)
napi POST "$BASE/$NSD_ID" '{}'
expect_status 201 "launch before the broker restart"
nsr_id="$(jq -r .id "$HTTP_BODY")"
rmq_restart
echo "broker restarted $(ms_since "$t0") ms after the launch request" >&2
nsr_wait_settled "$BASE/$nsr_id" 300
summary="$(jq -c '{status, h: [.lifecycle_event_history[]?.description], vnfr: [.vnfr[] | {name, status}]}' "$HTTP_BODY")"
case $NSR_STATUS in
ACTIVE) ;;
ERROR)
    jq -e 'any(.lifecycle_event_history[]; .event == "ERROR" and (.description | length > 0))' \
        "$HTTP_BODY" >/dev/null || fail "ERROR without a reason: $summary" ;;
*) fail "the NSR is stuck after the broker restart: $summary" ;;
esac
echo "launch across the broker restart: $NSR_STATUS $(ms_since "$t0") ms after the request: $summary" >&2
wait_vnfm_health 200 . 300
curl -fs --retry 100 --retry-delay 0 --retry-max-time 20 --retry-all-errors -o /dev/null "$NFVO_URL/healthz" ||
    fail "pop-nfvo not back on the broker"
nfvo_pop_agrees "the launch across the broker restart" 100
nsr_terminate "$BASE/$nsr_id" "the NSR launched across the broker restart"
nfvo_pop_empty "terminate after the broker restart"
echo "nfvo timeouts: ok in $(ms_since "$t_start") ms"
