#!/usr/bin/env bash
# Integration test of pop-gateway against gw-test-upstream processes, driven with curl: routing,
# header forwarding, request ids, every limit, upstream down/slow/killed, TLS, clean shutdown.
# usage: gateway-test.sh POP_GATEWAY GW_TEST_UPSTREAM
set -euo pipefail

GW_BIN=$1
UP_BIN=$2
TMP=$(mktemp -d /tmp/gw-test.XXXXXX)
PIDS=()
N_GW=0

cleanup() {
    local p
    for p in "${PIDS[@]}"; do
        kill -9 "$p" 2>/dev/null || true
    done
    wait 2>/dev/null || true
    rm -rf "$TMP"
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*" >&2
    local f
    for f in "$TMP"/gw-*.log; do
        [ -f "$f" ] && { echo "--- $f" >&2; tail -n 40 "$f" >&2; }
    done
    exit 1
}
ok() { echo "ok - $*"; }

# start_upstream NAME [PORT]: sets UP_PID and UP_PORT.
start_upstream() {
    local name=$1 port=${2:-0} i
    # Created before the process starts: the polling sed below must never see it missing.
    : >"$TMP/up-$name.out"
    "$UP_BIN" -name "$name" -port "$port" -quiet >"$TMP/up-$name.out" 2>"$TMP/up-$name.log" &
    UP_PID=$!
    PIDS+=("$UP_PID")
    for i in $(seq 100); do
        UP_PORT=$(sed -n 's/^PORT=//p' "$TMP/up-$name.out")
        [ -n "$UP_PORT" ] && return 0
        sleep 0.05
    done
    fail "upstream $name did not start"
}

