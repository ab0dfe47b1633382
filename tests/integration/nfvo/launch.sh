#!/usr/bin/env bash
# The SIPp Network Service end to end through pop-nfvo's REST API, with every real component:
# RabbitMQ, popd-rest on the Docker Engine, pop-vim-driver and pop-vnfm registered with the
# real pop-nfvo (reference §3.6, §3.7, §6):
# - a VIM instance and the SIPp NSD of the fixtures (unchanged) onboarded;
# - launch answers 201 with the NSR at once; it becomes ACTIVE; the client's SERVER_PRIVATE is
#   the server's address (its dependency record says so too) and the SIP calls succeed; the
#   server started before the client (a source before its target);
# - refusals: an unknown NSD, a VDU placed on an unknown VIM, a VNFD whose VNFM is not
#   registered: 4xx naming it, no NSR made;
# - terminate: 204, the NSR goes away, no container of it is left on the Pop; the Pop's own
#   "private" network stays, while a virtual link the Pop lacked is created at the grant and
#   deleted with the NS;
# - the error paths (§3.7): a grant refused (an image no VIM of the VDU has) and an allocation
#   the Pop refuses (an address outside the network): ERROR with the reason in the NSR's and
#   the VNFR's history, the Pop agreeing, DELETE leaving nothing.
set -euo pipefail
. "$(dirname "$0")/../lib/popd.sh"
. "$(dirname "$0")/../lib/nfvo.sh"

t_start=$(date +%s%N)
ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }

popd_start
popd_login
nfvod_up
nfvod_login
echo "broker, popd-rest, pop-nfvo, driver and VNFM up in $(ms_since "$t_start") ms" >&2

napi POST /api/v1/datacenters "$VIM"
expect_status 201 "datacenter"
napi POST /api/v1/ns-descriptors "$(cat "$SIPP_FIXTURE")"
expect_status 201 "onboarding"
nsd_id="$(jq -r .id "$HTTP_BODY")"

# ---- refusals: nothing made ----
napi POST /api/v1/ns-records/no-such-nsd '{}'
[ "$HTTP_STATUS" = 404 ] || fail "launch of an unknown NSD: $HTTP_STATUS $(cat "$HTTP_BODY")"
# A VDU placed on a VIM instance the project does not have (the fixture's VDUs have no names:
# a copy names one).
napi POST /api/v1/ns-descriptors "$(jq -c '.name = "named-vdu" | .vnfd[1].vdu[0].name = "srv-vdu"' "$SIPP_FIXTURE")"
expect_status 201 "onboarding with a named VDU"
napi POST "/api/v1/ns-records/$(jq -r .id "$HTTP_BODY")" '{"vduVimInstances": {"srv-vdu": ["nowhere"]}}'
expect_problem 409 state-conflict "no VIM instance named 'nowhere'"
napi POST /api/v1/ns-descriptors "$(jq -c '.name = "other-vnfm" | .vnfd[0].endpoint = "nobody"' "$SIPP_FIXTURE")"
expect_status 201 "onboarding with another VNFM type"
other_id="$(jq -r .id "$HTTP_BODY")"
napi POST "/api/v1/ns-records/$other_id" '{}'
expect_problem 409 state-conflict "VNFManager with endpoint: nobody is not registered"
napi GET /api/v1/ns-records
[ "$(jq length "$HTTP_BODY")" = 0 ] || fail "a refused launch left an NSR: $(cat "$HTTP_BODY")"

# ---- launch ----
t0=$(date +%s%N)
napi POST "/api/v1/ns-records/$nsd_id" '{}'
expect_status 201 "launch"
nsr_id="$(jq -r .id "$HTTP_BODY")"
jq -e '.status == "NULL" and (.vnfr | length == 2) and (.vlr[0].name == "private")' "$HTTP_BODY" \
    >/dev/null || fail "the NSR answered at launch: $(cat "$HTTP_BODY")"
