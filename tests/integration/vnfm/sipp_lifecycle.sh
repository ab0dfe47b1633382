#!/usr/bin/env bash
# pop-vnfm end to end, against a real broker, popd-rest, Docker Engine and pop-vim-driver, with
# the NFVO stand-in playing NFVO 6's side of §3.6-3.7 (requests with reply_to =
# amq.rabbitmq.reply-to and no correlation id; grant and allocation answered as its tasks do):
# - registration as a VNFM of type mgmt: the endpoint queue durable with an expiry, bound to
#   openbaton-exchange;
# - the SIPp NS (tests/fixtures/openbaton, on pop-tiny): INSTANTIATE of both at once, MODIFY of
#   the client with the server's address, START of both: both containers run, the client's
#   environment has SERVER_PRIVATE (= the server's address) and its configuration, the server's
#   has neither;
# - malformed and unknown messages answered with an ERROR, the VNFM still serving;
# - after a restart without VNFM_VIMS_FILE a request naming only a vim_id fails naming it; with
#   the file RELEASE_RESOURCES stops both containers;
# - /metrics counts the requests; SIGTERM deregisters and removes the empty queue.
set -euo pipefail
. "$(dirname "$0")/../lib/popd.sh"
. "$(dirname "$0")/../lib/vnfm.sh"

t_start=$(date +%s%N)
ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }

popd_start
popd_login
vnfm_up
echo "broker, popd-rest, driver, NFVO stand-in and VNFM up in $(ms_since "$t_start") ms" >&2
grep -qx "registered $VNFM_TYPE user=$VNFM_TYPE" "$POPD_WORK/standin.log" ||
    fail "the NFVO saw no VNFM registration: $(cat "$POPD_WORK/standin.log")"
q="$(rmq_queue "$VNFM_TYPE")"
jq -e '.durable == true and .auto_delete == false and .arguments == {"x-expires": 60000}' \
    <<<"$q" >/dev/null || fail "endpoint queue: $q"
rmq_api GET "/api/queues/%2F/$VNFM_TYPE/bindings" |
    jq -e --arg q "$VNFM_TYPE" 'any(.source == "openbaton-exchange" and .routing_key == $q)' \
        >/dev/null || fail "endpoint queue not bound to openbaton-exchange"

# ---- INSTANTIATE both at once (the NFVO sends them in parallel) ----
t0=$(date +%s%N)
( vsend "$(instantiate_msg sipp-server)" && echo "$VREPLY" >"$POPD_WORK/server.inst" ) &
inst_pid=$!
vsend "$(instantiate_msg sipp-client)"
client_inst="$VREPLY"
wait "$inst_pid" || fail "INSTANTIATE of sipp-server"
server_inst="$(cat "$POPD_WORK/server.inst")"
echo "two INSTANTIATEs answered in $(ms_since "$t0") ms" >&2
for r in "$server_inst" "$client_inst"; do
    VREPLY=$r
    expect_reply INSTANTIATE
    name="$(jq -r .virtualNetworkFunctionRecord.name <<<"$r")"
    id="$(jq -r .virtualNetworkFunctionRecord.id <<<"$r")"
    grep -qx "granted $name id=$id" "$POPD_WORK/nfvo.log" ||
        fail "$name: the reply's VNFR id $id is not the one the grant assigned"
    jq -e '.virtualNetworkFunctionRecord | (.lifecycle_event_history | any(.event == "GRANTED"))
           and (.vdu[0].vnfc_instance | length == 1)
           and (.vdu[0].vnfc_instance[0].ips[0].netName == "private")' <<<"$r" >/dev/null ||
        fail "$name: INSTANTIATE reply: $(head -c 3000 <<<"$r")"
done
server_vnfr="$(jq -c .virtualNetworkFunctionRecord <<<"$server_inst")"
client_vnfr="$(jq -c .virtualNetworkFunctionRecord <<<"$client_inst")"
server_vi="$(jq -c '.vdu[0].vnfc_instance[0]' <<<"$server_vnfr")"
server_host="$(jq -r .hostname <<<"$server_vi")"
server_ip="$(jq -r '.ips[0].ip' <<<"$server_vi")"
client_host="$(jq -r '.vdu[0].vnfc_instance[0].hostname' <<<"$client_vnfr")"
call GET "/v1/containers/$server_host"
expect_status 200

# ---- the server is no target: START at once (§3.6 step 5) ----
vsend "$(jq -cn --argjson v "$server_vnfr" \
    '{action: "START", virtualNetworkFunctionRecord: $v, vnfcInstance: null, vnfrDependency: null}')"
expect_reply START
server_vnfr="$(jq -c .virtualNetworkFunctionRecord <<<"$VREPLY")"

# ---- MODIFY of the client with the record the NFVO fills (§5.1-5.2) ----
record="$(sipp_record "$server_vi")"
t0=$(date +%s%N)
vsend "$(modify_msg "$client_vnfr" "$record")"
expect_reply MODIFY
client_vnfr="$(jq -c .virtualNetworkFunctionRecord <<<"$VREPLY")"
vsend "$(jq -cn --argjson v "$client_vnfr" \
    '{action: "START", virtualNetworkFunctionRecord: $v, vnfcInstance: null, vnfrDependency: null}')"
