#!/usr/bin/env bash
# Holding a peer's requests to popd-rest (lib/hold_proxy.py), so a test acts at the moment one
# is in flight: hold_proxy_start puts the proxy in front of popd-rest (popd_start first); a VIM
# registered with "http://127.0.0.1:$HOLD_PORT" as its URL sends its driver's calls through it.
#   hold REGEX        hold the requests whose request line matches, from now on
#   release           let every held request go, and hold nothing more
#   held_count        how many requests were held so far (since HOLD_DIR/held was removed)
#   wait_held N WHAT  wait (30 s at most) until N requests were held, else fail naming WHAT
# Sets HOLD_DIR, HOLD_PORT, HOLD_PID. The proxy is killed at exit.

# hold_proxy_start
hold_proxy_start() {
    HOLD_DIR="$POPD_WORK/hold"
    HOLD_PORT="$(free_port)"
    mkdir -p "$HOLD_DIR"
    /usr/bin/python3 "$SERVICE_LIB/hold_proxy.py" "$HOLD_PORT" "$POPD_PORT_FIXED" "$HOLD_DIR" \
        >>"$POPD_WORK/hold.log" 2>&1 &
    HOLD_PID=$!
    on_exit "the hold proxy" _hold_proxy_stop
    for _ in $(seq 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$HOLD_PORT") 2>/dev/null && return 0
        sleep 0.05
    done
    fail "the hold proxy did not listen on port $HOLD_PORT: $(tail -n 5 "$POPD_WORK/hold.log")"
}

_hold_proxy_stop() { kill "$HOLD_PID" 2>/dev/null || true; }
hold() { printf '%s\n' "$1" >"$HOLD_DIR/hold.new" && mv "$HOLD_DIR/hold.new" "$HOLD_DIR/hold"; }
release() { rm -f "$HOLD_DIR/hold"; }
held_count() { cat "$HOLD_DIR/held" 2>/dev/null | grep -c . || true; }
wait_held() {
    for _ in $(seq 600); do
        [ "$(held_count)" -ge "$1" ] && return 0
        sleep 0.05
    done
    fail "$2: $1 request(s) held at popd-rest expected, $(held_count) seen"
}
