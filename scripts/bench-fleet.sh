#!/usr/bin/env bash
# Fleet benchmark: Sepal vs Flower 1.28's own SuperLink, the same load client against both, one go.
#   scripts/bench-fleet.sh [--nodes N] [--concurrency C] [--duration S] [--mode heartbeat|pull|mixed[,…]]
#                          [--connections K] [--only sepal|flower] [--client-nice N] [--sepal-bin PATH]
# Prints the ECDSA P-384 verification floor twice (`openssl speed` and the server's own
# NodeAuthVerifier.verify, in CPU time), then per SuperLink and mode: req/s, p50/p99 latency,
# errors, server CPU per call (/proc/PID/stat utime+stime delta ÷ calls), the server's RSS right
# after start (idle), before the timed phase and at its peak (VmHWM), and the client's own CPU per
# call. Both SuperLinks keep state in a fresh SQLite file, run with `--isolation process` (no
# SuperExec children: the PID is the whole server) and get the same client and node count.
#
# Every call is signed afresh over a fresh timestamp, as a SuperNode signs; nothing is pre-signed.
# The client shares the machine's cores with the server: server CPU per call is measured from the
# server's own /proc entry, so it does not depend on that; req/s does, equally for both servers.
# Not run in CI (it takes minutes and measures the machine as much as the code).
set -euo pipefail
cd "$(dirname "$0")/.."
NODES=1000 CONC=32 DURATION=20 MODES=heartbeat ONLY="" CLIENT_NICE=0 CONNECTIONS="" SEPAL_BIN=""
while [ $# -gt 0 ]; do
  case "$1" in
    --nodes) NODES=$2; shift 2 ;;
    --concurrency) CONC=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --mode) MODES=$2; shift 2 ;;
    --only) ONLY=$2; shift 2 ;;
    --client-nice) CLIENT_NICE=$2; shift 2 ;;
    --connections) CONNECTIONS=$2; shift 2 ;;
    --sepal-bin) SEPAL_BIN=$2; shift 2 ;;  # another build of sepal, e.g. a baseline
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
# One TCP connection per node by default, as N SuperNode processes would have.
CONNECTIONS=${CONNECTIONS:-$NODES}
# Each connection is a socket on both sides.
ulimit -n $((2 * CONNECTIONS + 1024)) 2>/dev/null || ulimit -n "$(ulimit -Hn)"

scripts/install-deps.sh >/dev/null
scripts/venv.sh >/dev/null
swift build -c release --product sepal >/dev/null
swift build -c release --product sepal-fleet-load >/dev/null
BIN=$(swift build -c release --show-bin-path)
SEPAL_BIN=${SEPAL_BIN:-$BIN/sepal}
VENV=$PWD/.venv
PY=$VENV/bin/python
export FLWR_TELEMETRY_ENABLED=0 FLWR_DISABLE_UPDATE_CHECK=1
# Flower resolves its helper executables by name; its FLWR_HOME must not be the user's.
export PATH="$VENV/bin:$PATH"

work=$(mktemp -d)
export FLWR_HOME="$work/flwr-home"
mkdir -p "$FLWR_HOME"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() {
  local port=$1 pid=$2 deadline=$((SECONDS + 90))
  until $PY -c "import socket,sys; s=socket.socket(); s.settimeout(0.2); sys.exit(s.connect_ex(('127.0.0.1',$port)))" 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || { echo "server $pid exited before listening" >&2; return 1; }
    [ $SECONDS -lt $deadline ] || { echo "port $port never opened" >&2; return 1; }
    sleep 0.05
  done
}
kib() { awk -v f="$2:" '$1 == f {printf "%.1f", $2/1024}' "/proc/$1/status"; }

