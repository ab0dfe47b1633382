#!/usr/bin/env bash
# Shared helpers for integration tests that run a real popd-rest against the real engine.
# Source it, then: popd_start; popd_login; ... Cleanup runs on EXIT (also on failure).
#
# Needs: POPD_BIN (path to popd-rest). Sets: POPD_NAME (unique per test run), POPD_URL, TOKEN,
# POPD_PID, POPD_WORK (temp dir with popd.db and popd.log).

set -euo pipefail

POPD_NAME="${POPD_NAME:-it$$}"
POPD_WORK="$(mktemp -d /tmp/popd-it.XXXXXX)"
POPD_PID=""
# Docker containers a test made by hand (not labelled with the Pop name): removed at exit.
POPD_EXTRA_CONTAINERS=()
POPD_USER="tester"
POPD_PASS="tester-pass-$$"
# A /16 pool private to this run, so parallel runs and other networks never clash.
POPD_TEST_POOL="${POPD_TEST_POOL:-10.$((200 + $$ % 50)).0.0/16/24}"

free_port() {
    /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# popd_stop: SIGTERM, then waits up to 20 s. Fails unless popd-rest exited 0, which under
# ASan/UBSan also means no leak and no undefined behaviour was reported.
popd_stop() {
    [ -n "$POPD_PID" ] || return 0
    local pid=$POPD_PID status=0
    POPD_PID=""
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        echo "popd-rest did not exit within 20 s of SIGTERM" >&2
        return 1
    fi
    wait "$pid" 2>/dev/null || status=$?
    if [ "$status" -ne 0 ]; then
        echo "popd-rest exited with status $status on SIGTERM (sanitizer report or shutdown error)" >&2
        return 1
    fi
}

popd_cleanup() {
    local rc=$?
    if [ -n "$POPD_PID" ]; then
        if [ $rc -eq 0 ]; then
            popd_stop || rc=1
        else
            kill -TERM "$POPD_PID" 2>/dev/null || true
            for _ in $(seq 50); do kill -0 "$POPD_PID" 2>/dev/null || break; sleep 0.1; done
            kill -KILL "$POPD_PID" 2>/dev/null || true
        fi
    fi
    for c in "${POPD_EXTRA_CONTAINERS[@]}"; do docker rm -f "$c" >/dev/null 2>&1 || true; done
    # Only objects labelled with this run's Pop name.
    docker ps -aq --filter "label=org.pop-nfv.pop=$POPD_NAME" | xargs -r docker rm -f >/dev/null 2>&1 || true
    docker network ls -q --filter "label=org.pop-nfv.pop=$POPD_NAME" | xargs -r docker network rm >/dev/null 2>&1 || true
    if [ $rc -ne 0 ] && [ -f "$POPD_WORK/popd.log" ]; then
        echo "---- last lines of popd.log ----" >&2
        tail -n 40 "$POPD_WORK/popd.log" >&2 || true
    fi
    rm -rf "$POPD_WORK"
    exit $rc
}
trap popd_cleanup EXIT

# popd_start [extra env assignments...]: starts popd-rest and waits until /healthz answers.
popd_start() {
    [ -n "${POPD_PORT_FIXED:-}" ] || POPD_PORT_FIXED="$(free_port)"
    POPD_URL="http://127.0.0.1:$POPD_PORT_FIXED"
    env POPD_NAME="$POPD_NAME" POPD_AUTH="$POPD_USER:$POPD_PASS" POPD_PASSWORD_ITERATIONS=1000 \
        POPD_DB="$POPD_WORK/popd.db" POPD_PORT="$POPD_PORT_FIXED" POPD_POOLS="$POPD_TEST_POOL" \
        POPD_STOP_TIMEOUT=2 "$@" "$POPD_BIN" >>"$POPD_WORK/popd.log" 2>&1 &
    POPD_PID=$!
    for _ in $(seq 100); do
        if curl -fs "$POPD_URL/healthz" >/dev/null 2>&1; then return 0; fi
        kill -0 "$POPD_PID" 2>/dev/null || { echo "popd-rest exited during start-up" >&2; tail -n 20 "$POPD_WORK/popd.log" >&2; return 1; }
        sleep 0.1
    done
    echo "popd-rest did not become healthy" >&2
    return 1
}

# popd_kill9: kills popd-rest with SIGKILL (a crash) and waits for it to be gone.
popd_kill9() {
    kill -KILL "$POPD_PID"
    wait "$POPD_PID" 2>/dev/null || true
    POPD_PID=""
}

popd_login() {
    TOKEN="$(curl -fs -X POST "$POPD_URL/v1/login" -H 'Content-Type: application/json' \
        -d "{\"username\":\"$POPD_USER\",\"password\":\"$POPD_PASS\"}" | jq -r .value)"
    [ -n "$TOKEN" ] && [ "$TOKEN" != null ]
}

# api METHOD PATH [JSON]: prints the body; sets HTTP_STATUS.
api() {
    local method=$1 path=$2 body=${3:-}
    local out="$POPD_WORK/resp.$$"
    local args=(-s -o "$out" -w '%{http_code}' -X "$method" "$POPD_URL$path" -H "Authorization: Bearer $TOKEN")
    [ -n "$body" ] && args+=(-H 'Content-Type: application/json' --data-binary "$body")
    HTTP_STATUS="$(curl "${args[@]}")"
    cat "$out"
}

# expect_status CODE: fails the test unless the last api call returned CODE.
expect_status() {
    if [ "$HTTP_STATUS" != "$1" ]; then
        echo "expected HTTP $1, got $HTTP_STATUS" >&2
        return 1
    fi
}

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# call METHOD PATH [BODY [CONTENT_TYPE]]: like api, but without a subshell: sets HTTP_STATUS,
# RESP (the body) and RESP_TYPE (the Content-Type).
call() {
    local method=$1 path=$2 body=${3-} ctype=${4:-application/json}
    local out="$POPD_WORK/call.body" hdr="$POPD_WORK/call.hdr"
    local args=(-s -o "$out" -D "$hdr" -w '%{http_code}' -X "$method" "$POPD_URL$path")
    [ -n "${TOKEN:-}" ] && args+=(-H "Authorization: Bearer $TOKEN")
    [ $# -ge 3 ] && args+=(-H "Content-Type: $ctype" --data-binary "$body")
    rm -f "$out" "$hdr"
    HTTP_STATUS="$(curl "${args[@]}" || true)"
    RESP="$(cat "$out" 2>/dev/null || true)"
    RESP_TYPE="$(sed -n 's/^[Cc]ontent-[Tt]ype: *//p' "$hdr" 2>/dev/null | tr -d '\r' | tail -n 1)"
}

# expect_problem STATUS CODE [TEXT]: the last call returned STATUS with a problem+json body
# whose code is CODE, whose status matches, and whose detail contains TEXT.
expect_problem() {
    local status=$1 code=$2 text=${3-}
    [ "$HTTP_STATUS" = "$status" ] || fail "expected HTTP $status ($code), got $HTTP_STATUS: $RESP"
    [[ "$RESP_TYPE" == application/problem+json* ]] || fail "expected problem+json, got '$RESP_TYPE'"
    [ "$(jq -r .code <<<"$RESP")" = "$code" ] || fail "expected code $code: $RESP"
    [ "$(jq -r .status <<<"$RESP")" = "$status" ] || fail "problem status differs: $RESP"
    if [ -n "$text" ]; then
        jq -e --arg t "$text" '.detail | contains($t)' <<<"$RESP" >/dev/null ||
            fail "expected detail to mention '$text': $RESP"
    fi
}

# wait_status REF STATUS SECONDS: polls GET /v1/containers/REF until it reports STATUS.
wait_status() {
    local ref=$1 want=$2 secs=$3 got=""
    local deadline=$((SECONDS + secs))
    while :; do
        call GET "/v1/containers/$ref"
        got="$(jq -r .status <<<"$RESP" 2>/dev/null || true)"
        [ "$got" = "$want" ] && return 0
        [ $SECONDS -ge $deadline ] && break
        sleep 0.1
    done
    fail "container $ref is '$got' (HTTP $HTTP_STATUS), expected $want within $secs s"
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
