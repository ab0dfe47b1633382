#!/usr/bin/env bash
# Integration test of pop-gateway against gw-test-upstream processes, driven with curl: routing,
# header forwarding, request ids, every limit, upstream down/slow/killed, TLS, clean shutdown.
# usage: gateway-test.sh POP_GATEWAY GW_TEST_UPSTREAM
set -euo pipefail
GW_BIN=$1
UP_BIN=$2
SERVICE_WORK_PREFIX=gw-test
# shellcheck source=../lib/service.sh
. "$(dirname "$0")/../lib/service.sh"
TMP=$SERVICE_WORK
N_GW=0
GW_FLAGS=() # command-line flags for the next start_gw

ok() { echo "ok - $*"; }

# start_upstream NAME [PORT]: sets UP_PID and UP_PORT. A helper, killed at exit.
start_upstream() {
    local name=$1 port=${2:-0}
    service_start --kill-at-exit "upstream $name" "$TMP/up-$name.log" 'line=^PORT=' \
        "$UP_BIN" -name "$name" -port "$port" -quiet
    UP_PID=$SERVICE_PID
    UP_PORT=${SERVICE_READY_LINE#PORT=}
}

# start_gw VAR=VALUE...: starts the gateway on an ephemeral port and waits for its ready line;
# sets GW_PID, GW_PORT, GW_URL, GW_LOG.
start_gw() {
    N_GW=$((N_GW + 1))
    GW_LOG="$TMP/gw-$N_GW.log"
    service_start pop-gateway "$GW_LOG" ready \
        env GATEWAY_LISTEN=127.0.0.1 GATEWAY_PORT=0 "$@" "$GW_BIN" "${GW_FLAGS[@]}"
    GW_PID=$SERVICE_PID
    GW_URL=$SERVICE_URL
    GW_PORT=${GW_URL##*:}
}

# SIGTERM must end the gateway cleanly (under ASan this includes the leak check).
stop_gw() {
    service_stop "$GW_PID" || fail "the gateway did not exit cleanly after SIGTERM"
}

# req ARGS...: one curl request (http_call): CODE is the status, body and headers in files.
req() {
    http_call --max-time 20 "$@"
    CODE=$HTTP_STATUS
}
header() { http_header "$1"; }
body() { cat "$HTTP_BODY"; }

start_upstream A
A_PORT=$UP_PORT
start_upstream B
B_PORT=$UP_PORT
# A port nothing listens on.
DEAD_PORT=$(free_port)

ROUTES="/v1/=http://127.0.0.1:$A_PORT,/v1/special/=http://127.0.0.1:$B_PORT"
ROUTES+=",/bee/=http://127.0.0.1:$B_PORT/,/dead/=http://127.0.0.1:$DEAD_PORT"

# ---- routing ----
start_gw GATEWAY_ROUTES="$ROUTES" GATEWAY_UPSTREAM_TIMEOUT=5
req "$GW_URL/v1/things"
expect_status 200 "route /v1/"
[ "$(jq -r '.name + " " + .path' "$HTTP_BODY")" = "A /v1/things" ] || fail "routing to A: $(body)"
req "$GW_URL/v1/special/thing"
[ "$(jq -r '.name + " " + .path' "$HTTP_BODY")" = "B /v1/special/thing" ] || fail "longest prefix"
req "$GW_URL/bee/echo/z?q=1&r=a%20b"
[ "$(jq -r '.name + " " + .path + " " + .query' "$HTTP_BODY")" = "B /echo/z q=1&r=a%20b" ] ||
    fail "prefix replaced by the URL's path: $(body)"
req "$GW_URL/nowhere"
expect_problem 404 not-found "no route for this path"
req "$GW_URL/dead/x"
expect_problem 502 bad-gateway "the upstream of /dead/ is not reachable"
ok "routing: longest prefix, path rewrite, 404 for unknown routes, 502 for a dead upstream"
# No GATEWAY_NFVO_URL: the NFVO's paths say what is missing rather than a bare 404.
req "$GW_URL/api/v1/projects"
expect_problem 503 unavailable "GATEWAY_NFVO_URL is not set"
req -X POST "$GW_URL/oauth/token" --data-urlencode grant_type=password
expect_problem 503 unavailable "GATEWAY_NFVO_URL is not set"
ok "without GATEWAY_NFVO_URL, /api/ and /oauth/ answer 503 naming it"

# ---- methods, bodies and headers ----
req -X PUT "$GW_URL/v1/obj?x=1%202" -H 'Content-Type: application/json' --data-binary '{"k":[1,2]}' \
    -H 'X-Custom: hi' -H 'Authorization: Bearer tok' -H 'Connection: X-Drop' -H 'X-Drop: 1' \
    -H 'Keep-Alive: 5' -H 'Proxy-Authorization: Basic eA==' -H 'X-Forwarded-For: 10.1.2.3' \
    -H 'X-Request-Id: put-1'
expect_status 200 "PUT"
jq -e '.method == "PUT" and .query == "x=1%202" and .body == "{\"k\":[1,2]}"
       and .headers["X-Custom"] == "hi" and .headers["Authorization"] == "Bearer tok"
       and .headers["Content-Type"] == "application/json"
       and (.headers | has("X-Drop") | not) and (.headers | has("Keep-Alive") | not)
       and (.headers | has("Proxy-Authorization") | not)
       and .headers["X-Forwarded-For"] == "10.1.2.3, 127.0.0.1"
       and .headers["X-Forwarded-Proto"] == "http"
       and .headers["X-Request-Id"] == "put-1"' "$HTTP_BODY" >/dev/null ||
    fail "request forwarding: $(body)"
for m in DELETE PATCH POST; do
    req -X "$m" "$GW_URL/v1/m" --data-binary "body-$m"
    [ "$(jq -r '.method + " " + .body' "$HTTP_BODY")" = "$m body-$m" ] || fail "$m forwarding: $(body)"
done
req "$GW_URL/bee/headers"
expect_status 201 "upstream status"
[ "$(header X-Upstream)" = "B" ] && [ "$(header Cache-Control)" = "no-store" ] ||
    fail "end-to-end response headers lost"
grep -qi '^keep-alive: timeout=99' "$HTTP_HEADERS" && fail "hop-by-hop Keep-Alive passed to the client"
grep -qi '^proxy-authenticate:' "$HTTP_HEADERS" && fail "Proxy-Authenticate passed to the client"
[ "$(grep -ci '^x-request-id:' "$HTTP_HEADERS")" = 1 ] && [ "$(header X-Request-Id)" != "from-upstream" ] ||
    fail "X-Request-Id must be the gateway's, once"
req -I "$GW_URL/bee/big?mb=1"
expect_status 200 "HEAD"
[ "$(header Content-Length)" = "1048576" ] || fail "HEAD: $(cat "$HTTP_HEADERS")"
ok "methods, query, body, end-to-end headers both ways; hop-by-hop and Connection-listed dropped"

# ---- header values: empty ones forwarded as they are, control characters refused ----
TAB=$(printf '\t')
req -X POST "$GW_URL/v1/empty" -H 'X-Foo;' -H 'Content-Type;' -H 'Accept:' --data-binary 'x'
expect_status 200 "empty header values"
jq -e '.headers["X-Foo"] == "" and .headers["Content-Type"] == ""
       and (.headers | has("Accept") | not) and .body == "x"' "$HTTP_BODY" >/dev/null ||
    fail "empty values must arrive unchanged, and no Accept be invented: $(body)"
echoed() { curl -sS "http://127.0.0.1:$A_PORT/echoed" | jq -r .echoed; }
before=$(echoed)
# lib/http refuses these before the proxy handler runs: one rule for every service.
for spec in "X-Esc: a$(printf '\033')[31mb" "X-Ctl: a$(printf '\001')b" "X-Del: a$(printf '\177')" \
    "X-Cr: a$(printf '\r')b" "X-Tab: a${TAB}b" "Authorization: Bearer${TAB}tok" \
    "Authorization: Bearer tok${TAB}x" "X-Forwarded-For: 10.0.0.1$(printf '\033')"; do
    name=${spec%%:*}
    req "$GW_URL/v1/ctl" -H "$spec"
    expect_problem 400 bad-request "the value of header $name contains control byte"
    [ "$(jq -r .header "$HTTP_BODY")" = "$name" ] &&
        jq -r .detail "$HTTP_BODY" | grep -qF "the value of header $name contains control byte" ||
        fail "the problem must name $name: $(body)"
done
req "$GW_URL/v1/ctl" -H 'X A: 1'
expect_problem 400 bad-request "header name 'X?A' contains a character that is not allowed"
jq -r .detail "$HTTP_BODY" | grep -qF "header name 'X?A' contains a character that is not allowed" ||
    fail "the problem must say the name is wrong: $(body)"
[ "$(echoed)" = "$before" ] || fail "a refused request reached the upstream ($before -> $(echoed))"
req "$GW_URL/v1/ctl" -H 'Authorization: Bearer tok'
expect_status 200 "clean Authorization after refused ones"
[ "$(echoed)" = $((before + 1)) ] || fail "the upstream count does not see forwarded requests"
ok "empty header values forwarded unchanged; control characters (a tab too) and non-token names refused with 400 naming the header, never reaching the upstream"

# ---- request ids ----
req "$GW_URL/v1/rid" -H 'X-Request-Id: abc.DEF_1-2'
[ "$(header X-Request-Id)" = "abc.DEF_1-2" ] &&
    [ "$(jq -r '.headers["X-Request-Id"]' "$HTTP_BODY")" = "abc.DEF_1-2" ] || fail "sane id not kept"
for bad in 'bad id!' "$(printf 'x%.0s' $(seq 65))"; do
    req "$GW_URL/v1/rid-bad" -H "X-Request-Id: $bad"
    rid=$(header X-Request-Id)
    [[ "$rid" =~ ^[0-9a-f]{32}$ ]] || fail "insane id '$bad' not replaced: $rid"
    [ "$(jq -r '.headers["X-Request-Id"]' "$HTTP_BODY")" = "$rid" ] || fail "new id not sent upstream"
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
    expect_status 200 "sized $spec"
    [ "$(header Content-Length)" = "$n" ] || fail "$spec: Content-Length '$(header Content-Length)'"
    [ "$(sha256sum <"$HTTP_BODY")" = "$want" ] || fail "$spec: body differs through the gateway"
    case $spec in
    *type=0*) [ -z "$(header Content-Type)" ] || fail "$spec: a Content-Type was invented" ;;
    *) [ "$(header Content-Type)" = application/octet-stream ] || fail "$spec: Content-Type lost" ;;
    esac
