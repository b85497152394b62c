"""How often a local-mode simulation gets its Ray cluster: N fresh FLWR_HOMEs in a row, the
example app through the real CLI (`flwr run`, default `:local:` connection), Sepal or Flower 1.28
as the local SuperLink. Prints one line per run and a summary.

    .venv/bin/python scripts/bench_ray_starts.py sepal|flower N [--workdir DIR]

`GRPC_ENABLE_FORK_SUPPORT` from the caller's environment reaches the SuperLink, its SuperExec
and the app (Sepal sets it to false for its apps unless it is set; Flower does not), so
`GRPC_ENABLE_FORK_SUPPORT=false … flower N` shows Flower with the same workaround. Each home's
SuperLink is stopped (Sepal: SIGTERM through its pid file) and whatever is left of its
session is SIGKILLed before the next starts. Hand-run; not part of CI. See docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "Tests" / "Interop"))
import harness  # noqa: E402
from test_local_mode import SEPAL, LocalHome  # noqa: E402

RAY_NEVER_STARTED = re.compile(
    r"The current node timed out during startup|gcs_server\.err|Failed to connect to GCS")


def session_leader(home: LocalHome) -> int | None:
    """Sepal: the pid file. Flower writes none: the session leader with this FLWR_HOME."""
    pid = home.superlink_pid()
    if pid is not None:
        return pid
    wanted = f"FLWR_HOME={home.root}".encode()
    for candidate in harness._live_pids():
        fields = harness._stat_fields(candidate)
        if fields is None or int(fields[3]) != candidate:
            continue
        try:
            if wanted in Path(f"/proc/{candidate}/environ").read_bytes().split(b"\0"):
                return candidate
        except OSError:
            continue
    return None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["sepal", "flower"])
    parser.add_argument("runs", type=int)
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix=f"ray-starts-{args.mode}-"))
    workdir.mkdir(parents=True, exist_ok=True)
    if args.mode == "sepal":
        bin_dir = workdir / "bin"
        done = harness.run_to_exit([str(SEPAL), "install", "--bin-dir", str(bin_dir)])
        assert done.returncode == 0, done.describe()
    else:
        bin_dir = harness.VENV_BIN
    ports = harness.PortAllocator()
    outcomes: list[str] = []
    for index in range(args.runs):
        home = LocalHome(workdir / f"home-{index}", bin_dir, ports.take())
        began = time.monotonic()
        run_id = home.start_run()
        leader = session_leader(home)
        if leader is not None:
            home.sessions.add(leader)
        status = "?"
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and not status.startswith("finished"):
            time.sleep(0.5)
            status = home.status(run_id)
        outcome = status
        if status != "finished:completed":
            tail = home.run_log_tail(run_id, lines=400)
            if RAY_NEVER_STARTED.search(tail):
                outcome = "ray-never-started"
            (workdir / f"run-{index}.log").write_text(tail)
        outcomes.append(outcome)
        print(f"{index}: run {run_id} {outcome} {time.monotonic() - began:.1f}s "
              f"load {os.getloadavg()[0]:.2f}", flush=True)
        home.cleanup()  # Sepal: SIGTERM via its pid file; then SIGKILL what is left of the session
    summary = {outcome: outcomes.count(outcome) for outcome in sorted(set(outcomes))}
    fork_support = os.environ.get("GRPC_ENABLE_FORK_SUPPORT", "<unset>")
    print(f"{args.mode} GRPC_ENABLE_FORK_SUPPORT={fork_support}: {json.dumps(summary)} "
          f"(logs of failed runs in {workdir})")


if __name__ == "__main__":
    main()
