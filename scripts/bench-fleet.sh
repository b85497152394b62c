#!/usr/bin/env bash
# Fleet heartbeat benchmark: Sepal vs Flower 1.28's own SuperLink, same load client, one go.
#   scripts/bench-fleet.sh [--nodes N] [--concurrency C] [--duration S] [--mode heartbeat|pull|mixed] [--only sepal|flower]
# Prints the ECDSA P-384 verify floor (openssl speed), then req/s, p50/p99 latency, errors,
# server CPU per call and RSS for each SuperLink (state in a fresh SQLite file for both).
set -euo pipefail
cd "$(dirname "$0")/.."
NODES=1000 CONC=32 DURATION=20 MODE=heartbeat ONLY=""
while [ $# -gt 0 ]; do
  case "$1" in
    --nodes) NODES=$2; shift 2 ;;
    --concurrency) CONC=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --mode) MODE=$2; shift 2 ;;
    --only) ONLY=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done

scripts/install-deps.sh >/dev/null
scripts/venv.sh >/dev/null
swift build -c release --product sepal >/dev/null
swift build -c release --product sepal-fleet-load >/dev/null
BIN=$(swift build -c release --show-bin-path)
export FLWR_TELEMETRY_ENABLED=0 FLWR_DISABLE_UPDATE_CHECK=1
PY=.venv/bin/python

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() {
  local port=$1 deadline=$((SECONDS + 60))
  until $PY -c "import socket,sys; s=socket.socket(); s.settimeout(0.2); sys.exit(s.connect_ex(('127.0.0.1',$port)))" 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || { echo "port $port never opened" >&2; return 1; }
    sleep 0.05
  done
}

echo "== ECDSA P-384 verification floor (openssl speed ecdsap384)"
verify_per_s=$(openssl speed -seconds 3 ecdsap384 2>/dev/null | awk '/nistp384/ {print $NF}' | tail -1)
floor_ms=$($PY -c "print(f'{1000/float(\"$verify_per_s\"):.3f}')")
echo "verify/s=$verify_per_s  floor=${floor_ms} ms per verification; 1.25x floor = $($PY -c "print(f'{1.25*$floor_ms:.3f}')") ms"

run_one() {
  local name=$1; shift
  local fleet serverappio control
  fleet=$(free_port); serverappio=$(free_port); control=$(free_port)
  "$@" --insecure --isolation process --database "$work/$name.db" --storage-dir "$work/$name-ffs" \
    --fleet-api-address "127.0.0.1:$fleet" --serverappio-api-address "127.0.0.1:$serverappio" \
    --control-api-address "127.0.0.1:$control" >"$work/$name.log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  wait_port "$fleet"
  sleep 2
  local idle
  idle=$(awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$pid/status")
  echo
  echo "== $name (pid $pid): idle RSS after start ${idle} MiB"
  "$BIN/sepal-fleet-load" --superlink "127.0.0.1:$fleet" --nodes "$NODES" --concurrency "$CONC" \
    --duration "$DURATION" --mode "$MODE" --server-pid "$pid" --label "$name" || true
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

[ "$ONLY" = "flower" ] || run_one sepal "$BIN/sepal" superlink
[ "$ONLY" = "sepal" ] || run_one flower-1.28 .venv/bin/flower-superlink