done
# An upstream that drops the connection inside its announced body, small or large: the client
# gets the status and what arrived, then the connection closes; the access line says so.
for spec in "bytes=1000&cut=10" "bytes=300000&cut=100000"; do
    rc=0
    curl -sS -o "$TMP/cut" -D "$HTTP_HEADERS" --max-time 10 "$GW_URL/bee/sized?$spec" 2>/dev/null || rc=$?
    got=$(stat -c %s "$TMP/cut")
    [ "$rc" -ne 0 ] && grep -q '^HTTP/1.1 200' "$HTTP_HEADERS" && [ "$got" -le "${spec##*cut=}" ] ||
        fail "$spec: rc=$rc, $got bytes, $(head -n1 "$HTTP_HEADERS")"
done
sleep 0.2
grep -q 'access GET /bee/sized status=200 bytes=10 .*cut=upstream-failed' "$GW_LOG" ||
    fail "cut small body not logged: $(grep 'sized' "$GW_LOG" | tail -n 3)"
ok "small bodies sent whole, larger streamed, same length/type/bytes; bodies cut upstream are cut"

# ---- health and metrics ----
req "$GW_URL/healthz"
expect_status 200 healthz
jq -e '.status == "degraded"
       and (.upstreams[] | select(.prefix == "/v1/") | .status == "up" and .http_status == 200)
       and (.upstreams[] | select(.prefix == "/dead/") | .status == "down")' "$HTTP_BODY" >/dev/null ||
    fail "healthz: $(body)"
