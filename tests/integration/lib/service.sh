#!/usr/bin/env bash
# Shared pieces of the integration tests, for every service: fail, free_port, starting a
# service binary and waiting until it is ready, stopping it with its exit status checked
# (under ASan/UBSan a report or a leak makes it non-zero), HTTP calls with curl and
# expect_problem, and labelled cleanups run on EXIT, also when the test fails.
#
# Source it once, first (it sets -euo pipefail and owns the EXIT trap: register cleanups with
# on_exit, never with trap). Set SERVICE_WORK_PREFIX before sourcing to name the work
# directory. Sets SERVICE_WORK (a private temp dir, removed at exit) and SERVICE_LIB (this
# directory).

set -euo pipefail

SERVICE_LIB="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SERVICE_WORK="$(mktemp -d "/tmp/${SERVICE_WORK_PREFIX:-svc-it}.XXXXXX")"
SERVICE_START_TIMEOUT=${SERVICE_START_TIMEOUT:-10} # seconds
SERVICE_STOP_TIMEOUT=${SERVICE_STOP_TIMEOUT:-20}   # seconds
HTTP_MAX_TIME=${HTTP_MAX_TIME:-60}                 # seconds, for each http_call

# fail MESSAGE...: ends the test as failed. The EXIT handler then prints the last lines of the
# logs of the services started with service_start, and runs the cleanups.
fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# free_port: a TCP port on 127.0.0.1 that was free a moment ago (bound, read back, closed);
# also a port nothing listens on. The one implementation, shared with the Python tests.
free_port() {
    /usr/bin/python3 "$SERVICE_LIB/netutil.py" free-port
}

# ---- cleanups on EXIT ----

_SVC_EXIT_LABELS=()
_SVC_EXIT_CMDS=()
_SVC_FAIL_LABELS=()
_SVC_FAIL_CMDS=()

# on_exit LABEL CMD [ARGS...]: runs CMD ARGS when the test ends, however it ends; the last
# registered runs first. A cleanup that fails is reported under LABEL and fails the test.
on_exit() {
    local label=$1
    shift
    _SVC_EXIT_LABELS+=("$label")
    _SVC_EXIT_CMDS+=("$(printf '%q ' "$@")")
}

# on_failure LABEL CMD [ARGS...]: runs CMD ARGS only when the test failed, after the services
# were stopped and before the cleanups run (to show what went wrong: logs, engine state).
on_failure() {
    local label=$1
    shift
    _SVC_FAIL_LABELS+=("$label")
    _SVC_FAIL_CMDS+=("$(printf '%q ' "$@")")
}

# docker_cleanup_label KEY=VALUE: at exit, removes every container, then every network, that
# carries this label: only objects this test made and labelled, never anything by name.
docker_cleanup_label() {
    on_exit "Docker objects labelled $1" _svc_docker_rm_label "$1"
}
_svc_docker_rm_label() {
    docker ps -aq --filter "label=$1" | xargs -r docker rm -f >/dev/null 2>&1 || true
    docker network ls -q --filter "label=$1" | xargs -r docker network rm >/dev/null 2>&1 || true
}

# ---- services ----

declare -A _SVC_NAME=() _SVC_LOG=() _SVC_KILL=()
_SVC_ORDER=()
_SVC_LOGS=() # every log service_start wrote to, shown when the test fails
SERVICE_PID=""
SERVICE_URL=""
SERVICE_READY_LINE=""

