#!/bin/sh
# sipp-server entrypoint: answers SIP calls (sipp -sn uas) on port 5060 of every address and
# reports "calls received=N successful=N failed=N"; needs no variable.
SIPP_ROLE=sipp-server SIPP_COUNTED='IncomingCall(C)' SIPP_VERB=received
. /usr/local/lib/pop/sipp.sh

: "${SIPP_TRANSPORT_MODE:=u1}" "${SIPP_PORT:=5060}" "${SIPP_STATS_PERIOD:=5}"
sipp_transport SIPP_TRANSPORT_MODE
sipp_uint SIPP_PORT 1
[ "$SIPP_PORT" -le 65535 ] || sipp_fail "SIPP_PORT='$SIPP_PORT' is not a port"
sipp_uint SIPP_STATS_PERIOD 1

sipp_run "$SIPP_STATS_PERIOD" -sn uas -p "$SIPP_PORT" -t "$SIPP_TRANSPORT_MODE"
# A server stopped by the platform ends normally; otherwise report sipp's own failure.
[ "$stopping" -eq 1 ] && [ "$sipp_failed" -eq 0 ] && exit 0
[ "$sipp_status" -ne 0 ] && exit "$sipp_status"
[ "$sipp_failed" -eq 0 ] || exit 1
exit 0
