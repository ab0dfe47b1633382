#!/usr/bin/env bash
# make demo: brings up popd-rest and, through its REST API, creates, configures and starts a
# SIPp server and client on two networks, shows them with their addresses and metadata, lets
# the client place real SIP calls to the server's reserved address, then cleans everything up
# (DEMO_KEEP=1 leaves popd-rest and the containers running for you to explore).
set -euo pipefail
build=${1:?usage: scripts/demo.sh BUILD_DIR}
cd "$(dirname "$0")/.."

POPD_BIN="$build/services/popd-rest/popd-rest"
NAME=demo
PORT=${DEMO_PORT:-8080}
WORK="$build/demo"
URL="http://127.0.0.1:$PORT"
USER=demo
PASS="demo-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
mkdir -p "$WORK"
rm -f "$WORK"/popd.db*
PID=""

cleanup() {
    [ "${DEMO_KEEP:-0}" = 1 ] && { echo "DEMO_KEEP=1: popd-rest (pid $PID) left running on $URL, user $USER password $PASS"; return; }
    [ -n "$PID" ] && kill -TERM "$PID" 2>/dev/null && wait "$PID" 2>/dev/null || true
    docker ps -aq --filter "label=org.pop-nfv.pop=$NAME" | xargs -r docker rm -f >/dev/null
    docker network ls -q --filter "label=org.pop-nfv.pop=$NAME" | xargs -r docker network rm >/dev/null
}
trap cleanup EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
api() {
    local method=$1 path=$2 body=${3:-}
    local args=(-sS -X "$method" "$URL$path" -H "Authorization: Bearer ${TOKEN:-}")
    [ -n "$body" ] && args+=(-H 'Content-Type: application/json' -d "$body")
    curl "${args[@]}"
}

step "starting popd-rest on $URL (state in $WORK/popd.db, log in $WORK/popd.log)"
POPD_NAME=$NAME POPD_AUTH="$USER:$PASS" POPD_DB="$WORK/popd.db" POPD_PORT=$PORT \
    "$POPD_BIN" >"$WORK/popd.log" 2>&1 &
PID=$!
for _ in $(seq 100); do curl -fs "$URL/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fsS "$URL/healthz"; echo

step "login"
TOKEN=$(curl -fsS -X POST "$URL/v1/login" -H 'Content-Type: application/json' \
    -d "{\"username\":\"$USER\",\"password\":\"$PASS\"}" | jq -r .value)
echo "token: ${TOKEN:0:24}..."

step "a second virtual link 'sip' next to the default 'private'"
api POST /v1/networks '{"name":"sip"}' | jq -c '{name, subnets}'
api GET /v1/networks | jq -c '.list[] | {name, cidr: .subnets[0].cidr}'

step "create: addresses are reserved before anything runs"
api POST /v1/containers '{"name":"sipp-server","image_id":"sipp-server:latest","endpoints":{"private":{},"sip":{}}}' >/dev/null
api POST /v1/containers '{"name":"sipp-client","image_id":"sipp-client:latest","endpoints":{"private":{},"sip":{}}}' >/dev/null
SERVER_IP=$(api GET /v1/containers/sipp-server | jq -r '.endpoints.private.ipv4.address')
api GET /v1/containers | jq -c '.list[] | {name: .names[0], status, ips: (.endpoints | map_values(.ipv4.address))}'

step "metadata: the client learns the server's private address (SERVER_PRIVATE=$SERVER_IP)"
api PATCH /v1/containers/sipp-client/metadata "{\"entries\":{\"SERVER_PRIVATE\":\"$SERVER_IP\",\"SIPP_RATE\":\"10\",\"SIPP_RATE_PERIOD\":\"1000\",\"SIPP_RATE_MAX\":\"10\",\"SIPP_RATE_INCREASE\":\"0\",\"SIPP_LENGTH\":\"100\",\"SIPP_TRANSPORT_MODE\":\"u1\",\"SIPP_CALL_LIMIT\":\"20\"}}" | jq -c '.md'

api PATCH /v1/containers/sipp-server/metadata '{"entries":{"SIPP_STATS_PERIOD":"1"}}' | jq -c '.md'

step "start the server, then the client"
api POST /v1/containers/sipp-server/start | jq -c '{name: .names[0], status, extended_status}'
api POST /v1/containers/sipp-client/start | jq -c '{name: .names[0], status, extended_status}'

step "the client places 20 SIP calls to the server"
for _ in $(seq 120); do
    st=$(api GET /v1/containers/sipp-client | jq -r .status)
    [ "$st" = RUNNING ] || break
    sleep 0.25
done
api GET /v1/containers | jq -c '.list[] | {name: .names[0], status, extended_status}'
sleep 1.5
echo "server statistics (docker logs $NAME-sipp-server):"
docker logs "$NAME-sipp-server" 2>&1 | grep -E 'calls received' | tail -n 1 || true
[ "$(api GET /v1/containers/sipp-client | jq -r .status)" = EXITED ] \
    && echo "client EXITED with code 0: every call succeeded" \
    || { echo "client did not finish cleanly" >&2; exit 1; }

step "delete everything"
for c in sipp-client sipp-server; do api DELETE "/v1/containers/$c"; done
api DELETE /v1/networks/sip
api GET /v1/containers | jq -c .
