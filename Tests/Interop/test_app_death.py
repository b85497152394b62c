"""A run whose ServerApp dies fails as Flower's does (protocol §1.6 tokens, §2.3): nobody tells
the SuperLink, the app's token simply stops being heartbeated, and once it expires (60 s after
the last heartbeat) the run becomes `finished:failed` with "No heartbeat received from the
run." and `finished_at` = the token's expiry. The SuperNodes are not disturbed.

The restart variant is Flower's e2e `test_serverapp_heartbeat.py` scenario: the SuperLink is
stopped while the run is running, the app is killed meanwhile, and the token (persisted in the
SQLite file) expires in the restarted SuperLink.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from flwr.proto import control_pb2, control_pb2_grpc

import harness
from conftest import RUN_DEADLINE_S

NO_HEARTBEAT = "No heartbeat received from the run."
#: Token TTL after a heartbeat (2 x 30 s) plus the app's heartbeat period and slack for the
#: lazy sweep and a busy machine.
EXPIRY_DEADLINE_S = 100.0
TOKEN_TTL_S = 60.0
HEARTBEAT_PERIOD_MAX_S = 30.0  # the app heartbeats well within its 30 s interval
LONG_RUN = "num-server-rounds=50"


@dataclass(frozen=True)
class RunStatus:
    status: str
    sub_status: str
    details: str
    finished_at: float | None  # POSIX seconds


def run_status(deployment: harness.Deployment, run_id: str) -> RunStatus:
    """Status, sub-status, details and finish time as the Control API reports them."""
    with deployment.control_channel() as channel:
        response = control_pb2_grpc.ControlStub(channel).ListRuns(
            control_pb2.ListRunsRequest(run_id=int(run_id)), timeout=10)
    run = response.run_dict[int(run_id)]
    finished = datetime.fromisoformat(run.finished_at).timestamp() if run.finished_at else None
    return RunStatus(run.status.status, run.status.sub_status, run.status.details, finished)


def serverapp_pid(superexec_pid: int) -> int:
    """The `flwr-serverapp` the SuperExec (`superexec_pid`) launched: its only child."""
    def launched() -> int | None:
        children = harness.child_pids(superexec_pid)
        return children[0] if len(children) == 1 else None

    pid = harness.wait_until(f"the ServerApp child of SuperExec {superexec_pid}", launched,
                             30.0)
    argv = harness.command_line(pid)
    assert any(part.endswith("flwr-serverapp") for part in argv[:2]), argv  # a check, not a lookup
    return pid


def superexec_pid_of(superlink: harness.ManagedProcess) -> int:
    """The SuperExec a `--isolation subprocess` SuperLink supervises: its only child."""
    children = harness.child_pids(superlink.pid)
    assert len(children) == 1, f"SuperLink children: {[harness.command_line(c) for c in children]}"
    argv = harness.command_line(children[0])
    assert "--plugin-type" in argv and "serverapp" in argv, argv
    return children[0]


def gone(pid: int) -> bool:
    """The process has exited (reaped, or a zombie nobody reaped yet)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat[stat.rindex(")") + 2] == "Z"


def wait_killed(pid: int) -> None:
    harness.wait_until(f"pid {pid} to be gone", lambda: gone(pid), 10.0, interval_s=0.05)


def assert_failed_by_expiry(deployment: harness.Deployment, run_id: str, killed_at: float,
                            heartbeat_before_kill: bool = True) -> RunStatus:
    """The run fails by token expiry; `heartbeat_before_kill`: the app was heartbeating right
    up to `killed_at` (so the expiry is within one heartbeat period of kill + TTL)."""
    deployment.wait_status(run_id, {"finished:failed"}, EXPIRY_DEADLINE_S)
    final = run_status(deployment, run_id)
    assert (final.status, final.sub_status, final.details) == (
        "finished", "failed", NO_HEARTBEAT), final
    # finished_at is the token's expiry: a heartbeat before the kill plus the 60 s TTL.
    assert final.finished_at is not None
    assert final.finished_at <= killed_at + TOKEN_TTL_S + 1.0, (final, killed_at)
    if heartbeat_before_kill:
        earliest = killed_at + TOKEN_TTL_S - HEARTBEAT_PERIOD_MAX_S - 1.0
        assert final.finished_at >= earliest, (final, killed_at)
    listed = deployment.list_run(run_id)
    assert listed["status"] == "finished:failed", listed
    # The log stream of a run that ended this way ends too (it does not wait for the app).
    streamed = deployment.flwr("log", run_id, deployment.connection, timeout=60.0)
    assert streamed.returncode == 0, streamed.describe()
    return final


