#!/usr/bin/env bash
# service.sh itself, without the engine: the ready modes of service_start, service_stop's
# exit-status check, expect_problem's one media-type rule (exact type, parameters ignored: the
# old popd.sh copy took any type starting with application/problem+json), its code, status and
# detail checks, headers that are absent, free_port, and the EXIT handler's order: services
# stopped, logs shown on failure, cleanups last registered first, a failed cleanup failing.
set -euo pipefail
LIB="$(cd "$(dirname "$0")" && pwd)"
SERVICE_WORK_PREFIX=test-service
. "$LIB/service.sh"

# A stand-in service: answers each path with the content type and body it names, prints a
# ready line like service_main's, exits 0 on SIGTERM (or EXIT_ON_TERM).
cat >"$SERVICE_WORK/fake.py" <<'EOF'
import http.server, json, os, signal, sys

REPLIES = {
    "/pj": ("application/problem+json", 400, 400),
    "/pjcs": ("Application/Problem+JSON; charset=utf-8", 400, 400),
    "/pjx": ("application/problem+jsonx", 400, 400),
    "/json": ("application/json", 400, 400),
    "/badstatus": ("application/problem+json", 400, 500),
    "/healthz": ("application/json", 200, 200),
}

class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        ctype, status, body_status = REPLIES.get(self.path, ("text/plain", 404, 404))
        body = json.dumps({"type": "https://pop-nfv.dev/problems/bad-request", "code": "bad-request",
                           "status": body_status, "title": "t", "detail": "the detail"}).encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass

srv = http.server.HTTPServer(("127.0.0.1", 0), H)
signal.signal(signal.SIGTERM, lambda *a: sys.exit(int(os.environ.get("EXIT_ON_TERM", "0"))))
print("fake 1.0 ready on http://127.0.0.1:%d (test)" % srv.server_address[1], flush=True)
srv.serve_forever()
EOF

# expect_fails CMD...: CMD (run in a subshell, where fail exits only the subshell) must fail.
expect_fails() {
    if (exec 2>/dev/null; "$@"); then
        fail "expected to fail: $*"
    fi
}

