#!/usr/bin/env bash
# Benchmark (printed, not asserted): GET /v1/containers through pop-gateway versus nginx (one
# worker, upstream keepalive) in front of the same upstream, in the same run, with wrk runs
# interleaved. Goal: gateway throughput >= 0.8x nginx, p99 <= 1.5x nginx. Also prints each
# proxy's CPU time per request (user+system), steadier than throughput on a shared machine.
# usage: bench/gateway.sh BUILD_DIR   (env: BENCH_ROUNDS=3 BENCH_SECONDS=5 BENCH_CONNS=32)
set -euo pipefail

BUILD=${1:?usage: bench/gateway.sh BUILD_DIR}
ROUNDS=${BENCH_ROUNDS:-3}
SECONDS_PER_RUN=${BENCH_SECONDS:-5}
CONNS=${BENCH_CONNS:-32}
THREADS=2
GW_BIN=$BUILD/gateway/pop-gateway
POPD_BIN=$BUILD/services/popd-rest/popd-rest
UP_BIN=$BUILD/tests/integration/gateway/gw-test-upstream

for tool in wrk nginx curl jq python3; do
    command -v "$tool" >/dev/null || { echo "bench/gateway: $tool is missing (make deps)" >&2; exit 1; }
done
[ -x "$GW_BIN" ] || { echo "bench/gateway: $GW_BIN not built" >&2; exit 1; }

TMP=$(mktemp -d /tmp/gw-bench.XXXXXX)
PIDS=()
cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    sleep 0.3
    for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    # popd-rest made its default network (and would own any container) under this Pop name
    docker ps -aq --filter label=org.pop-nfv.pop=bench-gw | xargs -r docker rm -f >/dev/null 2>&1 || true
    docker network ls -q --filter label=org.pop-nfv.pop=bench-gw | xargs -r docker network rm >/dev/null 2>&1 || true
    rm -rf "$TMP"
}
trap cleanup EXIT

# The one free_port implementation, shared with the integration tests (tests/integration/lib).
free_port() {
    python3 "$(dirname "$0")/../tests/integration/lib/netutil.py" free-port
}

wait_http() { # URL: waits up to 10 s for any HTTP answer
    local i
    for i in $(seq 200); do
        curl -s -o /dev/null --max-time 1 "$1" && return 0
        sleep 0.05
    done
    echo "bench/gateway: nothing answers at $1" >&2
    exit 1
}

UP_PORT=$(free_port)
AUTH=()
if [ -x "$POPD_BIN" ]; then
    UPSTREAM="popd-rest"
    POPD_AUTH=bench:benchpass POPD_PORT=$UP_PORT POPD_DB=$TMP/popd.db POPD_NAME=bench-gw \
        "$POPD_BIN" 2>"$TMP/popd.log" &
    PIDS+=($!)
    wait_http "http://127.0.0.1:$UP_PORT/healthz"
    TOKEN=$(curl -sS -X POST -H 'Content-Type: application/json' \
        -d '{"username":"bench","password":"benchpass"}' "http://127.0.0.1:$UP_PORT/v1/login" |
        jq -r .value)
    [ -n "$TOKEN" ] && [ "$TOKEN" != null ] || { echo "bench/gateway: popd-rest login failed" >&2; exit 1; }
    AUTH=(-H "Authorization: Bearer $TOKEN")
else
    UPSTREAM="gw-test-upstream (popd-rest is not built in $BUILD)"
    "$UP_BIN" -port "$UP_PORT" -quiet >/dev/null 2>"$TMP/up.log" &
    PIDS+=($!)
    wait_http "http://127.0.0.1:$UP_PORT/healthz"
fi

# Both proxies log one access line per request to a file, so neither gets a free pass.
GW_PORT=$(free_port)
GATEWAY_PORT=$GW_PORT GATEWAY_ROUTES="/v1/=http://127.0.0.1:$UP_PORT" GATEWAY_CONN_LIMIT=1024 \
    "$GW_BIN" 2>"$TMP/gateway.log" &
GW_PID=$!
PIDS+=($GW_PID)
wait_http "http://127.0.0.1:$GW_PORT/healthz"

NGINX_PORT=$(free_port)
mkdir -p "$TMP/nginx"
cat >"$TMP/nginx/nginx.conf" <<EOF
daemon off;
worker_processes 1;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log warn;
events { worker_connections 1024; }
http {
    access_log $TMP/nginx/access.log;
    client_body_temp_path $TMP/nginx/body;
    proxy_temp_path $TMP/nginx/proxy;
    fastcgi_temp_path $TMP/nginx/fastcgi;
    uwsgi_temp_path $TMP/nginx/uwsgi;
    scgi_temp_path $TMP/nginx/scgi;
    upstream popd { server 127.0.0.1:$UP_PORT; keepalive 64; }
    server {
        listen 127.0.0.1:$NGINX_PORT;
        location / {
            proxy_pass http://popd;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header X-Request-Id \$request_id;
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
        }
    }
}
EOF
nginx -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" 2>"$TMP/nginx/stderr.log" &
NGINX_PID=$!
PIDS+=($NGINX_PID)
wait_http "http://127.0.0.1:$NGINX_PORT/v1/containers"
NGINX_WORKER=$(pgrep -P "$NGINX_PID" | head -n1)
CLK_TCK=$(getconf CLK_TCK)

