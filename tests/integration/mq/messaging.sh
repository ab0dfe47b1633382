#!/usr/bin/env bash
# lib/mq against a private RabbitMQ node: publish/consume/ack, prefetch, a handler slower than
# the heartbeat, RPC with many callers and a timeout, malformed and oversize requests from a
# foreign peer (the broker's HTTP API), and redelivery after the consumer is killed with -9.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
: "${MQ_IT_BIN:?MQ_IT_BIN must point to the mq_it program}"
# shellcheck source=../lib/rabbitmq.sh
source "$here/../lib/rabbitmq.sh"

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# wait_line FILE REGEX [TIMEOUT_S]: waits until FILE has a line matching REGEX.
wait_line() {
    local file=$1 re=$2 timeout=${3:-15}
    local deadline=$((SECONDS + timeout))
    while [ $SECONDS -lt $deadline ]; do
        grep -Eq -- "$re" "$file" 2>/dev/null && return 0
        sleep 0.05
    done
    echo "---- $file ----" >&2
    cat "$file" >&2 || true
    fail "no line matching '$re' in $file within ${timeout}s"
}

# queue_settles QUEUE: the queue ends up with nothing ready and nothing unacked.
queue_settles() {
    local q=$1 j=""
    for _ in $(seq 50); do
        j="$(rmq_queue "$q")"
        [ "$(jq '.messages_ready + .messages_unacknowledged' <<<"$j")" = 0 ] && return 0
        sleep 0.1
    done
    fail "queue $q still holds messages: $(jq -c '{messages_ready, messages_unacknowledged}' <<<"$j")"
}

rmq_start
# A user with rights on the vhost but no administrator tag, as a service would have.
MQ_USER=it-user
MQ_PASS="it-pass-$$"
rmq_add_user "$MQ_USER" "$MQ_PASS"
export MQ_PORT="$RMQ_PORT" MQ_USER MQ_PASS

echo "== publish, consume, ack"
"$MQ_IT_BIN" basic
queue_settles it.basic

echo "== prefetch"
"$MQ_IT_BIN" prefetch

echo "== handler slower than the heartbeat"
"$MQ_IT_BIN" heartbeat
queue_settles it.slow

echo "== RPC: concurrent callers, timeout, errors"
"$MQ_IT_BIN" rpc
# Every reply queue was the connection's own and went with it.
left="$(rmq_api GET "/api/queues/$(rmq_vhost_path)?columns=name" | jq -r '[.[].name | select(startswith("amq.gen-"))] | length')"
[ "$left" = 0 ] || fail "$left RPC reply queues left behind"

echo "== refusals by the broker"
rmq_add_user it-limited "limited-$$" '^it\.mine$' '^it\.mine$' '^(it\.mine|it\.x)$'
MQ_USER=it-limited MQ_PASS="limited-$$" "$MQ_IT_BIN" denied

echo "== malformed and oversize requests from another peer"
work="$RMQ_DIR/it"
mkdir -p "$work"
"$MQ_IT_BIN" serve 4096 >"$work/serve.log" 2>&1 &
serve_pid=$!
rmq_track_pid "$serve_pid"
wait_line "$work/serve.log" '^READY$'
rmq_api PUT "/api/queues/$(rmq_vhost_path)/it.replies" '{"durable":false,"auto_delete":false}' >/dev/null

# ask CORRELATION_ID PAYLOAD: sends PAYLOAD to it.rpc with reply_to it.replies; sets REPLY to
# the reply message (JSON from the API: payload, properties).
ask() {
    local corr=$1 payload=$2 props
    if [ -n "$corr" ]; then
        props="$(jq -cn --arg c "$corr" '{reply_to:"it.replies", correlation_id:$c}')"
    else
        props='{"reply_to":"it.replies"}'
    fi
    [ "$(rmq_publish it.rpc "$payload" "$props")" = true ] || fail "request $corr was not routed"
    wait_reply "$corr"
}

# wait_reply WHAT: sets REPLY to the next message on it.replies (5 s at most).
wait_reply() {
    REPLY=""
    for _ in $(seq 100); do
        REPLY="$(rmq_get it.replies | jq -c '.[0] // empty')"
        [ -n "$REPLY" ] && return 0
        sleep 0.05
    done
    fail "no reply to request '$1'"
}

# expect_exception CORR PAYLOAD CODE TEXT: the reply echoes CORR and is an Open Baton exception
# with that code whose detailMessage contains TEXT.
expect_exception() {
    local corr=$1 payload=$2 code=$3 text=$4 body
    ask "$corr" "$payload"
    [ "$(jq -r '.properties.correlation_id' <<<"$REPLY")" = "$corr" ] ||
        fail "reply to $corr carries correlation id $(jq -c .properties <<<"$REPLY")"
    body="$(jq -r .payload <<<"$REPLY")"
    [ "$(jq -r .exception.code <<<"$body")" = "$code" ] || fail "$corr: expected code $code: $body"
    jq -e --arg t "$text" '.exception.detailMessage | contains($t)' <<<"$body" >/dev/null ||
        fail "$corr: expected the detail to mention '$text': $body"
    echo "  $corr: $(jq -r .exception.detailMessage <<<"$body")"
}

