#!/usr/bin/env bash
# Each service of the compose stack killed (docker kill) in the middle of a launch, then brought
# back with `up`: the NS ends ACTIVE, or ERROR with a reason, within a bound; popd-rest then holds
# exactly the containers the NSRs show, and the engine nothing of the Pop that popd-rest does not
# know; after the DELETE of the NSR nothing of it is left. One stack (project e2er<pid>, own
# secrets and port) for the six cases, with short RPC timeouts so that an ERROR comes quickly;
# everything of this run is removed also on failure.
#
# A launch takes about a second, too short to hit a moment by polling, so each case holds it at
# a known point by pausing a service (docker pause): before the launch, which then waits at the
# GRANT (the VNFM waits for pop-nfvo, pop-nfvo for the driver's VIM refresh, the driver for
# popd-rest; confirmed from the paused one's socket), or when the Pop creates the NS's first
# container. The victim is killed there, the hold released and the victim brought back.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
export POP_NAME="e2er$$"
work=$(mktemp -d /tmp/pop-e2er.XXXXXX)
export POP_SECRETS="$work/secrets.env"
export POP_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# Short timeouts (defaults: 120 s, 60 s, 30 s, 30 s, 60 s, 300 s), nested so that each waiter
# outlasts what it waits for: NFVO > VNFM's wait for the NFVO > NFVO's for the driver > driver's.
export POP_NFVO_VNFM_TIMEOUT=20 POP_NFVO_DRIVER_TIMEOUT=10 POP_VIMD_POP_TIMEOUT=8000 \
    POP_VIMD_RPC_TIMEOUT=8000 POP_VNFM_DRIVER_TIMEOUT=10000 POP_VNFM_NFVO_TIMEOUT=15000
GW="http://127.0.0.1:$POP_PORT"
FIXTURE=$top/tests/fixtures/openbaton/openbaton-docker_docker-NSR-SIPp.json
SETTLE=60
PROBE_LABEL="org.pop-nfv.e2e-probe=$POP_NAME"

fail() {
    echo "FAIL: $*" >&2
    "$top/scripts/stack.sh" logs --tail=20 >&2 2>/dev/null || true
    exit 1
}
stack() { "$top/scripts/stack.sh" "$@"; }
leftovers() {
    {
        docker ps -aq --filter "label=com.docker.compose.project=$POP_NAME"
        docker ps -aq --filter "label=org.pop-nfv.pop=$POP_NAME"
        docker network ls -q --filter "label=com.docker.compose.project=$POP_NAME"
        docker network ls -q --filter "label=org.pop-nfv.pop=$POP_NAME"
        docker volume ls -q --filter "label=com.docker.compose.project=$POP_NAME"
        docker ps -aq --filter "label=$PROBE_LABEL"
    } | sort -u
}
events_pid="" watcher=""
stop_watch() {
    [ -z "$events_pid$watcher" ] || kill $events_pid $watcher 2>/dev/null || true
    [ -z "$events_pid$watcher" ] || wait $events_pid $watcher 2>/dev/null || true
    events_pid="" watcher=""
}
cleanup() {
    local st=$?
    stop_watch
    for id in $(docker ps -q --filter "label=com.docker.compose.project=$POP_NAME" --filter status=paused); do
        docker unpause "$id" >/dev/null 2>&1 || true
    done
    stack down-v >/dev/null 2>&1 || true
    docker ps -aq --filter "label=$PROBE_LABEL" | xargs -r docker rm -f >/dev/null
    if [ -n "$(leftovers)" ]; then
        echo "FAIL: left behind: $(leftovers)" >&2
        st=1
    fi
    rm -rf "$work"
    exit $st
}
trap cleanup EXIT
trap "exit 130" INT TERM