nsr_wait_settled "/api/v1/ns-records/$nsr_id"
[ "$NSR_STATUS" = ACTIVE ] || fail "NSR $NSR_STATUS: $(jq -c '[.lifecycle_event_history[]?.description,
    (.vnfr[] | {name, status, h: [.lifecycle_event_history[]?.description]})]' "$HTTP_BODY")"
echo "SIPp NS ACTIVE $(ms_since "$t0") ms after the launch request" >&2
nsr="$(cat "$HTTP_BODY")"
jq -e '.task == "Onboarded" and all(.vnfr[]; .status == "ACTIVE")
       and any(.lifecycle_event_history[]; .event == "INSTANTIATE_FINISH")
       and all(.vnfr[].vdu[].vnfc_instance[]; .state == "ACTIVE")
       and (.vlr[0].extId | length > 0) and (has("_launch") | not)' <<<"$nsr" >/dev/null ||
    fail "ACTIVE NSR: $nsr"
server_vi="$(jq -c '.vnfr[] | select(.name == "sipp-server") | .vdu[0].vnfc_instance[0]' <<<"$nsr")"
server_ip="$(jq -r '.ips[] | select(.netName == "private") | .ip' <<<"$server_vi")"
server_host="$(jq -r .hostname <<<"$server_vi")"
client_host="$(jq -r '.vnfr[] | select(.name == "sipp-client") | .vdu[0].vnfc_instance[0].hostname' <<<"$nsr")"
# The dependency record as §5.2 fills it.
jq -e --arg ip "$server_ip" --arg id "$(jq -r .id <<<"$server_vi")" '
    .vnf_dependency[0] | .target == "sipp-client" and .idType == {"sipp-server": "server"}
    and .vnfcParameters.server.parameters[$id].parameters.private == $ip' <<<"$nsr" >/dev/null ||
    fail "dependency record: $(jq -c .vnf_dependency <<<"$nsr")"
napi GET "/api/v1/ns-records/$nsr_id/vnfdependencies"
[ "$(jq -c '.[0].target' "$HTTP_BODY")" = '"sipp-client"' ] || fail "vnfdependencies: $(cat "$HTTP_BODY")"
napi GET "/api/v1/ns-records/$nsr_id/vnfrecords"
[ "$(jq length "$HTTP_BODY")" = 2 ] || fail "vnfrecords: $(cat "$HTTP_BODY")"
grep -q "^SERVER_PRIVATE=$server_ip$" <<<"$(denv "$client_host")" ||
    fail "client env: $(denv "$client_host") (server at $server_ip)"
# Start order: the server (the source) was started before the client (its target).
# (as numbers: the engine's RFC 3339 times drop trailing zeros, so as text .5Z sorts after .52Z)
s_started="$(started_ns "$POPD_NAME-$server_host")"
c_started="$(started_ns "$POPD_NAME-$client_host")"
[ "$s_started" -lt "$c_started" ] || fail "the client started ($c_started ns) before the server ($s_started ns)"
# Real SIP calls between them.
ok=""
for _ in $(seq 100); do
    line="$(docker logs "$POPD_NAME-$client_host" 2>/dev/null | grep -E 'calls placed=[0-9]+ successful=[1-9][0-9]* failed=0' | tail -n 1 || true)"
    [ -n "$line" ] && { ok=$line; break; }
    sleep 0.2
done
[ -n "$ok" ] || fail "no successful SIP calls: $(docker logs "$POPD_NAME-$client_host" 2>&1 | tail -n 5)"
echo "client: $ok" >&2
curl -fs "$NFVO_URL/metrics" >"$POPD_WORK/nfvo-metrics.txt" || fail "GET /metrics"
for want in 'nfvo_nsrs{status="ACTIVE"} 1' 'nfvo_operations_in_flight{kind="launch"} 0' \
    'nfvo_calls_total{peer="vnfm",call="INSTANTIATE",outcome="ok"} 2' \
    'nfvo_calls_total{peer="vnfm",call="START",outcome="ok"} 2' \
    'nfvo_calls_total{peer="driver",call="launchInstanceAndWait",outcome="ok"} 2'; do
    grep -qxF "$want" "$POPD_WORK/nfvo-metrics.txt" ||
        fail "metrics lack '$want': $(grep '^nfvo_' "$POPD_WORK/nfvo-metrics.txt")"
