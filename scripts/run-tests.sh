#!/usr/bin/env bash
# Runs every CTest suite (unit and integration) in each given build directory.
# Sanitizer runtime options are set here so a leak or UB report fails the test.
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 BUILD_DIR..." >&2; exit 2; }

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1:strict_string_checks=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
export LSAN_OPTIONS="suppressions=$(pwd)/scripts/lsan.supp:print_suppressions=0"

status=0
for dir in "$@"; do
    echo "=== tests in $dir ==="
    if ! ctest --test-dir "$dir" --output-on-failure --timeout 600; then
        status=1
    fi
done
exit $status
