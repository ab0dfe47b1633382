#!/usr/bin/env bash
# Helpers for integration tests of pop-vnfm, on top of popd.sh and vimd.sh (sourced here with
# VIMD_TRANSPORT=amqp): a private RabbitMQ node, the NFVO stand-in answering registrations, the
# real pop-vim-driver, the stand-in's NFVO side of the VNFM protocol (nfvo-standin vnfm-nfvo)
# and the real pop-vnfm, registered as a VNFM of type VNFM_TYPE. Source popd.sh first.
#
# Needs: VNFM_BIN, VIMD_BIN, NFVO_STANDIN, POPD_BIN. Sets: VNFM_URL (/healthz, /metrics),
# VNFM_PID, NFVO_PID, VIMS_FILE (the NFVO's VIM instances: [VIM]), VREPLY (the last reply).

VIMD_TRANSPORT=amqp
# shellcheck source=vimd.sh
. "$(dirname "${BASH_SOURCE[0]}")/vimd.sh"

VNFM_TYPE=${VNFM_TYPE:-mgmt}
VNFM_PID=""
NFVO_PID=""

# vnfm_up: popd-rest must run (popd_start, popd_login); starts everything else.
vnfm_up() {
    vimd_up
    vimd_vim
    VIMS_FILE="$POPD_WORK/vims.json"
    jq -c --argjson v "$VIM" -n '[$v]' >"$VIMS_FILE"
    nfvo_start
    vnfm_start
}

# nfvo_start: the stand-in's NFVO side on vnfm.nfvo.actions.reply (log $POPD_WORK/nfvo.log);
# STANDIN_IGNORE and STANDIN_ALLOCATE_DELAY_MS from the caller's environment (vnfm_side.c).
nfvo_start() {
    service_start --kill-at-exit nfvo-standin-vnfm "$POPD_WORK/nfvo.log" \
        'line=^nfvo-standin vnfm-nfvo ready' \
        env STANDIN_BROKER_PORT="$RMQ_PORT" STANDIN_ADMIN_USER="$RMQ_ADMIN_USER" \
        STANDIN_ADMIN_PASS="$RMQ_ADMIN_PASS" STANDIN_VIMS="$VIMS_FILE" \
        STANDIN_DRIVER="$VIMD_PLUGIN" STANDIN_IGNORE="${STANDIN_IGNORE:-}" \
        STANDIN_ALLOCATE_DELAY_MS="${STANDIN_ALLOCATE_DELAY_MS:-0}" "$NFVO_STANDIN" vnfm-nfvo
    NFVO_PID=$SERVICE_PID
    rmq_track_pid "$NFVO_PID"
}