req "$GW_URL/metrics"
expect_status 200 metrics
grep -Eq '^pop_gateway_upstream_responses_total\{prefix="/v1/",class="2xx"\} [1-9]' "$HTTP_BODY" &&
    grep -Eq '^pop_gateway_upstream_errors_total\{prefix="/dead/",reason="refused"\} [1-9]' "$HTTP_BODY" &&
    grep -Eq '^pop_gateway_upstream_bytes_total\{prefix="/bee/"\} [1-9][0-9]{6}' "$HTTP_BODY" ||
    fail "metrics: $(grep pop_gateway "$HTTP_BODY")"
ok "/healthz reports each upstream; /metrics counts responses, errors and bytes"
stop_gw

# ---- one port for everything: popd-rest's /v1/ and the NFVO's /api/ and /oauth/ ----
start_gw GATEWAY_ROUTES="/v1/=http://127.0.0.1:$A_PORT" GATEWAY_NFVO_URL="http://127.0.0.1:$B_PORT"
req -X POST "$GW_URL/oauth/token" -u openbatonOSClient:secret --data-urlencode grant_type=password \
    --data-urlencode username=admin --data-urlencode 'password=a b+c'
expect_status 200 "/oauth/token through the gateway"
jq -e '.name == "B" and .method == "POST" and .path == "/oauth/token"
       and .body == "grant_type=password&username=admin&password=a+b%2Bc"
       and .headers["Authorization"] == "Basic b3BlbmJhdG9uT1NDbGllbnQ6c2VjcmV0"
       and .headers["Content-Type"] == "application/x-www-form-urlencoded"' "$HTTP_BODY" >/dev/null ||
    fail "/oauth/token forwarding: $(body)"
