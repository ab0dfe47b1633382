#!/bin/sh
# Idles until stopped; CRASH_AFTER=N makes it exit with CRASH_CODE (default 3) after N seconds,
# so tests can watch a container fail on its own.
if [ -n "$CRASH_AFTER" ]; then
    sleep "$CRASH_AFTER"
    exit "${CRASH_CODE:-3}"
fi
exec sleep 2147483647
