#!/usr/bin/env bash
# pop-nfvo with a VNFM that allocates by itself (Open Baton's allocate=true, the default of its
# Docker VNFM; reference §3.4, §8.2): the real pop-vnfm with VNFM_ALLOCATE=true, RabbitMQ,
# popd-rest, pop-vim-driver and pop-nfvo. The SIPp fixture on pop-tiny, its server allowed 2:
# - launch: ACTIVE; the VNFM launched both VNFCs (its log), no ALLOCATE_RESOURCES reached the
#   NFVO and the NFVO launched nothing (the metrics of both); the VNFC instances and their Ip
#   entries have the NFVO's ids; the client's SERVER_PRIVATE is the server's address; the Pop
#   holds exactly the servers the record shows;
# - scale out of the server: no SCALING, the VNFM launched it; ACTIVE with two servers, the
#   running client re-injected with SERVER_PRIVATE_ALL = both; the Pop agrees with the record;
# - heal of that new server (its container killed): Healed, a new container at the same
#   address, the client's values unchanged, the Pop agrees with the record;
# - terminate: nothing left on the Pop or in the engine;
# - a launch whose server the Pop refuses (a fixedIp outside its network): the NSR in ERROR with
#   the VNFM's reason naming the VNFC and the Pop's words, the VNFM having deleted what it
#   launched (its log), the Pop agreeing with the record; terminate leaves nothing.
set -euo pipefail
. "$(dirname "$0")/../lib/popd.sh"
. "$(dirname "$0")/../lib/nfvo.sh"

t_start=$(date +%s%N)
ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }

popd_start
popd_login
rmq_start
nfvod_start
vimd_start
vimd_vim
vnfm_start VNFM_ALLOCATE=true
nfvod_login
nfvo_pop_baseline
napi POST /api/v1/datacenters "$VIM"
expect_status 201 "datacenter"
nsd="$(jq -c '.name = "sipp-vnfm-allocates" | .vnfd[].vdu[].vm_image = ["pop-tiny:latest"]
    | (.vnfd[] | select(.name == "sipp-server") | .vdu[0].scale_in_out) = 2' "$SIPP_FIXTURE")"
napi POST /api/v1/ns-descriptors "$nsd"
expect_status 201 "onboarding"
nsd_id="$(jq -r .id "$HTTP_BODY")"
echo "up in $(ms_since "$t_start") ms" >&2

ctr() { echo "$POPD_NAME-$1"; }
# running HOSTNAME: whether the VNFC's container runs in the engine (false when it is gone).
running() {
    local r
    r="$(docker inspect -f '{{.State.Running}}' "$(ctr "$1")" 2>/dev/null)" || r=false
    echo "$r"
}
# wait_active WHAT: polls the NSR until ACTIVE or ERROR; fails unless ACTIVE; NSR = the record.
wait_active() {
    nsr_wait_settled "/api/v1/ns-records/$nsr_id" 600
    [ "$NSR_STATUS" = ACTIVE ] || fail "$1: NSR $NSR_STATUS: $(jq -c '[.lifecycle_event_history[]?.description,
        (.vnfr[] | {name, status, h: [.lifecycle_event_history[]?.description]})]' "$HTTP_BODY")"
    NSR="$(cat "$HTTP_BODY")"
}
# metric URL REGEX: the sum of the samples of the Prometheus text at URL matching REGEX (0 if none).
metric() {
    curl -s "$1/metrics" | { grep -E "$2" || true; } | awk '{s += $NF} END {print s + 0}'
}
# servers: "ip hostname" of each server VNFC instance, in record order.
servers() {
    jq -r '.vnfr[] | select(.name == "sipp-server") | .vdu[0].vnfc_instance[]
        | "\(.ips[] | select(.netName == "private") | .ip) \(.hostname)"' <<<"$NSR"
}
# no_nfvo_allocation WHAT N: the NFVO launched nothing, the VNFM asked it for no allocation and
# launched N servers so far.
no_nfvo_allocation() {
    local n
    n="$(metric "$VNFM_URL" '^vnfm_calls_total\{[^}]*method="launchInstanceAndWait"[^}]*outcome="ok"')"
    [ "$n" = "$2" ] || fail "$1: pop-vnfm launched $n servers, not $2"
    n="$(metric "$NFVO_URL" '^nfvo_calls_total\{[^}]*call="launchInstanceAndWait"')"
    [ "$n" = 0 ] || fail "$1: pop-nfvo called launchInstanceAndWait $n times"
    n="$(metric "$VNFM_URL" '^vnfm_calls_total\{[^}]*method="(ALLOCATE_RESOURCES|SCALING)"')"
    [ "$n" = 0 ] || fail "$1: pop-vnfm sent ALLOCATE_RESOURCES or SCALING $n times"
}

