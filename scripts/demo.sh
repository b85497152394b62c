#!/usr/bin/env bash
# One-command demo: a SuperLink, two Flower SuperNodes and the `flwr` CLI on loopback,
# training examples/sklearn-digits with FedAvg, then printing per-round accuracy and the run.
#
#   scripts/demo.sh                    # Sepal's SuperLink (builds .build/release/sepal)
#   SUPERLINK=flower scripts/demo.sh   # Flower's Python flower-superlink, for comparison
#
# Env: SUPERLINK=sepal|flower (default sepal), ROUNDS=N (default: the app's 3),
#      DEMO_DEADLINE=seconds for the run (default 240), KEEP_TMP=1 keeps the temp dir and logs,
#      DEMO_FULL_LOG=1 prints the whole ServerApp log instead of the accuracy lines.
# Every process this script starts runs in its own session and is killed by its PID (process
# group) on exit, success or not.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
export FLWR_TELEMETRY_ENABLED=0 FLWR_DISABLE_UPDATE_CHECK=1 PYTHONUNBUFFERED=1

superlink_kind="${SUPERLINK:-sepal}"
deadline_s="${DEMO_DEADLINE:-240}"
app="$repo/examples/sklearn-digits"
connection="demo"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# MARK: - Processes and cleanup

pids=()
tmp="$(mktemp -d "${TMPDIR:-/tmp}/sepal-demo.XXXXXX")"
logs=("$tmp/superlink.log" "$tmp/supernode-0.log" "$tmp/supernode-1.log")

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    local pid
    for pid in "${pids[@]}"; do  # each was started by setsid: its PID is its process group
        kill -TERM -- "-$pid" 2>/dev/null || true
    done
    for pid in "${pids[@]}"; do
        for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL -- "-$pid" 2>/dev/null || true  # whatever of its group is left
    done
    if [[ "${KEEP_TMP:-0}" == 1 ]]; then
        echo "logs kept in $tmp"
    else
        rm -rf "$tmp"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fail() {
    echo "demo: FAILED: $*" >&2
    local log
    for log in "${logs[@]}"; do
        [[ -s "$log" ]] || continue
        echo "----- last lines of $(basename "$log") -----" >&2
        tail -n 25 "$log" >&2
    done
    exit 1
}

# start NAME LOG CMD...: run CMD in a new session, remember its PID.
start() {
    local name="$1" log="$2"
    shift 2
    setsid "$@" </dev/null >"$log" 2>&1 &
    local pid=$!
    pids+=("$pid")
    # setsid execs in place when the shell's child is not a group leader (always, here), so
    # $! is the process itself and leads its own group; check rather than assume.
    local pgid
    pgid="$(ps -o pgid= -p "$pid" 2>/dev/null | tr -d ' ' || true)"
    [[ -z "$pgid" || "$pgid" == "$pid" ]] || fail "$name: pid $pid is not its own group ($pgid)"
}

alive() { kill -0 "$1" 2>/dev/null; }

# MARK: - Toolchain

scripts/venv.sh
export PATH="$repo/.venv/bin:$PATH"  # SuperLinks and SuperNodes spawn flower-superexec by name
py="$repo/.venv/bin/python"

case "$superlink_kind" in
    sepal)
        say "building the Sepal SuperLink (swift build -c release --product sepal)"
        swift build -c release --product sepal
        superlink_cmd=("$repo/.build/release/sepal" superlink)
        ;;
    flower)
        superlink_cmd=("$repo/.venv/bin/flower-superlink")
        ;;
    *)
        echo "SUPERLINK must be 'sepal' or 'flower', not '$superlink_kind'" >&2
        exit 2
        ;;
esac

# MARK: - Ports, SuperLink, CLI config

# All six are bound at once, so they are distinct; the kernel said they were free just now.
read -r serverappio_port fleet_port control_port clientappio_0 clientappio_1 _ < <("$py" - <<'EOF'
import socket
socks = [socket.socket() for _ in range(6)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))
EOF
)

port_open() { "$py" -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.5).close()' "$1" 2>/dev/null; }

