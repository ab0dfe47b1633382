#!/usr/bin/env bash
# pop-vim-driver when things break, through a real broker:
# - kill -9 of the driver while a launch is in flight: the request is redelivered to the
#   restarted driver and answered once; exactly one container exists;
# - a stream of RPCs while the broker restarts, and while the broker closes the driver's
#   connection: every call is answered or fails with a reason, none is lost or hangs, and the
#   driver serves again within 5 s of the broker being back;
# - malformed, oversized and reply-less messages from a foreign peer: answered with an
#   exception naming the problem (or acked), the driver alive.
set -euo pipefail
. "$(dirname "$0")/../lib/popd.sh"
. "$(dirname "$0")/../lib/vimd.sh"

[ "$VIMD_TRANSPORT" = amqp ] || fail "run with VIMD_TRANSPORT=amqp"
popd_start
popd_login
vimd_up
vimd_vim

standin_call() {
    env STANDIN_BROKER_PORT="$RMQ_PORT" STANDIN_ADMIN_USER="$RMQ_ADMIN_USER" \
        STANDIN_ADMIN_PASS="$RMQ_ADMIN_PASS" "$NFVO_STANDIN" call "$@"
}

# until_answered: ms until getType is answered (fails after 30 s).
until_answered() {
    local t0 out
    t0=$(date +%s%N)
    for _ in $(seq 300); do
        if out="$(standin_call -t 1000 "$VIMD_PLUGIN" getType "[$VIM]" 2>/dev/null)" &&
            [ "$out" = '{"answer":"pop"}' ]; then
            echo $((($(date +%s%N) - t0) / 1000000))
            return 0
        fi
        sleep 0.1
    done
    fail "the driver did not answer getType within 30 s"
}

# ---- kill -9 mid-launch ----
# popd-rest frozen: the driver has taken the request and waits on its create when it dies.
params="$(launch8 vnfc-kill pop-tiny:latest "[$(cp private)]")"
kill -STOP "$POPD_PID"
resume_popd() { [ -z "$POPD_PID" ] || kill -CONT "$POPD_PID" 2>/dev/null || true; }
on_exit "popd-rest resumed" resume_popd
standin_call -t 90000 "$VIMD_PLUGIN" launchInstanceAndWait - <<<"$params" >"$POPD_WORK/kill.out" 2>&1 &
caller=$!
rmq_track_pid "$caller"
taken=""
for _ in $(seq 100); do
    q="$(rmq_queue "$VIMD_PLUGIN")"
    [ "$(jq '.messages_unacknowledged // 0' <<<"$q")" -ge 1 ] && { taken=1; break; }
    sleep 0.1
done
[ -n "$taken" ] || fail "the driver never took the launch: $q"
service_kill "$VIMD_PID"
VIMD_PID=""
kill -CONT "$POPD_PID"
# The queue outlived the driver, holding the request for the next one.
[ "$(rmq_queue "$VIMD_PLUGIN" | jq '.messages')" -ge 1 ] || fail "the request left with the driver"
vimd_start VIMD_BODY_MAX=65536
wait "$caller" || fail "the caller got no answer: $(cat "$POPD_WORK/kill.out")"
jq -e '.answer.hostName == "vnfc-kill" and .answer.status == "CREATED" and (.answer.extId | length > 0)' \
    "$POPD_WORK/kill.out" >/dev/null || fail "launch after kill -9: $(cat "$POPD_WORK/kill.out")"
[ "$(wc -l <"$POPD_WORK/kill.out")" = 1 ] || fail "more than one answer: $(cat "$POPD_WORK/kill.out")"
[ "$(api GET '/v1/containers?name=vnfc-kill' | jq -r '.list | map(.id) | join(" ")')" = \
    "$(jq -r .answer.extId "$POPD_WORK/kill.out")" ] || fail "not exactly the one container answered"
grep -q 'launchInstanceAndWait (redelivered) answered' "$POPD_WORK/vimd.log" ||
    fail "the restarted driver did not answer a redelivery"

# ---- a stream of RPCs across a broker restart ----
# stream_check FILE N: N lines, each an answer or an error with its reason; sets STREAM (a
# summary: how many answered, how many failed, and why).
stream_check() {
    local file=$1 n=$2 answered errors
    [ "$(wc -l <"$file")" = "$n" ] || fail "$(wc -l <"$file") of $n calls came back: $(tail -n 3 "$file")"
    answered="$(grep -c '^{"answer":\[' "$file" || true)"
    errors="$(grep -c '^error -[0-9]*: .' "$file" || true)"
    [ $((answered + errors)) = "$n" ] || fail "calls neither answered nor failed with a reason: $(grep -v -e '^{"answer":\[' -e '^error -' "$file" | head -n 3)"
    [ "$answered" -gt 0 ] || fail "no call answered"
    STREAM="$answered answered, $errors failed ($( (grep '^error' "$file" || true) | cut -d: -f2- | sort | uniq -c | tr -s ' ' | paste -sd,))"
}

