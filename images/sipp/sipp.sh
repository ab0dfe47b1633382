#!/bin/sh
# Shared by the sipp-server and sipp-client entrypoints (sourced): checks their environment and
# runs sipp with its statistics reported on stdout and in $SIPP_LOG_DIR/stats.txt.

SIPP_LOG_DIR=/var/log/sipp

sipp_fail() {
    echo "$SIPP_ROLE: $*" >&2
    exit 2
}

# sipp_need NAME...: fails naming every variable that is unset or empty.
sipp_need() {
    missing=
    for name in "$@"; do
        eval "value=\${$name:-}"
        [ -n "$value" ] || missing="$missing $name"
    done
    [ -z "$missing" ] || sipp_fail "missing required environment variable(s):$missing"
}

# sipp_uint NAME [MIN]: the variable must be a decimal integer of at most 9 digits, >= MIN.
sipp_uint() {
    eval "value=\${$1:-}"
    case "$value" in
    '' | *[!0-9]*) sipp_fail "$1='$value' is not a non-negative integer" ;;
    esac
    [ ${#value} -le 9 ] || sipp_fail "$1='$value' is too large"
    [ "$value" -ge "${2:-0}" ] || sipp_fail "$1='$value' must be at least ${2:-0}"
}

# sipp_rate NAME: a call rate, integer or decimal (sipp accepts fractional rates), not zero.
sipp_rate() {
    eval "value=\${$1:-}"
    echo "$value" | grep -Eq '^[0-9]{1,6}(\.[0-9]{1,3})?$' ||
        sipp_fail "$1='$value' is not a rate (calls per period, e.g. 10 or 0.5)"
    echo "$value" | grep -Eq '[1-9]' || sipp_fail "$1='$value' must be greater than 0"
}

# sipp_transport NAME: the transports this sipp build supports without extra files.
sipp_transport() {
    eval "value=\${$1:-}"
    case "$value" in
    u1 | un | t1 | tn) ;;
    *) sipp_fail "$1='$value' is not a supported transport mode (u1, un, t1, tn)" ;;
    esac
}

# The last line of sipp's statistics CSV as "calls <verb>=N successful=N failed=N"; reads only
# the header and the last line, since the CSV grows by a line every period.
sipp_summary() {
    [ -s "$SIPP_LOG_DIR/stats.csv" ] || return 1
    { head -n 1 "$SIPP_LOG_DIR/stats.csv" && tail -n 1 "$SIPP_LOG_DIR/stats.csv"; } |
        awk -F';' -v counted="$SIPP_COUNTED" -v verb="$SIPP_VERB" '
        NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
        NR == 2 && col[counted] && col["SuccessfulCall(C)"] && col["FailedCall(C)"] {
            printf "calls %s=%d successful=%d failed=%d\n", verb, $col[counted],
                $col["SuccessfulCall(C)"], $col["FailedCall(C)"]
            found = 1
        }
        END { exit !found }'
}

# Rewrites stats.txt atomically; prints the summary when it changed (or always with "final").
sipp_report() {
    line=$(sipp_summary) || return 0
    if [ "$line" != "$(head -n 1 "$SIPP_LOG_DIR/stats.txt" 2>/dev/null)" ] || [ "$1" = final ]; then
        printf '%s\nstate=%s\n' "$line" "$1" >"$SIPP_LOG_DIR/stats.tmp"
        mv "$SIPP_LOG_DIR/stats.tmp" "$SIPP_LOG_DIR/stats.txt"
        echo "$SIPP_ROLE: $1: $line"
    fi
}

# sipp_run PERIOD ARGS...: runs sipp ARGS with statistics every PERIOD s; SIGTERM/SIGINT stop
# it gracefully (sipp finishes and writes its final statistics). Leaves the exit status in
# sipp_status and the final counters in sipp_placed, sipp_successful, sipp_failed.
sipp_run() {
    period=$1
    shift
    mkdir -p "$SIPP_LOG_DIR"
    rm -f "$SIPP_LOG_DIR/stats.csv" "$SIPP_LOG_DIR/stats.txt"
    cd "$SIPP_LOG_DIR" || sipp_fail "cannot enter $SIPP_LOG_DIR"
    echo "$SIPP_ROLE: sipp $*"
    sipp "$@" -nostdin -trace_stat -stf "$SIPP_LOG_DIR/stats.csv" -fd "$period" \
        -trace_screen -screen_file "$SIPP_LOG_DIR/screen.log" &
    sipp_pid=$!
    stopping=0
    trap 'stopping=1; kill -TERM "$sipp_pid" 2>/dev/null' TERM INT
    (
        trap - TERM INT
        # Polls every second so a line appears soon after each of sipp's dumps.
        while sleep 1; do sipp_report running; done
    ) &
    reporter=$!
    sipp_status=0
    # wait returns early (status > 128) when a trapped signal arrives: wait again until sipp
    # itself has been reaped.
    while :; do
        wait "$sipp_pid"
        sipp_status=$?
        kill -0 "$sipp_pid" 2>/dev/null || break
    done
    kill "$reporter" 2>/dev/null
    wait "$reporter" 2>/dev/null
    sipp_placed=0 sipp_successful=0 sipp_failed=0
    sipp_report final
    if [ -s "$SIPP_LOG_DIR/stats.txt" ]; then
        set -- $(head -n 1 "$SIPP_LOG_DIR/stats.txt" | tr -c '0-9\n' ' ')
        sipp_placed=$1 sipp_successful=$2 sipp_failed=$3
    else
        echo "$SIPP_ROLE: sipp wrote no statistics" >&2
    fi
}