done
# What the NSR stands on cannot go while it lives.
napi DELETE "/api/v1/ns-descriptors/$nsd_id"
expect_problem 409 conflict "$nsr_id"
vim_id="$(jq -r '.vnfr[0].vdu[0].vnfc_instance[0].vim_id' <<<"$nsr")"
napi DELETE "/api/v1/datacenters/$vim_id"
[ "$HTTP_STATUS" = 409 ] && jq -e --arg id "$nsr_id" '.detail | contains($id)' "$HTTP_BODY" >/dev/null ||
    fail "DELETE of the VIM an NSR uses: $HTTP_STATUS $(cat "$HTTP_BODY")"
napi GET /api/v1/vnfmanagers
jq -e --arg t "$VNFM_TYPE" 'any(.[]; .type == $t)' "$HTTP_BODY" >/dev/null ||
    fail "vnfmanagers: $(cat "$HTTP_BODY")"

# ---- terminate ----
net_id="$(jq -r '.vlr[0].extId' <<<"$nsr")"
t0=$(date +%s%N)
nsr_terminate "/api/v1/ns-records/$nsr_id" "the SIPp NSR"
echo "terminated in $(ms_since "$t0") ms" >&2
for h in "$server_host" "$client_host"; do
    call GET "/v1/containers/$h"
    [ "$HTTP_STATUS" = 404 ] || fail "container $h left on the Pop ($HTTP_STATUS)"
done
# "private" is the Pop's own network (popd-rest makes it): reused, so it stays.
call GET "/v1/networks/$net_id"
[ "$HTTP_STATUS" = 200 ] && [ "$(jq -r .name "$HTTP_BODY")" = private ] ||
    fail "the Pop's private network: $HTTP_STATUS $(cat "$HTTP_BODY")"
[ -z "$(engine_containers)" ] || fail "containers left in the engine: $(engine_containers)"

# ---- a virtual link the Pop lacks: created at the grant, deleted with the NS ----
# (on pop-tiny: the SIPp client insists on SERVER_PRIVATE)
sipnet="$(jq -c '.name = "sipp-sipnet" | .vld[0].name = "sipnet"
    | .vnfd[].vdu[].vm_image = ["pop-tiny:latest"]
    | .vnfd[].vdu[].vnfc[].connection_point[].virtual_link_reference = "sipnet"
    | .vnf_dependency[0].parameters = ["sipnet"]' "$SIPP_FIXTURE")"
napi POST /api/v1/ns-descriptors "$sipnet"
expect_status 201 "onboarding the sipnet copy"
napi POST "/api/v1/ns-records/$(jq -r .id "$HTTP_BODY")" '{}'
expect_status 201 "launch of the sipnet copy"
nsr_id="$(jq -r .id "$HTTP_BODY")"
nsr_wait_settled "/api/v1/ns-records/$nsr_id"
[ "$NSR_STATUS" = ACTIVE ] || fail "sipnet NSR $NSR_STATUS: $(jq -c .lifecycle_event_history "$HTTP_BODY")"
net_id="$(jq -r '.vlr[0].extId' "$HTTP_BODY")"
client_host="$(jq -r '.vnfr[] | select(.name == "sipp-client") | .vdu[0].vnfc_instance[0].hostname' "$HTTP_BODY")"
call GET "/v1/networks/$net_id"
[ "$HTTP_STATUS" = 200 ] && [ "$(jq -r .name "$HTTP_BODY")" = sipnet ] ||
    fail "the sipnet network was not created: $HTTP_STATUS $(cat "$HTTP_BODY")"
