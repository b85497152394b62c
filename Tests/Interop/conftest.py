"""Fixtures for the interop suite.

One deployment (the SuperLink under test + two real Flower SuperNodes + a temp FLWR_HOME for
the CLI) is shared by the whole session, because starting Python processes and completing a
federated run dominate the suite's time. Tests that change the deployment (stopping a run,
restarting the SuperLink) leave it usable for the next test. Modules that need another set-up
(TLS, SuperNode auth, another SuperLink command, ...) make their own with `make_deployment`.

On any test failure the log tails of the deployments the test used (SuperLink, SuperNodes,
helpers) and their last CLI invocations are attached to the report. All processes are stopped by PID at teardown, at interpreter exit and
on SIGTERM.
"""

from __future__ import annotations

import atexit
import math
import signal
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import harness
import standalone

#: Rounds of the deployment's reference run (the app's default `num-server-rounds`).
REFERENCE_ROUNDS = 3
RUN_DEADLINE_S = 150.0

_deployments: list[harness.Deployment] = []  # the session deployment, while it runs
_module_deployments: dict[str, list[harness.Deployment]] = {}  # by test module name

atexit.register(harness.stop_all_live)


def _raise_keyboard_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def pytest_configure(config: pytest.Config) -> None:
    # A SIGTERM to pytest (e.g. a CI timeout) must still run fixture teardown.
    signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        used = _deployments if "deployment" in getattr(item, "fixturenames", ()) else []
        used = used + _module_deployments.get(item.module.__name__, [])
        for deployment in used:
            for title, text in deployment.diagnostics():
                report.sections.append((f"{deployment.root.name}: {title}", text))
        pool = getattr(item, "funcargs", {}).get("links")
        if isinstance(pool, standalone.LinkPool):
            for title, text in pool.diagnostics():
                report.sections.append((title, text))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The reference run's test first (its failure then reads as what it is), the SuperLink
    restart last (it changes the shared deployment); otherwise collection order."""

    def rank(item: pytest.Item) -> int:
        name = getattr(item, "originalname", item.name)
        return {"test_deployment_e2e": 0, "test_restart_keeps_state": 2}.get(name, 1)

    items.sort(key=rank)


@pytest.fixture(scope="session")
def ports() -> harness.PortAllocator:
    return harness.PortAllocator()


@pytest.fixture
def links(tmp_path: Path, ports: harness.PortAllocator
          ) -> Iterator[standalone.LinkPool]:
    """SuperLinks started on their own by one test; log tails on failure, all stopped after."""
    pool = standalone.LinkPool(root=tmp_path, ports=ports)
    try:
        yield pool
    finally:
        pool.cleanup()


@pytest.fixture(scope="session")
def fab(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """examples/sklearn-digits as `flwr build` bundles it, built once per session."""
    import link_rpc  # noqa: PLC0415 - grpc and cryptography only for the tests that need them

    return link_rpc.build_fab(tmp_path_factory.mktemp("fab"))


@pytest.fixture(scope="session")
def deployment(tmp_path_factory: pytest.TempPathFactory,
               ports: harness.PortAllocator) -> Iterator[harness.Deployment]:
    """SuperLink (SQLite file DB, FFS dir) + two SuperNodes (partitions 0 and 1 of 2)."""
    deployment = harness.Deployment(root=tmp_path_factory.mktemp("deployment"), ports=ports)
    _deployments.append(deployment)
    try:
        deployment.start_superlink()
        deployment.start_supernodes(2)
        yield deployment
    finally:
        deployment.stop()
        _deployments.remove(deployment)


@pytest.fixture(scope="module")
def make_deployment(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
                    ports: harness.PortAllocator) -> Iterator[Callable[..., harness.Deployment]]:
    """A factory for deployments of one test module (its own SuperLink flags, TLS, ...).

    `make_deployment(name, **fields)` returns a not-yet-started `harness.Deployment`; every
    one made is stopped when the module's tests are done and its logs go into failure reports.
    """
    made = _module_deployments.setdefault(request.module.__name__, [])

    def make(name: str = "deployment", **fields: Any) -> harness.Deployment:
        deployment = harness.Deployment(root=tmp_path_factory.mktemp(name), ports=ports,
                                        **fields)
        made.append(deployment)
        return deployment

    try:
        yield make
    finally:
        for deployment in made:
            deployment.stop()
        _module_deployments.pop(request.module.__name__, None)


@dataclass(frozen=True)
class CompletedRun:
    """A run of the example app that finished, with the wall-clock window around it."""

    run_id: str
    rounds: int
    started_at: float  # time.time() just before `flwr run`
    finished_seen_at: float  # time.time() just after the status read `finished:completed`
    run_output: dict[str, Any]  # `flwr run --format json`

    @property
    def window(self) -> tuple[float, float]:
        """CLI timestamps have whole seconds (truncated), so widen the start down to one."""
        return math.floor(self.started_at), math.ceil(self.finished_seen_at)


@pytest.fixture(scope="session")
def completed_run(deployment: harness.Deployment) -> CompletedRun:
    """`flwr run examples/sklearn-digits` with the default 3 rounds, waited to completion."""
    started = time.time()
    result = deployment.flwr("run", str(harness.APP_DIR), deployment.connection,
                             "--format", "json")
    output = result.json()
    assert output.get("success") is True, result.describe()
    run_id = str(output["run-id"])
    deployment.wait_status(run_id, {"finished:completed"}, RUN_DEADLINE_S)
    return CompletedRun(run_id, REFERENCE_ROUNDS, started, time.time(), output)
