#!/usr/bin/env bash
# Scale out and in of a running SIPp NS through pop-nfvo's REST API, with every real component
# (reference §3.7, §6.2, §11.14-17):
# - the fixture's server VDU allows 1 VNFC (scale_in_out): its scale out is refused with 409
#   naming the limit, and nothing changes; other refusals (unknown ids, a connection point on
#   no virtual link of the NSR, scale in of the last instance) name what is wrong;
# - a copy allowing 3: the server scaled out twice (once with an explicit body, once with
#   none) and in once; after each step the NSR is ACTIVE again, the record has that many
#   server VNFC instances with distinct addresses, the client's dependency record lists
#   exactly those servers, and the running client has been re-injected (SERVER_PRIVATE_ALL =
#   the servers in creation order, SERVER_PRIVATE the first); the removed server's container
#   is gone from the Pop;
# - a standby scale out (.../vnfcinstances/standby): a VNFC in state "standby" whose container
#   is made on the Pop (CREATED) and never started;
# - terminate leaves nothing in the engine.
set -euo pipefail
. "$(dirname "$0")/../lib/popd.sh"
. "$(dirname "$0")/../lib/nfvo.sh"

t_start=$(date +%s%N)
ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }

popd_start
popd_login
nfvod_up
nfvod_login
napi POST /api/v1/datacenters "$VIM"
expect_status 201 "datacenter"

# wait_nsr ID: polls until ACTIVE or ERROR; fails unless ACTIVE; NSR = the record.
wait_nsr() {
    nsr_wait_settled "/api/v1/ns-records/$1" 900
    [ "$NSR_STATUS" = ACTIVE ] || fail "NSR $NSR_STATUS: $(jq -c '[.lifecycle_event_history[]?.description,
        (.vnfr[] | {name, status, h: [.lifecycle_event_history[]?.description]})]' "$HTTP_BODY")"
    NSR="$(cat "$HTTP_BODY")"
}

# launch FILE_TEXT: onboards and launches the NSD; sets NSR_ID, NSR, SRV (server VNFR id),
# VDU and VDU_NAME (its VDU), CLIENT_HOST.
launch() {
    napi POST /api/v1/ns-descriptors "$1"
    expect_status 201 "onboarding"
    napi POST "/api/v1/ns-records/$(jq -r .id "$HTTP_BODY")" '{}'
    expect_status 201 "launch"
    NSR_ID="$(jq -r .id "$HTTP_BODY")"
    wait_nsr "$NSR_ID"
    SRV="$(jq -r '.vnfr[] | select(.name == "sipp-server") | .id' <<<"$NSR")"
    VDU="$(jq -r '.vnfr[] | select(.name == "sipp-server") | .vdu[0].id' <<<"$NSR")"
    VDU_NAME="$(jq -r '.vnfr[] | select(.name == "sipp-server") | .vdu[0] | .name // .id' <<<"$NSR")"
    CLIENT_HOST="$(jq -r '.vnfr[] | select(.name == "sipp-client") | .vdu[0].vnfc_instance[0].hostname' <<<"$NSR")"
}

# servers: the server VNFC instances of NSR, one "id ip hostname" line each, in record order.
servers() {
    jq -r '.vnfr[] | select(.name == "sipp-server") | .vdu[0].vnfc_instance[]
        | "\(.id) \(.ips[] | select(.netName == "private") | .ip) \(.hostname)"' <<<"$NSR"
}

# check_servers N STEP: the record has N server VNFCs, distinct addresses, all ACTIVE; the
# dependency record lists exactly them; the client runs with SERVER_PRIVATE(_ALL) = them.
check_servers() {
    local n=$1 step=$2 list ids ips
    list="$(servers)"
    [ "$(wc -l <<<"$list")" = "$n" ] || fail "$step: $n server VNFCs expected: $list"
    ips="$(awk '{print $2}' <<<"$list")"
    [ "$(sort -u <<<"$ips" | wc -l)" = "$n" ] || fail "$step: addresses not distinct: $list"
    jq -e '.status == "ACTIVE" and all(.vnfr[]; .status == "ACTIVE")
        and all(.vnfr[].vdu[].vnfc_instance[]; .state == "ACTIVE") and (has("_launch") | not)' \
        <<<"$NSR" >/dev/null || fail "$step: NSR $(jq -c '[.status, .task, [.vnfr[] | .status]]' <<<"$NSR")"
    [ "$(jq -r .task <<<"$NSR")" = "$3" ] || fail "$step: task $(jq -r .task <<<"$NSR"), not $3"
    ids="$(awk '{print $1}' <<<"$list" | sort)"
    [ "$(jq -r '.vnf_dependency[0].vnfcParameters.server.parameters | keys[]' <<<"$NSR" | sort)" = "$ids" ] ||
        fail "$step: dependency record: $(jq -c .vnf_dependency <<<"$NSR") (servers $list)"
    local vid ip
    while read -r vid ip _; do
        [ "$(jq -r --arg id "$vid" '.vnf_dependency[0].vnfcParameters.server.parameters[$id].parameters.private' <<<"$NSR")" = "$ip" ] ||
            fail "$step: the dependency record has not $ip for $vid: $(jq -c .vnf_dependency <<<"$NSR")"
    done <<<"$list"
    local want
    want="$(printf 'SERVER_PRIVATE=%s\nSERVER_PRIVATE_ALL=%s' "$(head -n 1 <<<"$ips")" "$(paste -sd, <<<"$ips")")"
    [ "$(denv "$CLIENT_HOST" | grep '^SERVER_')" = "$want" ] ||
        fail "$step: client env: $(denv "$CLIENT_HOST") (wanted $want)"
    [ "$(docker inspect -f '{{.State.Running}}' "$POPD_NAME-$CLIENT_HOST")" = true ] ||
        fail "$step: the client is not running"
    local host
    for host in $(awk '{print $3}' <<<"$list"); do
        [ "$(docker inspect -f '{{.State.Running}}' "$POPD_NAME-$host")" = true ] ||
            fail "$step: server $host is not running"
    done
}

