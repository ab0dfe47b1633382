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

# container_of HOSTNAME: the engine container of that VNFC on this test's Pop (a test with two
# Pops defines its own).
container_of() { echo "$POPD_NAME-$1"; }

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

# ---- the Pop against the records (crash and timeout tests) ----

# pop_ids KIND FIELD: sorted FIELD of every Pop container or network (KIND containers|networks,
# GET /v1/KIND on popd-rest; popd.sh's call); fails when the Pop does not answer.
pop_ids() {
    call GET "/v1/$1"
    [ "$HTTP_STATUS" = 200 ] || fail "GET /v1/$1: $HTTP_STATUS $RESP"
    jq -r --arg f "$2" '.list[] | .[$f]' <<<"$RESP" | LC_ALL=C sort
}

# nfvo_pop_baseline: notes the networks the Pop has of its own (popd-rest's "private"...), which
# no record needs to show; call it before the first launch. Sets NFVO_POP_BASE_NETS.
nfvo_pop_baseline() {
    NFVO_POP_BASE_NETS="$(pop_ids networks id)"
}

# _nfvo_pop_diff: sets NFVO_POP_DIFF to how the Pop and the project's NSRs differ ("" when they
# agree): containers no NSR shows as a server (vnfc_instance vc_id), networks beyond the
# baseline no NSR shows as a virtual link (vlr extId), servers and networks shown but absent.
_nfvo_pop_diff() {
    local rec_srv rec_net pop_srv pop_all_net pop_net
    napi GET /api/v1/ns-records
    [ "$HTTP_STATUS" = 200 ] || fail "GET ns-records: $HTTP_STATUS $(cat "$HTTP_BODY")"
    rec_srv="$(jq -r '[.[].vnfr[]?.vdu[]?.vnfc_instance[]?.vc_id] | unique[]' "$HTTP_BODY" | LC_ALL=C sort)"
    rec_net="$(jq -r '[.[].vlr[]?.extId | select(. != null and . != "")] | unique[]' "$HTTP_BODY" | LC_ALL=C sort)"
    pop_srv="$(pop_ids containers id)"
    pop_all_net="$(pop_ids networks id)"
    pop_net="$(LC_ALL=C comm -23 <(sed '/^$/d' <<<"$pop_all_net") <(sed '/^$/d' <<<"$NFVO_POP_BASE_NETS"))"
    local d=""
    _nfvo_diff_part() {
        local got
        got="$(LC_ALL=C comm "$1" <(sed '/^$/d' <<<"$2") <(sed '/^$/d' <<<"$3") | tr '\n' ' ')"
        [ -z "$got" ] || d+="$4: [$got] "
    }
    _nfvo_diff_part -23 "$pop_srv" "$rec_srv" "containers no record shows"
    _nfvo_diff_part -13 "$pop_srv" "$rec_srv" "servers recorded but not on the Pop"
    _nfvo_diff_part -23 "$pop_net" "$rec_net" "networks no record shows"
    _nfvo_diff_part -13 "$pop_all_net" "$rec_net" "networks recorded but not on the Pop"
    NFVO_POP_DIFF=$d
}

# nfvo_pop_agrees WHAT [TENTHS]: every container of the Pop is a server some NSR of the project
# shows, every network of the Pop beyond the baseline a virtual link some NSR shows, and every
# server and network the NSRs show is on the Pop; checked once, or polled for at most TENTHS
# tenths of a second (while a clean-up is still going on); fails naming WHAT and the
# difference otherwise.
nfvo_pop_agrees() {
    local what=$1 n=${2:-1}
    for _ in $(seq "$n"); do
        _nfvo_pop_diff
        [ -n "$NFVO_POP_DIFF" ] || return 0
        [ "$n" -gt 1 ] && sleep 0.1
    done
    fail "$what: the Pop and the records differ: $NFVO_POP_DIFF"
}

# nfvo_pop_empty WHAT: no container on the Pop or in the engine, no network beyond the baseline.
nfvo_pop_empty() {
    local what=$1 left
    left="$(pop_ids containers id)"
    [ -z "$left" ] || fail "$what: containers left on the Pop: $(tr '\n' ' ' <<<"$left")"
    left="$(LC_ALL=C comm -23 <(pop_ids networks id) <(sed '/^$/d' <<<"$NFVO_POP_BASE_NETS"))"
    [ -z "$left" ] || fail "$what: networks left on the Pop: $(tr '\n' ' ' <<<"$left")"
    [ -z "$(engine_containers)" ] || fail "$what: containers left in the engine: $(engine_containers)"
}

# nfvod_wait_dead SECONDS: waits for pop-nfvo to die by itself (a crash point), and fails unless
# it did within SECONDS or it died otherwise than by SIGKILL (status 137).
nfvod_wait_dead() {
    local pid=$NFVO_PID st=0
    for _ in $(seq $(($1 * 10))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && fail "pop-nfvo (pid $pid) still alive after $1 s"
    _svc_forget "$pid"
    wait "$pid" 2>/dev/null || st=$?
    NFVO_PID=""
    [ "$st" = 137 ] || fail "pop-nfvo exited with status $st, not by SIGKILL (137)"
}
