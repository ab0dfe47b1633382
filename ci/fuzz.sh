#!/usr/bin/env bash
# CI: every libFuzzer target for FUZZ_SECONDS each (default 120); a crash fails the job and its
# input is left under tests/fuzz/<target>/crash-* for the artefacts.
set -euo pipefail
cd "$(dirname "$0")/.."
exec make fuzz FUZZ_SECONDS="${FUZZ_SECONDS:-120}"
