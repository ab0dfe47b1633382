#!/usr/bin/env bash
# Heal and start/stop of one VNFC through pop-nfvo's REST API (reference §3.7, §3.5, §6.2), with
# every real component (RabbitMQ, popd-rest on the Docker Engine, pop-vim-driver, pop-vnfm):
# - the SIPp NS launched to ACTIVE; its server's container killed in the engine;
# - after a kill -9 and restart of pop-vnfm (so it has seen no INSTANTIATE), HEAL of the
#   server's VNFC: 201 at once; the NSR is ACTIVE again with task "Healed", the
#   server runs again (a new container), the client's SERVER_PRIVATE and the dependency record
#   give the server's address, the new server receives calls and the client's successful calls
#   grow again;
# - another operation during the heal: 409 naming it; an unknown action: 400 naming it; an
#   unknown NSR or VNFC id: 404;
# - stop of the client VNFC: its container stops, the VNFC INACTIVE, its VNFR and the NSR
#   INACTIVE; start: it runs again, all ACTIVE;
# - terminate leaves no container.
set -euo pipefail
. "$(dirname "$0")/../lib/popd.sh"
. "$(dirname "$0")/../lib/nfvo.sh"

t_start=$(date +%s%N)
ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }

# nsr_wait COND [TRIES]: polls the NSR until the jq condition COND holds (0.1 s apart).
nsr_wait() {
    for _ in $(seq "${2:-600}"); do
        napi GET "/api/v1/ns-records/$nsr_id"
        jq -e "$1" "$HTTP_BODY" >/dev/null && return 0
        sleep 0.1
    done
    fail "NSR never satisfied '$1': $(jq -c '{status, task, h: [.lifecycle_event_history[]?.description],
        vnfr: [.vnfr[] | {name, status, h: [.lifecycle_event_history[]?.description]}]}' "$HTTP_BODY")"
}
# running HOST: true/false for that Pop container's engine container (a stopped Pop container
# has none: popd-rest removes it at the stop and creates it again at the start).
running() {
    local r
    r="$(docker inspect -f '{{.State.Running}}' "$POPD_NAME-$1" 2>/dev/null)" || r=false
    echo "$r"
}
pop_status() {
    call GET "/v1/containers/$1"
    jq -r .status "$HTTP_BODY"
}
# calls ROLE HOST: the counters of the last "calls ..." line of that container's logs.
calls() { docker logs "$POPD_NAME-$2" 2>/dev/null | grep -E "^$1: running: calls" | tail -n 1 || true; }
successful() { calls sipp-client "$1" | sed -nE 's/.*successful=([0-9]+).*/\1/p'; }

popd_start
popd_login
nfvod_up
nfvod_login

napi POST /api/v1/datacenters "$VIM"
expect_status 201 "datacenter"
napi POST /api/v1/ns-descriptors "$(cat "$SIPP_FIXTURE")"
expect_status 201 "onboarding"
napi POST "/api/v1/ns-records/$(jq -r .id "$HTTP_BODY")" '{}'
expect_status 201 "launch"
nsr_id="$(jq -r .id "$HTTP_BODY")"
nsr_wait '.status == "ACTIVE" or .status == "ERROR"'
jq -e '.status == "ACTIVE"' "$HTTP_BODY" >/dev/null || fail "launch: $(jq -c .lifecycle_event_history "$HTTP_BODY")"
nsr="$(cat "$HTTP_BODY")"
# path ROLE: the .../vnfcinstances/{id} path of that VNF's (only) VNFC.
path() {
    jq -r --arg n "sipp-$1" --arg nsr "$nsr_id" '.vnfr[] | select(.name == $n) |
        "/api/v1/ns-records/\($nsr)/vnfrecords/\(.id)/vdunits/\(.vdu[0].id)/vnfcinstances/\(.vdu[0].vnfc_instance[0].id)"' <<<"$nsr"
}
srv="$(path server)"
cli="$(path client)"
server_host="$(jq -r '.vnfr[] | select(.name == "sipp-server") | .vdu[0].vnfc_instance[0].hostname' <<<"$nsr")"
server_vnfc="${srv##*/}"
client_host="$(jq -r '.vnfr[] | select(.name == "sipp-client") | .vdu[0].vnfc_instance[0].hostname' <<<"$nsr")"
ok=0
for _ in $(seq 100); do
    ok="$(successful "$client_host")"
    [ "${ok:-0}" -gt 0 ] && break
    sleep 0.2
