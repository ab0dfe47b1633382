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
# Then pop-vnfm and pop-vim-driver each killed (kill -9) while pop-nfvo's allocation is in flight,
# and pop-vnfm during a start, and restarted: the NS ends ACTIVE with one container per VNFC, the
# Pop agreeing.
# The NS is the SIPp fixture on a virtual link the Pop lacks ("sipnet": the grant creates the
# network) with a server VDU that may scale to 3.
set -euo pipefail
. "$(dirname "$0")/../lib/popd.sh"
. "$(dirname "$0")/../lib/nfvo.sh"
. "$(dirname "$0")/../lib/hold.sh"

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
# pop-nfvo's VIM reaches popd-rest through a proxy that can hold the driver's requests
# (lib/hold.sh).
hold_proxy_start
rmq_start
nfvod_start "${FAST[@]}"
vimd_start
vimd_vim "$POPD_PASS" "http://127.0.0.1:$HOLD_PORT"
vnfm_start VNFM_NFVO_TIMEOUT=8000
nfvod_login
nfvo_pop_baseline

napi POST /api/v1/datacenters "$VIM"
expect_status 201 "datacenter"
NSD="$(jq -c '.name = "sipp-crash" | .vld[0].name = "sipnet"
    | .vnfd[].vdu[].vm_image = ["pop-tiny:latest"]
    | .vnfd[].vdu[].vnfc[].connection_point[].virtual_link_reference = "sipnet"
    | .vnf_dependency[0].parameters = ["sipnet"]
    | (.vnfd[] | select(.name == "sipp-server") | .vdu[0].scale_in_out) = 3' "$SIPP_FIXTURE")"
napi POST /api/v1/ns-descriptors "$NSD"
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
# ---- a peer killed (kill -9) with a request in flight, then restarted ----
# The moment: a request of the launch held at popd-rest by the proxy until the peer is dead.
# - pop-vnfm during the allocation (pop-nfvo's launchInstanceAndWait): its INSTANTIATEs are
#   redelivered to the restarted VNFM, which asks for the grant and the allocation again;
#   pop-nfvo answers with the grant it recorded, holding the component it launched meanwhile,
#   and launches nothing twice;
# - pop-vim-driver during the allocation: the launch is redelivered to the restarted driver,
#   which finds the server of that hostname created and answers with it (idempotent by hostname);
# - pop-vnfm during a START (its driver's start of the server at popd-rest): the restarted VNFM
#   starts it again while the first start is still under way; popd-rest lets the second wait
#   for the first and the driver counts the container RUNNING as started.
# Each time the NS ends ACTIVE with one container per VNFC and the client's environment right.
killed_mid_request() {
    local who=$1 moment=$2 case="$1 killed mid-$2" nfvo_at vimd_at
    t_point=$(date +%s%N)
    nfvo_at=$(stat -c %s "$POPD_WORK/nfvo.log")
    vimd_at=$(stat -c %s "$POPD_WORK/vimd.log")
    rm -f "$HOLD_DIR/held"
    if [ "$moment" = allocation ]; then hold '^POST /v1/containers '; else hold '^POST /v1/containers/[^ ]+/start '; fi
    launch
    expect_status 201 "launch ($case)"
    NSR_ID="$(jq -r .id "$HTTP_BODY")"
    wait_held 1 "$case"
    if [ "$who" = pop-vnfm ]; then service_kill "$VNFM_PID"; else service_kill "$VIMD_PID"; fi
    if [ "$moment" = start ]; then
        # The restarted VNFM starts the server again while the first start is held.
        vnfm_start VNFM_NFVO_TIMEOUT=8000
        wait_held 2 "$case"
        release
    else
        release
        # What the dead peer had asked for is done meanwhile: the container is on the Pop.
        for _ in $(seq 200); do
            call GET /v1/containers
            [ "$(jq '.list | length' "$HTTP_BODY")" -gt 0 ] && break
            sleep 0.05
        done
        [ "$(jq '.list | length' "$HTTP_BODY")" -gt 0 ] || fail "$case: the held launch made no container"
        if [ "$who" = pop-vnfm ]; then vnfm_start VNFM_NFVO_TIMEOUT=8000; else vimd_start; fi
    fi
    settled "$case" ACTIVE
    nsr_check_env "$NSD" "$(cat "$HTTP_BODY")" container_of >/dev/null
    [ "$(jq '[.vnfr[].vdu[].vnfc_instance[]] | length' "$HTTP_BODY")" = 2 ] ||
        fail "$case: not one VNFC per VDU: $(jq -c '[.vnfr[].vdu[].vnfc_instance[] | .hostname]' "$HTTP_BODY")"
    nfvo_pop_agrees "$case" 20
    [ "$(engine_containers | grep -c .)" = 2 ] ||
        fail "$case: the engine has $(engine_containers | tr '\n' ' ') for 2 VNFCs"
    case "$who/$moment" in
    pop-vnfm/allocation)
        tail -c +$((nfvo_at + 1)) "$POPD_WORK/nfvo.log" | grep -q 'granted again: the grant it has is the answer' ||
            fail "$case: the repeated grant was not answered with the one recorded: $(tail -n 20 "$POPD_WORK/nfvo.log")"
        ;;
    pop-vim-driver/allocation)
        tail -c +$((vimd_at + 1)) "$POPD_WORK/vimd.log" | grep -q 'launchInstanceAndWait (redelivered) answered' ||
            fail "$case: the restarted driver answered no redelivered launch: $(tail -n 20 "$POPD_WORK/vimd.log")"
        ;;
    esac
    done_with "$case"
}
killed_mid_request pop-vnfm allocation
killed_mid_request pop-vim-driver allocation
killed_mid_request pop-vnfm start

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