base="/api/v1/ns-records"

# ---- the fixture as it is: scale_in_out 1 ----
launch "$(cat "$SIPP_FIXTURE")"
before="$NSR"
napi POST "$base/$NSR_ID/vnfrecords/$SRV/vdunits/$VDU/vnfcinstances" \
    '{"vnfComponent": {"connection_point": [{"virtual_link_reference": "private"}]}}'
expect_problem 409 state-conflict "VDU $VDU_NAME of VNF sipp-server allows at most 1 VNFC instance (scale_in_out)"
napi POST "$base/$NSR_ID/vnfrecords/$SRV/vdunits/vnfcinstances" ''
expect_problem 409 state-conflict "every VDU of VNF sipp-server has its scale_in_out VNFC instances already"
napi DELETE "$base/$NSR_ID/vnfrecords/$SRV/vdunits/$VDU/vnfcinstances"
expect_problem 409 state-conflict "has 1 VNFC instance: scale in keeps one at least"
napi GET "$base/$NSR_ID"
nsr_unchanged "$before" "a refused scaling"
NSR="$before"
check_servers 1 "after the refusals" Onboarded
nsr_terminate "$base/$NSR_ID" "the first NSR"

# ---- a copy allowing 3 servers ----
launch "$(jq -c '.name = "sipp-scalable" | (.vnfd[] | select(.name == "sipp-server") | .vdu[0].scale_in_out) = 3' "$SIPP_FIXTURE")"
check_servers 1 "launch" Onboarded
# Refusals first: nothing may change.
napi POST "$base/no-such-nsr/vnfrecords/$SRV/vdunits/$VDU/vnfcinstances" '{}'
expect_problem 404 not-found "no NSR with id no-such-nsr"
napi POST "$base/$NSR_ID/vnfrecords/no-such-vnfr/vdunits/$VDU/vnfcinstances" '{}'
expect_problem 404 not-found "has no VNFR with id no-such-vnfr"
napi POST "$base/$NSR_ID/vnfrecords/$SRV/vdunits/no-such-vdu/vnfcinstances" '{}'
expect_problem 404 not-found "has no VDU with id no-such-vdu"
napi DELETE "$base/$NSR_ID/vnfrecords/$SRV/vdunits/$VDU/vnfcinstances/no-such-vnfc"
expect_problem 404 not-found "has no VNFC instance with id no-such-vnfc"
napi POST "$base/$NSR_ID/vnfrecords/$SRV/vdunits/$VDU/vnfcinstances" \
    '{"vnfComponent": {"connection_point": [{"virtual_link_reference": "elsewhere"}]}}'
expect_problem 400 invalid-field "'elsewhere' is no virtual link of the NSR"
napi POST "$base/$NSR_ID/vnfrecords/$SRV/vdunits/$VDU/vnfcinstances" \
    '{"vnfComponent": {"connection_point": [{"virtual_link_reference": "private"}]}, "vimInstanceNames": ["nowhere"]}'
expect_problem 409 state-conflict "no VIM instance named 'nowhere'"
napi GET "$base/$NSR_ID"
nsr_unchanged "$NSR" "a refused scaling"

# Out, with a body naming the VIM.
t0=$(date +%s%N)
napi POST "$base/$NSR_ID/vnfrecords/$SRV/vdunits/$VDU/vnfcinstances" \
    "$(jq -c -n --arg v "$(jq -r .name <<<"$VIM")" '{vnfComponent: {connection_point: [{virtual_link_reference: "private"}]}, vimInstanceNames: [$v]}')"