echo "== machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); $(openssl version)"
echo "== ECDSA P-384 verification floor"
verify_per_s=$(openssl speed -seconds 3 ecdsap384 2>/dev/null | awk '/nistp384/ {print $NF}' | tail -1)
openssl_ms=$($PY -c "print(f'{1000/float(\"$verify_per_s\"):.3f}')")
echo "openssl speed ecdsap384: $verify_per_s verify/s = $openssl_ms ms per verification"
swift_floor=$("$BIN/sepal-fleet-load" --verify-floor 3)
echo "$swift_floor"
swift_ms=$(sed -E 's/.*verify: ([0-9.]+) ms.*/\1/' <<<"$swift_floor")
echo "target: Sepal server CPU per heartbeat <= 1.25 x floor = $($PY -c "print(f'{1.25*$openssl_ms:.3f}')") ms (openssl)," \
  "$($PY -c "print(f'{1.25*$swift_ms:.3f}')") ms (NodeAuthVerifier)"

summary=()
run_one() {
  local name=$1 mode=$2; shift 2
  local fleet serverappio control
  fleet=$(free_port); serverappio=$(free_port); control=$(free_port)
  "$@" --insecure --isolation process --database "$work/$name-$mode.db" --storage-dir "$work/$name-$mode-ffs" \
    --fleet-api-address "127.0.0.1:$fleet" --serverappio-api-address "127.0.0.1:$serverappio" \
    --control-api-address "127.0.0.1:$control" >"$work/$name-$mode.log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  wait_port "$fleet" "$pid" || { tail -n 20 "$work/$name-$mode.log" >&2; return 1; }
  sleep 2  # let start-up settle (Flower binds its ports before it is done importing)
  local idle children
  idle=$(kib "$pid" VmRSS)
  children=$( (ps -o pid= --ppid "$pid" || true) | wc -l)
  echo
  echo "== $name, mode $mode (pid $pid, $children child processes): idle RSS right after start ${idle} MiB"
  local out
  out=$(nice -n "$CLIENT_NICE" "$BIN/sepal-fleet-load" --superlink "127.0.0.1:$fleet" --nodes "$NODES" \
    --connections "$CONNECTIONS" --concurrency "$CONC" --duration "$DURATION" --mode "$mode" --server-pid "$pid" --label "$name" || true)
  echo "$out"
  local json
  json=$(echo "$out" | $PY -c '
import re, sys
t = sys.stdin.read()
g = lambda p: (re.search(p, t) or [None, "n/a"])[1]
print(g(r"req/s=([0-9.]+)"), g(r"p50=([0-9.na/]+)"), g(r"p99=([0-9.na/]+)"), g(r"errors=([0-9]+)"),
      g(r"server CPU/call=([0-9.na/]+)"), g(r"peak \(VmHWM\)=([0-9.na/]+)"))')
  summary+=("$name $mode $idle $json")
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

IFS=, read -ra mode_list <<<"$MODES"
for mode in "${mode_list[@]}"; do
  [ "$ONLY" = "flower" ] || run_one sepal "$mode" "$SEPAL_BIN" superlink
  [ "$ONLY" = "sepal" ] || run_one flower-1.28 "$mode" "$VENV/bin/flower-superlink"
done

echo
echo "== summary ($NODES nodes over $CONNECTIONS connections, concurrency $CONC, ${DURATION}s per run;" \
  "floor: openssl $openssl_ms ms, NodeAuthVerifier $swift_ms ms per verification)"
printf '%-12s %-9s %8s %8s %8s %6s %11s %9s %9s %8s %8s\n' \
  server mode req/s p50_ms p99_ms errors cpu_ms/call x_openssl x_verify idle_MiB peak_MiB
for row in "${summary[@]}"; do
  read -r name mode idle rate p50 p99 errors cpu peak <<<"$row"
  r1=$($PY -c "print(f'{float(\"$cpu\")/$openssl_ms:.2f}')" 2>/dev/null || echo n/a)
  r2=$($PY -c "print(f'{float(\"$cpu\")/$swift_ms:.2f}')" 2>/dev/null || echo n/a)
  printf '%-12s %-9s %8s %8s %8s %6s %11s %9s %9s %8s %8s\n' \
    "$name" "$mode" "$rate" "$p50" "$p99" "$errors" "$cpu" "$r1" "$r2" "$idle" "$peak"
done