# start_gw VAR=VALUE...: sets GW_PID, GW_PORT, GW_URL, GW_LOG.
start_gw() {
    local i
    N_GW=$((N_GW + 1))
    GW_LOG="$TMP/gw-$N_GW.log"
    : >"$GW_LOG"
    env GATEWAY_LISTEN=127.0.0.1 GATEWAY_PORT=0 "$@" "$GW_BIN" 2>"$GW_LOG" &
    GW_PID=$!
    PIDS+=("$GW_PID")
    for i in $(seq 100); do
        GW_URL=$(sed -n 's/.*pop-gateway ready on \(https\?:\/\/[0-9.]*:[0-9]*\).*/\1/p' "$GW_LOG")
        if [ -n "$GW_URL" ]; then
            GW_PORT=${GW_URL##*:}
            return 0
        fi
        kill -0 "$GW_PID" 2>/dev/null || fail "gateway exited at start-up"
        sleep 0.05
    done
    fail "gateway did not start"
}

# SIGTERM must end the gateway cleanly (under ASan this includes the leak check).
stop_gw() {
    kill -TERM "$GW_PID"
    local rc=0
    wait "$GW_PID" || rc=$?
    [ "$rc" -eq 0 ] || fail "gateway exited with $rc after SIGTERM"
}

# req ARGS...: runs curl, leaves the status in CODE, headers in $TMP/h, body in $TMP/b.
req() {
    CODE=$(curl -sS -o "$TMP/b" -D "$TMP/h" -w '%{http_code}' --max-time 20 "$@" || true)
}
header() { grep -i "^$1:" "$TMP/h" | head -n1 | cut -d' ' -f2- | tr -d '\r'; }
body() { cat "$TMP/b"; }
expect_code() { [ "$CODE" = "$1" ] || fail "$2: expected $1, got $CODE: $(head -c 300 "$TMP/b")"; }
expect_problem() {
    expect_code "$1" "$3"
    [ "$(header Content-Type)" = "application/problem+json" ] || fail "$3: not problem+json"
    [ "$(jq -r .code "$TMP/b")" = "$2" ] || fail "$3: code $(jq -r .code "$TMP/b") != $2"
}

start_upstream A
A_PORT=$UP_PORT
start_upstream B
B_PORT=$UP_PORT
# A port nothing listens on: bind one, note it, close it.
DEAD_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

ROUTES="/v1/=http://127.0.0.1:$A_PORT,/v1/special/=http://127.0.0.1:$B_PORT"
ROUTES+=",/bee/=http://127.0.0.1:$B_PORT/,/dead/=http://127.0.0.1:$DEAD_PORT"

# ---- routing ----
start_gw GATEWAY_ROUTES="$ROUTES" GATEWAY_UPSTREAM_TIMEOUT=5
req "$GW_URL/v1/things"
expect_code 200 "route /v1/"
[ "$(jq -r '.name + " " + .path' "$TMP/b")" = "A /v1/things" ] || fail "routing to A: $(body)"
req "$GW_URL/v1/special/thing"
[ "$(jq -r '.name + " " + .path' "$TMP/b")" = "B /v1/special/thing" ] || fail "longest prefix"
req "$GW_URL/bee/echo/z?q=1&r=a%20b"
[ "$(jq -r '.name + " " + .path + " " + .query' "$TMP/b")" = "B /echo/z q=1&r=a%20b" ] ||
    fail "prefix replaced by the URL's path: $(body)"
req "$GW_URL/nowhere"
expect_problem 404 not-found "unknown route"
req "$GW_URL/dead/x"
expect_problem 502 bad-gateway "upstream down"
ok "routing: longest prefix, path rewrite, 404 for unknown routes, 502 for a dead upstream"

# ---- methods, bodies and headers ----
req -X PUT "$GW_URL/v1/obj?x=1%202" -H 'Content-Type: application/json' --data-binary '{"k":[1,2]}' \
    -H 'X-Custom: hi' -H 'Authorization: Bearer tok' -H 'Connection: X-Drop' -H 'X-Drop: 1' \
    -H 'Keep-Alive: 5' -H 'Proxy-Authorization: Basic eA==' -H 'X-Forwarded-For: 10.1.2.3' \
    -H 'X-Request-Id: put-1'
expect_code 200 "PUT"
jq -e '.method == "PUT" and .query == "x=1%202" and .body == "{\"k\":[1,2]}"
       and .headers["X-Custom"] == "hi" and .headers["Authorization"] == "Bearer tok"
       and .headers["Content-Type"] == "application/json"
       and (.headers | has("X-Drop") | not) and (.headers | has("Keep-Alive") | not)
       and (.headers | has("Proxy-Authorization") | not)
       and .headers["X-Forwarded-For"] == "10.1.2.3, 127.0.0.1"
       and .headers["X-Forwarded-Proto"] == "http"
       and .headers["X-Request-Id"] == "put-1"' "$TMP/b" >/dev/null ||
    fail "request forwarding: $(body)"
for m in DELETE PATCH POST; do
    req -X "$m" "$GW_URL/v1/m" --data-binary "body-$m"
    [ "$(jq -r '.method + " " + .body' "$TMP/b")" = "$m body-$m" ] || fail "$m forwarding: $(body)"
done
req "$GW_URL/bee/headers"
expect_code 201 "upstream status"
[ "$(header X-Upstream)" = "B" ] && [ "$(header Cache-Control)" = "no-store" ] ||
    fail "end-to-end response headers lost"
grep -qi '^keep-alive: timeout=99' "$TMP/h" && fail "hop-by-hop Keep-Alive passed to the client"
grep -qi '^proxy-authenticate:' "$TMP/h" && fail "Proxy-Authenticate passed to the client"
[ "$(grep -ci '^x-request-id:' "$TMP/h")" = 1 ] && [ "$(header X-Request-Id)" != "from-upstream" ] ||
    fail "X-Request-Id must be the gateway's, once"
req -I "$GW_URL/bee/big?mb=1"
expect_code 200 "HEAD"
[ "$(header Content-Length)" = "1048576" ] || fail "HEAD: $(cat "$TMP/h")"
ok "methods, query, body, end-to-end headers both ways; hop-by-hop and Connection-listed dropped"

# ---- request ids ----
req "$GW_URL/v1/rid" -H 'X-Request-Id: abc.DEF_1-2'
[ "$(header X-Request-Id)" = "abc.DEF_1-2" ] &&
    [ "$(jq -r '.headers["X-Request-Id"]' "$TMP/b")" = "abc.DEF_1-2" ] || fail "sane id not kept"
for bad in 'bad id!' "$(printf 'x%.0s' $(seq 65))"; do
    req "$GW_URL/v1/rid-bad" -H "X-Request-Id: $bad"
    rid=$(header X-Request-Id)
    [[ "$rid" =~ ^[0-9a-f]{32}$ ]] || fail "insane id '$bad' not replaced: $rid"
    [ "$(jq -r '.headers["X-Request-Id"]' "$TMP/b")" = "$rid" ] || fail "new id not sent upstream"
done
req "$GW_URL/v1/rid-new"
rid=$(header X-Request-Id)
[[ "$rid" =~ ^[0-9a-f]{32}$ ]] || fail "no request id generated"
sleep 0.2
grep -q "rid=$rid access GET /v1/rid-new status=200 bytes=[0-9]* upstream=http://127.0.0.1:$A_PORT ms=[0-9]* client=127.0.0.1" \
    "$GW_LOG" || fail "access line missing: $(grep rid-new "$GW_LOG")"
[ "$(grep -c "rid=$rid access" "$GW_LOG")" = 1 ] || fail "not exactly one access line"
grep -q "access GET /dead/x status=502 .*upstream=http://127.0.0.1:$DEAD_PORT" "$GW_LOG" ||
    fail "502 access line missing"
ok "request ids kept when sane, replaced otherwise, sent upstream, one access line per request"

# ---- streaming ----
times=$(curl -sS -o "$TMP/stream" -w '%{time_starttransfer} %{time_total}' \
    "$GW_URL/bee/stream?n=5&ms=400")
[ "$(wc -l <"$TMP/stream")" = 5 ] && [ "$(tail -n1 "$TMP/stream")" = "chunk 4" ] ||
    fail "stream content: $(cat "$TMP/stream")"
awk -v t="$times" 'BEGIN { split(t, a, " "); exit !(a[1] < 1.0 && a[2] >= 1.5) }' ||
    fail "stream was buffered: first byte/total = $times"
want=$(curl -sS "http://127.0.0.1:$B_PORT/big?mb=8" | sha256sum)
got=$(curl -sS "$GW_URL/bee/big?mb=8" | sha256sum)
[ "$want" = "$got" ] || fail "8 MiB body differs through the gateway"
ok "responses stream as they come (first chunk before the last is produced); 8 MiB intact"

# Small complete bodies are read whole and sent as one reply, larger ones stream; either way the
# client gets the upstream's length, type (or none) and bytes.
for spec in "bytes=1000" "bytes=1000&type=0" "bytes=0" "bytes=65536" "bytes=65537" "bytes=300000"; do
    n=${spec%%&*}
    n=${n#bytes=}
    want=$(curl -sS "http://127.0.0.1:$B_PORT/sized?$spec" | sha256sum)
    req "$GW_URL/bee/sized?$spec"
    expect_code 200 "sized $spec"
    [ "$(header Content-Length)" = "$n" ] || fail "$spec: Content-Length '$(header Content-Length)'"
    [ "$(sha256sum <"$TMP/b")" = "$want" ] || fail "$spec: body differs through the gateway"
    case $spec in
    *type=0*) [ -z "$(header Content-Type)" ] || fail "$spec: a Content-Type was invented" ;;
    *) [ "$(header Content-Type)" = application/octet-stream ] || fail "$spec: Content-Type lost" ;;
    esac