# vnfm_start [READY] [env assignments...]: starts pop-vnfm (log $POPD_WORK/vnfm.log) and waits
# for READY (default: /healthz 200, i.e. registered and serving). The port is kept across
# restarts.
vnfm_start() {
    : "${VNFM_HTTP_PORT_FIXED:=$(free_port)}"
    VNFM_URL="http://127.0.0.1:$VNFM_HTTP_PORT_FIXED"
    local ready="healthz=$VNFM_URL"
    if [ $# -gt 0 ] && [[ "$1" != *=* || "$1" == healthz=* || "$1" == line=* ]]; then
        ready=$1
        shift
    fi
    SERVICE_START_TIMEOUT=30 service_start pop-vnfm "${VNFM_LOG:-$POPD_WORK/vnfm.log}" "$ready" \
        env VNFM_BROKER_HOST=127.0.0.1 VNFM_BROKER_PORT="$RMQ_PORT" \
        VNFM_BROKER_USER="$VIMD_REG_USER" VNFM_BROKER_PASSWORD="$VIMD_REG_PASS" \
        VNFM_TYPE="$VNFM_TYPE" VNFM_DRIVER="$VIMD_PLUGIN" VNFM_HTTP_PORT="$VNFM_HTTP_PORT_FIXED" \
        VNFM_NFVO_TIMEOUT=60000 VNFM_DRIVER_TIMEOUT=30000 "$@" "$VNFM_BIN"
    VNFM_PID=$SERVICE_PID
}

# vnfm_start_type TYPE...: one more pop-vnfm per TYPE (VNFDs whose endpoint is TYPE go to
# it), each with its own port and log ($POPD_WORK/vnfm-TYPE.log), waited for like vnfm_start;
# stopped at exit. VNFM_TYPE, VNFM_PID and VNFM_URL stay those of the first VNFM.
vnfm_start_type() {
    local type pid=$VNFM_PID url=${VNFM_URL:-}
    for type in "$@"; do
        VNFM_TYPE=$type VNFM_HTTP_PORT_FIXED="$(free_port)" VNFM_LOG="$POPD_WORK/vnfm-$type.log" \
            vnfm_start
    done
    VNFM_PID=$pid
    VNFM_URL=$url
}

vnfm_stop() {
    [ -n "$VNFM_PID" ] || return 0
    local pid=$VNFM_PID
    VNFM_PID=""
    service_stop "$pid"
}

# vsend MESSAGE [TIMEOUT_MS]: MESSAGE (any text) to the VNFM's endpoint as NFVO 6 sends it
# (direct reply-to, no correlation id); fails the test without a reply. Sets VREPLY (compact).
vsend() {
    # Per process: vsend may run in several background subshells at once.
    local out="$POPD_WORK/vsend.$BASHPID.out" errf="$POPD_WORK/vsend.$BASHPID.err" st=0
    env STANDIN_BROKER_PORT="$RMQ_PORT" STANDIN_ADMIN_USER="$RMQ_ADMIN_USER" \
        STANDIN_ADMIN_PASS="$RMQ_ADMIN_PASS" "$NFVO_STANDIN" vnfm-send -t "${2:-120000}" \
        "$VNFM_TYPE" <<<"$1" >"$out" 2>"$errf" || st=$?
    if [ "$st" != 0 ] || [ -s "$errf" ]; then
        cat "$errf" >&2
        fail "vnfm-send exited $st"
    fi
    VREPLY="$(jq -c . "$out")"
}

# vnfm_health: GET /healthz into $POPD_WORK/vnfm-health.json; prints the status code.
vnfm_health() {
    curl -s -o "$POPD_WORK/vnfm-health.json" -w '%{http_code}' "$VNFM_URL/healthz"
}

# wait_vnfm_health CODE JQ_FILTER [TENTHS]: until /healthz answers CODE with a body matching.
wait_vnfm_health() {
    local code=$1 filter=$2 n=${3:-150}
    for _ in $(seq "$n"); do
        [ "$(vnfm_health)" = "$code" ] && jq -e "$filter" "$POPD_WORK/vnfm-health.json" >/dev/null &&
            return 0
        sleep 0.1
    done
    fail "VNFM healthz: expected $code and $filter, got $(cat "$POPD_WORK/vnfm-health.json")"
}

# expect_reply ACTION: the last reply is a message of that action.
expect_reply() {
    [ "$(jq -r '.action // empty' <<<"$VREPLY" 2>/dev/null)" = "$1" ] ||
        fail "expected a $1 reply, got: $(head -c 2000 <<<"$VREPLY")"
}

# ---- the SIPp NS of tests/fixtures/openbaton, on pop-tiny ----
SIPP_FIXTURE="$SERVICE_LIB/../../fixtures/openbaton/openbaton-docker_docker-NSR-SIPp.json"

# instantiate_msg NAME [VIM_JSON]: the INSTANTIATE of VNFD NAME as NFVO 6 sends it (§3.3): the
# onboarded VNFD (ids), its first flavour, the NSR's VLR, extension with nsr-id, vimInstances by
# VNFD VDU id (default: $VIM).
instantiate_msg() {
    jq -c --arg n "$1" --argjson vim "${2:-$VIM}" '
        .vnfd[] | select(.name == $n) | . as $d
        | ($d + {id: ("vnfd-" + $n), hbVersion: 0,
                 vdu: [$d.vdu | to_entries[] | .value + {id: ("vdu-" + $n + "-\(.key)"),
                                                         vm_image: ["pop-tiny:latest"]}]}) as $vnfd
        | {action: "INSTANTIATE", vnfd: $vnfd, vnfdf: $vnfd.deployment_flavour[0],
           vnfInstanceName: $n, vlrs: [{id: "vlr-private", hbVersion: 0, name: "private"}],
           extension: {"nsr-id": "nsr-it", brokerIp: "127.0.0.1", brokerPort: "5672",
                       monitoringIp: "", timezone: "CET"},
           vimInstances: ($vnfd.vdu | map({key: .id, value: [$vim]}) | from_entries),
           keys: []}' "$SIPP_FIXTURE"
}

# sipp_record VNFC_INSTANCE_JSON...: the client's VNFRecordDependency with those server VNFCs
# (§5.1-5.2; each with its private address and hostname; the empty entry of §11.7).
sipp_record() {
    jq -cn '{target: "sipp-client", parameters: {server: {parameters: {private: ""}}},
             vnfcParameters: {server: {parameters: ($ARGS.positional | map({key: .id, value:
                 {parameters: {private: .ips[0].ip, hostname: .hostname}}}) | from_entries)},
                              client: {parameters: {}}},
             idType: {"sipp-server": "server"}}' --jsonargs "$@"
}

