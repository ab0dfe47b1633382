#!/usr/bin/env bash
# CI: the benchmarks, printed (make bench asserts nothing; the log is the result).
set -euo pipefail
cd "$(dirname "$0")/.."
exec make bench