req "$GW_URL/api/v1/projects/?x=1" -H 'Authorization: Bearer tok' -H 'project-id: p-1'
jq -e '.name == "B" and .path == "/api/v1/projects/" and .query == "x=1"
       and .headers["Authorization"] == "Bearer tok" and .headers["project-id"] == "p-1"' \
    "$HTTP_BODY" >/dev/null || fail "/api/ forwarding: $(body)"
req "$GW_URL/v1/info"
[ "$(jq -r '.name + " " + .path' "$HTTP_BODY")" = "A /v1/info" ] || fail "/v1/ beside the NFVO: $(body)"
req "$GW_URL/healthz"
jq -e '[.upstreams[] | select(.url == "http://127.0.0.1:'"$B_PORT"'") | .prefix] | sort == ["/api/", "/oauth/"]' \
    "$HTTP_BODY" >/dev/null || fail "healthz without the NFVO's upstreams: $(body)"
stop_gw
rc=0
GATEWAY_NFVO_URL="http://127.0.0.1:$B_PORT/nfvo" GATEWAY_PORT=0 "$GW_BIN" 2>"$TMP/bad.log" || rc=$?
[ "$rc" -ne 0 ] && grep -q GATEWAY_NFVO_URL "$TMP/bad.log" || fail "GATEWAY_NFVO_URL with a path accepted"
rc=0
GATEWAY_ROUTES="/api/=http://127.0.0.1:$A_PORT" GATEWAY_NFVO_URL="http://127.0.0.1:$B_PORT" \
    GATEWAY_PORT=0 "$GW_BIN" 2>"$TMP/bad.log" || rc=$?
[ "$rc" -ne 0 ] && grep -q "'/api/' appears twice" "$TMP/bad.log" || fail "/api/ routed twice accepted"
ok "GATEWAY_NFVO_URL: /api/ and /oauth/ to the NFVO, /v1/ to popd-rest, on one port; bad values refused"

# ---- limits: body, header, upstream timeouts, login rate ----
start_gw GATEWAY_ROUTES="/v1/=http://127.0.0.1:$A_PORT,/u/=http://127.0.0.1:$A_PORT/" GATEWAY_BODY_MAX=1k GATEWAY_HEADER_MAX=8k \
    GATEWAY_UPSTREAM_TIMEOUT=1 GATEWAY_LOGIN_RATE=3/m