done
[ "${ok:-0}" -gt 0 ] || fail "no successful SIP calls after the launch: $(calls sipp-client "$client_host")"

# ---- refusals: nothing changes ----
napi POST "$srv/actions" '{"action": "SCALE_OUT", "cause": "test"}'
expect_problem 400 invalid-field "action SCALE_OUT is not supported"
[ "$(jq -r .field "$HTTP_BODY")" = action ] || fail "the problem names no field: $(cat "$HTTP_BODY")"
napi POST "$srv/actions" '{"cause": "no action"}'
expect_problem 400 invalid-field "action: required"
napi POST "${srv%/*}/no-such-vnfc/actions" '{"action": "HEAL"}'
expect_problem 404 not-found "no VNFC instance with id no-such-vnfc"
napi POST "${srv/$nsr_id/no-such-nsr}/actions" '{"action": "HEAL"}'
expect_problem 404 not-found "no NSR with id no-such-nsr"
napi POST "${cli%/*}/no-such-vnfc/stop"
expect_problem 404 not-found "no VNFC instance with id no-such-vnfc"
napi GET "/api/v1/ns-records/$nsr_id"
jq -e '.status == "ACTIVE" and .task == "Onboarded"' "$HTTP_BODY" >/dev/null ||
    fail "a refused request changed the NSR: $(jq -c '{status, task}' "$HTTP_BODY")"

# ---- pop-vnfm restarted (kill -9): it has seen no INSTANTIATE since, so the VIM instances
# come with the NFVO's requests (vimInstances); the heal, stop and start below need them ----
service_kill "$VNFM_PID"
vnfm_start

# ---- heal of a killed server ----
old_cid="$(docker inspect -f '{{.Id}}' "$POPD_NAME-$server_host")"
docker kill "$POPD_NAME-$server_host" >/dev/null
for _ in $(seq 300); do
    [ "$(running "$server_host")" = false ] && break
    sleep 0.1
done
[ "$(running "$server_host")" = false ] || fail "the server still runs after docker kill: $(running "$server_host") $(docker ps -a --filter "name=$POPD_NAME-$server_host" --format "{{.Names}} {{.Status}}")"
sleep 2 # the client notices: its calls fail
t0=$(date +%s%N)
napi POST "$srv/actions" '{"action": "HEAL", "cause": "the server container died"}'
expect_status 201 "heal"
# Another operation while the heal is in flight.
napi POST "$cli/stop"
expect_problem 409 state-conflict "with a heal in flight"
nsr_wait '.task != "Healing"' 1200
echo "healed in $(ms_since "$t0") ms" >&2
nsr="$(cat "$HTTP_BODY")"
jq -e '.status == "ACTIVE" and .task == "Healed"
       and any(.lifecycle_event_history[]; .event == "HEAL" and (.description | contains("the server container died")))
       and all(.vnfr[]; .status == "ACTIVE") and all(.vnfr[].vdu[].vnfc_instance[]; .state == "ACTIVE")
       and (.vnfr[] | select(.name == "sipp-server") | any(.lifecycle_event_history[]; .event == "HEAL"))
       and (.vnfr[] | select(.name == "sipp-client") | any(.lifecycle_event_history[]; .event == "MODIFY"))' \
    <<<"$nsr" >/dev/null || fail "NSR after the heal: $(jq -c '{status, task, h: .lifecycle_event_history,
        vnfr: [.vnfr[] | {name, status, h: [.lifecycle_event_history[]?.description]}]}' <<<"$nsr")"
[ "$(running "$server_host")" = true ] || fail "the server does not run after the heal"
[ "$(docker inspect -f '{{.Id}}' "$POPD_NAME-$server_host")" != "$old_cid" ] ||
    fail "the heal did not replace the dead container"
server_ip="$(jq -r '.vnfr[] | select(.name == "sipp-server") | .vdu[0].vnfc_instance[0].ips[] | select(.netName == "private") | .ip' <<<"$nsr")"
jq -e --arg ip "$server_ip" --arg id "$server_vnfc" \
    '.vnf_dependency[0].vnfcParameters.server.parameters[$id].parameters.private == $ip' <<<"$nsr" >/dev/null ||
    fail "dependency record after the heal: $(jq -c .vnf_dependency <<<"$nsr") (server at $server_ip)"
