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
    nsr_wait_gone "$path" "$what"
}

# nsr_wait_gone NSR_PATH WHAT: waits up to 30 s for a terminated record to be gone (404).
nsr_wait_gone() {
    local path=$1 what=$2
    for _ in $(seq 300); do
        napi GET "$path"
        [ "$HTTP_STATUS" = 404 ] && return 0
        sleep 0.1
    done
    fail "$what still there after terminate: $(jq -c '{status, task, h: .lifecycle_event_history}' "$HTTP_BODY")"
}

# ---- what a launched NS must look like, from its descriptor (reference §5) ----

# nsd_dependencies NSD_JSON: the NSD's dependencies as [{source, target, parameters}], its
# vnf_dependency (6.0 names or 3.2 {"name"} objects) and each VNFD's requires {source name:
# {parameters}} (§4.1).
nsd_dependencies() {
    jq -c 'def end_name: if type == "object" then .name else . end;
           [(.vnf_dependency // [])[] | {source: (.source | end_name), target: (.target | end_name), parameters}]
           + [.vnfd[] | .name as $t | (.requires // {}) | to_entries[]
              | {source: .key, target: $t, parameters: .value.parameters}]' <<<"$1"
}

# nsr_expected_env NSD_JSON NSR_JSON: per VNFC hostname, the environment the VNFM must give
# it (services/vnfm/README.md "Dependency values"): {hostname: {prefix, env: {NAME: value}}},
# where env holds exactly the dependency variables (<TYPE>_<KEY> and <TYPE>_<KEY>_ALL of its
# sources, each VNFC's address on the network KEY, its hostname, or the VNFR-level value) plus
# the VNF's own non-empty configuration and provides values; prefix is a regex matching the
# names of every VNF type of the NS, i.e. what must not be there beyond env.
nsr_expected_env() {
    jq -cn --argjson deps "$(nsd_dependencies "$1")" --argjson nsr "$2" '
        def vname: ascii_upcase | gsub("[^A-Z0-9_]"; "_");
        def vnfr($n): $nsr.vnfr[] | select(.name == $n);
        def vnfcs($v): [$v.vdu[].vnfc_instance[]];
        def level($v; $k): ([($v.provides.configurationParameters // [])[], ($v.configurations.configurationParameters // [])[]]
            | map(select(.confKey == $k and (.value // "") != "")) | last | .value) // "";
        def value($v; $c; $k): ([$c.ips[]? | select(.netName == $k) | .ip][0])
            // (if $k == "hostname" then $c.hostname else null end) // level($v; $k);
        ([$nsr.vnfr[].type] | unique | map(vname) | "^(" + join("|") + ")_") as $prefix
        | [$nsr.vnfr[] | . as $t
           | ([$deps[] | select(.target == $t.name)] | group_by(.source)
              | map(vnfr(.[0].source) as $s | ($s.type // $s.name) as $ty
                    | ([.[].parameters[]] | unique)[] as $k
                    | [vnfcs($s)[] | value($s; .; $k) | select(. != "")] as $vals
                    | select($vals | length > 0)
                    | (($ty + "_" + $k) | vname) as $n
                    | {($n): $vals[0], ($n + "_ALL"): ($vals | join(","))}) | add // {}) as $dep
           | ([($t.configurations.configurationParameters // [])[], ($t.provides.configurationParameters // [])[]]
              | map(select((.value // "") != "") | {(.confKey | vname): .value}) | reverse | add // {}) as $own
           | vnfcs($t)[] | {(.hostname): {prefix: $prefix, env: ($own + $dep)}}] | add'
}

# nsr_check_env NSD_JSON NSR_JSON CONTAINER_FN: fails unless each VNFC's container (named by
# CONTAINER_FN HOSTNAME) has exactly the environment nsr_expected_env says. Prints the number
# of dependency variables checked.
nsr_check_env() {
    local expected host names=() map="{}" bad
    expected="$(nsr_expected_env "$1" "$2")"
    for host in $(jq -r 'keys[]' <<<"$expected"); do
        names+=("$($3 "$host")")
        map="$(jq -c --arg h "$host" --arg c "${names[-1]}" '. + {($h): $c}' <<<"$map")"
    done
    # One inspect of them all, one comparison: the mismatches, or [].
    bad="$(docker inspect "${names[@]}" | jq -c --argjson exp "$expected" --argjson map "$map" '
        (map({key: .Name | ltrimstr("/"), value: .Config.Env}) | from_entries) as $envs
        | [$exp | to_entries[] | .value as $e | $map[.key] as $c
           | ($envs[$c] // [] | map(capture("^(?<k>[^=]*)=(?<v>.*)$"))
              | map(select(.k as $k | ($k | test($e.prefix)) or ($e.env | has($k))))
              | map({(.k): .v}) | add // {}) as $got
           | select($got != $e.env) | {container: $c, got: $got, expected: $e.env}]')"
    [ "$bad" = "[]" ] || fail "containers' environment: $bad"
    # shellcheck disable=SC2016
    jq '[.[] | .prefix as $p | .env | keys[] | select(test($p))] | length' <<<"$expected"
}

# started_ns CONTAINER: when it last started, in ns since the epoch.
started_ns() {
    date -d "$(docker inspect -f '{{.State.StartedAt}}' "$1")" +%s%N
}

# nsr_check_start_order NSD_JSON NSR_JSON CONTAINER_FN: fails unless every source's VNFCs all
# started before any VNFC of each of its targets, for every dependency that is not on a cycle
# (a target that is also, through others, a source of its source starts in any order).
# Prints the number of ordered dependencies checked.
nsr_check_start_order() {
    local deps pairs s t s_last t_first n=0 h ts
    deps="$(nsd_dependencies "$1")"
    pairs="$(jq -r '
        def step($e): . as $r | [$e[] | select(.source as $s | $r | index($s) != null) | .target]
            + $r | unique;
        def reach($e; $from): [$from] | until(step($e) == .; step($e));
        map({source, target}) | unique | . as $e
        | $e[] | select(. as $x | reach($e; $x.target) | index($x.source) == null)
        | "\(.source) \(.target)"' <<<"$deps")"
    while read -r s t; do
        [ -n "$s" ] || continue
        s_last=0 t_first=""
        for h in $(jq -r --arg n "$s" '.vnfr[] | select(.name == $n) | .vdu[].vnfc_instance[].hostname' <<<"$2"); do
            ts="$(started_ns "$($3 "$h")")"
            [ "$ts" -gt "$s_last" ] && s_last=$ts
        done
        for h in $(jq -r --arg n "$t" '.vnfr[] | select(.name == $n) | .vdu[].vnfc_instance[].hostname' <<<"$2"); do
            ts="$(started_ns "$($3 "$h")")"
            [ -z "$t_first" ] || [ "$ts" -lt "$t_first" ] && t_first=$ts
        done
        [ "$s_last" -gt 0 ] && [ -n "$t_first" ] || fail "no containers for $s -> $t"
        [ "$s_last" -lt "$t_first" ] ||
            fail "target $t started $(((s_last - t_first) / 1000)) us before its source $s had"
        n=$((n + 1))
    done <<<"$pairs"
    echo "$n"
}