# service_start [--kill-at-exit] NAME LOG READY CMD [ARGS...]: starts CMD in the background,
# stdout and stderr appended to LOG, and waits up to SERVICE_START_TIMEOUT seconds until
# READY holds, failing the test (with the log's tail) if CMD exits first or never gets there:
#   ready         the ready line service_main prints, "... ready on URL ..."; sets SERVICE_URL
#   line=REGEX    a line matching the extended regex REGEX
#   healthz=URL   GET URL/healthz answers 2xx
# Only what the log gained since this start counts, so a restart may append to the same LOG.
# Sets SERVICE_PID and SERVICE_READY_LINE (the matching line, for ready and line=). At exit a
# service still running is stopped with service_stop, its status counting when the test
# passed; with --kill-at-exit (helpers, not the subject of the test) it is killed instead.
service_start() {
    local kill_at_exit=""
    if [ "$1" = --kill-at-exit ]; then
        kill_at_exit=1
        shift
    fi
    local name=$1 log=$2 ready=$3
    shift 3
    : >>"$log"
    local l known=""
    for l in "${_SVC_LOGS[@]}"; do [ "$l" != "$log" ] || known=1; done
    [ -n "$known" ] || _SVC_LOGS+=("$log")
    local offset
    offset=$(stat -c %s "$log")
    "$@" >>"$log" 2>&1 &
    SERVICE_PID=$!
    _SVC_NAME[$SERVICE_PID]=$name
    _SVC_LOG[$SERVICE_PID]=$log
    _SVC_KILL[$SERVICE_PID]=$kill_at_exit
    _SVC_ORDER+=("$SERVICE_PID")
    SERVICE_URL=""
    SERVICE_READY_LINE=""
    local regex="" deadline=$((SECONDS + SERVICE_START_TIMEOUT))
    case $ready in
    ready) regex=' ready on https?://' ;;
    line=*) regex=${ready#line=} ;;
    healthz=*) ;;
    *) fail "service_start $name: unknown READY '$ready'" ;;
    esac
    while :; do
        if [ -n "$regex" ]; then
            SERVICE_READY_LINE=$(tail -c +$((offset + 1)) "$log" | grep -E -m 1 -- "$regex" || true)
            if [ -n "$SERVICE_READY_LINE" ]; then
                if [ "$ready" = ready ]; then
                    SERVICE_URL=$(sed -E 's/.* ready on (https?:\/\/[^ ]*).*/\1/' <<<"$SERVICE_READY_LINE")
                fi
                return 0
            fi
        elif curl -fs --max-time 2 -o /dev/null "${ready#healthz=}/healthz"; then
            return 0
        fi
        if ! kill -0 "$SERVICE_PID" 2>/dev/null; then
            _svc_forget "$SERVICE_PID"
            wait "$SERVICE_PID" 2>/dev/null || true
            tail -n 20 "$log" >&2
            fail "$name exited during start-up"
        fi
        [ $SECONDS -lt $deadline ] || { tail -n 20 "$log" >&2; fail "$name was not ready within $SERVICE_START_TIMEOUT s"; }
        sleep 0.05
    done
}

_svc_forget() {
    local pid=$1 i
    unset "_SVC_NAME[$pid]" "_SVC_LOG[$pid]" "_SVC_KILL[$pid]"
    for i in "${!_SVC_ORDER[@]}"; do
        [ "${_SVC_ORDER[$i]}" != "$pid" ] || unset "_SVC_ORDER[$i]"
    done
}

# service_stop PID: SIGTERM, then waits up to SERVICE_STOP_TIMEOUT seconds. Returns 1, saying
# why, unless the service exited with status 0 (which under ASan/UBSan also means no leak and
# no undefined behaviour was reported); SIGKILLs it when it does not exit in time.
service_stop() {
    local pid=$1 status=0 name=${_SVC_NAME[$1]:-process $1}
    _svc_forget "$pid"
    kill -TERM "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + SERVICE_STOP_TIMEOUT))
    while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.05; done
    if kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        echo "$name did not exit within $SERVICE_STOP_TIMEOUT s of SIGTERM" >&2
        return 1
    fi
    wait "$pid" 2>/dev/null || status=$?
    if [ "$status" -ne 0 ]; then
        echo "$name exited with status $status on SIGTERM (sanitizer report or shutdown error)" >&2
        return 1
    fi
}

