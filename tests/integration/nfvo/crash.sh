#!/usr/bin/env bash
# pop-nfvo killed at every named crash point of a launch, a scale out and a terminate
# (NFVO_CRASH_AT, services/nfvo/crashpoint.h; README.md "Crashes"), then restarted without it
# on the same database, with every other real component left running (RabbitMQ, popd-rest on
# the Docker Engine, pop-vim-driver, pop-vnfm). For each point:
# - pop-nfvo dies there by SIGKILL (status 137);
# - after the restart the NSR ends as README.md says for that point: ACTIVE, or ERROR with
#   "pop-nfvo restarted during the <operation>" in its lifecycle_event_history; an interrupted
#   terminate is run again and the NSR goes away;
# - the Pop agrees with the records: every container and network of the Pop (beyond its own
#   "private") is one an NSR shows, every server and network an NSR shows is on the Pop;
# - a DELETE of the NSR then leaves nothing on the Pop or in the engine.
# The NS is the SIPp fixture on a virtual link the Pop lacks ("sipnet": the grant creates the
# network) with a server VDU that may scale to 3.
set -euo pipefail
. "$(dirname "$0")/../lib/popd.sh"
. "$(dirname "$0")/../lib/nfvo.sh"

t_start=$(date +%s%N)
ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }
# Fast restarts: the admin password's PBKDF2 at every start is not what is tested here. The
# VNFM's calls to the NFVO in flight at a crash are lost with the NFVO's auto-delete queue (as
# NFVO 6's): the VNFM gives up on them after VNFM_NFVO_TIMEOUT, and the NFVO's RELEASE_RESOURCES
# queued behind such a call (a SCALE_OUT) waits for that; short timeouts keep the test quick
# (but not under 8 s: a grant the VNFM gave up on would fail the launch before its point).
FAST=(NFVO_PASSWORD_ITERATIONS=1000 NFVO_VNFM_TIMEOUT=15)

popd_start
popd_login
rmq_start
nfvod_start "${FAST[@]}"
vimd_start
vimd_vim
vnfm_start VNFM_NFVO_TIMEOUT=8000
nfvod_login
nfvo_pop_baseline

napi POST /api/v1/datacenters "$VIM"
expect_status 201 "datacenter"
napi POST /api/v1/ns-descriptors "$(jq -c '.name = "sipp-crash" | .vld[0].name = "sipnet"
    | .vnfd[].vdu[].vm_image = ["pop-tiny:latest"]
    | .vnfd[].vdu[].vnfc[].connection_point[].virtual_link_reference = "sipnet"
    | .vnf_dependency[0].parameters = ["sipnet"]
    | (.vnfd[] | select(.name == "sipp-server") | .vdu[0].scale_in_out) = 3' "$SIPP_FIXTURE")"
expect_status 201 "onboarding"
NSD_ID="$(jq -r .id "$HTTP_BODY")"
BASE=/api/v1/ns-records

# restart_nfvo [env...]: a clean stop (if running) and a start on the same database; waits for
# the resume of the interrupted operations to be over (its log line) when one was interrupted.
restart_nfvo() {
    nfvod_stop
    nfvod_start "${FAST[@]}" "$@"
}
# crashed POINT: pop-nfvo died at POINT; restarted; the interrupted operations taken up.
crashed() {
    nfvod_wait_dead 30
    grep -q "crash point $1\$" "$POPD_WORK/nfvo.log" || fail "$1: pop-nfvo died elsewhere: $(tail -n 5 "$POPD_WORK/nfvo.log")"
    local offset
    offset=$(stat -c %s "$POPD_WORK/nfvo.log")
    nfvod_start "${FAST[@]}"
    for _ in $(seq 300); do
        tail -c +$((offset + 1)) "$POPD_WORK/nfvo.log" | grep -q "interrupted operation(s) of the previous run are taken up" && return 0
        sleep 0.1
    done
    fail "$1: the restarted pop-nfvo did not take up the interrupted operations"
}
# the_nsr: the one NSR of the project (its id in NSR_ID), whatever the launch request got back.
the_nsr() {
    napi GET "$BASE"
    [ "$(jq length "$HTTP_BODY")" = 1 ] || fail "$1: $(jq length "$HTTP_BODY") NSRs instead of 1: $(jq -c '[.[] | {id, status}]' "$HTTP_BODY")"
    NSR_ID="$(jq -r '.[0].id' "$HTTP_BODY")"
}
# settled POINT WANT: the NSR ends WANT (ACTIVE, or ERROR with the restart's reason).
settled() {
    nsr_wait_settled "$BASE/$NSR_ID" 300
    local summary
    summary="$(jq -c '{status, task, h: [.lifecycle_event_history[]? | [.event, .description]],
        vnfr: [.vnfr[] | {name, status}]}' "$HTTP_BODY")"
    [ "$NSR_STATUS" = "$2" ] || fail "$1: NSR $NSR_STATUS, not $2: $summary"
    if [ "$2" = ERROR ]; then
        jq -e --arg op "$3" 'any(.lifecycle_event_history[]; .event == "ERROR"
            and (.description | startswith("pop-nfvo restarted during the " + $op)))' \
            "$HTTP_BODY" >/dev/null || fail "$1: no reason in the history: $summary"
    else
        jq -e 'all(.vnfr[]; .status == "ACTIVE") and any(.lifecycle_event_history[]; .event == "INSTANTIATE_FINISH")
            and all(.lifecycle_event_history[]; .event != "ERROR")' "$HTTP_BODY" >/dev/null ||
            fail "$1: ACTIVE NSR: $summary"
    fi
}
# done_with POINT: the Pop agrees with the record; DELETE leaves nothing.
done_with() {
    nfvo_pop_agrees "$1"
    nsr_terminate "$BASE/$NSR_ID" "the NSR of $1"
    nfvo_pop_empty "$1 then DELETE"
    echo "$1: ok ($(ms_since "$t_point") ms)" >&2
}
launch() {
    napi POST "$BASE/$NSD_ID" '{}'
}