head -c 512 /dev/zero | tr '\0' x >"$TMP/small"
head -c 2048 /dev/zero | tr '\0' x >"$TMP/large"
req "$GW_URL/v1/up" --data-binary @"$TMP/small"
expect_status 200 "body under the cap"
[ "$(jq -r .body_len "$HTTP_BODY")" = 512 ] || fail "body cut: $(body)"
req "$GW_URL/v1/up" --data-binary @"$TMP/large"
expect_problem 413 body-too-large "the body is"
req "$GW_URL/v1/up" -H 'Transfer-Encoding: chunked' --data-binary @"$TMP/large"
expect_status 413 "chunked body over the cap"
req "$GW_URL/v1/h" -H "X-Big: $(head -c 20000 /dev/zero | tr '\0' a)"
expect_status 431 "headers over the cap"
hdrs=()
for i in $(seq 61); do hdrs+=(-H "X-H$i: $i"); done
req "$GW_URL/v1/h" "${hdrs[@]}"
expect_problem 400 bad-request "too many or too large request headers"
req "$GW_URL/v1/h"
expect_status 200 "normal request after refused ones"
ok "body cap (413, also chunked), header memory cap (431), header count cap (400)"

start=$(date +%s%N)
req "$GW_URL/u/slow?ms=4000"
elapsed=$((($(date +%s%N) - start) / 1000000))
expect_problem 504 gateway-timeout "the upstream of /u/ did not answer in time"
[ "$elapsed" -lt 3500 ] || fail "504 took ${elapsed} ms, upstream timeout is 1 s"
rc=0
curl -sS -o "$TMP/stall" --max-time 10 "$GW_URL/u/stream?n=3&ms=3000" 2>/dev/null || rc=$?
[ "$rc" -ne 0 ] && [ "$(cat "$TMP/stall")" = "chunk 0" ] ||
    fail "a stalled stream must be cut after the upstream timeout (rc=$rc, $(cat "$TMP/stall"))"
ok "slow upstream: 504 problem+json; a stream stalled longer than the timeout is cut"

for i in 1 2 3; do
    req -X POST "$GW_URL/v1/login" -d '{}'
    expect_status 200 "login $i"
    [ "$(jq -r .value "$HTTP_BODY")" = test-token ] || fail "login body: $(body)"
done
req -X POST "$GW_URL/v1/login" -d '{}' -H 'X-Forwarded-For: 192.0.2.9'
expect_problem 429 too-many-requests "too many login attempts from this address"
[[ "$(header Retry-After)" =~ ^[1-9][0-9]*$ ]] || fail "Retry-After: '$(header Retry-After)'"
req "$GW_URL/v1/containers"
expect_status 200 "other routes are not rate-limited"
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
expect_status 200 "after the idle connections closed"
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
service_kill "$C_PID" # kill -9
for p in "${cpids[@]}"; do wait "$p" || true; done
for i in 1 2 3 4; do
    [ "$(cat "$TMP/k-slow-$i")" = 502 ] || fail "waiting request got $(cat "$TMP/k-slow-$i"), not 502"
    # The stream had sent its 200 already; its body must end early instead of hanging.
    [ "$(cat "$TMP/k-stream-$i")" = 200 ] || fail "stream status $(cat "$TMP/k-stream-$i")"
done
grep -q 'cut=upstream-failed' "$GW_LOG" || fail "cut streams not logged"
kill -0 "$GW_PID" || fail "the gateway died with its upstream"
req "$GW_URL/c/echo"
expect_problem 502 bad-gateway "the upstream of /c/"
req "$GW_URL/healthz"
[ "$(jq -r '.upstreams[0].status' "$HTTP_BODY")" = down ] || fail "healthz after kill: $(body)"
start_upstream C "$C_PORT"
req "$GW_URL/c/echo"
expect_status 200 "upstream back on the same port"
ok "kill -9 of an upstream: waiting clients get 502, streams end, the gateway survives and recovers"
stop_gw

# ---- SIGTERM while a stream waits on its upstream ----
# The waiting read is woken by the shutdown and cut at the 2 s drain deadline: not when the
# upstream's next chunk comes (20 s) nor at the upstream timeout (30 s).
start_gw GATEWAY_ROUTES="/u/=http://127.0.0.1:$A_PORT/" GATEWAY_UPSTREAM_TIMEOUT=30 \
    GATEWAY_CONN_TIMEOUT=2