grep -q '^SERVER_SIPNET=' <<<"$(denv "$client_host")" || fail "client env: $(denv "$client_host")"
nsr_terminate "/api/v1/ns-records/$nsr_id" "the sipnet NSR"
call GET "/v1/networks/$net_id"
[ "$HTTP_STATUS" = 404 ] || fail "the network the NS created is left on the Pop ($HTTP_STATUS)"
[ -z "$(engine_containers)" ] || fail "containers left in the engine: $(engine_containers)"
# ---- the error paths of §3.7: the launch ends in ERROR with the reason, nothing is left ----
# failed_launch NAME JQ WANT: a copy of the fixture edited by JQ, launched: the NSR and a VNFR end
# in ERROR with WANT in their history; the Pop agrees with the record; DELETE leaves nothing.
failed_launch() {
    napi POST /api/v1/ns-descriptors "$(jq -c --arg n "$1" ".name = \$n | $2" "$SIPP_FIXTURE")"
    expect_status 201 "onboarding $1"
    napi POST "/api/v1/ns-records/$(jq -r .id "$HTTP_BODY")" '{}'
    expect_status 201 "launch of $1"
    local id
    id="$(jq -r .id "$HTTP_BODY")"
    nsr_wait_settled "/api/v1/ns-records/$id"
    [ "$NSR_STATUS" = ERROR ] || fail "$1: NSR $NSR_STATUS, not ERROR"
    jq -e --arg w "$3" 'def said: any(.lifecycle_event_history[]?; .event == "ERROR" and (.description | contains($w)));
        said and any(.vnfr[]; .status == "ERROR" and said)' "$HTTP_BODY" >/dev/null ||
        fail "$1: no '$3' in the NSR's and a VNFR's history: $(jq -c '{h: [.lifecycle_event_history[]?.description],
            vnfr: [.vnfr[] | {name, status, h: [.lifecycle_event_history[]?.description]}]}' "$HTTP_BODY")"
    echo "$1: ERROR: $(jq -r '[.lifecycle_event_history[] | select(.event == "ERROR") | .description][0]' "$HTTP_BODY")" >&2
    # pop-nfvo names the request and the VNF once, not again in the VNFM's own words.
    jq -e '[.lifecycle_event_history[]?, .vnfr[].lifecycle_event_history[]? | .description
        | select(test("^[A-Z_]+ of [^:]+: [A-Z_]+ of VNFR "))] == []' "$HTTP_BODY" >/dev/null ||
        fail "$1: a reason names its request twice: $(jq -c '[.lifecycle_event_history[]?.description]' "$HTTP_BODY")"
    nfvo_pop_agrees "$1"
    nsr_terminate "/api/v1/ns-records/$id" "the NSR of $1"
    call GET /v1/containers
    [ "$(jq '.list | length' "$HTTP_BODY")" = 0 ] || fail "$1: containers left on the Pop: $(jq -c '[.list[].names]' "$HTTP_BODY")"
    [ -z "$(engine_containers)" ] || fail "$1: containers left in the engine: $(engine_containers)"
}
# The grant refuses: the server's image is on no VIM of the VDU.
failed_launch sipp-no-image '(.vnfd[] | select(.name == "sipp-server") | .vdu[0].vm_image) = ["no-such-image:0"]' \
    'no image ["no-such-image:0"] on VIM instance pop1'
# The allocation fails at the Pop: the server asks for an address outside the network.
failed_launch sipp-bad-ip '(.vnfd[] | select(.name == "sipp-server") | .vdu[0].vnfc[0].connection_point[0].fixedIp) = "192.0.2.77"' \
    '192.0.2.77'
echo "nfvo launch: ok in $(ms_since "$t_start") ms"
