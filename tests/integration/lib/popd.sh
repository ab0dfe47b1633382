#!/usr/bin/env bash
# Helpers for integration tests that run a real popd-rest against the real engine, on top of
# service.sh (fail, free_port, start/stop with the exit status checked, expect_problem,
# cleanups on EXIT). Source it, then: popd_start; popd_login; ... At exit popd-rest is stopped
# (its exit status counts when the test passed) and every engine object labelled with this
# run's Pop name is removed, also on failure.
#
# Needs: POPD_BIN (path to popd-rest). Sets: POPD_NAME (unique per test run), POPD_URL, TOKEN,
# POPD_PID, POPD_WORK (temp dir with popd.db and popd.log).

SERVICE_WORK_PREFIX=popd-it
# shellcheck source=service.sh
. "$(dirname "${BASH_SOURCE[0]}")/service.sh"

POPD_NAME="${POPD_NAME:-it$$}"
POPD_WORK="$SERVICE_WORK"
POPD_PID=""
# Docker containers a test made by hand (not labelled with the Pop name): removed at exit.
POPD_EXTRA_CONTAINERS=()
POPD_USER="tester"
POPD_PASS="tester-pass-$$"
# A /16 pool private to this run, so parallel runs and other networks never clash.
POPD_TEST_POOL="${POPD_TEST_POOL:-10.$((200 + $$ % 50)).0.0/16/24}"
# Arguments for the binary itself at the next popd_start (e.g. -config FILE).
POPD_ARGS=()

_popd_rm_extra() {
    local c
    for c in "${POPD_EXTRA_CONTAINERS[@]}"; do docker rm -f "$c" >/dev/null 2>&1 || true; done
}
# (registered first so that it runs last, once the containers are gone)
on_exit "images made by this run" _popd_rm_images
docker_cleanup_label "org.pop-nfv.pop=$POPD_NAME"
on_exit "containers made by hand" _popd_rm_extra

