#!/usr/bin/env bash
# Containers that end on their own: a non-zero exit makes them FAILED naming the code, exit 0
# EXITED, a docker kill FAILED; each time the address is released and the engine cleaned up.
set -euo pipefail
. "$(dirname "$0")/../lib/popd.sh"

popd_start
popd_login

# run NAME JSON-ENTRIES: creates NAME with that metadata and starts it; prints its address.
run() {
    call POST /v1/containers "{\"name\":\"$1\",\"image_id\":\"pop-tiny:latest\"}"
    expect_status 201
    ADDR="$(jq -r .endpoints.private.ipv4.address <<<"$RESP")"
    call PATCH "/v1/containers/$1/metadata" "{\"entries\":$2}"
    expect_status 200
    call POST "/v1/containers/$1/start"
    expect_status 200
    [ "$(jq -r .status <<<"$RESP")" = RUNNING ] || fail "$1 did not start: $RESP"
}
# address_free ADDR: a create asking for exactly ADDR succeeds (then is deleted again).
address_free() {
    call POST /v1/containers "{\"name\":\"probe\",\"image_id\":\"pop-tiny:latest\",
        \"endpoints\":{\"private\":{\"ipv4\":{\"address\":\"$1\"}}}}"
    expect_status 201
    call DELETE /v1/containers/probe
    expect_status 204
}

run crash '{"CRASH_AFTER":"1"}'
crash_addr=$ADDR
# The crash comes after 1 s; the die event must move it within a small bound.
wait_status crash FAILED 4
jq -e '.extended_status | test("code 3\\b")' <<<"$RESP" >/dev/null ||
    fail "extended_status does not name exit code 3: $RESP"
[ -z "$(engine_containers)" ] || fail "the crashed Docker container was left: $(engine_containers)"
address_free "$crash_addr"
call POST /v1/containers/crash/start
expect_problem 409 state-conflict FAILED

run clean '{"CRASH_AFTER":"1","CRASH_CODE":"0"}'
wait_status clean EXITED 4
jq -e '.extended_status | test("code 0\\b")' <<<"$RESP" >/dev/null || fail "exit 0: $RESP"
[ -z "$(engine_containers)" ] || fail "the exited Docker container was left"

run victim '{"ROLE":"victim"}'
victim_addr=$ADDR
sleep 0.5
call GET /v1/containers/victim
[ "$(jq -r .status <<<"$RESP")" = RUNNING ] || fail "victim did not stay RUNNING: $RESP"
docker kill "$POPD_NAME-victim" >/dev/null
wait_status victim FAILED 4
jq -e '.extended_status | test("code 137\\b")' <<<"$RESP" >/dev/null || fail "kill: $RESP"
address_free "$victim_addr"
[ -z "$(engine_containers)" ] || fail "the killed Docker container was left"

call GET /v1/containers
[ "$(jq -r '[.list[] | .names[0] + "=" + .status] | join(" ")' <<<"$RESP")" = \
    "crash=FAILED clean=EXITED victim=FAILED" ] || fail "final states: $RESP"
echo "PASS crash_failed"