: >"$TMP/drain"
curl -sS -N -o "$TMP/drain" --max-time 40 "$GW_URL/u/stream?n=3&ms=20000" 2>/dev/null &
cpid=$!
for i in $(seq 100); do
    [ -s "$TMP/drain" ] && break
    sleep 0.05
done
[ "$(cat "$TMP/drain")" = "chunk 0" ] || fail "the stream did not start: $(cat "$TMP/drain")"
start=$(date +%s%N)
stop_gw
elapsed=$((($(date +%s%N) - start) / 1000000))
wait "$cpid" || true
[ "$elapsed" -lt 10000 ] || fail "SIGTERM took ${elapsed} ms with a stream waiting; drain is 2 s"
[ "$(cat "$TMP/drain")" = "chunk 0" ] || fail "the drained stream got $(cat "$TMP/drain")"
grep -q 'cut=shutdown' "$GW_LOG" || fail "the stream cut by the shutdown was not logged"
ok "SIGTERM: a stream waiting on its upstream is cut at the drain deadline (${elapsed} ms)"

# ---- TLS ----
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$TMP/key.pem" -out "$TMP/cert.pem" 2>/dev/null
start_gw GATEWAY_ROUTES="/v1/=http://127.0.0.1:$A_PORT" GATEWAY_TLS_CERT="$TMP/cert.pem" \
    GATEWAY_TLS_KEY="$TMP/key.pem"
[[ "$GW_URL" == https://* ]] || fail "TLS gateway announces $GW_URL"
req --cacert "$TMP/cert.pem" "$GW_URL/v1/tls"
expect_status 200 "HTTPS request"
[ "$(jq -r '.headers["X-Forwarded-Proto"]' "$HTTP_BODY")" = https ] || fail "X-Forwarded-Proto over TLS"
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

# ---- start-up is service_main's: usage, exit statuses, GATEWAY_VERBOSE ----
rc=0
"$GW_BIN" -bogus 2>"$TMP/bad.log" || rc=$?
[ "$rc" -eq 2 ] && grep -q "pop-gateway: unknown argument '-bogus'" "$TMP/bad.log" ||
    fail "unknown flag: exit $rc"
"$GW_BIN" -h >"$TMP/help" || fail "-h did not exit 0"
grep -q '^  GATEWAY_ROUTES=' "$TMP/help" && grep -q '^  GATEWAY_VERBOSE=false$' "$TMP/help" ||
    fail "-h does not list the settings"
# Before service_main the gateway had no GATEWAY_VERBOSE and would have started (timeout: 124).
rc=0
GATEWAY_VERBOSE=maybe GATEWAY_PORT=0 timeout 10 "$GW_BIN" 2>"$TMP/bad.log" || rc=$?
[ "$rc" -eq 1 ] && grep -q "configuration: GATEWAY_VERBOSE" "$TMP/bad.log" ||
    fail "bad GATEWAY_VERBOSE: exit $rc"
# Settings from a -config file, the environment winning; VERBOSE shows the proxy's debug lines.
printf 'GATEWAY_VERBOSE=true\nGATEWAY_ROUTES=/dead/=http://127.0.0.1:%s\nGATEWAY_PORT=1\n' \
    "$DEAD_PORT" >"$TMP/gw.conf"
GW_FLAGS=(-config "$TMP/gw.conf")
start_gw
GW_FLAGS=()
[ "$GW_PORT" != 1 ] || fail "GATEWAY_PORT from the file won over the environment"
grep -q 'config GATEWAY_VERBOSE=true' "$GW_LOG" || fail "GATEWAY_VERBOSE from the -config file"
req "$GW_URL/dead/x"
[ "$CODE" = 502 ] || fail "the file's GATEWAY_ROUTES: $CODE"
grep -q " debug .*gateway: upstream http://127.0.0.1:$DEAD_PORT: " "$GW_LOG" ||
    fail "GATEWAY_VERBOSE=true gave no debug lines"
stop_gw
grep -q 'received SIGTERM; shutting down' "$GW_LOG" || fail "no shutdown line"
ok "usage errors exit 2; GATEWAY_VERBOSE from a -config file; SIGTERM exits 0"

echo "gateway: all tests passed"