done
# An upstream that drops the connection inside its announced body, small or large: the client
# gets the status and what arrived, then the connection closes; the access line says so.
for spec in "bytes=1000&cut=10" "bytes=300000&cut=100000"; do
    rc=0
    curl -sS -o "$TMP/cut" -D "$TMP/h" --max-time 10 "$GW_URL/bee/sized?$spec" 2>/dev/null || rc=$?
    got=$(stat -c %s "$TMP/cut")
    [ "$rc" -ne 0 ] && grep -q '^HTTP/1.1 200' "$TMP/h" && [ "$got" -le "${spec##*cut=}" ] ||
        fail "$spec: rc=$rc, $got bytes, $(head -n1 "$TMP/h")"
done
sleep 0.2
grep -q 'access GET /bee/sized status=200 bytes=10 .*cut=upstream-failed' "$GW_LOG" ||
    fail "cut small body not logged: $(grep 'sized' "$GW_LOG" | tail -n 3)"
ok "small bodies sent whole, larger streamed, same length/type/bytes; bodies cut upstream are cut"

# ---- health and metrics ----
req "$GW_URL/healthz"
expect_code 200 healthz
jq -e '.status == "degraded"
       and (.upstreams[] | select(.prefix == "/v1/") | .status == "up" and .http_status == 200)
       and (.upstreams[] | select(.prefix == "/dead/") | .status == "down")' "$TMP/b" >/dev/null ||
    fail "healthz: $(body)"
