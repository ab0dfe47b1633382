#!/usr/bin/env bash
# popd-rest's start-up (service_main): -h lists every setting, usage errors exit 2, bad settings
# and a dead engine exit 1 naming the problem, `init` writes a file that `-config` reads with
# the environment winning over it, POPD_VERBOSE turns on debug logging, SIGTERM exits 0.
set -euo pipefail
. "$(dirname "$0")/../lib/popd.sh"

# ---- usage ----
"$POPD_BIN" -h >"$POPD_WORK/help" || fail "-h did not exit 0"
grep -q '^usage: popd-rest \[-verbose\] \[-config FILE\]' "$POPD_WORK/help" || fail "-h: no usage line"
grep -q '^       popd-rest init \[FILE\]' "$POPD_WORK/help" || fail "-h: no init line"
for v in POPD_NAME POPD_PORT POPD_AUTH POPD_VERBOSE; do
    grep -q "^  $v=" "$POPD_WORK/help" || fail "-h does not list $v"
done
rc=0
"$POPD_BIN" -bogus 2>"$POPD_WORK/err" || rc=$?
[ "$rc" -eq 2 ] && grep -q "popd-rest: unknown argument '-bogus'" "$POPD_WORK/err" ||
    fail "unknown flag: exit $rc, $(cat "$POPD_WORK/err")"
rc=0
"$POPD_BIN" -config 2>"$POPD_WORK/err" || rc=$?
[ "$rc" -eq 2 ] || fail "-config without FILE: exit $rc"
echo "ok: usage"

# ---- bad settings and a dead engine: exit 1, the message names the problem ----
rc=0
POPD_AUTH=a:b POPD_PORT=70000 "$POPD_BIN" 2>"$POPD_WORK/err" || rc=$?
[ "$rc" -eq 1 ] && grep -q "configuration: POPD_PORT: '70000' is not an integer" "$POPD_WORK/err" ||
    fail "bad POPD_PORT: exit $rc, $(cat "$POPD_WORK/err")"
rc=0
POPD_AUTH=a:b POPD_VERBOSE=maybe "$POPD_BIN" 2>"$POPD_WORK/err" || rc=$?
[ "$rc" -eq 1 ] && grep -q "configuration: POPD_VERBOSE" "$POPD_WORK/err" ||
    fail "bad POPD_VERBOSE: exit $rc, $(cat "$POPD_WORK/err")"
rc=0
POPD_AUTH=a:b POPD_PASSWORD_ITERATIONS=1000 POPD_DB="$POPD_WORK/dead.db" \
    POPD_DOCKER_SOCKET="$POPD_WORK/no-engine.sock" "$POPD_BIN" 2>"$POPD_WORK/err" || rc=$?
[ "$rc" -eq 1 ] && grep -q "start-up: the Docker Engine at $POPD_WORK/no-engine.sock does not answer" \
    "$POPD_WORK/err" || fail "dead engine: exit $rc, $(cat "$POPD_WORK/err")"
grep -q "ready on" "$POPD_WORK/err" && fail "a failed start printed the ready line"
echo "ok: bad settings and start-up failures exit 1 naming the problem"

# ---- init writes a private file, never over an existing one ----
CONF="$POPD_WORK/popd.conf"
"$POPD_BIN" init "$CONF" >/dev/null || fail "init failed"
[ "$(stat -c %a "$CONF")" = 600 ] || fail "init: mode $(stat -c %a "$CONF")"
grep -Eq '^POPD_JWT_KEY=[0-9a-f]{128}$' "$CONF" || fail "init: no fresh signing key"
grep -q '^POPD_VERBOSE=false$' "$CONF" || fail "init: POPD_VERBOSE missing"
cp "$CONF" "$POPD_WORK/conf.before"
rc=0
"$POPD_BIN" init "$CONF" >/dev/null 2>"$POPD_WORK/err" || rc=$?
[ "$rc" -eq 1 ] && cmp -s "$CONF" "$POPD_WORK/conf.before" || fail "init overwrote a file (exit $rc)"
echo "ok: init"

# ---- serve from the file, the environment winning; VERBOSE from the environment ----
sed -i 's/^POPD_FLAVOURS=.*/POPD_FLAVOURS=filetiny:1:64/; s/^POPD_PORT=.*/POPD_PORT=1/' "$CONF"
POPD_ARGS=(-config "$CONF")
popd_start POPD_VERBOSE=true
POPD_ARGS=()
grep -q "popd-rest [0-9.]* ready on http://127.0.0.1:$POPD_PORT_FIXED (pop $POPD_NAME)" "$POPD_WORK/popd.log" ||
    fail "no ready line"
grep -q "config POPD_VERBOSE=true" "$POPD_WORK/popd.log" || fail "POPD_VERBOSE from the environment"
grep -q "config POPD_JWT_KEY=<redacted>" "$POPD_WORK/popd.log" || fail "the signing key is not redacted"
grep -q "$(sed -n 's/^POPD_JWT_KEY=//p' "$CONF")" "$POPD_WORK/popd.log" && fail "the signing key is in the log"
grep -q "$POPD_PASS" "$POPD_WORK/popd.log" && fail "the password is in the log"
grep -q ' debug ' "$POPD_WORK/popd.log" || fail "POPD_VERBOSE=true gave no debug lines"
popd_login || fail "login"
call GET /v1/flavours
[ "$HTTP_STATUS" = 200 ] || fail "flavours: HTTP $HTTP_STATUS"
jq -e '[.list[].id] | index("filetiny")' <<<"$RESP" >/dev/null || fail "POPD_FLAVOURS from the file: $RESP"
popd_stop || fail "SIGTERM did not end popd-rest with status 0"
grep -q "received SIGTERM; shutting down" "$POPD_WORK/popd.log" || fail "no shutdown line"
echo "ok: -config FILE then environment, POPD_VERBOSE, SIGTERM exits 0"

echo "popd startup: all tests passed"
