#!/usr/bin/env bash
# Helpers for integration tests of the vim-driver against a popd-rest started with lib/popd.sh.
# Source popd.sh first, then this; call vimd_up after popd_start, then vimd_vim.
#
# Two transports, chosen by VIMD_TRANSPORT:
#   direct (default)  vcall runs the core through vimd-call (VIMD_CALL), no broker
#   amqp              vimd_up starts a private RabbitMQ node (rabbitmq.sh), the NFVO stand-in
#                     (NFVO_STANDIN) and the pop-vim-driver daemon (VIMD_BIN) registered
#                     through it; vcall is the NFVO's plugin RPC through the real broker
# Sets: VIM (the VIM instance JSON of this run's Pop), RESP (the last reply envelope), ANSWER
# (its answer, compact JSON), DETAIL (its detailMessage); with amqp also VIMD_PLUGIN,
# VIMD_URL (/healthz, /metrics), VIMD_PID, STANDIN_PID, VIMD_REG_USER/PASS.

VIMD_TRANSPORT="${VIMD_TRANSPORT:-direct}"
VIMD_PLUGIN=vim-drivers.pop.it
VIMD_PID=""
if [ "$VIMD_TRANSPORT" = amqp ]; then
    # shellcheck source=rabbitmq.sh
    . "$(dirname "${BASH_SOURCE[0]}")/rabbitmq.sh"
fi

# The registration user NFVO 6 creates at start-up, with its exact permissions (§1.1).
VIMD_REG_USER=openbaton-manager-user
VIMD_REG_PASS="reg-$$-$RANDOM"

vimd_up() {
    [ "$VIMD_TRANSPORT" = amqp ] || return 0
    rmq_start
    rmq_add_user "$VIMD_REG_USER" "$VIMD_REG_PASS" '^amq\.gen.*|amq\.default$' \
        '^amq\.gen.*|amq\.default$|nfvo.manager.handling|openbaton-exchange' \
        '^amq\.gen.*|amq\.default$|nfvo.manager.handling|openbaton-exchange'
    standin_start
    vimd_start
}

# standin_start: the NFVO stand-in answering registrations (its log: $POPD_WORK/standin.log).
standin_start() {
    service_start --kill-at-exit nfvo-standin "$POPD_WORK/standin.log" 'line=^nfvo-standin ready' \
        env STANDIN_BROKER_PORT="$RMQ_PORT" STANDIN_ADMIN_USER="$RMQ_ADMIN_USER" \
        STANDIN_ADMIN_PASS="$RMQ_ADMIN_PASS" STANDIN_MGMT_URL="$RMQ_MGMT_URL" "$NFVO_STANDIN" serve
    STANDIN_PID=$SERVICE_PID
    rmq_track_pid "$STANDIN_PID"
}