expect_exception c-text 'not json' bad-json 'line 1'
expect_exception c-dup '{"methodName":"echo","parameters":[1],"methodName":"x"}' bad-json 'duplicate'
expect_exception c-quotes "{'methodName':'echo','parameters':[1]}" bad-json 'line 1'
expect_exception c-array '[1,2]' bad-json 'expected a JSON object'
expect_exception c-name '{"methodName":5,"parameters":[]}' invalid-field 'methodName: required, a string'
expect_exception c-params '{"methodName":"echo","parameters":"x"}' invalid-field 'parameters: expected an array or an object'
deep="$(printf '[%.0s' $(seq 40))$(printf ']%.0s' $(seq 40))"
expect_exception c-deep "{\"methodName\":\"echo\",\"parameters\":[$deep]}" bad-json 'nested deeper than'
big="{\"methodName\":\"echo\",\"parameters\":[\"$(head -c 5000 /dev/zero | tr '\0' a)\"]}"
expect_exception c-big "$big" body-too-large "bytes is over the cap of 4096 bytes"
expect_exception c-unknown '{"methodName":"launchInstance","parameters":[]}' bad-request "method 'launchInstance' is not supported"

# Open Baton's NFVO 6 sends without a correlation id: the reply has none either.
ask "" '{"methodName":"echo","parameters":["no-corr"]}'
[ "$(jq -r '.properties.correlation_id // "absent"' <<<"$REPLY")" = absent ] ||
    fail "a reply invented a correlation id: $REPLY"
[ "$(jq -r .payload <<<"$REPLY" | jq -r .answer)" = no-corr ] || fail "echo without a correlation id: $REPLY"

# A request without reply_to is acked (not redelivered forever) and the server lives on.
[ "$(rmq_publish it.rpc '{"methodName":"echo","parameters":[1]}')" = true ] || fail "not routed"
queue_settles it.rpc
ask c-after '{"methodName":"echo","parameters":["still here"]}'
[ "$(jq -r .payload <<<"$REPLY" | jq -r .answer)" = "still here" ] || fail "server after bad input: $REPLY"
kill -0 "$serve_pid" 2>/dev/null || fail "the server died"

# Someone deletes the server's queue: the broker cancels the consumer, the server reconnects
# and declares it again.
rmq_api DELETE "/api/queues/$(rmq_vhost_path)/it.rpc" >/dev/null
routed=false
for _ in $(seq 100); do
    routed="$(rmq_publish it.rpc '{"methodName":"echo","parameters":["back"]}' '{"reply_to":"it.replies","correlation_id":"c-back"}')"
    [ "$routed" = true ] && break
    sleep 0.05
done
[ "$routed" = true ] || fail "it.rpc was not declared again within 5 s of its deletion"
wait_reply c-back
[ "$(jq -r .payload <<<"$REPLY" | jq -r .answer)" = back ] || fail "after the queue was deleted: $REPLY"

# A clean stop answers the request in progress before it closes the connection.
[ "$(rmq_publish it.rpc '{"methodName":"sleep","parameters":[1000]}' '{"reply_to":"it.replies","correlation_id":"c-stop"}')" = true ] ||
    fail "not routed"
sleep 0.3
kill -TERM "$serve_pid"
wait "$serve_pid" || fail "the server did not stop cleanly (status $?): $(tail -n 20 "$work/serve.log")"
grep -q '^STOPPED$' "$work/serve.log" || fail "the server did not stop cleanly"
REPLY="$(rmq_get it.replies | jq -c '.[0] // empty')"
[ "$(jq -r .properties.correlation_id <<<"$REPLY")" = c-stop ] &&
    [ "$(jq -r .payload <<<"$REPLY" | jq -c .answer)" = '{"slept":1000}' ] ||
    fail "the request in progress at SIGTERM was not answered: '$REPLY'"

echo "== redelivery after kill -9 of the consumer"
"$MQ_IT_BIN" consume-hang it.redeliver >"$work/hang.log" 2>&1 &
hang_pid=$!
rmq_track_pid "$hang_pid"
wait_line "$work/hang.log" '^READY$'
[ "$(rmq_publish it.redeliver '{"n":1}' '{"delivery_mode":2}')" = true ] || fail "not routed"
wait_line "$work/hang.log" '^GOT \{"n":1\} redelivered=0$'
{ kill -KILL "$hang_pid" && wait "$hang_pid"; } 2>/dev/null || true
timeout 30 "$MQ_IT_BIN" consume-once it.redeliver >"$work/once.log" 2>&1 ||
    fail "second consumer: $(cat "$work/once.log")"
grep -q '^GOT {"n":1} redelivered=1$' "$work/once.log" ||
    fail "the unacked message was not redelivered: $(cat "$work/once.log")"
queue_settles it.redeliver

echo "PASS mq messaging"
