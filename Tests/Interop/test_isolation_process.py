"""`--isolation process` (protocol §1.3, §1.6): the SuperLink starts no SuperExec of its own;
the operator runs one (`sepal superexec`, or `SEPAL_SUPEREXEC_CMD`, e.g. Flower's
`flower-superexec`) against the ServerAppIo API, and runs complete through it. A SuperExec
without `--insecure` refuses to start, with Flower's exit code 602."""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Callable
from pathlib import Path

import pytest

import harness
from conftest import RUN_DEADLINE_S
from test_deployment import round_accuracies


def superexec_command() -> list[str]:
    """The SuperExec under test as an argv prefix."""
    raw = os.environ.get("SEPAL_SUPEREXEC_CMD")
    if not raw:
        return [str(harness.REPO / ".build" / "release" / "sepal"), "superexec"]
    command = shlex.split(raw)
    if "/" in command[0]:
        command[0] = str(Path(command[0]).resolve())
    return command


@pytest.fixture(scope="module")
def process_deployment(make_deployment: Callable[..., harness.Deployment]
                       ) -> harness.Deployment:
    deployment = make_deployment("isolation-process",
                                 superlink_flags=["--isolation", "process"])
    deployment.start_superlink()
    deployment.start_supernodes(2)
    return deployment


def test_run_completes_with_separate_superexec(process_deployment: harness.Deployment) -> None:
    deployment = process_deployment
    assert harness.child_pids(deployment.superlink.pid) == [], (
        "a --isolation process SuperLink started a process of its own")
    # Without a SuperExec nobody launches the ServerApp: the run waits, pending.
    run_id = deployment.start_run(run_config="num-server-rounds=1")
    assert deployment.run_status(run_id) == "pending"

    superexec = deployment.start_helper("superexec", [
        *superexec_command(), "--insecure",
        "--appio-api-address", f"127.0.0.1:{deployment.serverappio_port}",
        "--plugin-type", "serverapp",
    ])
    deployment.wait_status(run_id, {"finished:completed"}, RUN_DEADLINE_S)
    assert superexec.alive(), superexec.log_tail()
    # The ServerApp was the operator's SuperExec's child, not the SuperLink's.
    assert harness.child_pids(deployment.superlink.pid) == []
    log = deployment.flwr("log", run_id, deployment.connection, "--show")
    assert 1 in round_accuracies(log.stdout), log.describe()
    assert deployment.list_run(run_id)["status"] == "finished:completed"


def test_superexec_without_insecure_exits_602(process_deployment: harness.Deployment) -> None:
    done = harness.run_to_exit([
        *superexec_command(),
        "--appio-api-address", f"127.0.0.1:{process_deployment.serverappio_port}",
        "--plugin-type", "serverapp",
    ])
    # Flower's flwr_exit: the code is in the log, the process status is 1 (error).
    assert done.returncode == 1, done.describe()
    assert re.search(r"Exit Code: 602\n(ERROR :\s+)?SuperExec does not support TLS yet\.\n",
                     done.output), done.describe()
    assert process_deployment.superlink.alive()
