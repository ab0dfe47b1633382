#!/usr/bin/env bash
# popd-rest's log cannot be forged by a client: a user name with a newline at login, control
# bytes in the HTTP method, a token whose sub holds a newline at logout. Each value must show
# up escaped inside its own line, never as a line of its own.
set -euo pipefail
. "$(dirname "$0")/../lib/popd.sh"

KEY_HEX=$(printf '%064x' 0 | tr 0 7)
popd_start POPD_JWT_KEY="$KEY_HEX"
LOG="$POPD_WORK/popd.log"
FORGED_TS="2031-01-01T00:00:00.000Z"

# jwt SUB: an HS256 token signed with the server's key, valid now.
jwt() {
    /usr/bin/python3 - "$KEY_HEX" "$1" <<'EOF'
import base64, hashlib, hmac, json, sys, time
key = bytes.fromhex(sys.argv[1])
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
now = int(time.time())
head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
body = b64(json.dumps({"iss": "popd-rest", "sub": sys.argv[2], "iat": now, "exp": now + 600,
                       "jti": "0123456789abcdef0123456789abcdef"}).encode())
sig = b64(hmac.new(key, f"{head}.{body}".encode(), hashlib.sha256).digest())
print(f"{head}.{body}.{sig}")
EOF
}

# raw BYTES: sends BYTES (with \r\n, \xNN escapes) on a fresh connection, prints the status line.
raw() {
    /usr/bin/python3 - "$POPD_PORT_FIXED" "$1" <<'EOF'
import socket, sys
data = sys.argv[2].encode().decode("unicode_escape").encode("latin1")
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(data)
print(s.recv(65536).split(b"\r\n")[0].decode("latin1"))
EOF
}

# no_forged_line TEXT: no line of the log starts with the forged timestamp, and TEXT, where it
# appears, is only inside a line that starts like a real one.
no_forged_line() {
    if grep -a -q "^$FORGED_TS" "$LOG"; then
        fail "a forged line reached the log: $(grep -a "^$FORGED_TS" "$LOG")"
    fi
    local lines
    lines=$(grep -a -- "$1" "$LOG" || true)
    [ -n "$lines" ] || return 0
    if grep -a -v -E '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z (debug|info |warn |error) ' <<<"$lines"; then
        fail "'$1' started a line of its own"
    fi
}

# 1. Login with a user name holding a newline and a fake line: refused as a malformed name
#    (400), and whatever is logged of it stays inside one line.
name=$(printf 'eve\n%s error login-forgery' "$FORGED_TS")
call POST /v1/login "$(jq -cn --arg u "$name" '{username: $u, password: "x"}')"
expect_problem 400 invalid-field username
no_forged_line "login-forgery"

# 2. Control bytes in the method: ESC, CR inside the token, DEL, BEL reach the access log.
for method in 'G\x1bT' 'DE\x7fL' 'P\x07ST'; do
    raw "$method /v1/info HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n" >/dev/null
done
sleep 0.3
if LC_ALL=C grep -a -q -P '[\x01-\x08\x0b-\x1f\x7f]' "$LOG"; then
    fail "a raw control byte reached the log: $(LC_ALL=C grep -a -n -P '[\x01-\x08\x0b-\x1f\x7f]' "$LOG" | cat -v)"
fi
grep -a -q 'access G\\x1bT /v1/info status=' "$LOG" || fail "the ESC method is not in the access log, escaped"
grep -a -q 'access DE\\x7fL /v1/info status=' "$LOG" || fail "the DEL method is not in the access log, escaped"

# 3. A correctly signed token whose sub holds a newline, used to log out: whether popd-rest
#    refuses the claim or not, the sub never starts a line.
TOKEN=$(jwt "$(printf 'tester\n%s info  logout-forgery' "$FORGED_TS")")
call POST /v1/logout
expect_problem 401 unauthorized "(sub)"
no_forged_line "logout-forgery"

echo "PASS: log lines cannot be forged"