req "$GW_URL/metrics"
expect_code 200 metrics
grep -Eq '^pop_gateway_upstream_responses_total\{prefix="/v1/",class="2xx"\} [1-9]' "$TMP/b" &&
    grep -Eq '^pop_gateway_upstream_errors_total\{prefix="/dead/",reason="refused"\} [1-9]' "$TMP/b" &&
    grep -Eq '^pop_gateway_upstream_bytes_total\{prefix="/bee/"\} [1-9][0-9]{6}' "$TMP/b" ||
    fail "metrics: $(grep pop_gateway "$TMP/b")"
ok "/healthz reports each upstream; /metrics counts responses, errors and bytes"
stop_gw

# ---- limits: body, header, upstream timeouts, login rate ----
start_gw GATEWAY_ROUTES="/v1/=http://127.0.0.1:$A_PORT,/u/=http://127.0.0.1:$A_PORT/" GATEWAY_BODY_MAX=1k GATEWAY_HEADER_MAX=8k \
    GATEWAY_UPSTREAM_TIMEOUT=1 GATEWAY_LOGIN_RATE=3/m
head -c 512 /dev/zero | tr '\0' x >"$TMP/small"
head -c 2048 /dev/zero | tr '\0' x >"$TMP/large"
req "$GW_URL/v1/up" --data-binary @"$TMP/small"
expect_code 200 "body under the cap"
[ "$(jq -r .body_len "$TMP/b")" = 512 ] || fail "body cut: $(body)"
req "$GW_URL/v1/up" --data-binary @"$TMP/large"
expect_problem 413 body-too-large "body over the cap"
req "$GW_URL/v1/up" -H 'Transfer-Encoding: chunked' --data-binary @"$TMP/large"
expect_code 413 "chunked body over the cap"
req "$GW_URL/v1/h" -H "X-Big: $(head -c 20000 /dev/zero | tr '\0' a)"
expect_code 431 "headers over the cap"
hdrs=()
for i in $(seq 61); do hdrs+=(-H "X-H$i: $i"); done
req "$GW_URL/v1/h" "${hdrs[@]}"
expect_problem 400 bad-request "too many headers"
req "$GW_URL/v1/h"
expect_code 200 "normal request after refused ones"
ok "body cap (413, also chunked), header memory cap (431), header count cap (400)"

start=$(date +%s%N)
req "$GW_URL/u/slow?ms=4000"
elapsed=$((($(date +%s%N) - start) / 1000000))
expect_problem 504 gateway-timeout "slow upstream"
[ "$elapsed" -lt 3500 ] || fail "504 took ${elapsed} ms, upstream timeout is 1 s"
rc=0
curl -sS -o "$TMP/stall" --max-time 10 "$GW_URL/u/stream?n=3&ms=3000" 2>/dev/null || rc=$?
[ "$rc" -ne 0 ] && [ "$(cat "$TMP/stall")" = "chunk 0" ] ||
    fail "a stalled stream must be cut after the upstream timeout (rc=$rc, $(cat "$TMP/stall"))"
ok "slow upstream: 504 problem+json; a stream stalled longer than the timeout is cut"

for i in 1 2 3; do
    req -X POST "$GW_URL/v1/login" -d '{}'
    expect_code 200 "login $i"
    [ "$(jq -r .value "$TMP/b")" = test-token ] || fail "login body: $(body)"
done
req -X POST "$GW_URL/v1/login" -d '{}' -H 'X-Forwarded-For: 192.0.2.9'
expect_problem 429 too-many-requests "4th login in a minute"
[[ "$(header Retry-After)" =~ ^[1-9][0-9]*$ ]] || fail "Retry-After: '$(header Retry-After)'"
req "$GW_URL/v1/containers"
expect_code 200 "other routes are not rate-limited"
ok "login rate limit per client address: 429 with Retry-After, not bypassed by X-Forwarded-For"
stop_gw

# ---- connection limit and idle timeout ----
start_gw GATEWAY_ROUTES="/v1/=http://127.0.0.1:$A_PORT" GATEWAY_CONN_LIMIT=3 GATEWAY_CONN_TIMEOUT=2
exec 3<>"/dev/tcp/127.0.0.1/$GW_PORT" 4<>"/dev/tcp/127.0.0.1/$GW_PORT" 5<>"/dev/tcp/127.0.0.1/$GW_PORT"
req "$GW_URL/v1/c"
[ "$CODE" = 000 ] || fail "a 4th connection over a limit of 3 got $CODE"
exec 3>&- 4>&- 5>&-
sleep 0.3
req "$GW_URL/v1/c"
expect_code 200 "after the idle connections closed"
exec 3<>"/dev/tcp/127.0.0.1/$GW_PORT"
sleep 3
rc=0
timeout 2 cat <&3 >/dev/null || rc=$?
exec 3>&-
[ "$rc" -eq 0 ] || fail "an idle connection was not closed after the 2 s timeout"
ok "connection limit refuses extra connections; idle connections are closed"
stop_gw

