#!/usr/bin/env bash
# make demo: the whole orchestrator under docker-compose (scripts/stack.sh), used as a user would
# through pop-gateway: log in to pop-nfvo (/oauth/token), register the Pop as a VIM instance,
# onboard the thesis's SIPp NSD, launch it with its progress shown, prove real SIP calls between
# client and server, scale the server out, terminate the NS, and bring the stack down with its
# volumes, leaving nothing behind. It also times how long the same containers take to start
# directly (docker create + start on a network of their own), to put the launch time in context.
# Every check that fails stops the demo with a message and a non-zero status (tests/e2e runs it).
#
# Environment: POP_NAME (compose project and Pop name, default pop-demo), POP_PORT (gateway port
# on 127.0.0.1, default 8000 or a free one), POP_SECRETS (default .pop-secrets.env),
# DEMO_RESTART=1 (also `down` + `up` with the NS running: it must still be there). To explore
# by hand instead: scripts/stack.sh up, and the same calls (README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD

export POP_NAME=${POP_NAME:-pop-demo}
export POP_SECRETS=${POP_SECRETS:-$top/.pop-secrets.env}
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
if [ -z "${POP_PORT:-}" ]; then
    POP_PORT=8000
    port_free "$POP_PORT" || POP_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
fi
export POP_PORT
GW="http://127.0.0.1:$POP_PORT"
FIXTURE=tests/fixtures/openbaton/openbaton-docker_docker-NSR-SIPp.json
DIRECT_LABEL="org.pop-nfv.demo-direct=$POP_NAME"
WORK=$(mktemp -d /tmp/pop-demo.XXXXXX)

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
die() { printf '\033[31mdemo: FAILED: %s\033[0m\n' "$*" >&2; exit 1; }
ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }
stack() { scripts/stack.sh "$@"; }

direct_cleanup() {
    docker ps -aq --filter "label=$DIRECT_LABEL" | xargs -r docker rm -f >/dev/null
    docker network ls -q --filter "label=$DIRECT_LABEL" | xargs -r docker network rm >/dev/null
}
cleanup() {
    local st=$?
    [ $st = 0 ] || { echo "demo: the services' last log lines:" >&2; stack logs --tail=15 >&2 2>/dev/null || true; }
    stack down-v >/dev/null 2>&1 || true
    direct_cleanup
    rm -rf "$WORK"
    exit $st
}
trap cleanup EXIT
trap "exit 130" INT TERM

