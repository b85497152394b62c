#!/usr/bin/env bash
# Runs every test: the Swift unit/concurrency tests of each layer (incl. the generated-code
# check and the bootstrap storms), then the interop suite that drives a release `sepal` with
# the real flwr==1.28.0 CLI and SuperNodes from the project's .venv.
set -euo pipefail
cd "$(dirname "$0")/.."
export FLWR_TELEMETRY_ENABLED=0 FLWR_DISABLE_UPDATE_CHECK=1

echo "== python venv (pinned flwr==1.28.0)"
scripts/venv.sh

echo "== swift build --build-tests (warnings are errors)"
swift build --build-tests -Xswiftc -warnings-as-errors 2>&1 | grep -E "warning:|error:|Compiling|Build complete" | grep -v Compiling || true
swift build --build-tests -Xswiftc -warnings-as-errors >/dev/null

echo "== swift test"
log=$(mktemp)
if ! swift test --skip-build >"$log" 2>&1; then
  grep -E "error:|failed|Executed" "$log" | tail -n 60
  echo "swift test FAILED (full log: $log)"
  exit 1
fi
grep -E "^\s+Executed .* tests" "$log" | tail -n 1
grep -E "Test run with" "$log" | tail -n 1 || true

echo "== swift build -c release --product sepal"
swift build -c release --product sepal >/dev/null

echo "== interop: real flwr 1.28 CLI + SuperNodes against sepal"
scripts/interop-test.sh
