"""Stopping the SuperLink and supervising its SuperExec (`--isolation subprocess`).

Flower 1.28 stops gracefully on SIGINT, SIGTERM and SIGQUIT (exit codes 1, 3, 2 in its table,
process status 0 — see `standalone.GRACEFUL_EXIT_STATUS`). In `subprocess` isolation the
SuperLink owns a SuperExec child, which owns the ServerApps it launches: a stopped SuperLink
leaves none of them behind, and a SuperExec that dies is restarted (Sepal's supervision).
Signals go to the SuperLink's PID only, so what it stops is what it stopped itself.
"""

from __future__ import annotations

import os
import re
import signal
import time

import pytest
from flwr.proto import control_pb2_grpc

import harness
import link_rpc
import standalone
from standalone import GRACEFUL_EXIT_STATUS, DatabaseReport, Link, LinkPool

#: "SuperExec was killed by signal N; restarting in S s" (or "exited with status N; …").
RESTARTED = re.compile(r"SuperExec (was killed by signal \d+|exited with status \d+); restarting in")


def wait_superexec(link: Link, count: int = 1, deadline_s: float = 20.0) -> int:
    """The PID of the `count`-th SuperExec the SuperLink logged, once it is running."""

    def started() -> int | None:
        if not link.alive():
            raise harness.HarnessError(f"{link.name} exited with {link.returncode()}")
        pids = link.superexec_pids()
        return pids[count - 1] if len(pids) >= count and harness.pid_alive(pids[count - 1]) \
            else None

    return harness.wait_until(f"SuperExec #{count} of {link.name}", started, deadline_s,
                              interval_s=0.05, on_timeout=link.log_text)


def superexec_child(link: Link, pid: int) -> bool:
    """`pid` is a live SuperExec child of the SuperLink (what its log line claims)."""
    children = {p for p, _ in harness.descendants(link.pid)}
    try:
        cmdline = open(f"/proc/{pid}/cmdline", "rb").read().split(b"\0")
    except OSError:
        return False
    return pid in children and b"superexec" in b" ".join(cmdline)


def wait_run_left_pending(link: Link, run_id: int, deadline_s: float = 30.0) -> str:
    """Wait until the SuperExec took the run (its status is no longer `pending`)."""
    with link_rpc.channel(link.control_port) as ch:
        stub = control_pb2_grpc.ControlStub(ch)

        def taken() -> str | None:
            status = link_rpc.run_statuses(stub).get(run_id, "<not listed>")
            return None if status == "pending" else status

        status = harness.wait_until(f"run {run_id} to leave pending", taken, deadline_s,
                                    interval_s=0.2, on_timeout=link.log_text)
    assert status in ("starting", "running"), status
    return status


def start_run(link: Link, fab: bytes) -> int:
    with link_rpc.channel(link.control_port) as ch:
        return link_rpc.start_run(control_pb2_grpc.ControlStub(ch), fab,
                                  {"num-server-rounds": 1})


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_graceful_shutdown(links: LinkPool, fab: bytes, sig: signal.Signals) -> None:
    db = links.root / "state.db"
    link = links.start("graceful", db, isolation="subprocess")
    link.wait_all_ports()
    superexec = wait_superexec(link)
    links.adopt(superexec)
    assert superexec_child(link, superexec)

    # A run the SuperExec has launched a ServerApp for: that app must go too.
    run_id = start_run(link, fab)
    wait_run_left_pending(link, run_id)
    tree = harness.descendants(link.pid)
    links.strays.extend(tree)
    assert len(tree) >= 2, f"SuperExec and its ServerApp expected: {tree}"

    code = link.terminate(sig)
    assert code == GRACEFUL_EXIT_STATUS, link.log_text()
    log = link.log_text()
    assert f"Received {sig.name}" in log and "SuperLink terminated gracefully." in log, log
    # The SuperLink waits for its SuperExec, which waits for its apps: nothing is left.
    left = [pid for pid, start in tree if harness.pid_alive(pid, start)]
    assert left == [], f"still running after the SuperLink exited: {left}"

    assert standalone.signed_off(db) == []
    report = DatabaseReport.read(db)
    assert report.problems(standalone.flower_schema()) == [], report
    assert run_id in report.run_ids


def test_superexec_restarted_after_sigkill(links: LinkPool, fab: bytes) -> None:
    link = links.start("supervised", links.root / "state.db", isolation="subprocess")
    link.wait_all_ports()
    first = wait_superexec(link)
    links.adopt(first)
    assert superexec_child(link, first)

    os.kill(first, signal.SIGKILL)
    second = wait_superexec(link, count=2)
    links.adopt(second)
    assert second != first and not harness.pid_alive(first)
    assert superexec_child(link, second)
    assert RESTARTED.search(link.log_text()), link.log_text()

    # The new SuperExec does the job: a run submitted now is taken and its app launched.
    run_id = start_run(link, fab)
    wait_run_left_pending(link, run_id)
    # RequestToken moves the run to starting before the SuperExec logs the launch: wait for it.
    launched = f"for run {run_id} (pid"
    deadline = time.monotonic() + 60
    while launched not in link.log_text() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert launched in link.log_text(), link.log_text()

    links.strays.extend(harness.descendants(link.pid))
    assert link.terminate(signal.SIGTERM) == GRACEFUL_EXIT_STATUS
    assert not harness.pid_alive(second)