# ---- crash points of a launch: point and the status after the restart ----
for pw in launch.before_instantiate:ERROR grant.network_created:ERROR \
    allocate.before_launch:ERROR launch.before_modify:ERROR \
    launch.between_start_levels:ERROR launch.before_active:ACTIVE; do
    point=${pw%%:*} want=${pw##*:}
    t_point=$(date +%s%N)
    restart_nfvo NFVO_CRASH_AT="$point"
    launch
    crashed "$point"
    the_nsr "$point"
    settled "$point" "$want" launch
    done_with "$point"
done

# ---- crash points of a terminate: run again after the restart, the NSR goes ----
for point in terminate.after_release terminate.after_servers; do
    t_point=$(date +%s%N)
    restart_nfvo NFVO_CRASH_AT="$point"
    launch
    expect_status 201 "launch before $point"
    NSR_ID="$(jq -r .id "$HTTP_BODY")"
    settled "launch before $point" ACTIVE
    napi DELETE "$BASE/$NSR_ID"
    expect_status 204 "terminate at $point"
    crashed "$point"
    for _ in $(seq 300); do
        napi GET "$BASE/$NSR_ID"
        [ "$HTTP_STATUS" = 404 ] && break
        sleep 0.1
    done
    [ "$HTTP_STATUS" = 404 ] || fail "$point: the NSR stays after the restart: $(jq -c '{status, task, h: .lifecycle_event_history}' "$HTTP_BODY")"
    nfvo_pop_empty "$point"
    echo "$point: ok ($(ms_since "$t_point") ms)" >&2
done
# ---- a scale out: the new VNFC allocated, SCALED not answered yet ----
# Last: the VNFM waits VNFM_NFVO_TIMEOUT for the SCALING answer the crash lost, and keeps the VNF
# busy meanwhile (the DELETE's RELEASE_RESOURCES of it waits behind).
t_point=$(date +%s%N)
point=scale_out.after_allocation
restart_nfvo NFVO_CRASH_AT="$point"
launch
expect_status 201 "launch before $point"
NSR_ID="$(jq -r .id "$HTTP_BODY")"
settled "launch before $point" ACTIVE
srv="$(jq -r '.vnfr[] | select(.name == "sipp-server") | .id' "$HTTP_BODY")"
vdu="$(jq -r '.vnfr[] | select(.name == "sipp-server") | .vdu[0].id' "$HTTP_BODY")"
napi POST "$BASE/$NSR_ID/vnfrecords/$srv/vdunits/$vdu/vnfcinstances" ''
expect_status 201 "scale out"
crashed "$point"
settled "$point" ERROR scale_out
[ "$(jq '[.vnfr[] | select(.name == "sipp-server") | .vdu[0].vnfc_instance[]] | length' "$HTTP_BODY")" = 2 ] ||
    fail "$point: the allocated VNFC is not in the record: $(jq -c '.vnfr[].vdu[].vnfc_instance' "$HTTP_BODY")"
done_with "$point"

echo "nfvo crash: ok in $(ms_since "$t_start") ms"
