#!/usr/bin/env bash
# The Docker events stream drops (the engine socket goes away for a while): popd-rest must
# reconnect, and a container that crashed during the outage must still end up FAILED, with its
# address released. A container crashing after the reconnect must turn FAILED within a second.
set -euo pipefail
source "$(dirname "$0")/../lib/popd.sh"

PROXY_SOCK="$POPD_WORK/engine.sock"
PROXY_PID=""
start_proxy() {
    /usr/bin/python3 "$(dirname "$0")/socket_proxy.py" "$PROXY_SOCK" &
    PROXY_PID=$!
    for _ in $(seq 50); do [ -S "$PROXY_SOCK" ] && return 0; sleep 0.1; done
    fail "socket proxy did not start"
}
stop_proxy() {
    [ -n "$PROXY_PID" ] && kill -KILL "$PROXY_PID" 2>/dev/null && wait "$PROXY_PID" 2>/dev/null || true
    PROXY_PID=""
    rm -f "$PROXY_SOCK"
}
on_exit "socket proxy" stop_proxy

start_proxy
popd_start POPD_DOCKER_SOCKET="$PROXY_SOCK"
popd_login

api POST /v1/containers '{"name":"victim","image_id":"pop-tiny:latest"}' >/dev/null
expect_status 201
ip=$(api GET /v1/containers/victim | jq -r .endpoints.private.ipv4.address)
api PATCH /v1/containers/victim/metadata '{"entries":{"CRASH_AFTER":"2"}}' >/dev/null
api POST /v1/containers/victim/start >/dev/null
expect_status 200

# Cut the engine connection before the crash; bring it back after.
stop_proxy
sleep 3.5
docker inspect -f '{{.State.Status}}' "$POPD_NAME-victim" 2>/dev/null | grep -q exited \
    || fail "the victim should have exited on its own by now"
[ "$(api GET /v1/containers/victim | jq -r .status)" = RUNNING ] \
    || fail "without the engine popd-rest cannot know yet; expected RUNNING"
start_proxy
wait_status victim FAILED 10
api GET /v1/containers/victim | jq -r .extended_status | grep -q "code 3" \
    || fail "extended_status should give the exit code"
docker ps -aq --filter "label=org.pop-nfv.container-id=$(api GET /v1/containers/victim | jq -r .id)" | grep -q . \
    && fail "the ended engine container should be removed"

# The address is free again: the next container gets it.
api POST /v1/containers '{"name":"next","image_id":"pop-tiny:latest"}' >/dev/null
[ "$(api GET /v1/containers/next | jq -r .endpoints.private.ipv4.address)" = "$ip" ] \
    || fail "the failed container's address was not released"

# After the reconnect, events flow again: a crash shows within a second or so.
api PATCH /v1/containers/next/metadata '{"entries":{"CRASH_AFTER":"1"}}' >/dev/null
api POST /v1/containers/next/start >/dev/null
expect_status 200
wait_status next FAILED 3

metrics=$(api GET /metrics)
echo "$metrics" | grep -Eq '^popd_engine_event_reconnects_total [1-9]' \
    || fail "metrics should count the reconnect"
echo "events reconnect: ok"