# vimd_start [READY] [env assignments...]: starts pop-vim-driver (log $POPD_WORK/vimd.log) and
# waits for READY (default: /healthz 200, i.e. registered and serving). The port is kept across
# restarts.
vimd_start() {
    local ready="healthz=http://127.0.0.1:${VIMD_HTTP_PORT_FIXED:=$(free_port)}"
    if [ $# -gt 0 ] && [[ "$1" != *=* || "$1" == healthz=* || "$1" == line=* ]]; then
        ready=$1
        shift
    fi
    VIMD_URL="http://127.0.0.1:$VIMD_HTTP_PORT_FIXED"
    service_start pop-vim-driver "$POPD_WORK/vimd.log" "$ready" \
        env VIMD_BROKER_HOST=127.0.0.1 VIMD_BROKER_PORT="$RMQ_PORT" \
        VIMD_BROKER_USER="$VIMD_REG_USER" VIMD_BROKER_PASSWORD="$VIMD_REG_PASS" VIMD_NAME=it \
        VIMD_HTTP_PORT="$VIMD_HTTP_PORT_FIXED" VIMD_WORKERS=8 VIMD_POP_TIMEOUT=20000 "$@" "$VIMD_BIN"
    VIMD_PID=$SERVICE_PID
}

vimd_stop() {
    [ -n "$VIMD_PID" ] || return 0
    local pid=$VIMD_PID
    VIMD_PID=""
    service_stop "$pid"
}

# The one VIM instance the tests pass as parameters[0]: a GenericVimInstance ("pop") named
# pop1, credentials in its fields. vimd_vim_userinfo: the same with the credentials only in the
# authUrl userinfo (what a Java NFVO leaves of a GenericVimInstance, reference §11.13).
vimd_vim() {
    local password=${1:-$POPD_PASS} url=${2:-$POPD_URL}
    VIM="$(jq -cn --arg url "$url" --arg u "$POPD_USER" --arg p "$password" \
        '{id: "vim-0001", hbVersion: 3, name: "pop1", type: "pop", authUrl: $url,
          username: $u, password: $p, location: {name: "Berlin"}, projectId: "p-1",
          futureField: {kept: true}}')"
}
vimd_vim_userinfo() {
    local hostport=${POPD_URL#http://}
    jq -cn --arg url "http://$POPD_USER:$POPD_PASS@$hostport" \
        '{name: "pop1", type: "pop", authUrl: $url}'
}

# vcall METHOD PARAMS_JSON [THREADS]: one call (or THREADS at once) through the transport.
# Fails the test when the caller itself fails (set-up, a sanitizer report, a call without any
# reply); sets RESP to the last envelope line and VC_STATUS to 0 (answer) or 3 (exception).
vcall() {
    local method=$1 params=$2 threads=${3:-1}
    vcall_run "$method" -n "$threads" "$method" - <<<"$params"
}

# vcall_message BODY: a whole plugin message, as the NFVO would publish it.
vcall_message() {
    vcall_run message -m <<<"$1"
}

vcall_run() {
    local what=$1 out="$POPD_WORK/vcall.out" errf="$POPD_WORK/vcall.err"
    shift
    VC_STATUS=0
    if [ "$VIMD_TRANSPORT" = amqp ]; then
        local args=("$@") plugin_args=()
        # nfvo-standin takes the plugin id before METHOD (or alone with -m).
        if [ "${args[0]}" = -m ]; then plugin_args=(-m "$VIMD_PLUGIN"); else
            plugin_args=("${args[0]}" "${args[1]}" "$VIMD_PLUGIN" "${args[@]:2}"); fi
        env STANDIN_BROKER_PORT="$RMQ_PORT" STANDIN_ADMIN_USER="$RMQ_ADMIN_USER" \
            STANDIN_ADMIN_PASS="$RMQ_ADMIN_PASS" "$NFVO_STANDIN" call "${plugin_args[@]}" \
            >"$out" 2>"$errf" || VC_STATUS=$?
    else
        "$VIMD_CALL" "$@" >"$out" 2>"$errf" || VC_STATUS=$?
    fi
    if [ "$VC_STATUS" != 0 ] && [ "$VC_STATUS" != 3 ]; then
        cat "$errf" "$out" >&2
        fail "call $what ($VIMD_TRANSPORT) exited $VC_STATUS"
    fi
    RESP="$(tail -n 1 "$out")"
    ANSWER="$(jq -c '.answer' <<<"$RESP")"
    DETAIL="$(jq -r '.exception.detailMessage // empty' <<<"$RESP")"
}

# expect_answer: the last call answered (every thread of it).
expect_answer() {
    [ "$VC_STATUS" = 0 ] && jq -e 'has("answer")' <<<"$RESP" >/dev/null ||
        fail "expected an answer, got: $RESP"
}

# expect_exception TEXT: the last call answered an exception whose detailMessage is exactly
# TEXT, or starts with it when TEXT ends in '*'.
expect_exception() {
    local want=$1
    [ "$VC_STATUS" = 3 ] || fail "expected an exception, got: $RESP"
    if [[ "$want" == *'*' ]]; then
        [[ "$DETAIL" == "${want%\*}"* ]] || fail "exception '$DETAIL' does not start with '${want%\*}'"
    else
        [ "$DETAIL" = "$want" ] || fail "exception '$DETAIL', expected '$want'"
    fi
}

# A connection point on virtual link $1 (and fixed address $2).
cp() {
    if [ -n "${2:-}" ]; then
        jq -cn --arg vl "$1" --arg ip "$2" '{virtual_link_reference: $vl, type: "internal", fixedIp: $ip}'
    else
        jq -cn --arg vl "$1" '{virtual_link_reference: $vl, type: "internal"}'
    fi
}

# launch8 HOSTNAME IMAGE CPS_JSON / launch10 ...: the parameters of launchInstanceAndWait as
# NFVO 6's GenericVIM sends them (flavor "" and keyPair "" for a non-OpenStack VIM).
launch8() {
    jq -cn --argjson v "$VIM" --arg h "$1" --arg i "$2" --argjson cps "$3" \
        '[$v, $h, $i, "", "", $cps, [], "#!/bin/sh\n"]'
}
launch10() {
    local fips='{}'
    [ $# -ge 4 ] && fips=$4
    jq -cn --argjson v "$VIM" --arg h "$1" --arg i "$2" --argjson cps "$3" --argjson fips "$fips" \
        '[$v, $h, $i, "", "", $cps, [], "#!/bin/sh\n", $fips, []]'
}