login() {
    TOKEN=$(curl -fsS -u openbatonOSClient:secret -X POST "$GW/oauth/token" \
        --data-urlencode grant_type=password --data-urlencode username=admin \
        --data-urlencode "password=$POP_NFVO_PASSWORD" | jq -r .access_token) || TOKEN=""
    [ -n "$TOKEN" ]
}
# api METHOD PATH [BODY]: through the gateway; body in $work/body, status in $STATUS (000: none).
api() {
    local args=(-sS -m 10 -o "$work/body" -w '%{http_code}' -X "$1" -H "Authorization: Bearer $TOKEN"
        -H "project-id: $PROJECT")
    [ $# -ge 3 ] && args+=(-H 'Content-Type: application/json' --data-binary "$3")
    STATUS=$(curl "${args[@]}" "$GW$2" 2>/dev/null) || STATUS=000
}
cid() { stack ps -q "$1"; }
paused() { [ "$(docker inspect -f '{{.State.Paused}}' "$(cid "$1")")" = true ]; }
healthy() { [ "$(docker inspect -f '{{.State.Health.Status}}' "$(cid "$1")")" = healthy ]; }
# until_true SECONDS WHAT CMD...: CMD every 0.2 s until it succeeds, or fail naming WHAT.
until_true() {
    local deadline=$((SECONDS + $1)) what=$2
    shift 2
    until "$@"; do
        [ $SECONDS -lt $deadline ] || fail "$what"
        sleep 0.2
    done
}
pop_containers() { docker ps -a --filter "label=org.pop-nfv.pop=$POP_NAME" --format '{{.Names}}' | sort; }
pop_networks() { docker network ls --filter "label=org.pop-nfv.pop=$POP_NAME" --format '{{.Name}}' | sort; }
# popd GET-PATH JQ: popd-rest's /v1 API through the gateway (as the Pop's user), one name a
# line. One token for the run (its logins are rate-limited); it survives popd-rest's restart.
PTOKEN=""
popd() {
    [ -n "$PTOKEN" ] || PTOKEN=$(curl -fsS -m 10 "$GW/v1/login" -H 'Content-Type: application/json' \
        -d "$(jq -cn --arg u "$POP_USER" --arg p "$POP_PASSWORD" '{username: $u, password: $p}')" |
        jq -r .value) || fail "popd-rest login"
    curl -fsS -m 10 -H "Authorization: Bearer $PTOKEN" "$GW$1" >"$work/popd" || fail "GET $1"
    jq -r "$2" "$work/popd" | sort -u
}
# The containers (popd-rest's names: a VNFC's hostname) and networks every NSR shows.
nsr_shown() {
    api GET /api/v1/ns-records
    [ "$STATUS" = 200 ] || fail "GET ns-records: $STATUS"
    for id in $(jq -r '.[].id' "$work/body"); do
        api GET "/api/v1/ns-records/$id"
        [ "$STATUS" = 200 ] || fail "GET ns-record $id: $STATUS"
        jq -r '(.vnfr[].vdu[].vnfc_instance[]? | "c \(.hostname)"), (.vlr[]? | "n \(.name)")' "$work/body"
    done | sort -u >"$work/shown"
    sed -n 's/^c //p' "$work/shown" >"$work/shown.c"
    { sed -n 's/^n //p' "$work/shown"; cat "$work/base.n"; } | sort -u >"$work/shown.n"
}
# no_orphans WHAT: popd-rest's containers are exactly those the NSRs show (a container an NSR
# shows may be one never started: no engine container yet), its networks are the Pop's own or
# an NSR's, and the engine has no container or network of the Pop that popd-rest does not know.
no_orphans() {
    nsr_shown
    popd /v1/containers '.list[].names[0]' >"$work/pop.c"
    popd /v1/networks '(.list? // .)[].name' >"$work/pop.n"
    sed "s/^/$POP_NAME-/" "$work/pop.c" >"$work/pop.ec"
    sed "s/^/$POP_NAME-/" "$work/pop.n" >"$work/pop.en"
    local orphans missing stray engine_c engine_n
    orphans=$(comm -23 "$work/pop.c" "$work/shown.c" | tr '\n' ' ')
    missing=$(comm -13 "$work/pop.c" "$work/shown.c" | tr '\n' ' ')
    stray=$(comm -23 "$work/pop.n" "$work/shown.n" | tr '\n' ' ')
    engine_c=$(pop_containers | comm -23 - "$work/pop.ec" | tr '\n' ' ')
    engine_n=$(pop_networks | comm -23 - "$work/pop.en" | tr '\n' ' ')
    [ -z "$orphans" ] || fail "$1: containers no NSR shows: $orphans"
    [ -z "$missing" ] || fail "$1: containers an NSR shows but the Pop has not: $missing"
    [ -z "$stray" ] || fail "$1: networks no NSR shows: $stray"
    [ -z "$engine_c" ] || fail "$1: engine containers popd-rest does not know: $engine_c"
    [ -z "$engine_n" ] || fail "$1: engine networks popd-rest does not know: $engine_n"
}

t0=$SECONDS
stack up >"$work/up.log" 2>&1 || { cat "$work/up.log" >&2; fail "stack up"; }
# shellcheck disable=SC1090
. "$POP_SECRETS"
login || fail "no token"
PROJECT=""
api GET /api/v1/projects
PROJECT=$(jq -r '.[] | select(.name == "default") | .id' "$work/body")
[ -n "$PROJECT" ] || fail "no project default"
vim=$(jq -cn --arg u "$POP_USER" --arg p "$POP_PASSWORD" '{name: "pop1", type: "pop",
    authUrl: "http://popd-rest:8080", username: $u, password: $p, location: {name: "local"}}')
api POST /api/v1/datacenters "$vim"
[ "$STATUS" = 201 ] || fail "datacenter: $STATUS $(cat "$work/body")"
api POST /api/v1/ns-descriptors "$(cat "$FIXTURE")"
[ "$STATUS" = 201 ] || fail "onboarding: $STATUS $(cat "$work/body")"
NSD_ID=$(jq -r .id "$work/body")
popd /v1/networks '(.list? // .)[].name' >"$work/base.n" # the Pop's own (private), before any NS
[ -s "$work/base.n" ] || fail "popd-rest shows no network"
echo "stack up, VIM registered, NSD onboarded in $((SECONDS - t0)) s"

# victim hold at: the service killed, the one paused to hold the launch, and when: at the GRANT
# (paused before the launch; the moment is when the held request is at the paused service: both
# VNFRs exist, the NSR is NULL) or at the first server (paused when the Pop creates the NS's
# first container, while the driver launches the servers and the VNFM sets them up: the NSR is
# not ACTIVE and has a container on the Pop). The moment of each kill:
#   rabbitmq        grant: every message of the launch (GRANT, its answer, the refresh RPC) in flight
#   popd-rest       grant: the driver's HTTP call to popd-rest (the VIM refresh of the GRANT) open
#   pop-vim-driver  grant: the driver holding pop-nfvo's refresh RPC, unacknowledged
#   pop-vnfm        server: the VNFM waiting for the answer to its ALLOCATE_RESOURCES or for its
#                   calls to the driver on containers that exist
#   pop-nfvo        server: pop-nfvo launching the servers (journalled, some made), waiting for
#                   the driver
#   pop-gateway     grant: the gateway carried the launch's POST; the launch goes on behind it
cases=("rabbitmq pop-vim-driver grant" "popd-rest popd-rest grant"
    "pop-vim-driver pop-vim-driver grant" "pop-vnfm pop-vim-driver server"
    "pop-nfvo pop-vim-driver server" "pop-gateway pop-vim-driver grant")
nsr_settled() {
    api GET "/api/v1/ns-records/$NSR_ID"
    [ "$STATUS" = 200 ] || return 1
    NSR_STATUS=$(jq -r .status "$work/body")
    [ "$NSR_STATUS" = ACTIVE ] || [ "$NSR_STATUS" = ERROR ]
}
nsr_gone() {
    api GET "/api/v1/ns-records/$NSR_ID"
    [ "$STATUS" = 404 ]
}
# held HOLD: the launch waits at the paused HOLD: a request lies unread in its socket, seen from
# its network namespace (the broker's statistics lag by seconds): for popd-rest the driver's HTTP
# request on :8080, for the driver an RPC delivered on its AMQP connection (more than a
# heartbeat's 8 bytes).
held() {
    local peer=":5672\$" local_port="" drv
    if [ "$1" = popd-rest ]; then
        drv=$(docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$(cid pop-vim-driver)")
        peer="^$drv:" local_port=":8080\$"
    fi
    docker run --rm --label "$PROBE_LABEL" --network "container:$(cid "$1")" \
        --entrypoint /bin/netstat pop-tiny:latest -tn 2>/dev/null |
        awk -v p="$peer" -v l="$local_port" '$6 == "ESTABLISHED" && $5 ~ p && $4 ~ l && $2 > 64 { n++ }
            END { exit n ? 0 : 1 }'
}
# hold_launch VICTIM HOLD AT: launches an NS (NSR_ID) held by HOLD at AT; 0 once it is there, 1
# when the launch went past the moment before the pause landed (HOLD is running again and the NS
# terminated, so the caller can launch again).
hold_launch() {
    local victim=$1 hold=$2 at=$3
    if [ "$at" = grant ]; then
        docker pause "$(cid "$hold")" >/dev/null
    else
        # Replayed from $since, so no event is missed; the first creation pauses the hold.
        since=$(date +%s.%N) hold_id=$(cid "$hold")
        rm -f "$work/events" && mkfifo "$work/events"
        timeout 30 docker events --since "$since" --filter type=container --filter event=create \
            --filter "label=org.pop-nfv.pop=$POP_NAME" --format '{{.ID}}' >"$work/events" &
        events_pid=$!
        (read -r _ <"$work/events" && docker pause "$hold_id" >/dev/null) &
        watcher=$!
    fi
    api POST "/api/v1/ns-records/$NSD_ID" '{}'
    [ "$STATUS" = 201 ] || fail "$victim: launch: $STATUS $(cat "$work/body")"
    NSR_ID=$(jq -r .id "$work/body")
    if [ "$at" = grant ]; then
        until_true 20 "$victim: the launch never reached $hold" held "$hold"
        api GET "/api/v1/ns-records/$NSR_ID"
        before=$(jq -r '"\(.status) \(.vnfr | length)"' "$work/body")
        [ "$before" = "NULL 2" ] || fail "$victim: not the moment of the kill: NSR $before"
    else
        until_true 20 "$victim: $hold not paused at the first server" paused "$hold"
        stop_watch
        api GET "/api/v1/ns-records/$NSR_ID"
        before=$(jq -r .status "$work/body")
        if [ "$before" = ACTIVE ] || [ -z "$(pop_containers)" ]; then
            echo "$victim: the pause came late (NSR $before, containers: $(pop_containers | tr '\n' ' ')); again"
            docker unpause "$(cid "$hold")" >/dev/null
            api DELETE "/api/v1/ns-records/$NSR_ID"
            until_true 30 "$victim: the NSR is still there after its DELETE" nsr_gone
            until_true 20 "$hold not healthy again after its pause" healthy "$hold"
            return 1
        fi
    fi
}
for c in "${cases[@]}"; do
    read -r victim hold at <<<"$c"
    tc=$SECONDS
    ok=""
    for _ in 1 2 3; do hold_launch "$victim" "$hold" "$at" && { ok=1; break; }; done
    [ -n "$ok" ] || fail "$victim: three launches went past the moment of the kill before $hold was paused"
    docker kill "$(cid "$victim")" >/dev/null
    if [ "$hold" != "$victim" ]; then
        # Docker marks a paused container unhealthy until its next probe, and `up` of a service
        # that depends on it would refuse (rabbitmq depends on none; without it nobody is healthy).
        docker unpause "$(cid "$hold")" >/dev/null
        [ "$victim" = rabbitmq ] || until_true 20 "$hold not healthy again after its pause" healthy "$hold"
    fi
    stack up "$victim" >"$work/up.log" 2>&1 || { cat "$work/up.log" >&2; fail "$victim: up"; }
    [ "$victim" != pop-nfvo ] || until_true 20 "$victim: no token after the restart" login
    until_true "$SETTLE" "$victim: the NS not ACTIVE or ERROR $SETTLE s after the restart: $(jq -c \
        '{status, vnfr: [.vnfr[]? | {name, status}]}' "$work/body" 2>/dev/null)" nsr_settled
    if [ "$NSR_STATUS" = ERROR ]; then
        why=$(jq -r '[.lifecycle_event_history[]? | select(.event == "ERROR") | .description
            | select(. != null and . != "")] | join("; ")' "$work/body")
        [ -n "$why" ] || fail "$victim: the NS is ERROR with no reason: $(jq -c .lifecycle_event_history "$work/body")"
        outcome="ERROR: $why"
    else
        outcome=ACTIVE
    fi
    no_orphans "$victim: NS $NSR_STATUS"
    api DELETE "/api/v1/ns-records/$NSR_ID"
    [ "$STATUS" = 204 ] || fail "$victim: terminate: $STATUS $(cat "$work/body")"
    until_true 30 "$victim: the NSR is still there after its DELETE" nsr_gone
    no_orphans "$victim: after the DELETE"
    [ ! -s "$work/pop.c" ] && [ -z "$(pop_containers)" ] ||
        fail "$victim: containers left after the DELETE: $(cat "$work/pop.c") $(pop_containers)"
    echo "$victim killed (launch held by $hold at the $at): $outcome; $((SECONDS - tc)) s"
done
echo "e2e compose restart: ok in $((SECONDS - t0)) s"
