#!/usr/bin/env bash
# lib/mq recovery against a private RabbitMQ node: a stream of RPCs (4 callers, 2 s timeout
# each; one caller's method takes 300 ms, so a call is always in flight) runs while the broker
# closes the client's and then the server's connection (rabbitmqctl close_connection), and again
# while the broker is stopped and started on the same data. Every call must end with an answer
# (its own: replies are checked against requests) or a reason, none may hang past its timeout,
# calls made while the broker is down fail at once with a clear reason, and the stream must be
# served again within 5 s of the broker being back. Last, a broker frozen with SIGSTOP (its TCP
# connections still open) must be noticed through the missed heartbeats within seconds.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
: "${MQ_IT_BIN:?MQ_IT_BIN must point to the mq_it program}"
# shellcheck source=../lib/rabbitmq.sh
source "$here/../lib/rabbitmq.sh"

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

wait_line() {
    local file=$1 re=$2 timeout=${3:-15}
    local deadline=$((SECONDS + timeout))
    while [ $SECONDS -lt $deadline ]; do
        grep -Eq -- "$re" "$file" 2>/dev/null && return 0
        sleep 0.05
    done
    cat "$file" >&2 || true
    fail "no line matching '$re' in $file within ${timeout}s"
}

now_ms() {
    echo $(($(date +%s%N) / 1000000))
}

rmq_start
MQ_USER=it-user
MQ_PASS="it-pass-$$"
rmq_add_user "$MQ_USER" "$MQ_PASS"
export MQ_PORT="$RMQ_PORT" MQ_USER MQ_PASS
work="$RMQ_DIR/it"
mkdir -p "$work"

# stream_start NAME: starts an RPC stream that ends when $work/NAME.stop appears.
stream_start() {
    rm -f "$work/$1.stop"
    "$MQ_IT_BIN" rpc-stream "$work/$1.stop" >"$work/$1.log" 2>&1 &
    STREAM_PID=$!
    rmq_track_pid "$STREAM_PID"
    wait_line "$work/$1.log" '^READY$'
}

# stream_end NAME: stops the stream and checks what every run must satisfy; sets SUMMARY.
stream_end() {
    touch "$work/$1.stop"
    local status=0
    # A call in progress takes at most its 2 s timeout, then the process stops within 5 s.
    timeout 15 tail --pid="$STREAM_PID" -f /dev/null || fail "the $1 stream did not end"
    wait "$STREAM_PID" || status=$?
    [ "$status" = 0 ] || fail "the $1 stream exited with $status: $(tail -n 20 "$work/$1.log")"
    SUMMARY="$(grep '^{' "$work/$1.log" | tail -n 1)"
    [ -n "$SUMMARY" ] || fail "no summary from the $1 stream: $(tail -n 20 "$work/$1.log")"
    echo "  $1: $SUMMARY"
    local j=$SUMMARY
    [ "$(jq .mismatch <<<"$j")" = 0 ] || fail "$1: a caller got someone else's reply"
    [ "$(jq .other <<<"$j")" = 0 ] || fail "$1: calls failed without a known reason: $(grep unexpected "$work/$1.log")"
    [ "$(jq '.calls == .ok + .reset + .notconn + .timeout + .unroutable + .other' <<<"$j")" = true ] ||
        fail "$1: calls unaccounted for"
    # 2 s timeout per call: none may take much longer, whatever happened to the broker.
    [ "$(jq '.max_ms <= 3000' <<<"$j")" = true ] || fail "$1: a call took $(jq .max_ms <<<"$j") ms"
    [ "$(jq '.ok > 0' <<<"$j")" = true ] || fail "$1: nothing answered"
    # The stream ended in service: the last failure was followed by a success.
    [ "$(jq '.last_fail_wall_ms == 0 or .resumed_wall_ms > 0' <<<"$j")" = true ] ||
        fail "$1: the stream never recovered"
    # The 300 ms call in flight when the client's connection went failed with -ECONNRESET as
    # soon as the drop was seen, not at its timeout.
    [ "$(jq '.reset >= 1' <<<"$j")" = true ] || fail "$1: no call in flight failed with a reset"
    [ "$(jq '.max_reset_ms < 1500' <<<"$j")" = true ] ||
        fail "$1: a call in flight took $(jq .max_reset_ms <<<"$j") ms to learn of the drop"
}

echo "== connections closed by the broker during a stream of RPCs"
stream_start killed
sleep 1
[ "$(rmq_close_connections "$MQ_USER" it-stream-client)" = 1 ] || fail "client connection not found"
sleep 2
killed_at="$(now_ms)"
[ "$(rmq_close_connections "$MQ_USER" it-server)" = 1 ] || fail "server connection not found"
sleep 4
stream_end killed
[ "$(jq '.client_connects >= 2 and .server_connects >= 2' <<<"$SUMMARY")" = true ] ||
    fail "both sides should have reconnected: $SUMMARY"
resumed="$(jq .resumed_wall_ms <<<"$SUMMARY")"
[ "$resumed" -le $((killed_at + 5000)) ] ||
    fail "served again $((resumed - killed_at)) ms after the server's connection was closed"

echo "== broker restart during a stream of RPCs"
stream_start restart
sleep 1
rmq_stop_node
down_at="$(now_ms)"
# While it is down: a fresh client fails fast with the reason.
"$MQ_IT_BIN" rpc-down
sleep 1
rmq_start_node
back_at="$(now_ms)"
echo "  broker down for $((back_at - down_at)) ms (restart took ${RMQ_START_MS} ms)"
sleep 6
stream_end restart
[ "$(jq '.client_connects >= 2 and .server_connects >= 2' <<<"$SUMMARY")" = true ] ||
    fail "both sides should have reconnected: $SUMMARY"
[ "$(jq '.notconn > 0' <<<"$SUMMARY")" = true ] ||
    fail "no call failed with 'not connected' while the broker was down: $SUMMARY"
# Calls while the broker was away failed at once, not after their timeout.
[ "$(jq '.timeout <= 4' <<<"$SUMMARY")" = true ] ||
    fail "calls waited for their timeout instead of failing fast: $SUMMARY"
resumed="$(jq .resumed_wall_ms <<<"$SUMMARY")"
[ "$resumed" -gt 0 ] || fail "the stream never recovered"
[ "$resumed" -le $((back_at + 5000)) ] ||
    fail "served again $((resumed - back_at)) ms after the broker was back (limit 5000)"
echo "  served again $((resumed - back_at)) ms after the broker was back"

echo "== a broker that stops answering (frozen, the TCP connection still open)"
# Only heartbeats can tell: the client must notice within a few intervals (1 s here), not
# wait for TCP to give up.
rm -f "$work/watch.stop"
"$MQ_IT_BIN" watch "$work/watch.stop" >"$work/watch.log" 2>&1 &
watch_pid=$!
rmq_track_pid "$watch_pid"
wait_line "$work/watch.log" '^UP 1$'
vm="$(cat "$RMQ_DIR/rabbitmq.pid")"
kill -STOP "$vm" # rmq_stop_node sends SIGCONT first, should this test fail while frozen
wait_line "$work/watch.log" '^DOWN after [0-9]+ ms: no heartbeat from the broker' 8
kill -CONT "$vm"
wait_line "$work/watch.log" '^UP 2$' 15
echo "  $(grep '^DOWN' "$work/watch.log")"
touch "$work/watch.stop"
wait "$watch_pid" || fail "watch exited with $?"

echo "PASS mq recovery"