# ---- service_start: ready line, line=, healthz= ----
service_start fake "$SERVICE_WORK/fake.log" ready /usr/bin/python3 "$SERVICE_WORK/fake.py"
FAKE_PID=$SERVICE_PID
URL=$SERVICE_URL
[[ "$URL" =~ ^http://127\.0\.0\.1:[0-9]+$ ]] || fail "SERVICE_URL from the ready line: '$URL'"
[[ "$SERVICE_READY_LINE" == "fake 1.0 ready on $URL (test)" ]] || fail "ready line: '$SERVICE_READY_LINE'"
service_start second "$SERVICE_WORK/fake.log" "healthz=$URL" /usr/bin/python3 "$SERVICE_WORK/fake.py"
SECOND_PID=$SERVICE_PID
# The same log again: only what it gained since this start counts.
service_start third "$SERVICE_WORK/fake.log" 'line=ready on' /usr/bin/python3 "$SERVICE_WORK/fake.py"
THIRD_URL=$(sed -E 's/.* ready on (http:[^ ]*).*/\1/' <<<"$SERVICE_READY_LINE")
[ "$(grep -c 'ready on' "$SERVICE_WORK/fake.log")" -ge 2 ] && [ "$THIRD_URL" != "$URL" ] ||
    fail "line= matched the ready line of an earlier start"
THIRD_PID=$SERVICE_PID
expect_fails service_start dies "$SERVICE_WORK/dies.log" ready /bin/sh -c 'echo bye; exit 3'
echo "ok - service_start: ready line (URL), healthz=, line= past earlier starts, early exit fails"

# ---- expect_problem: one media-type rule ----
http_call "$URL/pj"
expect_problem 400 bad-request
expect_problem 400 bad-request "the detail"
http_call "$URL/pjcs"
expect_problem 400 bad-request "detail" # parameters ignored, case folded
http_call "$URL/pjx"
expect_fails expect_problem 400 bad-request
http_call "$URL/json"
expect_fails expect_problem 400 bad-request
http_call "$URL/pj"
expect_fails expect_problem 400 other-code
expect_fails expect_problem 401 bad-request
expect_fails expect_problem 400 bad-request "not in the detail"
http_call "$URL/badstatus"
expect_fails expect_problem 400 bad-request
media_type_is " application/problem+json ;x=y" application/problem+json || fail "media_type_is: spaces"
expect_fails media_type_is "application/problem" application/problem+json
echo "ok - expect_problem: exact media type, parameters ignored; code, status and detail checked"

# ---- http_call: absent headers, nothing listening ----
http_call "$URL/pj"
[ -z "$(http_header X-Absent)" ] || fail "an absent header has a value"
[ "$(http_header content-length)" -gt 0 ] || fail "header names are case-insensitive"
http_call "http://127.0.0.1:$(free_port)/"
[ "$HTTP_STATUS" = 000 ] || fail "free_port: something answered ($HTTP_STATUS)"
expect_status 000
expect_fails expect_status 200
echo "ok - http_call: absent headers are empty, free_port has no listener"

# ---- service_stop: the exit status counts ----
service_stop "$SECOND_PID" || fail "a clean stop was refused"
kill -0 "$SECOND_PID" 2>/dev/null && fail "stopped service still running"
EXIT_ON_TERM=3 service_start bad "$SERVICE_WORK/bad.log" ready /usr/bin/python3 "$SERVICE_WORK/fake.py"
if service_stop "$SERVICE_PID" 2>/dev/null; then fail "exit status 3 on SIGTERM was accepted"; fi
service_kill "$THIRD_PID"
kill -0 "$THIRD_PID" 2>/dev/null && fail "killed service still running"
echo "ok - service_stop requires exit status 0; service_kill"

# ---- the EXIT handler, in scripts of their own ----
run_script() { # BODY: runs a script sourcing service.sh; sets OUT (stdout+stderr) and RC
    RC=0
    OUT=$(bash -c ". '$LIB/service.sh'; $1" 2>&1) || RC=$?
}
run_script 'on_exit first echo first; on_exit second echo second; echo body'
[ "$RC" -eq 0 ] && [ "$OUT" = $'body\nsecond\nfirst' ] || fail "cleanup order (rc $RC): $OUT"
run_script 'on_exit c echo cleaned; on_failure f echo diagnosed
    service_start s "$SERVICE_WORK/s.log" line=^up sh -c "echo up; echo log-line; exec sleep 60"
    echo "$SERVICE_WORK" >'"$SERVICE_WORK/inner"'; fail boom'
[ "$RC" -eq 1 ] || fail "a failed test exited $RC"
grep -q '^FAIL: boom$' <<<"$OUT" && grep -q '^diagnosed$' <<<"$OUT" && grep -q '^log-line$' <<<"$OUT" &&
    grep -q '^cleaned$' <<<"$OUT" || fail "failure output: $OUT"
[ ! -e "$(cat "$SERVICE_WORK/inner")" ] || fail "the work directory outlived a failed test"
run_script 'on_exit broken false; echo passed'
[ "$RC" -eq 1 ] && grep -q "cleanup 'broken' failed" <<<"$OUT" || fail "a failing cleanup (rc $RC): $OUT"
run_script 'service_start s "$SERVICE_WORK/s.log" line=^up sh -c "trap \"exit 4\" TERM; echo up; while :; do sleep 0.1; done"'
[ "$RC" -eq 1 ] && grep -q 's exited with status 4 on SIGTERM' <<<"$OUT" ||
    fail "a service ending badly at exit must fail the test (rc $RC): $OUT"
echo "ok - at exit: services stopped and checked, logs and diagnostics on failure, cleanups in reverse"

service_stop "$FAKE_PID" || fail "fake did not stop cleanly"
echo "service.sh: all tests passed"