# ---- launch ----
t0=$(date +%s%N)
napi POST "/api/v1/ns-records/$nsd_id" '{}'
expect_status 201 "launch"
nsr_id="$(jq -r .id "$HTTP_BODY")"
wait_active "launch"
echo "ACTIVE $(ms_since "$t0") ms after the launch request" >&2
jq -e 'all(.vnfr[].vdu[].vnfc_instance[]; .state == "ACTIVE" and (.id | length) > 0
        and (.vc_id | length) > 0 and (.vim_id | length) > 0 and all(.ips[]; (.id | length) > 0))
    and ([.vnfr[] | .vdu[0].vnfc_instance | length] == [1, 1])
    and all(.vnfr[]; (.vnf_address | length) == 1)' <<<"$NSR" >/dev/null ||
    fail "the launched record: $(jq -c '[.vnfr[] | {name, vnf_address, vi: .vdu[0].vnfc_instance}]' <<<"$NSR")"
read -r server_ip server_host <<<"$(servers)"
client_host="$(jq -r '.vnfr[] | select(.name == "sipp-client") | .vdu[0].vnfc_instance[0].hostname' <<<"$NSR")"
[[ "$server_host" == sipp-server-* && "$client_host" == sipp-client-* ]] ||
    fail "hostnames $server_host $client_host"
for h in "$server_host" "$client_host"; do
    grep -q "INSTANTIATE of VNFR sipp-[a-z]* done in [0-9]* ms.*launched VNFC $h on VIM " \
        "$POPD_WORK/vnfm.log" || fail "pop-vnfm's log does not say it launched $h: $(grep INSTANTIATE "$POPD_WORK/vnfm.log")"
done
no_nfvo_allocation "launch" 2
grep -q "^SERVER_PRIVATE=$server_ip$" <<<"$(denv "$client_host")" ||
    fail "the client's SERVER_PRIVATE is not $server_ip: $(denv "$client_host")"
n="$(nsr_check_env "$nsd" "$NSR" ctr)"
[ "$n" -ge 2 ] || fail "only $n dependency variables checked"
nfvo_pop_agrees "after the launch"

# ---- scale out of the server ----
srv="$(jq -r '.vnfr[] | select(.name == "sipp-server") | .id' <<<"$NSR")"
vdu="$(jq -r '.vnfr[] | select(.name == "sipp-server") | .vdu[0].id' <<<"$NSR")"
t0=$(date +%s%N)
napi POST "/api/v1/ns-records/$nsr_id/vnfrecords/$srv/vdunits/$vdu/vnfcinstances" '{}'
expect_status 201 "scale out"
wait_active "scale out"
echo "scaled out $(ms_since "$t0") ms after the request" >&2
[ "$(jq -r .task <<<"$NSR")" = "Scaled out" ] || fail "task after the scale out: $(jq -r .task <<<"$NSR")"
list="$(servers)"
[ "$(wc -l <<<"$list")" = 2 ] || fail "two servers expected: $list"
read -r new_ip new_host <<<"$(sed -n 2p <<<"$list")"
[ "$new_ip" != "$server_ip" ] || fail "the new server has the first one's address: $list"
jq -e 'all(.vnfr[].vdu[].vnfc_instance[]; .state == "ACTIVE" and (.id | length) > 0)
    and ([.vnfr[] | select(.name == "sipp-server") | .vnf_address | length] == [2])' <<<"$NSR" >/dev/null ||
    fail "the record after the scale out: $(jq -c '.vnfr[] | select(.name == "sipp-server")' <<<"$NSR")"
grep -q "SCALE_OUT of VNFR sipp-server done in [0-9]* ms.*launched VNFC $new_host on VIM " \
    "$POPD_WORK/vnfm.log" || fail "pop-vnfm's log does not say it launched $new_host: $(grep SCALE_OUT "$POPD_WORK/vnfm.log")"
no_nfvo_allocation "scale out" 3
want="$(printf 'SERVER_PRIVATE=%s\nSERVER_PRIVATE_ALL=%s,%s' "$server_ip" "$server_ip" "$new_ip")"
[ "$(denv "$client_host" | grep '^SERVER_')" = "$want" ] ||
    fail "the client after the scale out: $(denv "$client_host") (wanted $want)"
