#!/usr/bin/env bash
# Runs each libFuzzer target of a -DPOP_FUZZ=ON build for SECONDS on its corpus tests/fuzz/<t>/,
# then minimises the corpus: seed-* and crash-* files stay, and of the rest (old corpus plus
# what this run found) only a smallest set keeping the same coverage is kept.
# Usage: scripts/fuzz.sh BUILD_DIR SECONDS [TARGET...]   (no target: all of them)
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 BUILD_DIR SECONDS [TARGET...]" >&2; exit 2; }
build=$1 seconds=$2
shift 2
src=$(cd "$(dirname "$0")/.." && pwd)
corpus_max=${FUZZ_CORPUS_MAX:-300}

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1:strict_string_checks=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
export LSAN_OPTIONS="suppressions=$src/scripts/lsan.supp:print_suppressions=0"

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    for bin in "$build"/tests/fuzz/fuzz_*; do
        [ -x "$bin" ] && targets+=("${bin##*/fuzz_}")
    done
fi
[ ${#targets[@]} -gt 0 ] || { echo "fuzz: no targets in $build/tests/fuzz" >&2; exit 1; }

logs="$build/fuzz-logs"
mkdir -p "$logs"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
summary=()
for t in "${targets[@]}"; do
    bin="$build/tests/fuzz/fuzz_$t" corpus="$src/tests/fuzz/$t" dict="$src/tests/fuzz/$t.dict"
    [ -x "$bin" ] || { echo "fuzz: $bin is missing (build with -DPOP_FUZZ=ON)" >&2; exit 1; }
    mkdir -p "$corpus" "$build/fuzz-artifacts/$t"
    new="$work/$t-new" min="$work/$t-min"
    mkdir -p "$new" "$min"
    args=(-max_total_time="$seconds" -print_final_stats=1 -timeout=20 -rss_limit_mb=4096
          -artifact_prefix="$build/fuzz-artifacts/$t/")
    [ -f "$dict" ] && args+=(-dict="$dict")
    echo "fuzz: $t for ${seconds}s (log: $logs/$t.log)"
    # New inputs go to the first directory, so the corpus itself changes only when minimised.
    if ! "$bin" "${args[@]}" "$new" "$corpus" >"$logs/$t.log" 2>&1; then
        echo "fuzz: $t FAILED; the report is in $logs/$t.log:" >&2
        grep -E "^(==[0-9]+==ERROR|SUMMARY|.*fuzz property failed|artifact_prefix=.*Test unit written)" \
            "$logs/$t.log" | head -5 >&2 || true
        echo "fuzz: fix it, then copy the input into $corpus/crash-<what> (see tests/fuzz/README.md)" >&2
        status=1
        summary+=("$t: CRASH (see $build/fuzz-artifacts/$t/)")
        continue
    fi
    done_line=$(grep -E "^#[0-9]+[[:space:]]+DONE" "$logs/$t.log" | tail -1)
    execs=$(sed -n 's/^stat::average_exec_per_sec:[[:space:]]*//p' "$logs/$t.log")
    cov=$(sed -n 's/.* cov: \([0-9]*\) ft: \([0-9]*\) .*/\1 edges, \2 features/p' <<<"$done_line")

    # Minimise: seeds and crash inputs first, then whatever else keeps coverage.
    find "$corpus" -maxdepth 1 -type f \( -name 'seed-*' -o -name 'crash-*' \) -exec cp {} "$min/" \;
    if "$bin" -merge=1 "$min" "$corpus" "$new" >>"$logs/$t.log" 2>&1; then
        find "$corpus" -maxdepth 1 -type f ! -name 'seed-*' ! -name 'crash-*' -delete
        find "$min" -maxdepth 1 -type f ! -name 'seed-*' ! -name 'crash-*' -exec cp {} "$corpus/" \;
    else
        echo "fuzz: $t: merging the corpus failed (see $logs/$t.log); corpus left as it was" >&2
        status=1
    fi
    n=$(find "$corpus" -maxdepth 1 -type f | wc -l)
    [ "$n" -le "$corpus_max" ] ||
        echo "fuzz: $t: corpus has $n files (> $corpus_max); review what keeps growing" >&2
    summary+=("$t: ${execs:-?} exec/s, ${cov:-? coverage}, corpus $n files")
done

echo "fuzz: summary (${seconds}s per target)"
printf '  %s\n' "${summary[@]}" | tee "$build/fuzz-summary.txt"
exit $status
