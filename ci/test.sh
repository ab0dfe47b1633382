#!/usr/bin/env bash
# CI: every test (unit, integration, e2e; normal and ASan+UBSan builds), as .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
exec make test