for url in "http://127.0.0.1:$GW_PORT/v1/containers" "http://127.0.0.1:$NGINX_PORT/v1/containers"; do
    code=$(curl -s -o /dev/null -w '%{http_code}' "${AUTH[@]}" "$url")
    [ "$code" = 200 ] || { echo "bench/gateway: $url answers $code" >&2; exit 1; }
done

# cpu_ticks PID: user+system clock ticks used so far by the process (all its threads).
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# run_wrk NAME URL PID: appends "rps p99_ms non2xx errors cpu_us_per_request" to
# $TMP/NAME.results; PID is the proxy whose CPU time is counted.
run_wrk() {
    local before after
    before=$(cpu_ticks "$3")
    wrk -t"$THREADS" -c"$CONNS" -d"${SECONDS_PER_RUN}s" --latency "${AUTH[@]}" "$2" >"$TMP/wrk.out"
    after=$(cpu_ticks "$3")
    python3 - "$TMP/wrk.out" $((after - before)) "$CLK_TCK" >>"$TMP/$1.results" <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
ticks, hz = int(sys.argv[2]), int(sys.argv[3])
total = int(re.search(r"(\d+) requests in", text).group(1))
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
m = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
p99 = float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]
non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
errors = re.search(r"Socket errors:.*", text)
cpu_us = ticks / hz * 1e6 / max(total, 1)
print(f"{rps:.1f} {p99:.3f} {non2xx.group(1) if non2xx else 0} {'yes' if errors else 'no'} {cpu_us:.1f}")
EOF
}

echo "bench/gateway: GET /v1/containers via $UPSTREAM"
echo "  wrk -t$THREADS -c$CONNS -d${SECONDS_PER_RUN}s, $ROUNDS interleaved rounds, same upstream"
# Short warm-up of both, so the first measured round is not the one that opens connections.
wrk -t1 -c4 -d1s "${AUTH[@]}" "http://127.0.0.1:$GW_PORT/v1/containers" >/dev/null
wrk -t1 -c4 -d1s "${AUTH[@]}" "http://127.0.0.1:$NGINX_PORT/v1/containers" >/dev/null
for r in $(seq "$ROUNDS"); do
    run_wrk gateway "http://127.0.0.1:$GW_PORT/v1/containers" "$GW_PID"
    run_wrk nginx "http://127.0.0.1:$NGINX_PORT/v1/containers" "$NGINX_WORKER"
    printf '  round %d: gateway %s req/s p99 %s ms cpu %s us/req | nginx %s req/s p99 %s ms cpu %s us/req\n' \
        "$r" $(tail -n1 "$TMP/gateway.results" | cut -d' ' -f1,2,5) \
        $(tail -n1 "$TMP/nginx.results" | cut -d' ' -f1,2,5)
done

python3 - "$TMP/gateway.results" "$TMP/nginx.results" <<'EOF'
import statistics, sys
def load(p):
    rows = [l.split() for l in open(p) if l.strip()]
    return ([float(r[0]) for r in rows], [float(r[1]) for r in rows],
            sum(int(r[2]) for r in rows), any(r[3] == "yes" for r in rows),
            [float(r[4]) for r in rows])
g_rps, g_p99, g_bad, g_err, g_cpu = load(sys.argv[1])
n_rps, n_p99, n_bad, n_err, n_cpu = load(sys.argv[2])
g_r, n_r = statistics.median(g_rps), statistics.median(n_rps)
g_p, n_p = statistics.median(g_p99), statistics.median(n_p99)
g_c, n_c = statistics.median(g_cpu), statistics.median(n_cpu)
print(f"  gateway: {g_r:10.1f} req/s   p99 {g_p:8.3f} ms   cpu {g_c:6.1f} us/req   (median of rounds)")
print(f"  nginx:   {n_r:10.1f} req/s   p99 {n_p:8.3f} ms   cpu {n_c:6.1f} us/req")
tr, pr = g_r / n_r, g_p / n_p
print(f"  ratio gateway/nginx: throughput {tr:.2f}x (goal >= 0.8x: {'met' if tr >= 0.8 else 'NOT met'}),"
      f" p99 {pr:.2f}x (goal <= 1.5x: {'met' if pr <= 1.5 else 'NOT met'})")
if g_bad or n_bad or g_err or n_err:
    print(f"  warning: non-2xx responses gateway={g_bad} nginx={n_bad}; socket errors gateway={g_err} nginx={n_err}")
EOF