# start_msg VNFR_JSON / modify_msg VNFR_JSON RECORD_JSON
start_msg() {
    jq -cn --argjson v "$1" \
        '{action: "START", virtualNetworkFunctionRecord: $v, vnfcInstance: null, vnfrDependency: null}'
}
modify_msg() {
    jq -cn --argjson v "$1" --argjson d "$2" '{action: "MODIFY", vnfr: $v, vnfrd: $d}'
}

# sipp_up: the NS launch of §3.6 (INSTANTIATE both, START the server, MODIFY and START the
# client). Sets SERVER_VNFR, CLIENT_VNFR (as last replied), SERVER_VI (the server's VNFC
# instance), SERVER_HOST, SERVER_IP, CLIENT_HOST.
sipp_up() {
    vsend "$(instantiate_msg sipp-server)"
    expect_reply INSTANTIATE
    SERVER_VNFR="$(jq -c .virtualNetworkFunctionRecord <<<"$VREPLY")"
    vsend "$(instantiate_msg sipp-client)"
    expect_reply INSTANTIATE
    CLIENT_VNFR="$(jq -c .virtualNetworkFunctionRecord <<<"$VREPLY")"
    vsend "$(start_msg "$SERVER_VNFR")"
    expect_reply START
    SERVER_VNFR="$(jq -c .virtualNetworkFunctionRecord <<<"$VREPLY")"
    SERVER_VI="$(jq -c '.vdu[0].vnfc_instance[0]' <<<"$SERVER_VNFR")"
    SERVER_HOST="$(jq -r .hostname <<<"$SERVER_VI")"
    SERVER_IP="$(jq -r '.ips[0].ip' <<<"$SERVER_VI")"
    CLIENT_HOST="$(jq -r '.vdu[0].vnfc_instance[0].hostname' <<<"$CLIENT_VNFR")"
    vsend "$(modify_msg "$CLIENT_VNFR" "$(sipp_record "$SERVER_VI")")"
    expect_reply MODIFY
    CLIENT_VNFR="$(jq -c .virtualNetworkFunctionRecord <<<"$VREPLY")"
    vsend "$(start_msg "$CLIENT_VNFR")"
    expect_reply START
    CLIENT_VNFR="$(jq -c .virtualNetworkFunctionRecord <<<"$VREPLY")"
}

# denv HOSTNAME: the SERVER_* and SIPP_* variables of the container of that VNFC, sorted.
denv() {
    docker inspect -f '{{range .Config.Env}}{{println .}}{{end}}' "$POPD_NAME-$1" |
        grep -E '^(SERVER_|SIPP_)' | sort || true
}