# api METHOD PATH [BODY]: one call through the gateway with the token; the body goes to
# $WORK/body, the status to $STATUS.
api() {
    local args=(-sS -o "$WORK/body" -w '%{http_code}' -X "$1" -H "Authorization: Bearer $TOKEN"
        -H "project-id: $PROJECT")
    [ $# -ge 3 ] && args+=(-H 'Content-Type: application/json' --data-binary "$3")
    STATUS=$(curl "${args[@]}" "$GW$2") || STATUS=000
}
body() { cat "$WORK/body"; }
# nsr_wait ID SECONDS [DONE]: polls the NSR, printing its status and each VNF's whenever one
# changes, until ERROR or the jq condition DONE holds (default: ACTIVE); sets NSR_STATUS and
# leaves the last NSR in $WORK/body.
nsr_wait() {
    local t0 line last="" deadline=$((SECONDS + $2)) cond=${3:-'.status == "ACTIVE"'}
    t0=$(date +%s%N)
    NSR_STATUS=""
    while [ $SECONDS -lt $deadline ]; do
        api GET "/api/v1/ns-records/$1"
        [ "$STATUS" = 200 ] || die "GET ns-record: $STATUS $(body)"
        NSR_STATUS=$(jq -r .status "$WORK/body")
        line="NS $NSR_STATUS  $(jq -r '[.vnfr[] | "\(.name) \(.status // "NULL") (\([.vdu[].vnfc_instance[]?] | length) VNFC)"] | join(", ")' "$WORK/body")"
        [ "$line" = "$last" ] || printf '  %6d ms  %s\n' "$(ms_since "$t0")" "$line"
        last=$line
        [ "$NSR_STATUS" = ERROR ] && return 0
        jq -e "$cond" "$WORK/body" >/dev/null && return 0
        sleep 0.2
    done
}
client_logs_ok() {
    local name=$1 line=""
    for _ in $(seq 100); do
        line=$(docker logs "$name" 2>/dev/null | grep -E 'calls placed=[0-9]+ successful=[1-9][0-9]* failed=0' | tail -n 1 || true)
        [ -n "$line" ] && { echo "$line"; return 0; }
        sleep 0.2
    done
    return 1
}
denv() { docker inspect -f '{{range .Config.Env}}{{println .}}{{end}}' "$1"; }

step "the stack: docker-compose project '$POP_NAME', gateway on $GW (secrets: $POP_SECRETS)"
stack down-v >/dev/null 2>&1 || true
t0=$(date +%s%N)
stack up
up_ms=$(ms_since "$t0")
stack ps
# shellcheck disable=SC1090
. "$POP_SECRETS"
curl -fsS "$GW/healthz" | jq -c '[.upstreams[] | {prefix, status}]'

step "log in to pop-nfvo through the gateway (POST /oauth/token, password grant)"
TOKEN=$(curl -fsS -u openbatonOSClient:secret -X POST "$GW/oauth/token" \
    --data-urlencode grant_type=password --data-urlencode username=admin \
    --data-urlencode "password=$POP_NFVO_PASSWORD" | jq -r .access_token)
PROJECT=""
api GET /api/v1/projects
PROJECT=$(jq -r '.[] | select(.name == "default") | .id' "$WORK/body")
[ -n "$PROJECT" ] || die "no project 'default': $(body)"
echo "token ok, project default = $PROJECT"
api GET /api/v1/vnfmanagers
echo "registered VNFMs: $(jq -c '[.[] | .type]' "$WORK/body")"

step "register the Pop (popd-rest) as VIM instance pop1"
vim=$(jq -cn --arg u "$POP_USER" --arg p "$POP_PASSWORD" '{name: "pop1", type: "pop",
    authUrl: "http://popd-rest:8080", username: $u, password: $p, location: {name: "local"}}')
api POST /api/v1/datacenters "$vim"
[ "$STATUS" = 201 ] || die "datacenter: $STATUS $(body)"
jq -c '{name, type, authUrl, networks: [.networks[].name], flavours: [.flavours[].flavour_key]}' "$WORK/body"

step "onboard the SIPp NSD (the thesis's descriptor; this copy allows 2 servers)"
nsd=$(jq -c '(.vnfd[] | select(.name == "sipp-server") | .vdu[].scale_in_out) = 2' "$FIXTURE")
api POST /api/v1/ns-descriptors "$nsd"
[ "$STATUS" = 201 ] || die "onboarding: $STATUS $(body)"
NSD_ID=$(jq -r .id "$WORK/body")
jq -c '{id, name, vnfd: [.vnfd[] | {name, image: .vdu[0].vm_image[0]}]}' "$WORK/body"

step "launch the NS"
t0=$(date +%s%N)
api POST "/api/v1/ns-records/$NSD_ID" '{}'
[ "$STATUS" = 201 ] || die "launch: $STATUS $(body)"
NSR_ID=$(jq -r .id "$WORK/body")
nsr_wait "$NSR_ID" 120
launch_ms=$(ms_since "$t0")
[ "$NSR_STATUS" = ACTIVE ] || die "the NS is ${NSR_STATUS:-not ACTIVE in 120 s}: $(jq -c '[.lifecycle_event_history[]?.description]' "$WORK/body")"
cp "$WORK/body" "$WORK/nsr"
vnfc() { jq -r --arg v "$1" ".vnfr[] | select(.name == \$v) | .vdu[0].vnfc_instance[$2]" "$WORK/nsr"; }
server_ip=$(vnfc sipp-server 0 | jq -r '.ips[] | select(.netName == "private") | .ip')
server_c="$POP_NAME-$(vnfc sipp-server 0 | jq -r .hostname)"
client_c="$POP_NAME-$(vnfc sipp-client 0 | jq -r .hostname)"
echo "ACTIVE in $launch_ms ms; containers on the engine:"
docker ps --filter "label=org.pop-nfv.pop=$POP_NAME" --format '  {{.Names}}  {{.Image}}  {{.Status}}'

step "SIP calls: the client found the server through the dependency (SERVER_PRIVATE)"
client_env=$(denv "$client_c")
grep -q "^SERVER_PRIVATE=$server_ip$" <<<"$client_env" ||
    die "the client's SERVER_PRIVATE is not the server's address $server_ip: $(grep ^SERVER_ <<<"$client_env")"
echo "server $server_c at $server_ip; client env: $(grep ^SERVER_PRIVATE= <<<"$client_env")"
line=$(client_logs_ok "$client_c") || die "no successful SIP calls: $(docker logs "$client_c" 2>&1 | tail -n 5)"
echo "client: $line"
echo "server: $(docker logs "$server_c" 2>/dev/null | grep -E 'calls received=' | tail -n 1 || true)"

if [ "${DEMO_RESTART:-0}" = 1 ]; then
    step "docker-compose down, then up: the running NS and its records stay"
    ids=$(docker ps -q --filter "label=org.pop-nfv.pop=$POP_NAME" | sort)
    stack down
    stack up
    TOKEN=$(curl -fsS -u openbatonOSClient:secret -X POST "$GW/oauth/token" \
        --data-urlencode grant_type=password --data-urlencode username=admin \
        --data-urlencode "password=$POP_NFVO_PASSWORD" | jq -r .access_token)
    api GET "/api/v1/ns-records/$NSR_ID"
    [ "$STATUS" = 200 ] && [ "$(jq -r .status "$WORK/body")" = ACTIVE ] ||
        die "after down + up the NS is: $STATUS $(jq -c '{status}' "$WORK/body" 2>/dev/null || body)"
    [ "$(docker ps -q --filter "label=org.pop-nfv.pop=$POP_NAME" | sort)" = "$ids" ] ||
        die "the NS's containers changed across down + up"
    echo "NS $NSR_ID still ACTIVE, same containers running"
fi

step "scale out the server (a second sipp-server VNFC)"
server_vnfr=$(jq -r '.vnfr[] | select(.name == "sipp-server") | .id' "$WORK/nsr")
api POST "/api/v1/ns-records/$NSR_ID/vnfrecords/$server_vnfr/vdunits/vnfcinstances" \
    '{"vnfComponent": {"connection_point": [{"virtual_link_reference": "private"}]}}'
[ "$STATUS" = 201 ] || die "scale out: $STATUS $(body)"
nsr_wait "$NSR_ID" 120 '.status == "ACTIVE" and ([.vnfr[] | select(.name == "sipp-server")
    | .vdu[].vnfc_instance[] | select(.state == "ACTIVE")] | length == 2)'
