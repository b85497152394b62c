"""What the real `flwr` CLI prints for bad run IDs, and the gRPC status behind it.

The expected texts were captured from `flower-superlink` 1.28.0 (see REFERENCE.md). They only
come out this friendly if the SuperLink answers with Flower's exact status codes and detail
strings (`NOT_FOUND "Run ID not found"`, ...), which is what these tests pin down.
"""

from __future__ import annotations

import re

import grpc
import pytest
from flwr.proto import control_pb2, control_pb2_grpc

import harness
from conftest import CompletedRun

UNKNOWN_RUN = "12345"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def box_text(stderr: str) -> str:
    """The words of rich's error panel (`╭─ Error ─╮ │ text │ ╰──╯`), frame removed."""
    return " ".join(re.sub(r"[╭╮╰╯│─]", " ", ANSI.sub("", stderr)).split())


@pytest.mark.parametrize(
    ("args", "stdout", "panel"),
    [
        (["ls", "--run-id", UNKNOWN_RUN], "🔍 Displaying information for run ID 12345...\n",
         "Error Run ID not found."),
        (["stop", UNKNOWN_RUN], "✋ Stopping run ID 12345...\n", "Error Run ID not found."),
    ],
    ids=["ls", "stop"],
)
def test_bad_inputs_cli(deployment: harness.Deployment, args: list[str], stdout: str,
                        panel: str) -> None:
    result = deployment.flwr(*args, deployment.connection, check=False)
    assert result.returncode == 1, result.describe()
    assert result.stdout == stdout, result.describe()
    assert box_text(result.stderr) == panel, result.describe()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ls", "--run-id", UNKNOWN_RUN],
         " Displaying information for run ID 12345...\n\nRun ID not found."),
        (["stop", UNKNOWN_RUN], " Stopping run ID 12345...\n\nRun ID not found."),
    ],
    ids=["ls", "stop"],
)
def test_bad_inputs_cli_json(deployment: harness.Deployment, args: list[str],
                             message: str) -> None:
    result = deployment.flwr(*args, deployment.connection, "--format", "json", check=False)
    assert result.returncode == 0, result.describe()  # JSON mode reports failure in the body
    assert result.json() == {"success": False, "error-message": message}


def test_bad_inputs_cli_log(deployment: harness.Deployment) -> None:
    streamed = deployment.flwr("log", UNKNOWN_RUN, deployment.connection, check=False)
    assert streamed.returncode == 1, streamed.describe()
    assert streamed.stdout == "", streamed.describe()
    plain = ANSI.sub("", streamed.stderr)
    assert "Starting logstream for run_id `12345`" in plain, streamed.describe()
    assert box_text(plain.split("\n", 1)[1]) == "Error Run ID not found.", streamed.describe()

    # `--show` takes another path in the CLI: it logs an error and still exits 0.
    shown = deployment.flwr("log", UNKNOWN_RUN, deployment.connection, "--show", check=False)
    assert shown.returncode == 0, shown.describe()
    assert "Invalid run_id `12345`, exiting" in ANSI.sub("", shown.stderr), shown.describe()


def test_stop_finished_run_cli(deployment: harness.Deployment,
                               completed_run: CompletedRun) -> None:
    run_id = completed_run.run_id
    result = deployment.flwr("stop", run_id, deployment.connection, check=False)
    assert result.returncode == 1, result.describe()
    assert result.stdout == f"✋ Stopping run ID {run_id}...\n", result.describe()
    assert box_text(result.stderr) == f"Error Run ID {run_id} is already finished"
    assert deployment.list_run(run_id)["status"] == "finished:completed"


def test_bad_inputs_grpc(deployment: harness.Deployment, completed_run: CompletedRun) -> None:
    """The status codes and details behind the CLI texts, straight from the Control API."""
    with grpc.insecure_channel(f"127.0.0.1:{deployment.control_port}") as channel:
        stub = control_pb2_grpc.ControlStub(channel)

        def status_of(call) -> tuple[grpc.StatusCode, str]:
            with pytest.raises(grpc.RpcError) as caught:
                response = call()
                if not hasattr(response, "ListFields"):  # server stream: drain it
                    list(response)
            return caught.value.code(), caught.value.details()

        not_found = (grpc.StatusCode.NOT_FOUND, "Run ID not found")
        unknown = int(UNKNOWN_RUN)
        assert status_of(lambda: stub.ListRuns(
            control_pb2.ListRunsRequest(run_id=unknown), timeout=10)) == not_found
        assert status_of(lambda: stub.StopRun(
            control_pb2.StopRunRequest(run_id=unknown), timeout=10)) == not_found
        assert status_of(lambda: stub.StreamLogs(
            control_pb2.StreamLogsRequest(run_id=unknown), timeout=10)) == not_found
        finished = int(completed_run.run_id)
        assert status_of(lambda: stub.StopRun(
            control_pb2.StopRunRequest(run_id=finished), timeout=10)) == (
            grpc.StatusCode.FAILED_PRECONDITION, f"Run ID {finished} is already finished")
