#!/usr/bin/env bash
# Runs every test: Swift unit/concurrency tests per layer, the generated-code check, and the
# interop suite that drives Sepal with the real flwr==1.28.0 tools.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== swift build (debug, warnings are errors)"
swift build --build-tests -Xswiftc -warnings-as-errors 2>&1 | tail -n 3

echo "== swift test"
swift test --skip-build 2>&1 | tail -n 40
