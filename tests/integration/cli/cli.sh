#!/usr/bin/env bash
# Helpers for the pop CLI tests, on top of ../lib/popd.sh: run pop and keep its stdout, stderr
# and exit status; read its YAML with PyYAML. Needs POP_BIN (and POPD_BIN for popd.sh).
. "$(dirname "${BASH_SOURCE[0]}")/../lib/popd.sh"

# cli_env: points pop at the running popd-rest, with a cache and HOME private to this test.
cli_env() {
    export POP_URL="$POPD_URL" POP_AUTH="$POPD_USER:$POPD_PASS"
    export XDG_CACHE_HOME="$POPD_WORK/cache" HOME="$POPD_WORK/home"
    mkdir -p "$HOME"
}

# pop_run ARGS...: runs pop; sets OUT, ERR and RC, whatever the exit status.
pop_run() {
    RC=0
    "$POP_BIN" "$@" >"$POPD_WORK/pop.out" 2>"$POPD_WORK/pop.err" || RC=$?
    OUT="$(cat "$POPD_WORK/pop.out")"
    ERR="$(cat "$POPD_WORK/pop.err")"
}

# pop_ok ARGS...: pop must exit 0 with nothing on stderr (a sanitizer report would be there).
pop_ok() {
    pop_run "$@"
    [ "$RC" -eq 0 ] || fail "pop $* exited $RC: $ERR"
    [ -z "$ERR" ] || fail "pop $* wrote to stderr: $ERR"
}

# pop_fails CODE TEXT ARGS...: pop must exit CODE, print nothing on stdout and exactly one
# line on stderr that contains TEXT.
pop_fails() {
    local code=$1 text=$2
    shift 2
    pop_run "$@"
    [ "$RC" -eq "$code" ] || fail "pop $* exited $RC, expected $code: $ERR"
    [ -z "$OUT" ] || fail "pop $* printed on stdout: $OUT"
    [ "$(wc -l <"$POPD_WORK/pop.err")" -eq 1 ] || fail "pop $*: expected one line on stderr: $ERR"
    [[ "$ERR" == pop:* ]] || fail "pop $*: error does not start with 'pop:': $ERR"
    [[ "$ERR" == *"$text"* ]] || fail "pop $*: expected '$text' in: $ERR"
}

# pop_usage ARGS...: pop must exit 2 and print the usage of the given command on stderr; the
# expected "usage: pop ..." line is in USAGE.
pop_usage() {
    pop_run "$@"
    [ "$RC" -eq 2 ] || fail "pop $* exited $RC, expected 2 (usage): $ERR"
    [ -z "$OUT" ] || fail "pop $* printed on stdout: $OUT"
    grep -qxF "$USAGE" "$POPD_WORK/pop.err" || fail "pop $*: expected '$USAGE' in: $ERR"
}

# yq EXPR: parses OUT as YAML (PyYAML, so YAML 1.1 look-alikes would show) and applies the jq
# expression EXPR to it as JSON; timestamps come out as strings.
yq() {
    python3 -c 'import sys, yaml, json; print(json.dumps(yaml.safe_load(sys.stdin), default=str))' \
        <<<"$OUT" | jq -r "$1"
}

# logins: how many logins popd-rest has granted so far.
logins() {
    grep -c "login: user '$POPD_USER'" "$POPD_WORK/popd.log" || true
}
