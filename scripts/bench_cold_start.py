#!/usr/bin/env python3
"""Cold start of a *local* SuperLink (the one `flwr run` starts), Sepal vs Flower 1.28.

Run through scripts/bench-cold-start.sh (it builds Sepal and prepares .venv); this file needs
grpcio and flwr's generated protos, i.e. the repo's .venv python.

Each round: a fresh temporary FLWR_HOME, free loopback ports, then the exact command the Flower
CLI uses for its local SuperLink (plus `--fleet-api-address 127.0.0.1:<free>` unless
--exact-cli-flags, so a round never collides on the default 0.0.0.0:9092 with other work on a
shared machine). Timed from just before the exec:

* tcp_ms   — the Control API port first accepts a TCP connection (connect-poll, --poll-ms apart);
* ready_ms — the first OK answer to `flwr.proto.Control/ListFederations`, the CLI's liveness
             probe. The gRPC channel is built before the exec; the call is made the moment TCP
             accepts, with wait_for_ready and a long deadline, so it is answered as soon as the
             server can answer: the number is the server's, not a probe interval's;
* cpu_ms   — user+system CPU of the server's whole process tree at that answer (less sensitive
             to a shared machine than wall time; /proc ticks, so 10 ms steps);
* probe_ms — the probe's own cost: a fresh channel's connect + first call, made right after the
             answer against the then-ready server (the floor under ready_ms - tcp_ms).

The answer must list `@none/default` with simulation=true, else the run fails loudly (that is
also the check that both servers accept every flag). After each answer the process group and
every descendant we saw are stopped (SIGTERM, then SIGKILL) and waited for. A bench, not a test.
"""
from __future__ import annotations

import argparse
import math
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

import grpc
from flwr.proto import control_pb2  # the client side's message types only

LIST_FEDERATIONS = "/flwr.proto.Control/ListFederations"
CLK_TCK = os.sysconf("SC_CLK_TCK")


@dataclass
class Config:
    """One server binary in one storage mode."""
    name: str
    argv_prefix: list[str]
    database: bool
    rounds: int
    results: list[dict] = field(default_factory=list)


class BenchError(Exception):
    pass


# ---------------------------------------------------------------- processes


def proc_stat(pid: int) -> list[str] | None:
    """Fields of /proc/PID/stat after the command name (index 0 = state), or None if gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            raw = f.read()
    except OSError:
        return None
    return raw[raw.rindex(")") + 2:].split()


def descendants(root: int) -> dict[int, str]:
    """PID -> start time (to guard against PID reuse) of every live descendant of root."""
    children: dict[int, list[int]] = {}
    starts: dict[int, str] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        st = proc_stat(int(entry))
        if st is None:
            continue
        children.setdefault(int(st[1]), []).append(int(entry))
        starts[int(entry)] = st[19]
    found: dict[int, str] = {}
    todo = [root]
    while todo:
        for c in children.get(todo.pop(), []):
            if c not in found:
                found[c] = starts[c]
                todo.append(c)
    return found


def tree_cpu_ms(root: int) -> float:
    """utime+stime of root and its live descendants, in ms."""
    ticks = 0
    for pid in [root, *descendants(root)]:
        st = proc_stat(pid)
        if st is not None:
            ticks += int(st[11]) + int(st[12])
    return ticks * 1000.0 / CLK_TCK


def same_process(pid: int, start: str) -> bool:
    st = proc_stat(pid)
    return st is not None and st[19] == start and st[0] != "Z"


def stop_tree(proc: subprocess.Popen, grace_s: float = 10.0) -> None:
    """SIGTERM our process group and every descendant we saw (some start their own groups),
    wait, then SIGKILL whatever of those is left. Only PIDs that descend from our own child."""
    seen = descendants(proc.pid)
    def signal_all(sig: int) -> None:
        try:
            os.killpg(proc.pid, sig)  # start_new_session: the group id is our child's PID
        except ProcessLookupError:
            pass
        for pid, start in seen.items():
            if same_process(pid, start):
                try:
                    os.kill(pid, sig)
                except ProcessLookupError:
                    pass
    signal_all(signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    while time.monotonic() < deadline:
        seen.update(descendants(proc.pid))
        if proc.poll() is not None and not any(same_process(p, s) for p, s in seen.items()):
            return
        time.sleep(0.02)
    signal_all(signal.SIGKILL)
    proc.wait()


# ---------------------------------------------------------------- one round


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tail(path: str, lines: int = 25) -> str:
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError:
        return "(none)\n"


def superlink_argv(cfg: Config, home: str, control_port: int, exact: bool) -> list[str]:
    local = os.path.join(home, "local-superlink")
    argv = cfg.argv_prefix + [
        "--insecure", "--simulation", "--isolation", "subprocess",
        "--control-api-address", f"127.0.0.1:{control_port}",
        "--serverappio-api-address", "127.0.0.1:0",
        "--storage-dir", os.path.join(local, "ffs"),
        "--log-file", os.path.join(local, "superlink.log"),
        "--log-rotation-interval-hours", "24", "--log-rotation-backup-count", "7",
    ]
    if cfg.database:
        argv += ["--database", os.path.join(local, "state.db")]
    if not exact:
        argv += ["--fleet-api-address", f"127.0.0.1:{free_port()}"]
    return argv


def check_answer(raw: bytes) -> None:
    reply = control_pb2.ListFederationsResponse.FromString(raw)
    names = {f.name: f for f in reply.federations}
    fed = names.get("@none/default")
    if fed is None or not fed.simulation:
        raise BenchError(f"unexpected ListFederations answer: {reply}")


def probe_floor_ms(port: int) -> float:
    """What the probe itself costs: a fresh channel's connect + first ListFederations, against
    the same server once it is up. ready_ms - tcp_ms above this is the server's own."""
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        call = channel.unary_unary(LIST_FEDERATIONS, request_serializer=lambda b: b,
                                   response_deserializer=lambda b: b)
        t = time.perf_counter()
        call(b"", timeout=10, wait_for_ready=True)
        return (time.perf_counter() - t) * 1e3


