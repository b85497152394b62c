"""End-to-end deployment tests: the real `flwr` CLI and Flower SuperNodes against the
SuperLink under test (`SEPAL_SUPERLINK_CMD`), running examples/sklearn-digits."""

from __future__ import annotations

import re
import tomllib

import harness
from conftest import RUN_DEADLINE_S, CompletedRun

ANSI = re.compile(r"\x1b\[[0-9;]*m")
ROUND_LINE = re.compile(r"round (\d+): accuracy=(\d\.\d{4}) loss=(\d+\.\d{4})")
FINAL_LINE = re.compile(r"final: accuracy=(\d\.\d{4}) loss=(\d+\.\d{4}) rounds=(\d+)")

with open(harness.APP_DIR / "pyproject.toml", "rb") as _file:
    APP = tomllib.load(_file)
APP_NAME = APP["project"]["name"]
APP_VERSION = APP["project"]["version"]
APP_ID = f"{APP['tool']['flwr']['app']['publisher']}/{APP_NAME}"


def round_accuracies(log_text: str) -> dict[int, float]:
    """`round N: accuracy=...` lines of a ServerApp log, by round (round 0 = initial model)."""
    return {int(m[1]): float(m[2]) for m in ROUND_LINE.finditer(ANSI.sub("", log_text))}


def test_deployment_e2e(deployment: harness.Deployment, completed_run: CompletedRun) -> None:
    run = deployment.list_run(completed_run.run_id)
    assert run["run-id"] == completed_run.run_id
    assert run["status"] == "finished:completed", run

    # App identity: what `flwr run` reported and what the SuperLink stored agree.
    assert run["fab-id"] == APP_ID == completed_run.run_output["fab-id"]
    assert run["fab-name"] == APP_NAME == completed_run.run_output["fab-name"]
    assert run["fab-version"] == APP_VERSION == completed_run.run_output["fab-version"]
    assert run["fab-hash"] == completed_run.run_output["fab-hash"]
    assert re.fullmatch(r"[0-9a-f]{8}", run["fab-hash"]), run["fab-hash"]
    assert run["federation"] == "@none/default"

    # Lifecycle timestamps: all set, ordered, inside this test's wall-clock window.
    names = ["pending-at", "starting-at", "running-at", "finished-at"]
    stamps = [harness.parse_cli_time(run[name]) for name in names]
    assert stamps == sorted(stamps), dict(zip(names, map(str, stamps), strict=True))
    low, high = completed_run.window
    for name, stamp in zip(names, stamps, strict=True):
        assert low <= stamp.timestamp() <= high, (name, str(stamp), low, high)
    running_to_finished = (stamps[3] - stamps[2]).total_seconds()
    assert abs(run["elapsed"] - running_to_finished) <= 1.0, (run["elapsed"], running_to_finished)

    # Accounting: Fleet traffic was counted both ways; ClientApp runtime was reported.
    traffic = run["network-traffic"]
    assert traffic["inbound-bytes"] > 0 and traffic["outbound-bytes"] > 0, traffic
    assert traffic["total-bytes"] == traffic["inbound-bytes"] + traffic["outbound-bytes"]
    compute = run["compute-time"]
    assert compute["clientapp-seconds"] > 0, compute
    assert compute["serverapp-seconds"] >= 0, compute

    # The ServerApp's log reached the SuperLink: every round's accuracy line is there.
    log = deployment.flwr("log", completed_run.run_id, deployment.connection, "--show")
    accuracies = round_accuracies(log.stdout)
    wanted_rounds = set(range(1, completed_run.rounds + 1))
    assert wanted_rounds <= set(accuracies), log.describe()
    assert all(0.0 <= a <= 1.0 for a in accuracies.values()), accuracies
    assert accuracies[completed_run.rounds] >= 0.85, accuracies  # it really learned
    final = FINAL_LINE.search(ANSI.sub("", log.stdout))
    assert final and int(final[3]) == completed_run.rounds, log.describe()


def test_stop_second_run(deployment: harness.Deployment, completed_run: CompletedRun) -> None:
    long_run = deployment.start_run(run_config="num-server-rounds=1000")
    deployment.wait_status(long_run, {"running"}, 90.0)

    stop = deployment.flwr("stop", long_run, deployment.connection)
    assert f"Run {long_run} successfully stopped." in stop.stdout, stop.describe()
    assert deployment.wait_status(long_run, {"finished:stopped"}, 15.0) == "finished:stopped"
    stopped = deployment.list_run(long_run)
    assert stopped["status"] == "finished:stopped", stopped
    assert stopped["finished-at"] != "N/A", stopped

    # The SuperNodes survive the stop and drop the stopped run's messages: a fresh short run
    # still gets both of them.
    for node in deployment.supernodes:
        assert node.alive(), f"{node.name} died after flwr stop:\n{node.log_tail()}"
    short_run = deployment.start_run(run_config="num-server-rounds=1")
    deployment.wait_status(short_run, {"finished:completed"}, RUN_DEADLINE_S)
    assert deployment.list_run(short_run)["status"] == "finished:completed"
    for node in deployment.supernodes:
        assert node.alive(), f"{node.name} died:\n{node.log_tail()}"
    log = deployment.flwr("log", short_run, deployment.connection, "--show")
    assert 1 in round_accuracies(log.stdout), log.describe()


def test_restart_keeps_state(deployment: harness.Deployment,
                             completed_run: CompletedRun) -> None:
    before = {run["run-id"]: run for run in deployment.list_all()}
    assert completed_run.run_id in before
    unfinished = [r for r in before.values() if not r["status"].startswith("finished")]
    assert not unfinished, f"runs still active before the restart: {unfinished}"

    exit_code = deployment.restart_superlink()
    assert exit_code is not None, "SuperLink ignored SIGTERM and had to be SIGKILLed"

    after = {run["run-id"]: run for run in deployment.list_all()}
    assert after == before
    # The single-run lookup (ListRuns with run_id) reads the same persisted row.
    assert deployment.list_run(completed_run.run_id) == before[completed_run.run_id]
    for node in deployment.supernodes:
        assert node.alive(), f"{node.name} died while the SuperLink restarted:\n{node.log_tail()}"
