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
POPD_USER="tester"
POPD_PASS="tester-pass-$$"
# A /16 pool private to this run, so parallel runs and other networks never clash.
POPD_TEST_POOL="${POPD_TEST_POOL:-10.$((200 + $$ % 50)).0.0/16/24}"

free_port() {
    /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

popd_cleanup() {
    local rc=$?
    if [ -n "$POPD_PID" ] && kill -0 "$POPD_PID" 2>/dev/null; then
        kill -TERM "$POPD_PID" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$POPD_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$POPD_PID" 2>/dev/null || true
    fi
    # Only objects labelled with this run's Pop name.
    docker ps -aq --filter "label=org.pop-nfv.pop=$POPD_NAME" | xargs -r docker rm -f >/dev/null 2>&1 || true
    docker network ls -q --filter "label=org.pop-nfv.pop=$POPD_NAME" | xargs -r docker network rm >/dev/null 2>&1 || true
    if [ $rc -ne 0 ] && [ -f "$POPD_WORK/popd.log" ]; then
        echo "---- last lines of popd.log ----" >&2
        tail -n 40 "$POPD_WORK/popd.log" >&2 || true
    fi
    rm -rf "$POPD_WORK"
    return $rc
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