def one_round(cfg: Config, args: argparse.Namespace, base_env: dict[str, str]) -> dict:
    home = tempfile.mkdtemp(prefix="sepal-coldstart-")
    try:
        # As the CLI: FLWR_HOME/local-superlink exists before the SuperLink starts.
        os.makedirs(os.path.join(home, "local-superlink"))
        port = free_port()
        argv = superlink_argv(cfg, home, port, args.exact_cli_flags)
        env = dict(base_env, FLWR_HOME=home)
        out_path = os.path.join(home, "stdout.log")
        # Everything the probe needs exists before the exec; a channel does not connect until
        # its first call. Tiny reconnect backoff: a refused attempt is retried at once.
        channel = grpc.insecure_channel(f"127.0.0.1:{port}", options=[
            ("grpc.initial_reconnect_backoff_ms", 1), ("grpc.min_reconnect_backoff_ms", 1),
            ("grpc.max_reconnect_backoff_ms", 5), ("grpc.enable_retries", 0),
        ])
        call = channel.unary_unary(LIST_FEDERATIONS, request_serializer=lambda b: b,
                                   response_deserializer=lambda b: b)
        poll_s = args.poll_ms / 1000.0
        with open(out_path, "wb") as out:
            t0 = time.perf_counter()
            proc = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=out,
                                    stderr=subprocess.STDOUT, start_new_session=True)
        try:
            deadline = t0 + args.timeout
            # 1. The port accepts TCP.
            while True:
                s = socket.socket()
                try:
                    if s.connect_ex(("127.0.0.1", port)) == 0:
                        tcp = time.perf_counter()
                        break
                finally:
                    s.close()
                if proc.poll() is not None:
                    raise BenchError(f"{cfg.name}: exited with {proc.returncode} before listening")
                if time.perf_counter() > deadline:
                    raise BenchError(f"{cfg.name}: port {port} not open after {args.timeout} s")
                time.sleep(poll_s)
            # 2. The first OK ListFederations.
            attempts = 0
            while True:
                attempts += 1
                try:
                    raw = call(b"", timeout=max(0.05, min(10.0, deadline - time.perf_counter())),
                               wait_for_ready=True)
                    ready = time.perf_counter()
                    break
                except grpc.RpcError as e:
                    last = f"{e.code()} {e.details()!r}"
                if proc.poll() is not None:
                    raise BenchError(f"{cfg.name}: exited with {proc.returncode} before answering ({last})")
                if time.perf_counter() > deadline:
                    raise BenchError(f"{cfg.name}: no OK ListFederations after {args.timeout} s ({last})")
                time.sleep(poll_s)
            cpu = tree_cpu_ms(proc.pid)
            check_answer(raw)
            floor = probe_floor_ms(port)
            if cfg.database and not os.path.exists(os.path.join(home, "local-superlink", "state.db")):
                raise BenchError(f"{cfg.name}: answered, but --database file was not created")
            if proc.poll() is not None:
                raise BenchError(f"{cfg.name}: exited with {proc.returncode} right after answering")
            return {"tcp_ms": (tcp - t0) * 1e3, "ready_ms": (ready - t0) * 1e3, "cpu_ms": cpu,
                    "probe_ms": floor, "attempts": attempts, "children": len(descendants(proc.pid))}
        except BenchError as e:
            raise BenchError(f"{e}\ncommand: {' '.join(argv)}\n--- stdout/stderr:\n{tail(out_path)}"
                             f"--- superlink.log:\n{tail(os.path.join(home, 'local-superlink', 'superlink.log'))}")
        finally:
            stop_tree(proc)
            channel.close()
    finally:
        shutil.rmtree(home, ignore_errors=True)