standin_call -n 4 -r 250 -i 100 -t 5000 "$VIMD_PLUGIN" listServer "[$VIM]" >"$POPD_WORK/stream1.out" 2>"$POPD_WORK/stream1.err" &
caller=$!
rmq_track_pid "$caller"
sleep 1
rmq_restart
back_ms="$(until_answered)"
wait "$caller" || true
stream_check "$POPD_WORK/stream1.out" 1000
# The stream outlasts the restart: its last calls are answered again.
[ "$(tail -n 8 "$POPD_WORK/stream1.out" | grep -c '^{"answer":\[')" = 8 ] ||
    fail "calls after the restart not answered: $(tail -n 3 "$POPD_WORK/stream1.out")"
echo "broker restart: $STREAM; driver answering ${back_ms} ms after the broker was back" >&2
[ "$back_ms" -le 5000 ] || fail "the driver took ${back_ms} ms to serve after the broker came back"

# ---- the broker closes the driver's connection mid-stream ----
standin_call -n 4 -r 40 -i 50 -t 5000 "$VIMD_PLUGIN" listServer "[$VIM]" >"$POPD_WORK/stream2.out" 2>"$POPD_WORK/stream2.err" &
caller=$!
rmq_track_pid "$caller"
sleep 0.5
closed_n="$(rmq_close_connections "$VIMD_PLUGIN")" || fail "rmq_close_connections failed"
[ "$closed_n" -ge 1 ] || fail "no driver connection to close (closed: $closed_n)"
back_ms="$(until_answered)"
wait "$caller" || true
stream_check "$POPD_WORK/stream2.out" 160
echo "closed connection: $STREAM; answering again after ${back_ms} ms" >&2
[ "$back_ms" -le 5000 ] || fail "the driver took ${back_ms} ms to serve after its connection was closed"

# ---- messages a foreign peer sends ----
rmq_api PUT /api/queues/%2F/it.replies '{"durable":false,"auto_delete":false}' >/dev/null
on_failure "replies left" rmq_get it.replies 10
# foreign BODY CORRELATION_ID: published on openbaton-exchange as the NFVO would; prints the
# reply's payload (waits up to 10 s).
foreign() {
    local body=$1 cid=$2 got
    [ "$(rmq_publish "$VIMD_PLUGIN" "$body" \
        "$(jq -cn --arg c "$cid" '{reply_to: "it.replies", correlation_id: $c}')" openbaton-exchange)" = true ] ||
        fail "publish not routed"
    for _ in $(seq 100); do
        got="$(rmq_get it.replies 1)"
        if [ "$(jq length <<<"$got")" = 1 ]; then
            [ "$(jq -r '.[0].properties.correlation_id' <<<"$got")" = "$cid" ] ||
                fail "reply without the correlation id: $got"
            # NFVO 6's String listeners expect text (§3.1).
            [ "$(jq -r '.[0].properties.content_type' <<<"$got")" = text/plain ] ||
                fail "reply not labelled text/plain: $got"
            jq -r '.[0].payload' <<<"$got"
            return 0
        fi
        sleep 0.1
    done
    fail "no reply to $cid"
}
detail="$(foreign 'not json at all' c-1 | jq -r .exception.detailMessage)"
[[ "$detail" == "malformed plugin message: line 1, column "*"'[' or '{' expected near 'not'" ]] ||
    fail "non-JSON message: $detail"
[ "$(foreign '{"methodName":"listServer"}' c-2 | jq -r .exception.detailMessage)" = \
    "malformed plugin message: parameters: required" ] || fail "message without parameters"
big="{\"methodName\":\"getType\",\"parameters\":[\"$(head -c 70000 /dev/zero | tr '\0' a)\"]}"
[ "$(foreign "$big" c-3 | jq -r .exception.detailMessage)" = \
    "plugin message of ${#big} bytes is over the limit of 65536 bytes (VIMD_BODY_MAX)" ] ||
    fail "oversized message: $(rmq_get it.replies 1)"
# No reply_to: nothing to answer; acked (not redelivered forever), the driver carries on.
[ "$(rmq_publish "$VIMD_PLUGIN" "{\"methodName\":\"getType\",\"parameters\":[$VIM]}" '{}' openbaton-exchange)" = true ]
for _ in $(seq 50); do grep -q 'no reply_to; acked without a reply' "$POPD_WORK/vimd.log" && break; sleep 0.1; done
grep -q 'no reply_to; acked without a reply' "$POPD_WORK/vimd.log" || fail "reply-less message not logged"
[ "$(until_answered)" -ge 0 ]
kill -0 "$VIMD_PID" || fail "the driver died"
vimd_stop
echo "amqp_recovery: ok"
