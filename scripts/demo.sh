#!/usr/bin/env bash
# make demo: brings up popd-rest behind pop-gateway and, with the `pop` CLI through the
# gateway, creates a SIPp server and client on two networks, injects the server's reserved
# address into the client as SERVER_PRIVATE, starts both, shows them with their addresses and
# metadata, and lets the client place real SIP calls. Then it removes everything it made
# (DEMO_KEEP=1 leaves the services and containers running for you to explore).
set -euo pipefail
build=${1:?usage: scripts/demo.sh BUILD_DIR}
cd "$(dirname "$0")/.."
build=$(cd "$build" && pwd)

NAME=demo
POPD_PORT=${DEMO_POPD_PORT:-8080}
GW_PORT=${DEMO_PORT:-8000}
WORK="$build/demo"
USER=demo
PASS="demo-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
mkdir -p "$WORK"
rm -rf "$WORK"/popd.db* "$WORK/cache"
POPD_PID="" GW_PID=""

export PATH="$build/cli:$PATH"
export POP_URL="http://127.0.0.1:$GW_PORT" POP_AUTH="$USER:$PASS" XDG_CACHE_HOME="$WORK/cache"

cleanup() {
    if [ "${DEMO_KEEP:-0}" = 1 ]; then
        echo "DEMO_KEEP=1: left running: popd-rest (pid $POPD_PID), pop-gateway (pid $GW_PID)"
        echo "  export PATH=$build/cli:\$PATH POP_URL=$POP_URL POP_AUTH=$POP_AUTH"
        return
    fi
    for pid in $GW_PID $POPD_PID; do kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; done
    docker ps -aq --filter "label=org.pop-nfv.pop=$NAME" | xargs -r docker rm -f >/dev/null
    docker network ls -q --filter "label=org.pop-nfv.pop=$NAME" | xargs -r docker network rm >/dev/null
    rm -rf "$WORK/cache"
}
trap cleanup EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '\033[2m$ %s\033[0m\n' "$*"; "$@"; }
wait_http() { for _ in $(seq 100); do curl -fs "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "no answer from $1" >&2; return 1; }

step "popd-rest on :$POPD_PORT (state $WORK/popd.db), pop-gateway in front on :$GW_PORT"
POPD_NAME=$NAME POPD_AUTH="$USER:$PASS" POPD_DB="$WORK/popd.db" POPD_PORT=$POPD_PORT \
    "$build/services/popd-rest/popd-rest" >"$WORK/popd.log" 2>&1 &
POPD_PID=$!
wait_http "http://127.0.0.1:$POPD_PORT/healthz"
GATEWAY_PORT=$GW_PORT GATEWAY_ROUTES="/v1/=http://127.0.0.1:$POPD_PORT" \
    "$build/gateway/pop-gateway" >"$WORK/gateway.log" 2>&1 &
GW_PID=$!
wait_http "http://127.0.0.1:$GW_PORT/healthz"
curl -fsS "http://127.0.0.1:$GW_PORT/healthz" | jq -c .

step "log in through the gateway; the token is cached for the next commands"
show pop login
show pop info

step "a second virtual link 'sip' next to the default 'private'"
show pop network create sip
show pop networks

step "create: addresses are reserved before anything runs"
show pop create image=sipp-server:latest name=sipp-server net=private net=sip
show pop create image=sipp-client:latest name=sipp-client net=private net=sip
SERVER_IP=$(pop -o json servers sipp-server | jq -r '.endpoints.private.ipv4.address')

step "metadata: the client learns the server's private address, as the NFVO will do"
show pop md set sipp-server SIPP_STATS_PERIOD=1
show pop md set sipp-client SERVER_PRIVATE="$SERVER_IP" SIPP_RATE=10 SIPP_RATE_PERIOD=1000 \
    SIPP_RATE_MAX=10 SIPP_RATE_INCREASE=0 SIPP_LENGTH=100 SIPP_TRANSPORT_MODE=u1 SIPP_CALL_LIMIT=20

step "start the server, then the client: 20 SIP calls"
show pop start sipp-server
show pop start sipp-client
for _ in $(seq 120); do
    [ "$(pop -o json servers sipp-client | jq -r .status)" = RUNNING ] || break
    sleep 0.25
done
show pop servers
sleep 1.5
echo "server statistics (docker logs $NAME-sipp-server):"
docker logs "$NAME-sipp-server" 2>&1 | grep -E 'calls received' | tail -n 1 || true
if [ "$(pop -o json servers sipp-client | jq -r .status)" = EXITED ]; then
    echo "the client EXITED with code 0: every call was answered"
else
    echo "the client did not finish cleanly" >&2
    exit 1
fi
show pop md get sipp-client

[ "${DEMO_KEEP:-0}" = 1 ] && exit 0
step "remove everything"
show pop rm sipp-client
show pop rm sipp-server
show pop network rm sip
show pop servers
show pop logout