[ "$NSR_STATUS" = ACTIVE ] || die "after the scale-out the NS is $NSR_STATUS"
n=$(jq '[.vnfr[] | select(.name == "sipp-server") | .vdu[].vnfc_instance[] | select(.state == "ACTIVE")] | length' "$WORK/body")
[ "$n" = 2 ] || die "the server has $n ACTIVE VNFCs after the scale-out"
servers=$(jq -r '[.vnfr[] | select(.name == "sipp-server") | .vdu[].vnfc_instance[]
    | .ips[] | select(.netName == "private") | .ip] | join(",")' "$WORK/body")
client_c="$POP_NAME-$(jq -r '.vnfr[] | select(.name == "sipp-client") | .vdu[0].vnfc_instance[0].hostname' "$WORK/body")"
echo "servers now at $servers; client env now: $(denv "$client_c" | grep -E '^SERVER_PRIVATE(_ALL)?=' | tr '\n' ' ')"

step "terminate the NS"
t0=$(date +%s%N)
api DELETE "/api/v1/ns-records/$NSR_ID"
[ "$STATUS" = 204 ] || die "terminate: $STATUS $(body)"
for _ in $(seq 300); do
    api GET "/api/v1/ns-records/$NSR_ID"
    [ "$STATUS" = 404 ] && break
    sleep 0.2
done
[ "$STATUS" = 404 ] || die "the NSR is still there: $(jq -c '{status, task}' "$WORK/body")"
left=$(docker ps -aq --filter "label=org.pop-nfv.pop=$POP_NAME")
[ -z "$left" ] || die "containers of the NS left on the engine: $left"
echo "terminated in $(ms_since "$t0") ms; no container of the NS is left"

step "for comparison: the same two containers started directly (docker create + start)"
images=$(jq -r '[.vnfd[] | .vdu[0].vm_image[0]] | join(" ")' "$FIXTURE")
t0=$(date +%s%N)
docker network create --label "$DIRECT_LABEL" "$POP_NAME-direct" >/dev/null
srv=$(docker create --label "$DIRECT_LABEL" --network "$POP_NAME-direct" --name "$POP_NAME-direct-server" mcilloni/sipp-server:latest)
docker start "$srv" >/dev/null
cli=$(docker create --label "$DIRECT_LABEL" --network "$POP_NAME-direct" --name "$POP_NAME-direct-client" \
    -e SERVER_PRIVATE="$POP_NAME-direct-server" -e SIPP_RATE=10 -e SIPP_RATE_PERIOD=1000 -e SIPP_RATE_MAX=10 \
    -e SIPP_RATE_INCREASE=0 -e SIPP_LENGTH=0 -e SIPP_TRANSPORT_MODE=u1 mcilloni/sipp-client:latest)
docker start "$cli" >/dev/null
direct_ms=$(ms_since "$t0")
direct_cleanup
echo "images: $images"

step "bring the stack down and remove its volumes (scripts/stack.sh down-v)"
stack down-v
left=$( {
    docker ps -aq --filter "label=com.docker.compose.project=$POP_NAME"
    docker ps -aq --filter "label=org.pop-nfv.pop=$POP_NAME"
    docker network ls -q --filter "label=org.pop-nfv.pop=$POP_NAME"
    docker network ls -q --filter "label=com.docker.compose.project=$POP_NAME"
    docker volume ls -q --filter "label=com.docker.compose.project=$POP_NAME"
} | sort -u)
[ -z "$left" ] || die "left behind after down -v: $left"
echo "nothing left: no container, network or volume of '$POP_NAME'"

step "timings"
printf '  stack up (compose, until every service is healthy)  %6d ms\n' "$up_ms"
printf '  NS launch through pop-nfvo, until ACTIVE            %6d ms\n' "$launch_ms"
printf '  a network + the same 2 containers, create + start   %6d ms\n' "$direct_ms"
echo "demo: ok"