say "starting ${superlink_cmd[*]} (control 127.0.0.1:$control_port, fleet :$fleet_port)"
# Every process gets its own FLWR_HOME under $tmp (the ServerApp installs the FAB there).
start superlink "${logs[0]}" env FLWR_HOME="$tmp/superlink-home" "${superlink_cmd[@]}" --insecure \
    --database "$tmp/state.db" --storage-dir "$tmp/ffs" \
    --serverappio-api-address "127.0.0.1:$serverappio_port" \
    --fleet-api-address "127.0.0.1:$fleet_port" \
    --control-api-address "127.0.0.1:$control_port"
superlink_pid="${pids[-1]}"

export FLWR_HOME="$tmp/flwr-home"
mkdir -p "$FLWR_HOME"
cat >"$FLWR_HOME/config.toml" <<EOF
[superlink]
default = "$connection"

[superlink.$connection]
address = "127.0.0.1:$control_port"
insecure = true
EOF

ready_by=$((SECONDS + 60))
until port_open "$control_port"; do
    alive "$superlink_pid" || fail "the SuperLink exited while starting"
    ((SECONDS < ready_by)) || fail "the SuperLink's Control API did not open within 60s"
    sleep 0.2
done
until flwr ls "$connection" --format json >/dev/null 2>&1; do
    alive "$superlink_pid" || fail "the SuperLink exited while starting"
    ((SECONDS < ready_by)) || fail "'flwr ls' got no answer within 60s"
    sleep 0.5
done

# MARK: - SuperNodes

for i in 0 1; do
    port_var="clientappio_$i"
    start "supernode-$i" "${logs[$((i + 1))]}" env FLWR_HOME="$tmp/supernode-$i" \
        flower-supernode --insecure --superlink "127.0.0.1:$fleet_port" \
        --clientappio-api-address "127.0.0.1:${!port_var}" \
        --node-config "partition-id=$i num-partitions=2"
done
say "started 2 SuperNodes (partition-id 0 and 1 of 2)"
for i in 0 1; do
    until grep -q "SuperNode ID:" "${logs[$((i + 1))]}"; do
        alive "${pids[$((i + 1))]}" || fail "supernode-$i exited"
        ((SECONDS < ready_by + 60)) || fail "supernode-$i did not register within 60s"
        sleep 0.2
    done
done

# MARK: - The run

run_args=(run "$app" "$connection" --format json)
[[ -n "${ROUNDS:-}" ]] && run_args+=(--run-config "num-server-rounds=$ROUNDS")
say "flwr ${run_args[*]}"
run_json="$(flwr "${run_args[@]}")" || fail "flwr run failed: $run_json"
run_id="$("$py" -c 'import json,sys; d=json.load(sys.stdin); assert d["success"], d; print(d["run-id"])' <<<"$run_json")" \
    || fail "flwr run did not start a run: $run_json"
say "run $run_id started; waiting for it to finish (deadline ${deadline_s}s)"

started=$SECONDS
status=""
while :; do
    listing="$(flwr ls "$connection" --run-id "$run_id" --format json 2>/dev/null || true)"
    now_status="$("$py" -c 'import json,sys; print(json.load(sys.stdin)["runs"][0]["status"])' <<<"$listing" 2>/dev/null || echo "?")"
    if [[ "$now_status" != "$status" ]]; then
        status="$now_status"
        echo "    $((SECONDS - started))s: $status"
    fi
    case "$status" in
        finished:completed) break ;;
        finished:*) fail "run $run_id ended as $status" ;;
    esac
    alive "$superlink_pid" || fail "the SuperLink died during the run"
    ((SECONDS - started < deadline_s)) || fail "run $run_id not finished after ${deadline_s}s (status $status)"
    sleep 2
done
say "run $run_id completed in $((SECONDS - started))s"

# MARK: - Results

say "flwr log $run_id $connection --show"
log_text="$(flwr log "$run_id" "$connection" --show 2>&1)" || fail "flwr log failed: $log_text"
if [[ "${DEMO_FULL_LOG:-0}" == 1 ]]; then
    printf '%s\n' "$log_text"
else
    printf '%s\n' "$log_text" | sed 's/\x1b\[[0-9;]*m//g' | grep -E 'round [0-9]+: accuracy=|final: accuracy=' \
        | sed 's/^.*: *\(round\|final\)/\1/' || fail "no accuracy lines in the run's log"
fi

say "flwr ls $connection"
flwr ls "$connection"
say "demo finished OK (SuperLink: $superlink_kind)"