expect_status 201 "scale out"
[ ! -s "$HTTP_BODY" ] || fail "scale out answered a body: $(cat "$HTTP_BODY")"
napi GET "$base/$NSR_ID"
case "$(jq -r .status "$HTTP_BODY")" in SCALING | INACTIVE | ACTIVE) ;; *) fail "NSR after the scale out request: $(jq -r .status "$HTTP_BODY")" ;; esac
# One scaling at a time: the NSR is not ACTIVE until the first is done.
napi POST "$base/$NSR_ID/vnfrecords/$SRV/vdunits/$VDU/vnfcinstances" ''
expect_problem 409 state-conflict "a scale out needs it ACTIVE"
wait_nsr "$NSR_ID"
echo "scale out 1: $(ms_since "$t0") ms" >&2
check_servers 2 "scale out 1" "Scaled out"
# Out, without a body (the first component's connection points), on the any-VDU route.
t0=$(date +%s%N)
napi POST "$base/$NSR_ID/vnfrecords/$SRV/vdunits/vnfcinstances"
expect_status 201 "scale out without a body"
wait_nsr "$NSR_ID"
echo "scale out 2: $(ms_since "$t0") ms" >&2
check_servers 3 "scale out 2" "Scaled out"
jq -e '[.lifecycle_event_history[] | select(.event == "SCALE_OUT")] | length == 2' <<<"$NSR" >/dev/null ||
    fail "history: $(jq -c .lifecycle_event_history <<<"$NSR")"
napi POST "$base/$NSR_ID/vnfrecords/$SRV/vdunits/$VDU/vnfcinstances" '{}'
expect_problem 409 state-conflict "allows at most 3 VNFC instances (scale_in_out)"

# In: the second server (by id).
read -r gone_id _ gone_host <<<"$(servers | sed -n 2p)"
t0=$(date +%s%N)
napi DELETE "$base/$NSR_ID/vnfrecords/$SRV/vdunits/$VDU/vnfcinstances/$gone_id"
expect_status 204 "scale in"
wait_nsr "$NSR_ID"
echo "scale in: $(ms_since "$t0") ms" >&2
check_servers 2 "scale in" "Scaled in"
servers | grep -q "^$gone_id " && fail "the removed VNFC is still in the record"
call GET "/v1/containers/$gone_host"
[ "$HTTP_STATUS" = 404 ] || fail "the removed server's container is still on the Pop ($HTTP_STATUS)"
jq -e --arg h "$gone_host" 'all(.vnfr[].vdu[].vnfc_instance[]; .hostname != $h)
    and ([.vnfr[] | select(.name == "sipp-server") | .vdu[0] | (.vnfc | length) == (.vnfc_instance | length)] == [true])
    and ([.vnfr[] | select(.name == "sipp-server") | .vnf_address | length] == [2])' <<<"$NSR" >/dev/null ||
    fail "the record after the scale in: $(jq -c '.vnfr[] | select(.name == "sipp-server")' <<<"$NSR")"

# Out as a standby (.../vnfcinstances/standby, mode "standby"): a third VNFC instance in state
# "standby", its server made on the Pop (addresses reserved) and not started; the NSR ACTIVE.
napi POST "$base/$NSR_ID/vnfrecords/$SRV/vdunits/$VDU/vnfcinstances/standby" \
    '{"vnfComponent": {"connection_point": [{"virtual_link_reference": "private"}]}}'
expect_status 201 "standby scale out"
wait_nsr "$NSR_ID"
standby="$(jq -c '[.vnfr[] | select(.name == "sipp-server") | .vdu[0].vnfc_instance[]
    | select(.state == "standby")]' <<<"$NSR")"
[ "$(jq length <<<"$standby")" = 1 ] ||
    fail "standby VNFC instances: $standby in $(jq -c '.vnfr[] | select(.name == "sipp-server") | .vdu[0].vnfc_instance' <<<"$NSR")"
standby_host="$(jq -r '.[0].hostname' <<<"$standby")"
call GET "/v1/containers/$standby_host"
[ "$HTTP_STATUS" = 200 ] && [ "$(jq -r .status <<<"$RESP")" = CREATED ] ||
    fail "the standby on the Pop: $HTTP_STATUS $(jq -c '{status, extended_status}' <<<"$RESP")"
jq -e '.task == "Scaled out" and any(.lifecycle_event_history[]; .event == "SCALE_OUT"
    and (.description | contains("as a standby (not started)")))' <<<"$NSR" >/dev/null ||
    fail "the NSR after the standby scale out: $(jq -c '{task, h: .lifecycle_event_history}' <<<"$NSR")"

# ---- terminate: nothing left ----
hosts="$(jq -r '.vnfr[].vdu[].vnfc_instance[].hostname' <<<"$NSR")"
nsr_terminate "$base/$NSR_ID" "the NSR"
for h in $hosts; do
    call GET "/v1/containers/$h"
    [ "$HTTP_STATUS" = 404 ] || fail "container $h left on the Pop ($HTTP_STATUS)"
done
[ -z "$(engine_containers)" ] || fail "containers left in the engine: $(engine_containers)"
echo "nfvo scaling: ok in $(ms_since "$t_start") ms"