# popd_local_image NAME [FROM]: a local image named NAME (a descriptor's vm_image no registry
# here has), built FROM a local image (default pop-tiny:latest) with the label
# org.pop-nfv.test=$POPD_NAME, so it is this run's own. At exit the name is removed if it still
# names that image and no other Pop's container uses it (two runs at once share the name: the
# later build takes it, and the run that finishes last removes it).
POPD_LOCAL_IMAGES=()
popd_local_image() {
    local name=$1 from=${2:-pop-tiny:latest} id
    id="$(printf 'FROM %s\n' "$from" | DOCKER_BUILDKIT=0 docker build -q -t "$name" \
        --label "org.pop-nfv.test=$POPD_NAME" - 2>"$POPD_WORK/image-build.err")" ||
        fail "building image $name from $from: $(cat "$POPD_WORK/image-build.err")"
    POPD_LOCAL_IMAGES+=("$name=$id")
}
_popd_rm_images() {
    local e name id
    for e in "${POPD_LOCAL_IMAGES[@]}"; do
        name=${e%%=*} id=${e#*=}
        [ "$(docker image inspect -f '{{.Id}}' "$name" 2>/dev/null)" = "$id" ] || continue
        # Another run of this test launched onto it since: the name stays for that run.
        docker ps -a --filter "ancestor=$id" --filter label=org.pop-nfv.pop \
            --format '{{.Label "org.pop-nfv.pop"}}' | grep -qvxF "$POPD_NAME" && continue
        # A container of this run still on it (a failed run) keeps the image; the name goes.
        docker rmi "$name" >/dev/null 2>&1 || docker rmi -f "$name" >/dev/null
    done
}
# popd_start [extra env assignments...]: starts popd-rest (with POPD_ARGS) and waits until
# /healthz answers. The port is chosen once and kept across restarts, so a URL stays valid.
popd_start() {
    [ -n "${POPD_PORT_FIXED:-}" ] || POPD_PORT_FIXED="$(free_port)"
    POPD_URL="http://127.0.0.1:$POPD_PORT_FIXED"
    service_start popd-rest "$POPD_WORK/popd.log" "healthz=$POPD_URL" \
        env POPD_NAME="$POPD_NAME" POPD_AUTH="$POPD_USER:$POPD_PASS" POPD_PASSWORD_ITERATIONS=1000 \
        POPD_DB="$POPD_WORK/popd.db" POPD_PORT="$POPD_PORT_FIXED" POPD_POOLS="$POPD_TEST_POOL" \
        POPD_STOP_TIMEOUT=2 "$@" "$POPD_BIN" "${POPD_ARGS[@]}"
    POPD_PID=$SERVICE_PID
}

# popd_start_peer NAME POOL [extra env assignments...]: a second popd-rest on the same engine,
# with its own Pop name, port, database, log ($POPD_WORK/popd-NAME.log) and address pool (a
# part of this run's, e.g. POPD_TEST_POOL=10.X.0.0/17/24 set before sourcing and 10.X.128.0/17/24
# here); same users as the first. Its engine objects are removed at exit. Sets PEER_NAME,
# PEER_URL, PEER_PID. popd_stop_peer stops it (exit status checked).
PEER_PID=""
popd_start_peer() {
    PEER_NAME=$1
    local pool=$2 port
    shift 2
    port="$(free_port)"
    PEER_URL="http://127.0.0.1:$port"
    docker_cleanup_label "org.pop-nfv.pop=$PEER_NAME"
    service_start popd-rest-"$PEER_NAME" "$POPD_WORK/popd-$PEER_NAME.log" "healthz=$PEER_URL" \
        env POPD_NAME="$PEER_NAME" POPD_AUTH="$POPD_USER:$POPD_PASS" POPD_PASSWORD_ITERATIONS=1000 \
        POPD_DB="$POPD_WORK/popd-$PEER_NAME.db" POPD_PORT="$port" POPD_POOLS="$pool" \
        POPD_STOP_TIMEOUT=2 "$@" "$POPD_BIN"
    PEER_PID=$SERVICE_PID
}

popd_stop_peer() {
    [ -n "$PEER_PID" ] || return 0
    local pid=$PEER_PID
    PEER_PID=""
    service_stop "$pid"
}

# popd_stop: SIGTERM; fails unless popd-rest exited 0 within 20 s (service_stop).
popd_stop() {
    [ -n "$POPD_PID" ] || return 0
    local pid=$POPD_PID
    POPD_PID=""
    service_stop "$pid"
}

# popd_kill9: kills popd-rest with SIGKILL (a crash) and waits for it to be gone.
popd_kill9() {
    service_kill "$POPD_PID"
    POPD_PID=""
}

popd_login() {
    TOKEN="$(curl -fs -X POST "$POPD_URL/v1/login" -H 'Content-Type: application/json' \
        -d "{\"username\":\"$POPD_USER\",\"password\":\"$POPD_PASS\"}" | jq -r .value)"
    [ -n "$TOKEN" ] && [ "$TOKEN" != null ]
}

# api METHOD PATH [JSON]: prints the body; sets HTTP_STATUS (when not run in a subshell).
api() {
    local method=$1 path=$2 body=${3:-}
    local args=(-X "$method" "$POPD_URL$path" -H "Authorization: Bearer $TOKEN")
    [ -n "$body" ] && args+=(-H 'Content-Type: application/json' --data-binary "$body")
    http_call "${args[@]}"
    cat "$HTTP_BODY"
}

# call METHOD PATH [BODY [CONTENT_TYPE]]: like api, but without a subshell: sets HTTP_STATUS,
# RESP (the body) and RESP_TYPE (the Content-Type), for expect_status and expect_problem.
call() {
    local method=$1 path=$2 body=${3-} ctype=${4:-application/json}
    local args=(-X "$method" "$POPD_URL$path")
    [ -n "${TOKEN:-}" ] && args+=(-H "Authorization: Bearer $TOKEN")
    [ $# -ge 3 ] && args+=(-H "Content-Type: $ctype" --data-binary "$body")
    http_call "${args[@]}"
    RESP="$(cat "$HTTP_BODY")"
}

# wait_status REF STATUS SECONDS: polls GET /v1/containers/REF until it reports STATUS, for at
# most SECONDS (a whole or decimal number).
wait_status() {
    local ref=$1 want=$2 got=""
    local deadline=$(($(date +%s%N) / 1000000 + $(awk -v s="$3" 'BEGIN { printf "%d", s * 1000 }')))
    while :; do
        call GET "/v1/containers/$ref"
        got="$(jq -r .status <<<"$RESP" 2>/dev/null || true)"
        [ "$got" = "$want" ] && return 0
        [ $(($(date +%s%N) / 1000000)) -ge $deadline ] && break
        sleep 0.1
    done
    fail "container $ref is '$got' (HTTP $HTTP_STATUS), expected $want within $3 s"
}

# engine_containers: sorted names of the engine's containers labelled with this Pop's name.
engine_containers() {
    docker ps -a --filter "label=org.pop-nfv.pop=$POPD_NAME" --format '{{.Names}}' | sort
}

# ip_to_int A.B.C.D / int_to_ip N: IPv4 arithmetic for expected addresses.
ip_to_int() {
    local a b c d
    IFS=. read -r a b c d <<<"$1"
    echo $(((a << 24) | (b << 16) | (c << 8) | d))
}
int_to_ip() {
    echo "$((($1 >> 24) & 255)).$((($1 >> 16) & 255)).$((($1 >> 8) & 255)).$(($1 & 255))"
}
# ip_add A.B.C.D N: the address N after A.B.C.D.
ip_add() {
    int_to_ip $(($(ip_to_int "$1") + $2))
}
