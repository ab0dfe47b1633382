#!/bin/sh
# sipp-client entrypoint: places SIP calls to $SERVER_PRIVATE with the VNFD's SIPP_* parameters,
# reports "calls placed=N successful=N failed=N" and exits 0 only if every call succeeded.
SIPP_ROLE=sipp-client SIPP_COUNTED='OutgoingCall(C)' SIPP_VERB=placed
. /usr/local/lib/pop/sipp.sh

sipp_need SERVER_PRIVATE SIPP_RATE SIPP_RATE_PERIOD SIPP_RATE_MAX SIPP_RATE_INCREASE \
    SIPP_LENGTH SIPP_TRANSPORT_MODE
# An address, a name or host:port; no spaces or shell characters reach sipp's command line.
echo "$SERVER_PRIVATE" | grep -Eq '^[A-Za-z0-9._-]{1,253}(:[0-9]{1,5})?$' ||
    sipp_fail "SERVER_PRIVATE='$SERVER_PRIVATE' is not an address, host name or host:port"
sipp_rate SIPP_RATE
sipp_uint SIPP_RATE_PERIOD 1
sipp_uint SIPP_RATE_MAX
sipp_uint SIPP_RATE_INCREASE
sipp_uint SIPP_LENGTH
sipp_transport SIPP_TRANSPORT_MODE
: "${SIPP_CALL_LIMIT:=0}" "${SIPP_RATE_INTERVAL:=10}" "${SIPP_STATS_PERIOD:=5}" "${SIPP_RTP_ECHO:=0}"
sipp_uint SIPP_CALL_LIMIT
sipp_uint SIPP_RATE_INTERVAL 1
sipp_uint SIPP_STATS_PERIOD 1

set -- -sn uac "$SERVER_PRIVATE" -d "$SIPP_LENGTH" -r "$SIPP_RATE" -rp "$SIPP_RATE_PERIOD" \
    -rate_increase "$SIPP_RATE_INCREASE" -rate_interval "$SIPP_RATE_INTERVAL" \
    -rate_max "$SIPP_RATE_MAX" -t "$SIPP_TRANSPORT_MODE"
[ "$SIPP_CALL_LIMIT" -eq 0 ] || set -- "$@" -m "$SIPP_CALL_LIMIT"
[ "$SIPP_RTP_ECHO" = 0 ] || set -- "$@" -rtp_echo

sipp_run "$SIPP_STATS_PERIOD" "$@"
if [ "$sipp_successful" -gt 0 ] && [ "$sipp_failed" -eq 0 ]; then
    exit 0
fi
echo "$SIPP_ROLE: FAILED: $sipp_successful successful, $sipp_failed failed calls (sipp status $sipp_status)" >&2
[ "$sipp_status" -ne 0 ] && exit "$sipp_status"
exit 1