# ---- kill -9 of an upstream during requests ----
start_upstream C
C_PORT=$UP_PORT
C_PID=$UP_PID
start_gw GATEWAY_ROUTES="/c/=http://127.0.0.1:$C_PORT/" GATEWAY_UPSTREAM_TIMEOUT=10
cpids=()
for i in 1 2 3 4; do
    curl -sS -o /dev/null -w '%{http_code}' --max-time 15 "$GW_URL/c/stream?n=100&ms=100" \
        >"$TMP/k-stream-$i" 2>/dev/null &
    cpids+=($!)
    curl -sS -o /dev/null -w '%{http_code}' --max-time 15 "$GW_URL/c/slow?ms=5000" \
        >"$TMP/k-slow-$i" 2>/dev/null &
    cpids+=($!)
done
sleep 1
kill -9 "$C_PID"
for p in "${cpids[@]}"; do wait "$p" || true; done
for i in 1 2 3 4; do
    [ "$(cat "$TMP/k-slow-$i")" = 502 ] || fail "waiting request got $(cat "$TMP/k-slow-$i"), not 502"
    # The stream had sent its 200 already; its body must end early instead of hanging.
    [ "$(cat "$TMP/k-stream-$i")" = 200 ] || fail "stream status $(cat "$TMP/k-stream-$i")"
done
grep -q 'cut=upstream-failed' "$GW_LOG" || fail "cut streams not logged"
kill -0 "$GW_PID" || fail "the gateway died with its upstream"
req "$GW_URL/c/echo"
expect_problem 502 bad-gateway "upstream killed"
req "$GW_URL/healthz"
[ "$(jq -r '.upstreams[0].status' "$TMP/b")" = down ] || fail "healthz after kill: $(body)"
start_upstream C "$C_PORT"
req "$GW_URL/c/echo"
expect_code 200 "upstream back on the same port"
ok "kill -9 of an upstream: waiting clients get 502, streams end, the gateway survives and recovers"
stop_gw

# ---- TLS ----
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$TMP/key.pem" -out "$TMP/cert.pem" 2>/dev/null
start_gw GATEWAY_ROUTES="/v1/=http://127.0.0.1:$A_PORT" GATEWAY_TLS_CERT="$TMP/cert.pem" \
    GATEWAY_TLS_KEY="$TMP/key.pem"
[[ "$GW_URL" == https://* ]] || fail "TLS gateway announces $GW_URL"
req --cacert "$TMP/cert.pem" "$GW_URL/v1/tls"
expect_code 200 "HTTPS request"
[ "$(jq -r '.headers["X-Forwarded-Proto"]' "$TMP/b")" = https ] || fail "X-Forwarded-Proto over TLS"
req "http://127.0.0.1:$GW_PORT/v1/tls"
[ "$CODE" != 200 ] || fail "plain HTTP accepted on the TLS port"
req "$GW_URL/v1/tls"
[ "$CODE" = 000 ] || fail "an untrusted certificate was accepted"
ok "TLS with the configured certificate; X-Forwarded-Proto https"
stop_gw

# ---- configuration errors fail fast, naming the variable ----
rc=0
GATEWAY_ROUTES="v1=nowhere" GATEWAY_PORT=0 "$GW_BIN" 2>"$TMP/bad.log" || rc=$?
[ "$rc" -ne 0 ] && grep -q GATEWAY_ROUTES "$TMP/bad.log" || fail "bad GATEWAY_ROUTES accepted"
rc=0
GATEWAY_TLS_CERT="$TMP/cert.pem" GATEWAY_PORT=0 "$GW_BIN" 2>"$TMP/bad.log" || rc=$?
[ "$rc" -ne 0 ] && grep -q GATEWAY_TLS_KEY "$TMP/bad.log" || fail "certificate without key accepted"
ok "invalid configuration is refused at start-up"

echo "gateway: all tests passed"