for h in "$client_host" "$server_host" "$new_host"; do
    [ "$(running "$h")" = true ] || fail "$h is not running"
done
nfvo_pop_agrees "after the scale out"

# ---- heal of the server the VNFM launched at the scale out ----
vnfc="$(jq -r --arg h "$new_host" '.vnfr[].vdu[].vnfc_instance[] | select(.hostname == $h) | .id' <<<"$NSR")"
old_cid="$(docker inspect -f '{{.Id}}' "$(ctr "$new_host")")"
docker kill "$(ctr "$new_host")" >/dev/null
for _ in $(seq 300); do
    [ "$(running "$new_host")" = false ] && break
    sleep 0.1
done
t0=$(date +%s%N)
napi POST "/api/v1/ns-records/$nsr_id/vnfrecords/$srv/vdunits/$vdu/vnfcinstances/$vnfc/actions" \
    '{"action": "HEAL", "cause": "killed"}'
expect_status 201 "heal"
for _ in $(seq 600); do
    napi GET "/api/v1/ns-records/$nsr_id"
    jq -e '.task == "Healed" or .status == "ERROR"' "$HTTP_BODY" >/dev/null && break
    sleep 0.1
done
NSR="$(cat "$HTTP_BODY")"
echo "healed $(ms_since "$t0") ms after the request" >&2
jq -e '.status == "ACTIVE" and .task == "Healed" and all(.vnfr[].vdu[].vnfc_instance[]; .state == "ACTIVE")' \
    <<<"$NSR" >/dev/null || fail "NSR after the heal: $(jq -c '{status, task, h: [.lifecycle_event_history[].description]}' <<<"$NSR")"
[ "$(running "$new_host")" = true ] &&
    [ "$(docker inspect -f '{{.Id}}' "$(ctr "$new_host")")" != "$old_cid" ] ||
    fail "the healed server does not run in a new container"
[ "$(servers)" = "$list" ] || fail "the servers after the heal: $(servers) (before: $list)"
[ "$(denv "$client_host" | grep '^SERVER_')" = "$want" ] ||
    fail "the client after the heal: $(denv "$client_host") (wanted $want)"
nfvo_pop_agrees "after the heal"
no_nfvo_allocation "heal" 4 # the heal replaced the container

# ---- terminate ----
nsr_terminate "/api/v1/ns-records/$nsr_id" "the NSR"
nfvo_pop_empty "after the terminate"

# ---- a launch the Pop refuses (the server at an address outside its network) ----
napi POST /api/v1/ns-descriptors "$(jq -c '.name = "sipp-refused"
    | (.vnfd[] | select(.name == "sipp-server") | .vdu[0].vnfc[0].connection_point[0].fixedIp) = "192.0.2.7"' <<<"$nsd")"
expect_status 201 "onboarding the refused copy"
napi POST "/api/v1/ns-records/$(jq -r .id "$HTTP_BODY")" '{}'
expect_status 201 "launch of the refused copy"
nsr_id="$(jq -r .id "$HTTP_BODY")"
nsr_wait_settled "/api/v1/ns-records/$nsr_id" 600
[ "$NSR_STATUS" = ERROR ] || fail "the refused launch: NSR $NSR_STATUS"
why="$(jq -r '.vnfr[] | select(.name == "sipp-server") | .lifecycle_event_history[] | select(.event == "ERROR") | .description' "$HTTP_BODY")"
[[ "$why" == "INSTANTIATE of sipp-server: VNFC sipp-server-"*" of VDU "*": "*192.0.2.7* ]] ||
    fail "the server's error does not name the VNFC and the Pop's reason: $why"
jq -e '[.vnfr[] | select(.name == "sipp-server") | .vdu[].vnfc_instance[]] == []' "$HTTP_BODY" >/dev/null ||
    fail "the refused server is in the record: $(jq -c '.vnfr[] | select(.name == "sipp-server") | .vdu' "$HTTP_BODY")"
grep -q "INSTANTIATE of VNFR sipp-server failed .*1 of the 1 VNFC(s) it launched deleted" "$POPD_WORK/vnfm.log" ||
    fail "pop-vnfm's log does not say it deleted what it launched: $(grep 'sipp-server failed' "$POPD_WORK/vnfm.log")"
nfvo_pop_agrees "after the refused launch" 50
nsr_terminate "/api/v1/ns-records/$nsr_id" "the refused NSR"
nfvo_pop_empty "after the terminate of the refused NSR"
echo "nfvo vnfm_allocates: ok in $(ms_since "$t_start") ms"
