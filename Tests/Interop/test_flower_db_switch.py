"""Users switch in place: Flower's own `flower-superlink` makes a database and FAB store, the
SuperLink under test takes over the same files (same ports, same SuperNodes, no migration
step), and Flower's SuperLink can take them back afterwards.

The tests run in order on one module-wide deployment; each step needs the one before.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from flwr.proto import control_pb2, control_pb2_grpc

import harness
from conftest import RUN_DEADLINE_S
from test_deployment import round_accuracies

FLOWER_SUPERLINK = [str(harness.VENV_BIN / "flower-superlink")]


@dataclass
class Switch:
    deployment: harness.Deployment
    flower_run: str = ""
    sepal_run: str = ""
    listed_by_flower: list[dict[str, Any]] = field(default_factory=list)
    run_proto_by_flower: Any = None
    nodes_by_flower: dict[str, dict[str, Any]] = field(default_factory=dict)
    log_by_flower: str = ""
    fab_files: set[str] = field(default_factory=set)

    def switch_to(self, command: list[str]) -> None:
        """SIGTERM the SuperLink, start `command` on the same database, storage and ports."""
        self.deployment.superlink_argv = command
        exit_code = self.deployment.restart_superlink()
        # Both stop gracefully on SIGTERM, and a graceful stop exits 0 (Flower's flwr_exit).
        assert exit_code == 0, f"the old SuperLink exited {exit_code} after SIGTERM"
        assert self.deployment.superlink.argv[:len(command)] == command

    def run_proto(self, run_id: str) -> Any:
        """The run as the Control API sends it (fields the CLI does not print included)."""
        with self.deployment.control_channel() as channel:
            response = control_pb2_grpc.ControlStub(channel).ListRuns(
                control_pb2.ListRunsRequest(run_id=int(run_id)), timeout=10)
        return response.run_dict[int(run_id)]

    def nodes(self) -> dict[str, dict[str, Any]]:
        """`flwr supernode list --format json` by node ID, without the clock-dependent field."""
        result = self.deployment.flwr("supernode", "list", self.deployment.connection,
                                      "--format", "json")
        return {node["node-id"]: {k: v for k, v in node.items() if k != "online-elapsed"}
                for node in result.json()["nodes"]}

    def storage_files(self) -> set[str]:
        return {p.name for p in self.deployment.storage_dir.iterdir()}


@pytest.fixture(scope="module")
def switch(make_deployment: Callable[..., harness.Deployment]) -> Switch:
    deployment = make_deployment("switch", superlink_argv=FLOWER_SUPERLINK)
    deployment.start_superlink()
    deployment.start_supernodes(2)
    return Switch(deployment)


def needs(value: str, step: str) -> str:
    if not value:
        pytest.fail(f"needs {step}")
    return value


def test_flower_run_completes(switch: Switch) -> None:
    deployment = switch.deployment
    switch.flower_run = deployment.start_run(run_config="num-server-rounds=1")
    deployment.wait_status(switch.flower_run, {"finished:completed"}, RUN_DEADLINE_S)
    switch.listed_by_flower = deployment.list_all()
    switch.run_proto_by_flower = switch.run_proto(switch.flower_run)
    switch.nodes_by_flower = switch.nodes()
    assert [n["status"] for n in switch.nodes_by_flower.values()] == ["online", "online"]
    switch.log_by_flower = deployment.flwr("log", switch.flower_run, deployment.connection,
                                           "--show").stdout
    assert 1 in round_accuracies(switch.log_by_flower), switch.log_by_flower
    switch.fab_files = switch.storage_files()
    assert switch.fab_files, "Flower stored no FAB in --storage-dir"


def test_switch_lists_flower_run_unchanged(switch: Switch) -> None:
    run_id = needs(switch.flower_run, "test_flower_run_completes")
    switch.switch_to(harness.superlink_command())
    deployment = switch.deployment
    assert deployment.list_all() == switch.listed_by_flower
    run = deployment.list_run(run_id)
    assert run == switch.listed_by_flower[0], run
    assert run["status"] == "finished:completed"
    assert run["network-traffic"]["total-bytes"] > 0
    assert switch.run_proto(run_id) == switch.run_proto_by_flower
    # The SuperNodes Flower registered are listed exactly as Flower listed them.
    assert switch.nodes() == switch.nodes_by_flower


def test_switch_shows_flower_log(switch: Switch) -> None:
    run_id = needs(switch.flower_run, "test_flower_run_completes")
    deployment = switch.deployment
    shown = deployment.flwr("log", run_id, deployment.connection, "--show")
    assert shown.stdout == switch.log_by_flower, shown.describe()


def test_switch_new_run_reuses_fab(switch: Switch) -> None:
    needs(switch.flower_run, "test_flower_run_completes")
    deployment = switch.deployment
    # The Flower-registered SuperNodes carry on with the SuperLink under test, as the same
    # nodes (each registered once, when Flower served).
    for node in deployment.supernodes:
        assert node.alive(), node.log_tail()
        assert node.log_text().count("SuperNode ID:") == 1, node.log_tail()
    switch.sepal_run = deployment.start_run(run_config="num-server-rounds=1")
    deployment.wait_status(switch.sepal_run, {"finished:completed"}, RUN_DEADLINE_S)
    run = deployment.list_run(switch.sepal_run)
    assert run["fab-hash"] == switch.listed_by_flower[0]["fab-hash"], run
    # Same app, same bytes: the FAB Flower stored is the one used, nothing new was written.
    assert switch.storage_files() == switch.fab_files
    log = deployment.flwr("log", switch.sepal_run, deployment.connection, "--show")
    assert 1 in round_accuracies(log.stdout), log.describe()
    assert set(switch.nodes()) == set(switch.nodes_by_flower)


def test_switch_back_to_flower(switch: Switch) -> None:
    sepal_run = needs(switch.sepal_run, "test_switch_new_run_reuses_fab")
    deployment = switch.deployment
    listed_by_sepal = {run["run-id"]: run for run in deployment.list_all()}
    switch.switch_to(FLOWER_SUPERLINK)
    listed = {run["run-id"]: run for run in deployment.list_all()}
    assert listed == listed_by_sepal
    assert set(listed) == {switch.flower_run, sepal_run}
    assert listed[sepal_run]["status"] == "finished:completed"
    assert switch.run_proto(switch.flower_run) == switch.run_proto_by_flower
    shown = deployment.flwr("log", sepal_run, deployment.connection, "--show")
    assert 1 in round_accuracies(shown.stdout), shown.describe()