# service_kill PID: SIGKILL (a crash), and waits until it is gone.
service_kill() {
    _svc_forget "$1"
    kill -KILL "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}

# ---- HTTP ----

# http_call CURL_ARGS...: one curl request (the URL among the arguments); never fails the test
# itself. Sets HTTP_STATUS ("000" when nothing answered), HTTP_BODY and HTTP_HEADERS (files
# holding the body and the header block), RESP_TYPE (the last Content-Type) and HTTP_WHAT (the
# arguments, for messages). curl's own complaint, if any, is in HTTP_ERR (a file).
http_call() {
    HTTP_BODY="$SERVICE_WORK/http.body"
    HTTP_HEADERS="$SERVICE_WORK/http.headers"
    HTTP_ERR="$SERVICE_WORK/http.err"
    HTTP_WHAT="$*"
    rm -f "$HTTP_BODY" "$HTTP_HEADERS"
    HTTP_STATUS=$(curl -sS --max-time "$HTTP_MAX_TIME" -o "$HTTP_BODY" -D "$HTTP_HEADERS" \
        -w '%{http_code}' "$@" 2>"$HTTP_ERR" || true)
    [ -n "$HTTP_STATUS" ] || HTTP_STATUS=000
    touch "$HTTP_BODY" "$HTTP_HEADERS"
    RESP_TYPE=$(http_header Content-Type)
}

# http_header NAME: the value of header NAME in the last reply (its last occurrence).
http_header() {
    { grep -i "^$1:" "$HTTP_HEADERS" || true; } | tail -n 1 | cut -d: -f2- | sed 's/^[ \t]*//' |
        tr -d '\r'
}

# media_type_is CONTENT_TYPE TYPE: whether the Content-Type value is the media type TYPE: type
# and subtype exactly, but case-insensitively (RFC 9110), parameters ignored. The rule
# testlib_media_type_is applies in the unit tests.
media_type_is() {
    local t=${1%%;*}
    t=$(tr -d ' \t' <<<"$t" | tr '[:upper:]' '[:lower:]')
    [ "$t" = "$2" ]
}

# expect_status CODE [WHAT]: fails the test unless the last call returned CODE; WHAT names the
# check in the message.
expect_status() {
    [ "$HTTP_STATUS" = "$1" ] ||
        fail "${2:+$2: }$HTTP_WHAT: expected HTTP $1, got $HTTP_STATUS: $(head -c 300 "$HTTP_BODY")"
}

# expect_problem STATUS CODE [TEXT]: the last call returned STATUS with an
# application/problem+json body (media_type_is) whose code is CODE, whose status is STATUS,
# and, with TEXT, whose detail contains TEXT.
expect_problem() {
    local status=$1 code=$2 text=${3-}
    [ "$HTTP_STATUS" = "$status" ] ||
        fail "$HTTP_WHAT: expected HTTP $status ($code), got $HTTP_STATUS: $(head -c 300 "$HTTP_BODY")"
    media_type_is "$RESP_TYPE" application/problem+json ||
        fail "$HTTP_WHAT: expected application/problem+json, got '$RESP_TYPE'"
    [ "$(jq -r .code "$HTTP_BODY")" = "$code" ] || fail "$HTTP_WHAT: expected code $code: $(cat "$HTTP_BODY")"
    [ "$(jq -r .status "$HTTP_BODY")" = "$status" ] || fail "$HTTP_WHAT: problem status differs: $(cat "$HTTP_BODY")"
    if [ -n "$text" ]; then
        jq -e --arg t "$text" '.detail | contains($t)' "$HTTP_BODY" >/dev/null ||
            fail "$HTTP_WHAT: expected the detail to mention '$text': $(cat "$HTTP_BODY")"
    fi
}

# ---- the EXIT handler ----

_svc_on_exit() {
    local rc=$? i pid l
    set +e
    # Services still running, last started first: a clean stop whose status counts when the
    # test has passed so far, else (or with --kill-at-exit) killed.
    local order=("${_SVC_ORDER[@]}")
    for ((i = ${#order[@]} - 1; i >= 0; i--)); do
        pid=${order[$i]}
        if [ $rc -eq 0 ] && [ -z "${_SVC_KILL[$pid]:-}" ]; then
            service_stop "$pid" || rc=1
        else
            _svc_forget "$pid"
            kill -TERM "$pid" 2>/dev/null
            for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            kill -KILL "$pid" 2>/dev/null
            wait "$pid" 2>/dev/null
        fi
    done
    # SERVICE_KEEP_LOGS=DIR (by hand, when debugging): the services' logs survive the test.
    if [ -n "${SERVICE_KEEP_LOGS:-}" ]; then
        mkdir -p "$SERVICE_KEEP_LOGS" && command cp "$SERVICE_WORK"/*.log "$SERVICE_KEEP_LOGS"/
    fi
    if [ $rc -ne 0 ]; then
        for ((i = ${#_SVC_FAIL_CMDS[@]} - 1; i >= 0; i--)); do
            eval "${_SVC_FAIL_CMDS[$i]}" || echo "(on failure: '${_SVC_FAIL_LABELS[$i]}' failed)" >&2
        done
        for l in "${_SVC_LOGS[@]}"; do
            [ -f "$l" ] || continue
            echo "---- last lines of $l ----" >&2
            tail -n 40 "$l" >&2
        done
    fi
    for ((i = ${#_SVC_EXIT_CMDS[@]} - 1; i >= 0; i--)); do
        if ! eval "${_SVC_EXIT_CMDS[$i]}"; then
            echo "cleanup '${_SVC_EXIT_LABELS[$i]}' failed" >&2
            rc=1
        fi
    done
    exit $rc
}
trap _svc_on_exit EXIT
on_exit "work directory $SERVICE_WORK" rm -rf "$SERVICE_WORK"