# ---------------------------------------------------------------- report


def nearest_rank(sorted_xs: list[float], q: float) -> float:
    return sorted_xs[max(0, math.ceil(q * len(sorted_xs)) - 1)]


def loadavg() -> str:
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def schedule(configs: list[Config]) -> list[Config]:
    """Rounds of all configs interleaved evenly, so a burst of load elsewhere hits all alike."""
    slots = [((k + 0.5) / c.rounds, i, c) for i, c in enumerate(configs) for k in range(c.rounds)]
    return [c for _, _, c in sorted(slots, key=lambda s: (s[0], s[1]))]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sepal-bin", required=True)
    p.add_argument("--flower-bin", required=True)
    p.add_argument("--sepal-rounds", type=int, default=20)
    p.add_argument("--flower-rounds", type=int, default=5)
    p.add_argument("--warmup", type=int, default=1, help="uncounted rounds per config first (page cache)")
    p.add_argument("--only", choices=["sepal", "flower"])
    p.add_argument("--modes", default="database,in-memory", help="database, in-memory or both")
    p.add_argument("--poll-ms", type=float, default=1.0, help="TCP connect-poll interval")
    p.add_argument("--timeout", type=float, default=60.0, help="per round, to the first OK answer")
    p.add_argument("--exact-cli-flags", action="store_true",
                   help="no --fleet-api-address (binds the default 0.0.0.0:9092, as the CLI does)")
    args = p.parse_args()

    env = dict(os.environ, FLWR_TELEMETRY_ENABLED="0", FLWR_DISABLE_UPDATE_CHECK="1")
    # Flower's SuperLink starts `flower-superexec` by name (Sepal runs its own binary).
    env["PATH"] = os.path.dirname(os.path.abspath(args.flower_bin)) + os.pathsep + env.get("PATH", "")
    modes = [m.strip() for m in args.modes.split(",")]
    if not set(modes) <= {"database", "in-memory"}:
        p.error(f"unknown mode in {args.modes}")
    configs = []
    for mode in modes:
        if args.only != "flower":
            configs.append(Config(f"sepal/{mode}", [args.sepal_bin, "superlink"], mode == "database", args.sepal_rounds))
        if args.only != "sepal":
            configs.append(Config(f"flower-1.28/{mode}", [args.flower_bin], mode == "database", args.flower_rounds))

    load_start = loadavg()
    print(f"== machine: {os.cpu_count()} cores, load average {load_start} (1/5/15 min) at start")
    for label, argv in (("sepal", [args.sepal_bin, "superlink", "-V"]), ("flower", [args.flower_bin, "--version"])):
        v = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60).stdout.strip()
        print(f"== {label}: {argv[0]} ({v.splitlines()[0] if v else 'no version'})")
    for c in configs:
        for _ in range(args.warmup):
            one_round(c, args, env)
    print(f"== warm-up done ({args.warmup} uncounted round(s) per config); timed rounds, interleaved:")
    for c in schedule(configs):
        r = one_round(c, args, env)
        c.results.append(r)
        print(f"  {c.name:<22} tcp {r['tcp_ms']:8.1f} ms  ready {r['ready_ms']:8.1f} ms  "
              f"cpu {r['cpu_ms']:6.0f} ms  probe {r['probe_ms']:5.1f} ms  children {r['children']}  load {loadavg().split()[0]}", flush=True)
    load_end = loadavg()

    print()
    print(f"== cold start, exec -> first OK Control/ListFederations (fresh FLWR_HOME each round; "
          f"p90 = nearest rank; load average {load_start} at start, {load_end} at end, {os.cpu_count()} cores)")
    print(f"{'server/mode':<22} {'metric':<9} {'n':>3} {'min':>8} {'median':>8} {'p90':>8} {'max':>8}")
    for c in configs:
        for metric in ("ready_ms", "tcp_ms", "cpu_ms", "probe_ms"):
            xs = sorted(r[metric] for r in c.results)
            print(f"{c.name:<22} {metric:<9} {len(xs):>3} {xs[0]:8.1f} {statistics.median(xs):8.1f} "
                  f"{nearest_rank(xs, 0.9):8.1f} {xs[-1]:8.1f}")
    return 0


def interrupted(signum, frame):
    raise KeyboardInterrupt  # unwinds through one_round's cleanup of the server it started


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGHUP, interrupted)
    try:
        sys.exit(main())
    except BenchError as e:
        print(f"FAILED: {e}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