@dataclass(frozen=True)
class KilledRun:
    """A long run whose ServerApp was SIGKILLed at `killed_at` (time.time())."""

    deployment: harness.Deployment
    run_id: str
    killed_at: float


def start_long_run(deployment: harness.Deployment) -> tuple[str, int]:
    """A 50-round run, waited until `running`; returns it and its ServerApp's PID."""
    run_id = deployment.start_run(run_config=LONG_RUN)
    deployment.wait_status(run_id, {"running"}, 90.0)
    return run_id, serverapp_pid(superexec_pid_of(deployment.superlink))


def kill_serverapp(deployment: harness.Deployment, run_id: str, app: int) -> KilledRun:
    os.kill(app, signal.SIGKILL)
    killed_at = time.time()
    wait_killed(app)
    return KilledRun(deployment, run_id, killed_at)


def stop_superlink_kill_serverapp_restart(deployment: harness.Deployment, run_id: str,
                                          app: int) -> KilledRun:
    superlink = deployment.superlink
    # SIGTERM the SuperLink process itself (not its group), as an operator would ...
    superlink.popen.send_signal(signal.SIGTERM)
    superlink.popen.wait(timeout=30)
    # ... then SIGKILL the app if it outlived it, and start the SuperLink again on the same
    # database, storage directory and ports.
    if not gone(app):
        os.kill(app, signal.SIGKILL)
    killed_at = time.time()
    superlink.stop()  # whatever is left of its group
    harness.wait_until("the old SuperLink's ports to be released",
                       lambda: not harness.port_accepts(deployment.control_port), 30.0)
    deployment.start_superlink()
    return KilledRun(deployment, run_id, killed_at)


@pytest.fixture(scope="module")
def killed_runs(make_deployment: Callable[..., harness.Deployment]) -> dict[str, KilledRun]:
    """Both scenarios, brought up to the kill together so that their token windows (the
    minute this module spends waiting) overlap: `plain` (subprocess isolation, app killed)
    and `restart` (SuperLink stopped, app killed, SuperLink restarted)."""
    plain, restart = make_deployment("app-death"), make_deployment("app-death-restart")
    for deployment in (plain, restart):
        deployment.start_superlink()
        deployment.start_supernodes(2)
    plain_run, plain_app = start_long_run(plain)
    restart_run, restart_app = start_long_run(restart)
    return {
        "plain": kill_serverapp(plain, plain_run, plain_app),
        "restart": stop_superlink_kill_serverapp_restart(restart, restart_run, restart_app),
    }


def test_killed_serverapp_fails_run(killed_runs: dict[str, KilledRun]) -> None:
    killed = killed_runs["plain"]
    deployment = killed.deployment
    assert_failed_by_expiry(deployment, killed.run_id, killed.killed_at)

    # Nothing else was hurt: the SuperNodes are up and the next run gets both of them.
    for node in deployment.supernodes:
        assert node.alive(), node.log_tail()
    assert deployment.superlink.alive()
    next_run = deployment.start_run(run_config="num-server-rounds=1")
    deployment.wait_status(next_run, {"finished:completed"}, RUN_DEADLINE_S)


def test_killed_serverapp_fails_run_after_restart(killed_runs: dict[str, KilledRun]) -> None:
    killed = killed_runs["restart"]
    # The app may have gone down with the SuperLink (no heartbeats after the SIGTERM), so
    # only the latest possible expiry is known.
    assert_failed_by_expiry(killed.deployment, killed.run_id, killed.killed_at,
                            heartbeat_before_kill=False)
    for node in killed.deployment.supernodes:
        assert node.alive(), node.log_tail()