expect_reply START
client_vnfr="$(jq -c .virtualNetworkFunctionRecord <<<"$VREPLY")"
echo "MODIFY + START of the client answered in $(ms_since "$t0") ms" >&2

for h in "$server_host" "$client_host"; do
    [ "$(docker inspect -f '{{.State.Running}}' "$POPD_NAME-$h")" = true ] ||
        fail "container of $h not running"
done
want="$(printf '%s\n' "SERVER_PRIVATE=$server_ip" "SERVER_PRIVATE_ALL=$server_ip" \
    SIPP_LENGTH=0 SIPP_RATE=10 SIPP_RATE_INCREASE=0 SIPP_RATE_MAX=10 SIPP_RATE_PERIOD=1000 \
    SIPP_RTP_ECHO=10 SIPP_TRANSPORT_MODE=u1 | sort)"
[ "$(denv "$client_host")" = "$want" ] || fail "client env: $(denv "$client_host"), wanted: $want"
[ -z "$(denv "$server_host")" ] || fail "server env: $(denv "$server_host")"
# A START of the running VNFR (NFVO 6 sends one after every MODIFY, §11.14): done, untouched.
engine_id="$(docker inspect -f '{{.Id}}' "$POPD_NAME-$client_host")"
vsend "$(jq -cn --argjson v "$client_vnfr" '{action: "START", virtualNetworkFunctionRecord: $v}')"
expect_reply START
[ "$(docker inspect -f '{{.Id}}' "$POPD_NAME-$client_host")" = "$engine_id" ] ||
    fail "START of a running VNFR replaced its container"

# ---- malformed and unknown messages: an ERROR each, the VNFM serving on ----
vsend 'this is not { json'
expect_reply ERROR
jq -e '.exception.detailMessage | startswith("message: not a JSON object")' <<<"$VREPLY" >/dev/null ||
    fail "ERROR for a malformed message: $VREPLY"
vsend '{"action":"BOGUS"}'
expect_reply ERROR
vsend '["INSTANTIATE"]'
expect_reply ERROR
vsend "$(jq -cn '{action: "MODIFY", vnfr: {name: "x"}}')"
expect_reply ERROR
jq -e '.exception.detailMessage | test("MODIFY")' <<<"$VREPLY" >/dev/null ||
    fail "ERROR for a MODIFY without record does not name the action: $VREPLY"
curl -fs "$VNFM_URL/healthz" | jq -e '.status == "ok" and .vnfm.state == "serving"' >/dev/null ||
    fail "VNFM not serving after malformed messages: $(curl -s "$VNFM_URL/healthz")"
curl -fs "$VNFM_URL/metrics" >"$POPD_WORK/metrics.txt"
grep -q '^vnfm_requests_total{action="INSTANTIATE",outcome="ok"} 2$' "$POPD_WORK/metrics.txt" ||
    fail "metrics: $(grep vnfm_ "$POPD_WORK/metrics.txt")"
grep -q '^vnfm_calls_total{peer="nfvo",method="GRANT_OPERATION",outcome="ok"} 2$' "$POPD_WORK/metrics.txt" ||
    fail "metrics: $(grep vnfm_calls "$POPD_WORK/metrics.txt")"

# ---- restarted without VNFM_VIMS_FILE: a vim_id-only request cannot find its VIM ----
vnfm_stop
grep -qx "deregistered $VNFM_TYPE type=$VNFM_TYPE" "$POPD_WORK/standin.log" ||
    fail "no deregistration: $(cat "$POPD_WORK/standin.log")"
if rmq_queue "$VNFM_TYPE" >/dev/null 2>&1; then fail "the endpoint queue outlived an orderly stop"; fi
vnfm_start
vsend "$(jq -cn --argjson v "$client_vnfr" '{action: "STOP", virtualNetworkFunctionRecord: $v}')"
expect_reply ERROR
jq -e '.exception.detailMessage | test("VIM instance vim-0001 unknown")' <<<"$VREPLY" >/dev/null ||
    fail "STOP without a known VIM: $VREPLY"
[ "$(docker inspect -f '{{.State.Running}}' "$POPD_NAME-$client_host")" = true ] ||
    fail "the failed STOP stopped the client"

# ---- with the file: RELEASE_RESOURCES stops both ----
vnfm_stop
vnfm_start VNFM_VIMS_FILE="$VIMS_FILE"
curl -fs "$VNFM_URL/healthz" | jq -e '.vims.file == 1' >/dev/null || fail "VIMs file not loaded"
for v in "$server_vnfr" "$client_vnfr"; do
    vsend "$(jq -cn --argjson v "$v" '{action: "RELEASE_RESOURCES", vnfr: $v}')"
    expect_reply RELEASE_RESOURCES
done
wait_status "$server_host" EXITED 20
wait_status "$client_host" EXITED 20
vnfm_stop
echo "sipp_lifecycle: ok in $(ms_since "$t_start") ms"
