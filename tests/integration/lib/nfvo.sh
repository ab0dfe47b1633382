#!/usr/bin/env bash
# Helpers for integration tests of the real pop-nfvo, on top of popd.sh (source it first) and
# vnfm.sh (sourced here: the broker, the driver, the VNFM): a private RabbitMQ node, pop-nfvo
# making the registration user, then the real driver and VNFM registering with it.
#
# Needs: NFVO_BIN (and VIMD_BIN, VNFM_BIN, NFVO_STANDIN, POPD_BIN for what vnfm.sh starts).
# Sets: NFVO_URL, NFVO_PID, NFVO_ADMIN_PASS; after nfvod_login NFVO_TOKEN and NFVO_PROJECT (the
# id of project "default"); napi sets HTTP_STATUS/HTTP_BODY as http_call does.

# shellcheck source=vnfm.sh
. "$(dirname "${BASH_SOURCE[0]}")/vnfm.sh"

NFVO_ADMIN_USER=admin
NFVO_ADMIN_PASS="nfvo-admin-$$-$RANDOM"
NFVO_CLIENT="openbatonOSClient:secret"
NFVO_PID=""

# nfvod_start [READY] [env assignments...]: starts pop-nfvo (log $POPD_WORK/nfvo.log, database
# $POPD_WORK/nfvo.db, both kept across restarts, as the port) and waits for READY (default:
# /healthz 200: broker connected, registration user made).
nfvod_start() {
    : "${NFVO_HTTP_PORT_FIXED:=$(free_port)}"
    NFVO_URL="http://127.0.0.1:$NFVO_HTTP_PORT_FIXED"
    local ready="healthz=$NFVO_URL"
    if [ $# -gt 0 ] && [[ "$1" != *=* || "$1" == healthz=* || "$1" == line=* ]]; then
        ready=$1
        shift
    fi
    service_start pop-nfvo "$POPD_WORK/nfvo.log" "$ready" \
        env NFVO_BROKER_PORT="$RMQ_PORT" NFVO_BROKER_USER="$RMQ_ADMIN_USER" \
        NFVO_BROKER_PASSWORD="$RMQ_ADMIN_PASS" NFVO_BROKER_API="$RMQ_MGMT_URL" \
        NFVO_REGISTRATION_PASSWORD="$VIMD_REG_PASS" NFVO_DB="$POPD_WORK/nfvo.db" \
        NFVO_ADMIN_PASSWORD="$NFVO_ADMIN_PASS" NFVO_HTTP_PORT="$NFVO_HTTP_PORT_FIXED" \
        NFVO_VNFM_BROKER_IP=127.0.0.1 "$@" "$NFVO_BIN"
    NFVO_PID=$SERVICE_PID
}

nfvod_stop() {
    [ -n "$NFVO_PID" ] || return 0
    local pid=$NFVO_PID
    NFVO_PID=""
    service_stop "$pid"
}

# nfvod_up: popd-rest must run (popd_start, popd_login). Starts the broker, pop-nfvo, then the
# driver and the VNFM, which register with it; sets VIM (vimd_vim) for datacenter bodies.
nfvod_up() {
    rmq_start
    nfvod_start
    vimd_start
    vimd_vim
    vnfm_start
}

# nfvod_login [USER] [PASSWORD]: a token through POST /oauth/token (password grant, §6.1) and
# the id of project "default"; sets NFVO_TOKEN, NFVO_PROJECT.
nfvod_login() {
    http_call -u "$NFVO_CLIENT" -X POST "$NFVO_URL/oauth/token" \
        --data-urlencode grant_type=password --data-urlencode "username=${1:-$NFVO_ADMIN_USER}" \
        --data-urlencode "password=${2:-$NFVO_ADMIN_PASS}"
    expect_status 200 "login"
    NFVO_TOKEN="$(jq -r .access_token "$HTTP_BODY")"
    http_call -H "Authorization: Bearer $NFVO_TOKEN" "$NFVO_URL/api/v1/projects"
    expect_status 200 "projects"
    NFVO_PROJECT="$(jq -r '.[] | select(.name == "default") | .id' "$HTTP_BODY")"
    [ -n "$NFVO_PROJECT" ] || fail "no project named default: $(cat "$HTTP_BODY")"
}

# napi METHOD PATH [BODY]: one /api call with the token and project-id (BODY as JSON).
napi() {
    local method=$1 path=$2
    if [ $# -ge 3 ]; then
        http_call -X "$method" -H "Authorization: Bearer $NFVO_TOKEN" \
            -H "project-id: $NFVO_PROJECT" -H 'Content-Type: application/json' \
            --data-binary @- "$NFVO_URL$path" <<<"$3"
    else
        http_call -X "$method" -H "Authorization: Bearer $NFVO_TOKEN" \
            -H "project-id: $NFVO_PROJECT" "$NFVO_URL$path"
    fi
}

# nsr_wait_settled NSR_PATH [TENTHS]: polls GET NSR_PATH (an /api/v1/ns-records/<id> path) until
# the NSR is ACTIVE or ERROR, at most TENTHS (default 600) tenths of a second; sets NSR_STATUS,
# HTTP_BODY holds the record.
nsr_wait_settled() {
    local path=$1 n=${2:-600}
    NSR_STATUS=""
    for _ in $(seq "$n"); do
        napi GET "$path"
        NSR_STATUS="$(jq -r .status "$HTTP_BODY")"
        [ "$NSR_STATUS" = ACTIVE ] || [ "$NSR_STATUS" = ERROR ] && return 0
        sleep 0.1
    done
}

# nsr_unchanged BEFORE WHAT: fails naming WHAT and the paths that differ unless HTTP_BODY holds
# the NSR document BEFORE (its updatedAt aside).
nsr_unchanged() {
    local before=$1 what=$2 diff
    diff="$(jq -n -c --argjson a "$before" --slurpfile b "$HTTP_BODY" '
        [($a | del(.updatedAt)) as $x | ($b[0] | del(.updatedAt)) as $y
         | ([$x, $y] | map([paths(scalars)]) | add | unique)[] as $p
         | select(($x | getpath($p)) != ($y | getpath($p)))
         | {path: $p | map(tostring) | join("."), before: ($x | getpath($p)), now: ($y | getpath($p))}]')"
    [ "$diff" = "[]" ] || fail "$what changed the NSR: $diff"
}

# nsr_terminate NSR_PATH WHAT: DELETE (204; a GET right after shows TERMINATED or 404), then
# waits up to 30 s for the record to be gone (404); fails naming WHAT with the record's status
# and history otherwise.
nsr_terminate() {
    local path=$1 what=$2
    napi DELETE "$path"
    expect_status 204 "terminate of $what"
    napi GET "$path"
    [ "$HTTP_STATUS" = 404 ] || [ "$(jq -r .status "$HTTP_BODY")" = TERMINATED ] ||
        fail "right after the DELETE of $what: $HTTP_STATUS $(jq -c '{status, task}' "$HTTP_BODY")"
    for _ in $(seq 300); do
        napi GET "$path"
        [ "$HTTP_STATUS" = 404 ] && return 0
        sleep 0.1
    done
    fail "$what still there after terminate: $(jq -c '{status, task, h: .lifecycle_event_history}' "$HTTP_BODY")"
}
