"""Capture what the real `flwr` CLI and the Control API show against a SuperLink, as raw text.

Used to write REFERENCE.md from Flower's own `flower-superlink`; run it against Sepal to diff:

    SEPAL_SUPERLINK_CMD=.venv/bin/flower-superlink .venv/bin/python Tests/Interop/capture_reference.py > /tmp/flower.txt
    .venv/bin/python Tests/Interop/capture_reference.py > /tmp/sepal.txt   # default: sepal superlink

Prints one section per observation: the command, its exit code and stdout/stderr verbatim
(in `repr` form where escapes matter). Takes about two minutes.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

import grpc
from flwr.proto import control_pb2, control_pb2_grpc

sys.path.insert(0, str(Path(__file__).parent))
import harness  # noqa: E402


def section(title: str) -> None:
    print(f"\n## {title}\n", flush=True)


def show(result: harness.CliResult, as_repr: bool = False) -> None:
    print(f"$ flwr {' '.join(result.argv[1:])}")
    print(f"exit code: {result.returncode}")
    for name, text in (("stdout", result.stdout), ("stderr", result.stderr)):
        print(f"--- {name} ---")
        print(repr(text) if as_repr else text, end="" if as_repr is False else "\n")
    print(flush=True)


def rpc(stub_call, *args, **kwargs) -> str:
    try:
        response = stub_call(*args, timeout=10, **kwargs)
        if not hasattr(response, "ListFields"):
            items = list(response)
            return "OK stream: " + " | ".join(str(item).strip() for item in items)
        return "OK " + str(response).strip()
    except grpc.RpcError as error:
        return f"{error.code()} details={error.details()!r}"


def main() -> None:
    root = Path(tempfile.mkdtemp(prefix="sepal-reference-"))
    deployment = harness.Deployment(root=root, ports=harness.PortAllocator())
    conn = deployment.connection
    try:
        print(f"# SuperLink under test: {' '.join(harness.superlink_command())}")
        deployment.start_superlink()
        deployment.start_supernodes(2)
        control = control_pb2_grpc.ControlStub(
            grpc.insecure_channel(f"127.0.0.1:{deployment.control_port}"))

        section("flwr run (plain), 3 rounds")
        run_plain = deployment.flwr("run", str(harness.APP_DIR), conn)
        show(run_plain)
        run_id = run_plain.stdout.strip().split()[-1]
        deployment.wait_status(run_id, {"finished:completed"}, 180)

        section("flwr ls --format json (one completed run)")
        show(deployment.flwr("ls", conn, "--format", "json"))
        section("flwr ls --run-id ID --format json")
        show(deployment.flwr("ls", conn, "--run-id", run_id, "--format", "json"))
        section("flwr ls (table, COLUMNS=200)")
        wide = dict(harness.BASE_ENV)
        harness.BASE_ENV["COLUMNS"] = "200"
        show(deployment.flwr("ls", conn))
        harness.BASE_ENV.clear()
        harness.BASE_ENV.update(wide)

        section("flwr log ID --show (repr: ANSI colour codes included)")
        show(deployment.flwr("log", run_id, conn, "--show"), as_repr=True)

        section("Control.ListRuns(run_id) raw response")
        print(rpc(control.ListRuns, control_pb2.ListRunsRequest(run_id=int(run_id))))
        section("Control.StreamLogs(finished run) raw stream")
        print(rpc(control.StreamLogs, control_pb2.StreamLogsRequest(run_id=int(run_id)))[:600],
              "...")

        unknown = "12345"
        for args in (["ls", conn, "--run-id", unknown], ["ls", conn, "--run-id", unknown,
                                                         "--format", "json"],
                     ["stop", unknown, conn], ["stop", unknown, conn, "--format", "json"],
                     ["log", unknown, conn], ["log", unknown, conn, "--show"],
                     ["log", unknown, conn, "--format", "json"]):
            section(f"unknown run: flwr {' '.join(args)}")
            show(deployment.flwr(*args, check=False), as_repr=True)
        section("unknown run: Control API statuses")
        for name, call, request in (
                ("ListRuns(run_id=12345)", control.ListRuns,
                 control_pb2.ListRunsRequest(run_id=12345)),
                ("ListRuns(run_id=0)", control.ListRuns, control_pb2.ListRunsRequest(run_id=0)),
                ("StopRun(12345)", control.StopRun, control_pb2.StopRunRequest(run_id=12345)),
                ("StreamLogs(12345)", control.StreamLogs,
                 control_pb2.StreamLogsRequest(run_id=12345))):
            print(f"{name}: {rpc(call, request)}")

        section("flwr stop on an already-finished run")
        show(deployment.flwr("stop", run_id, conn, check=False), as_repr=True)
        show(deployment.flwr("stop", run_id, conn, "--format", "json", check=False))
        print("StopRun(finished):",
              rpc(control.StopRun, control_pb2.StopRunRequest(run_id=int(run_id))))

        section("flwr stop on a running run")
        long_run = deployment.start_run("num-server-rounds=1000")
        deployment.wait_status(long_run, {"running"}, 90)
        show(deployment.flwr("stop", long_run, conn))
        time.sleep(1)
        listing = deployment.list_run(long_run)
        print("status afterwards:", listing["status"], "finished-at:", listing["finished-at"])

        section("SuperLink SIGTERM")
        before = deployment.list_all()
        started = time.monotonic()
        code = deployment.superlink.stop()
        print(f"exit code {code} after {time.monotonic() - started:.1f}s")
        deployment.start_superlink()
        after = deployment.list_all()
        print("flwr ls identical after restart on same DB:", before == after)
        print(json.dumps(after, indent=2))
    finally:
        deployment.stop()
        if os.environ.get("KEEP_TMP") != "1":
            import shutil  # noqa: PLC0415

            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
