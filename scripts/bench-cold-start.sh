#!/usr/bin/env bash
# Cold-start benchmark of a local SuperLink (what `flwr run` starts), Sepal vs Flower 1.28.
#   scripts/bench-cold-start.sh [--sepal-rounds 20] [--flower-rounds 5] [--modes database,in-memory]
#                               [--only sepal|flower] [--warmup 1] [--poll-ms 1] [--exact-cli-flags]
#                               [--sepal-bin PATH] [--no-build]
# Times exec -> port accepts TCP and exec -> first OK Control/ListFederations (the CLI's probe) on a
# fresh FLWR_HOME per round, with the Flower CLI's exact local-SuperLink flags, with and without
# --database; prints min/median/p90/max and the load average. See scripts/bench_cold_start.py and
# docs/benchmarks.md ("Cold start (local SuperLink)"). Hand-run; not part of CI.
set -euo pipefail
cd "$(dirname "$0")/.."
SEPAL_BIN="" BUILD=1 pass=()
while [ $# -gt 0 ]; do
  case "$1" in
    --sepal-bin) SEPAL_BIN=$2; shift 2 ;;  # another build of sepal, e.g. a baseline
    --no-build) BUILD=0; shift ;;
    *) pass+=("$1"); shift ;;
  esac
done

scripts/install-deps.sh >/dev/null
scripts/venv.sh >/dev/null
if [ -z "$SEPAL_BIN" ]; then
  # Incremental: a no-op when the release binary is current; never benchmark a stale one.
  [ "$BUILD" = 0 ] || swift build -c release --product sepal >/dev/null
  SEPAL_BIN="$(swift build -c release --show-bin-path)/sepal"
fi
[ -x "$SEPAL_BIN" ] || { echo "no sepal binary at $SEPAL_BIN" >&2; exit 1; }
exec .venv/bin/python scripts/bench_cold_start.py --sepal-bin "$SEPAL_BIN" \
  --flower-bin "$PWD/.venv/bin/flower-superlink" "${pass[@]}"
