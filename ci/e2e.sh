#!/usr/bin/env bash
# CI: only the end-to-end tests (tests/e2e: the stack under docker-compose, label e2e), on the
# release build and the local images.
set -euo pipefail
cd "$(dirname "$0")/.."
make build images
exec ctest --test-dir build/release -L e2e --output-on-failure --timeout 600
