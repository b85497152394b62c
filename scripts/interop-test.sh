#!/usr/bin/env bash
# Runs the interop suite (Tests/Interop) against the SuperLink named by SEPAL_SUPERLINK_CMD
# (default: <repo>/.build/release/sepal superlink), with the real Flower CLI and SuperNodes
# from the repo's .venv. Extra arguments go to pytest, e.g. `scripts/interop-test.sh -k stop`.
#
#   SEPAL_SUPERLINK_CMD=.venv/bin/flower-superlink scripts/interop-test.sh   # reference run
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
scripts/venv.sh
export FLWR_TELEMETRY_ENABLED=0 FLWR_DISABLE_UPDATE_CHECK=1
exec .venv/bin/python -m pytest Tests/Interop -q "$@"
