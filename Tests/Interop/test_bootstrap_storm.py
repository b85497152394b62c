"""The first-time database bootstrap under load (protocol §5, Flower issue #6797).

Flower 1.28 migrates the SQLite file before any server starts; before that fix, the first RPCs
to arrive raced each other through Alembic on a fresh file (`table node already exists`,
segfaults). Here a fresh file is hit by a storm of mixed Control, ServerAppIo and Fleet calls
the moment the Control port accepts, 50 times in a row, and by two SuperLink processes opening
one fresh file at the same instant. Every first attempt must succeed and every file must end up
with exactly Flower's schema at Flower's head revision.
"""

from __future__ import annotations

import os
import signal
import time

from flwr.proto import control_pb2, control_pb2_grpc

import link_rpc
import standalone
from standalone import GRACEFUL_EXIT_STATUS, DatabaseReport, LinkPool

STORM_FILES = int(os.environ.get("SEPAL_STORM_FILES", "50"))
PER_KIND = 6  # x 6 kinds = 36 concurrent callers (48 RPCs: two kinds make two calls)
STORM_BUDGET_S = 110.0
TWIN_ROUNDS = int(os.environ.get("SEPAL_TWIN_ROUNDS", "10"))


def storm_ports(link: standalone.Link) -> link_rpc.Ports:
    return link_rpc.Ports(link.control_port, link.serverappio_port, link.fleet_port)


def check_file(db: os.PathLike, expected: dict[str, list[str]], runs: set[int],
               nodes: int | None = None) -> DatabaseReport:
    # A cleanly closed database has its WAL checkpointed into the file and removed.
    assert standalone.signed_off(db) == [], os.listdir(os.path.dirname(db))
    report = DatabaseReport.read(db)
    assert report.problems(expected) == [], report
    assert report.run_ids == runs, (report.run_ids, runs)
    if nodes is not None:
        assert report.node_count == nodes, report
    return report


def test_bootstrap_storm(links: LinkPool, fab: bytes) -> None:
    expected = standalone.flower_schema()
    began = time.monotonic()
    slowest_accept = 0.0
    for index in range(STORM_FILES):
        db = links.root / f"storm-{index}" / "state.db"
        db.parent.mkdir()
        link = links.start(f"storm-{index}", db)
        slowest_accept = max(slowest_accept, link.wait_accepting())
        # Calls to a port that is not accepting yet would be refused: a harness bug, not a
        # SuperLink one. All ports bind before any serves, so these return at once.
        link.wait_accepting(link.serverappio_port)
        link.wait_accepting(link.fleet_port)

        outcomes = link_rpc.storm(storm_ports(link), fab, per_kind=PER_KIND)
        assert link_rpc.failures(outcomes) == [], f"file {index}"
        assert len(outcomes) == PER_KIND * len(link_rpc.STORM_KINDS)

        code = link.terminate(signal.SIGTERM)
        assert code == GRACEFUL_EXIT_STATUS, f"file {index}: exit {code}\n{link.log_text()}"
        assert standalone.log_trouble(link.log_text()) == [], f"file {index}"
        runs = link_rpc.started_runs(outcomes)
        assert len(runs) == 2 * PER_KIND
        check_file(db, expected, runs, nodes=PER_KIND)
        assert time.monotonic() - began < STORM_BUDGET_S, f"only {index + 1} files in budget"
    print(f"{STORM_FILES} storms in {time.monotonic() - began:.1f}s; "
          f"slowest start to Control accepting: {slowest_accept:.3f}s")


def list_runs(port: int) -> set[int]:
    with link_rpc.channel(port) as ch:
        response = control_pb2_grpc.ControlStub(ch).ListRuns(
            control_pb2.ListRunsRequest(), timeout=link_rpc.RPC_TIMEOUT_S)
    return set(response.run_dict)


def start_run_on(port: int, fab: bytes) -> int:
    with link_rpc.channel(port) as ch:
        return link_rpc.start_run(control_pb2_grpc.ControlStub(ch), fab)


def test_two_superlinks_one_fresh_file(links: LinkPool, fab: bytes) -> None:
    """Two processes open one fresh file at the same instant: both migrate-or-wait, both
    serve, and the file has one schema. (Flower's in-process lock cannot cover this.)"""
    expected = standalone.flower_schema()
    for index in range(TWIN_ROUNDS):
        db = links.root / f"twins-{index}" / "state.db"
        db.parent.mkdir()
        pair = [links.new(f"twin-{index}-{side}", db) for side in "ab"]
        if index % 2:
            pair.reverse()  # either one may be first to the file
        for link in pair:
            link.start()
        for link in pair:
            link.wait_all_ports()

        # Both serve the same file: each sees the run started through the other.
        runs = {start_run_on(link.control_port, fab) for link in pair}
        for link in pair:
            assert list_runs(link.control_port) == runs, link.name

        for link in pair:
            code = link.terminate(signal.SIGTERM)
            assert code == GRACEFUL_EXIT_STATUS, f"{link.name}: exit {code}"
            assert standalone.log_trouble(link.log_text()) == [], link.name
        check_file(db, expected, runs)


def test_second_superlink_beside_running_one(links: LinkPool, fab: bytes) -> None:
    """A second SuperLink opening a file another one is serving: the file is up to date, so
    it changes nothing, and the running one keeps serving throughout."""
    expected = standalone.flower_schema()
    db = links.root / "beside" / "state.db"
    db.parent.mkdir()
    running = links.start("running", db)
    running.wait_all_ports()
    first = start_run_on(running.control_port, fab)

    def schema_sql() -> list[tuple[str, str, str]]:
        with standalone.closing_db(db) as conn:
            return conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY type, name"
                                ).fetchall()

    schema_before = schema_sql()
    second = links.start("second", db)
    second.wait_all_ports()
    during = start_run_on(running.control_port, fab)  # the first one still writes
    assert list_runs(second.control_port) == {first, during}
    assert second.terminate(signal.SIGTERM) == GRACEFUL_EXIT_STATUS
    assert standalone.log_trouble(second.log_text()) == []

    assert running.alive()
    after = start_run_on(running.control_port, fab)
    assert list_runs(running.control_port) == {first, during, after}
    assert schema_sql() == schema_before
    assert DatabaseReport.read(db).versions == [standalone.FLOWER_HEAD_REVISION]

    assert running.terminate(signal.SIGTERM) == GRACEFUL_EXIT_STATUS
    assert standalone.log_trouble(running.log_text()) == []
    check_file(db, expected, {first, during, after})