grep -q "^SERVER_PRIVATE=$server_ip$" <<<"$(denv "$client_host")" ||
    fail "client env after the heal: $(denv "$client_host") (server at $server_ip)"
# SIP calls again: the new server receives them, the client's successful count grows.
s0="$(successful "$client_host")"
got=""
for _ in $(seq 150); do
    received="$(calls sipp-server "$server_host")"
    now="$(successful "$client_host")"
    if [[ "$received" =~ received=[1-9] ]] && [ "${now:-0}" -gt "${s0:-0}" ]; then
        got="server: $received; client: $(calls sipp-client "$client_host")"
        break
    fi
    sleep 0.2
done
[ -n "$got" ] || fail "no SIP calls after the heal: server '$(calls sipp-server "$server_host")', client '$(calls sipp-client "$client_host")' (successful $s0 at the heal)"
echo "after the heal: $got" >&2

# ---- stop and start the client VNFC ----
client_state='.vnfr[] | select(.name == "sipp-client")'
t0=$(date +%s%N)
napi POST "$cli/stop"
expect_status 201 "stop"
nsr_wait '.task != "Stopping"'
echo "stopped in $(ms_since "$t0") ms" >&2
jq -e "(.task == \"Stopped\") and (.status == \"INACTIVE\") and ($client_state | .status == \"INACTIVE\"
       and .vdu[0].vnfc_instance[0].state == \"INACTIVE\")
       and (.vnfr[] | select(.name == \"sipp-server\") | .status == \"ACTIVE\")" "$HTTP_BODY" >/dev/null ||
    fail "after the stop: $(jq -c '{status, task, vnfr: [.vnfr[] | {name, status, s: [.vdu[].vnfc_instance[].state],
        h: [.lifecycle_event_history[]?.description]}]}' "$HTTP_BODY")"
# popd-rest answers a stop with 202 and stops the container within a moment.
for _ in $(seq 100); do
    [[ "$(pop_status "$client_host")" =~ ^(EXITED|FAILED)$ ]] && break
    sleep 0.1
done
[[ "$(pop_status "$client_host")" =~ ^(EXITED|FAILED)$ ]] || fail "the Pop's client after the stop: $(cat "$HTTP_BODY")"
[ "$(running "$client_host")" = false ] || fail "the client container still runs after the stop"
t0=$(date +%s%N)
napi POST "$cli/start"
expect_status 201 "start"
nsr_wait '.task != "Starting"'
echo "started in $(ms_since "$t0") ms" >&2
jq -e "(.task == \"Started\") and (.status == \"ACTIVE\") and ($client_state | .status == \"ACTIVE\"
       and .vdu[0].vnfc_instance[0].state == \"ACTIVE\")" "$HTTP_BODY" >/dev/null ||
    fail "after the start: $(jq -c '{status, task, vnfr: [.vnfr[] | {name, status, s: [.vdu[].vnfc_instance[].state]}]}' "$HTTP_BODY")"
[ "$(running "$client_host")" = true ] || fail "the client container does not run after the start"
[ "$(pop_status "$client_host")" = RUNNING ] || fail "the Pop's client after the start: $(cat "$HTTP_BODY")"
# It calls the server again.
c0="$(successful "$client_host")"
for _ in $(seq 100); do
    [ "$(successful "$client_host")" -gt "${c0:-0}" ] 2>/dev/null && break
    sleep 0.2
done
[ "$(successful "$client_host")" -gt "${c0:-0}" ] 2>/dev/null ||
    fail "no SIP calls after the start: $(calls sipp-client "$client_host")"

# ---- terminate ----
nsr_terminate "/api/v1/ns-records/$nsr_id" "the NSR"
napi POST "$srv/actions" '{"action": "HEAL"}'
expect_problem 404 not-found "no NSR with id $nsr_id"
[ -z "$(engine_containers)" ] || fail "containers left in the engine: $(engine_containers)"
echo "nfvo heal: ok in $(ms_since "$t_start") ms"
