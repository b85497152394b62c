"""Local mode (protocol §1.9): the Flower CLI's own local SuperLink is Sepal.

`flwr run` against a `:local:` / `:local-in-memory:` connection spawns `flower-superlink`
(detached, in its own session) with `--simulation`, probes `ListFederations` and sends
`StartRun` while the SuperLink's SuperExec polls `ListAppsToLaunch`, all on a database that did
not exist a moment before. With `sepal install --bin-dir DIR` first on PATH, that process is
Sepal, and the run is a real Ray simulation (`flwr-simulation` from `flwr[simulation]`).

Cleanup rule: the CLI starts the SuperLink in a new session, so every process it (and Ray)
starts carries that session ID; teardown stops the SuperLink by the PID in its pid file and
then SIGKILLs whatever is left in that session. Nothing is looked up by name.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import grpc
import pytest
from flwr.proto import appio_pb2, control_pb2, control_pb2_grpc, serverappio_pb2_grpc

import harness
import link_rpc
import standalone

SEPAL = harness.REPO / ".build" / "release" / "sepal"
HOMES = int(os.environ.get("SEPAL_LOCAL_HOMES", "5"))
STORM_HOMES = int(os.environ.get("SEPAL_LOCAL_STORM_HOMES", "50"))
RUN_DEADLINE_S = 240.0  # Ray start + 3 rounds on 2 shared cores
ROUND_LINE = re.compile(r"round (\d+): accuracy=(\d\.\d{4})")
FINAL_LINE = re.compile(r"final: accuracy=(\d\.\d{4}) loss=(\d+\.\d{4}) rounds=3")

pytestmark = pytest.mark.skipif(
    "SEPAL_SUPERLINK_CMD" in os.environ, reason="local mode installs the Sepal binary itself")


def describe(members: list[tuple[int, int]]) -> str:
    return "\n".join(f"{pid}: {' '.join(harness.command_line(pid))[:160]}" for pid, _ in members)


@dataclass
class LocalHome:
    """One fresh FLWR_HOME with Sepal installed as the CLI's `flower-superlink`."""

    root: Path
    bin_dir: Path
    control_port: int
    connection: str = "local"
    address: str = ":local:"
    sessions: set[int] = field(default_factory=set)
    extra_env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.root.mkdir(parents=True)
        (self.root / "config.toml").write_text(
            "[superlink]\n"
            f'default = "{self.connection}"\n\n'
            f"[superlink.{self.connection}]\n"
            f'address = "{self.address}"\n')

    @property
    def pid_file(self) -> Path:
        return self.root / "local-superlink" / "superlink.pid"

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, **harness.BASE_ENV,
                "PATH": f"{self.bin_dir}{os.pathsep}{harness.BASE_ENV['PATH']}",
                "FLWR_HOME": str(self.root),
                "FLWR_LOCAL_CONTROL_API_PORT": str(self.control_port), **self.extra_env}

    def flwr(self, *args: str, check: bool = True) -> harness.CliResult:
        argv = [str(harness.VENV_BIN / "flwr"), *args]
        try:
            done = subprocess.run(argv, capture_output=True, text=True, env=self.env,
                                  cwd=self.root, stdin=subprocess.DEVNULL,
                                  timeout=harness.CLI_TIMEOUT)
            result = harness.CliResult(argv, done.returncode, done.stdout, done.stderr)
        except subprocess.TimeoutExpired as expired:
            result = harness.CliResult(argv, -1, str(expired.stdout), str(expired.stderr))
        self.remember_superlink()
        if check and result.returncode != 0:
            raise harness.HarnessError(f"flwr failed:\n{result.describe()}")
        return result

    def sepal(self, *args: str) -> harness.CompletedCommand:
        return harness.run_to_exit([str(SEPAL), *args, "--flwr-home", str(self.root)], timeout=60)

    def superlink_pid(self) -> int | None:
        try:
            text = self.pid_file.read_text()
        except OSError:
            return None
        match = re.search(r"^pid=(\d+)$", text, re.M)
        return int(match.group(1)) if match else None

    def remember_superlink(self) -> None:
        pid = self.superlink_pid()
        if pid is not None:
            self.sessions.add(pid)  # the CLI starts it as a session leader

    def start_run(self, *extra: str) -> str:
        result = self.flwr("run", str(harness.APP_DIR), self.connection, "--format", "json",
                           "--federation-config", "num-supernodes=2", *extra)
        body = result.json()
        if not body.get("success") or "run-id" not in body:
            raise harness.HarnessError(f"flwr run did not start a run:\n{result.describe()}")
        return str(body["run-id"])

    def status(self, run_id: str) -> str:
        with grpc.insecure_channel(f"127.0.0.1:{self.control_port}") as ch:
            try:
                response = control_pb2_grpc.ControlStub(ch).ListRuns(
                    control_pb2.ListRunsRequest(run_id=int(run_id)), timeout=10)
            except grpc.RpcError as error:
                return f"<rpc error {error.code().name}>"
        run = response.run_dict.get(int(run_id))
        if run is None:
            return "<not listed>"
        s = run.status
        return f"{s.status}:{s.sub_status}" if s.status == "finished" else s.status

    def wait_status(self, run_id: str, wanted: str, deadline_s: float = RUN_DEADLINE_S) -> None:
        seen: list[str] = []

        def reached() -> bool:
            status = self.status(run_id)
            if not seen or seen[-1] != status:
                seen.append(status)
            if status.startswith("finished") and status != wanted:
                raise harness.HarnessError(f"run {run_id} ended {status}; seen {seen}\n"
                                           f"{self.log_tail()}\n--- run log ---\n"
                                           f"{self.run_log_tail(run_id)}")
            return status == wanted

        harness.wait_until(f"run {run_id} -> {wanted}", reached, deadline_s, interval_s=0.5,
                           on_timeout=lambda: f"seen {seen}\n{self.log_tail()}")

    def run_log_tail(self, run_id: str, lines: int = 60) -> str:
        result = self.flwr("log", run_id, self.connection, "--show", check=False)
        return "\n".join(harness.ANSI.sub("", result.stdout + result.stderr).splitlines()[-lines:])

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = (self.root / "local-superlink" / "superlink.log").read_text()
        except OSError:
            return "<no superlink.log>"
        return "\n".join(text.splitlines()[-lines:])

    def leftovers(self) -> list[tuple[int, int]]:
        return [m for sid in self.sessions for m in harness.session_members(sid)]

    def wait_no_leftovers(self, deadline_s: float = 20.0) -> None:
        harness.wait_until("every process of the local SuperLink to end",
                           lambda: not self.leftovers(), deadline_s, interval_s=0.1,
                           on_timeout=lambda: describe(self.leftovers()))

    def cleanup(self) -> None:
        self.remember_superlink()
        pid = self.superlink_pid()
        if pid is not None and harness.pid_alive(pid):
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + 15
            while harness.pid_alive(pid) and time.monotonic() < deadline:
                time.sleep(0.1)
        harness.kill_processes(self.leftovers())


@pytest.fixture(scope="module")
def bin_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`sepal install --bin-dir`: the documented install step, exactly as a user runs it."""
    assert SEPAL.is_file(), f"build the release binary first: {SEPAL}"
    directory = tmp_path_factory.mktemp("bin")
    done = harness.run_to_exit([str(SEPAL), "install", "--bin-dir", str(directory)])
    assert done.returncode == 0, done.describe()
    for name in ("sepal", "flower-superlink", "flower-superexec"):
        assert (directory / name).resolve() == SEPAL.resolve(), name
    again = harness.run_to_exit([str(SEPAL), "install", "--bin-dir", str(directory)])
    assert again.returncode == 0 and "already installed" in again.output, again.describe()
    # A relative DIR: the PATH line names it absolutely (it must work from anywhere).
    relative = subprocess.run([str(SEPAL), "install", "--bin-dir", "rel-bin"], cwd=directory,
                              capture_output=True, text=True, timeout=60, env=harness.BASE_ENV)
    assert relative.returncode == 0, relative.stderr
    assert f'export PATH="{directory / "rel-bin"}:$PATH"' in relative.stdout, relative.stdout
    # Into the binary's own directory: `sepal` is the binary itself, not replaced.
    own = tmp_path_factory.mktemp("own")
    shutil.copy2(SEPAL, own / "sepal")
    here = harness.run_to_exit([str(own / "sepal"), "install", "--bin-dir", str(own)])
    assert here.returncode == 0 and "is this binary" in here.output, here.describe()
    assert not (own / "sepal").is_symlink() and (own / "flower-superlink").is_symlink()
    return directory


@pytest.fixture
def homes(tmp_path: Path, bin_dir: Path, ports: harness.PortAllocator) -> Iterator:
    made: list[LocalHome] = []

    def make(name: str, bin_dir: Path = bin_dir, **kwargs) -> LocalHome:
        home = LocalHome(tmp_path / name, bin_dir, ports.take(), **kwargs)
        made.append(home)
        return home

    yield make
    for home in made:
        home.cleanup()


def check_completed(home: LocalHome, run_id: str) -> None:
    log = home.flwr("log", run_id, home.connection, "--show").stdout
    log = harness.ANSI.sub("", log)
    rounds = {int(m.group(1)) for m in ROUND_LINE.finditer(log)}
    assert {1, 2, 3} <= rounds, log[-3000:]
    assert FINAL_LINE.search(log), log[-3000:]
    listed = home.flwr("ls", home.connection, "--format", "json").json()
    entry = [r for r in listed["runs"] if str(r["run-id"]) == run_id]
    assert len(entry) == 1 and entry[0]["status"] == "finished:completed", listed


def test_simulation_completes_on_fresh_homes(homes) -> None:
    """The example app, unchanged, in simulation on 5 fresh FLWR_HOMEs in a row."""
    for index in range(HOMES):
        home = homes(f"home-{index}")
        began = time.monotonic()
        run_id = home.start_run()
        pid = home.superlink_pid()
        assert pid is not None, "the local SuperLink wrote no pid file"
        assert " ".join(harness.command_line(pid)).startswith("flower-superlink "), \
            harness.command_line(pid)
        home.wait_status(run_id, "finished:completed")
        check_completed(home, run_id)
        assert (home.root / "local-superlink" / "state.db").is_file()
        status = home.sepal("local", "status")
        assert status.returncode == 0 and f"pid {pid}" in status.output, status.describe()
        stop = home.sepal("local", "stop")
        assert stop.returncode == 0 and "Stopped" in stop.output, stop.describe()
        home.wait_no_leftovers()
        after = home.sepal("local", "status")
        assert after.returncode == 3, after.describe()
        print(f"home {index}: run {run_id} completed in {time.monotonic() - began:.1f}s")


FORK_PROBE = Path(__file__).with_name("fork_probe.py")


def test_apps_fork_safely_next_to_grpc(homes, tmp_path: Path) -> None:
    """Regression: ~1 Ray start in 10-20 failed ("gcs_server.err" missing, "node timed out
    during startup"); 1 in 4 with Flower's own SuperExec. Cause: gRPC Python 1.85.3 restarts its
    poller in every forked child (grpc/grpc#43055), so an app with a busy channel loses some
    `fork`+`preexec_fn` children (how Ray starts gcs_server and raylet) before `exec`.

    A stand-in `flwr-simulation` launched by Sepal's SuperExec forks 1000 times next to a busy
    channel without losing one; the same probe without the SuperExec's environment loses one.
    """
    bin_dir = tmp_path / "fork-bin"
    bin_dir.mkdir()
    for name in ("flower-superlink", "flower-superexec"):
        (bin_dir / name).symlink_to(SEPAL)
    stand_in = bin_dir / "flwr-simulation"
    stand_in.write_text(f'#!/bin/sh\nexec "{harness.VENV_BIN / "python"}" "{FORK_PROBE}" --forks 1000 "$@"\n')
    stand_in.chmod(0o755)
    report_file = tmp_path / "fork-probe.json"
    home = homes("fork", bin_dir=bin_dir, extra_env={"SEPAL_FORK_PROBE_OUT": str(report_file)})
    home.start_run()
    harness.wait_until("the stand-in app's report", report_file.exists, 120.0, interval_s=0.2,
                       on_timeout=home.log_tail)
    harness.wait_until("the report to be complete", lambda: report_file.read_text().endswith("}"),
                       10.0, interval_s=0.1)
    launched = json.loads(report_file.read_text())
    assert launched["fork_support"] == "false", launched
    assert launched["forks"] == 1000 and launched["lost"] == 0, launched

    # The control: the same probe, same SuperLink, with the environment the SuperExec replaces.
    env = {k: v for k, v in home.env.items()
           if k not in ("GRPC_ENABLE_FORK_SUPPORT", "SEPAL_FORK_PROBE_OUT")}
    done = subprocess.run(
        [str(harness.VENV_BIN / "python"), str(FORK_PROBE), "--serverappio-api-address",
         launched["address"], "--forks", "3000", "--until-first-failure"],
        env=env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    control = json.loads(done.stdout.strip().splitlines()[-1])
    assert control["lost"] == 1, (
        f"{control}: without GRPC_ENABLE_FORK_SUPPORT=false no forked child was lost in "
        f"{control['forks']} forks; if the pinned grpcio fixed grpc/grpc#43055, the SuperExec's "
        "workaround (SuperExec.appEnvironment) can go")


def test_launch_failure_reaches_flwr_log(homes, tmp_path: Path) -> None:
    """No `flwr-simulation` on the SuperLink's PATH: the run fails at once, and `flwr log`
    says why (a local SuperLink's own output goes to /dev/null)."""
    bare = tmp_path / "bare-bin"
    bare.mkdir()
    for name in ("sepal", "flower-superlink", "flower-superexec"):
        (bare / name).symlink_to(SEPAL)
    home = homes("no-sim", bin_dir=bare, extra_env={"PATH": f"{bare}:/usr/bin:/bin"})
    run_id = home.start_run()
    home.wait_status(run_id, "finished:failed", deadline_s=60)
    log = home.run_log_tail(run_id)
    assert "SuperExec could not launch the app: `flwr-simulation` was not found on PATH" in log, log


def test_in_memory_run_and_stop(homes) -> None:
    """`:local-in-memory:`: a run completes, a second one is stopped with `flwr stop`."""
    home = homes("in-memory", connection="local-mem", address=":local-in-memory:")
    first = home.start_run()
    home.wait_status(first, "finished:completed")
    check_completed(home, first)
    assert not (home.root / "local-superlink" / "state.db").exists(), "in-memory wrote a file"

    second = home.start_run("--run-config", "num-server-rounds=500")
    home.wait_status(second, "running")
    home.flwr("stop", second, home.connection)
    home.wait_status(second, "finished:stopped", deadline_s=60)
    # The SuperLink outlives the CLI and serves on: the first run is still listed.
    assert home.status(first) == "finished:completed"


def test_sigterm_mid_run_leaves_nothing(homes) -> None:
    """SIGTERM to the local SuperLink mid-simulation: SuperExec, flwr-simulation and all of
    Ray's processes end with it."""
    home = homes("sigterm")
    run_id = home.start_run("--run-config", "num-server-rounds=500")
    home.wait_status(run_id, "running")
    pid = home.superlink_pid()
    assert pid is not None
    harness.wait_until("Ray to be up under the SuperLink",
                       lambda: len(home.leftovers()) >= 5, 60, interval_s=0.2,
                       on_timeout=lambda: describe(home.leftovers()))
    os.kill(pid, signal.SIGTERM)
    home.wait_no_leftovers()
    assert home.sepal("local", "status").returncode == 3


def test_refusals_reach_the_cli(homes, ports: harness.PortAllocator) -> None:
    """A state.db that is not a state database, and a taken Control port: the SuperLink exits
    at once with one clear line, so the CLI says "Unable to start" instead of waiting 15 s."""
    home = homes("bad-db")
    db = home.root / "local-superlink" / "state.db"
    db.parent.mkdir(parents=True)
    db.write_bytes(b"this is not a database" * 100)
    began = time.monotonic()
    result = home.flwr("run", str(harness.APP_DIR), home.connection, check=False)
    assert result.returncode != 0, result.describe()
    assert time.monotonic() - began < 12, "the CLI waited for a SuperLink that had exited"
    assert db.read_bytes() == b"this is not a database" * 100, "the file was touched"
    log = (home.root / "local-superlink" / "superlink.log").read_text()
    # Flower's exit record: "ERROR flwr … | Exit Code: 105", then the message naming the file.
    assert re.search(r"(?m)^ERROR flwr .*\| Exit Code: 105\n.*state\.db", log), log

    taken = homes("taken-port")
    with socket_listening(taken.control_port):
        result = taken.flwr("run", str(harness.APP_DIR), taken.connection, check=False)
    assert result.returncode != 0, result.describe()
    log = (taken.root / "local-superlink" / "superlink.log").read_text()
    assert "Control" in log and str(taken.control_port) in log, log


class socket_listening:  # noqa: N801 - a context manager named for what it holds
    """Something else listening on 127.0.0.1:port for the duration."""

    def __init__(self, port: int) -> None:
        import socket  # noqa: PLC0415

        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen()

    def __enter__(self) -> socket_listening:
        return self

    def __exit__(self, *exc: object) -> None:
        self.sock.close()


def test_second_local_superlink_refuses(homes) -> None:
    """Two local SuperLinks for one FLWR_HOME: the second refuses before opening the
    database; the first is untouched and keeps serving."""
    home = homes("twice")
    run_id = home.start_run()
    pid = home.superlink_pid()
    argv = harness.command_line(pid)
    # Same flags, another Control port (the first holds the CLI's), same FLWR_HOME.
    args = list(argv[1:])
    control = args.index("--control-api-address")
    free = harness.PortAllocator().take()
    args[control + 1] = f"127.0.0.1:{free}"
    done = harness.run_to_exit([str(home.bin_dir / "flower-superlink"), *args], timeout=30)
    assert done.returncode == 1, done.describe()
    assert "Another local SuperLink" in done.output, done.describe()
    home.wait_status(run_id, "finished:completed")
    assert harness.pid_alive(pid)


RACE_START = """
import pathlib, sys, time
from flwr.cli.local_superlink import ensure_local_superlink
from flwr.cli.typing import SuperLinkConnection
ready, go = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
ready.touch()  # flwr is imported
while not go.exists():
    time.sleep(0.001)
try:
    ensure_local_superlink(SuperLinkConnection(name="local", address=":local:"))
    print("OK")
except Exception as error:
    print(f"FAIL {error}")
"""


def test_two_clis_start_one_local_superlink(homes) -> None:
    """Two `flwr` commands at once on a fresh FLWR_HOME each spawn a local SuperLink (the CLI's
    own start-up code, released together): one wins the pid file, and the other waits for it to
    serve before giving way, so both CLIs get their answer (Flower: both OK; before the fix the
    loser exited in milliseconds and its CLI failed 3 of 3)."""
    for index in range(3):
        home = homes(f"race-{index}")
        go = home.root / "go"
        ready = [home.root / f"ready-{n}" for n in range(2)]
        racers = [subprocess.Popen([str(harness.VENV_BIN / "python"), "-c", RACE_START,
                                    str(flag), str(go)],
                                   env=home.env, cwd=home.root, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                  for flag in ready]
        try:
            harness.wait_until("both CLIs to have imported flwr",
                               lambda: all(flag.exists() for flag in ready), 60.0, interval_s=0.05)
            go.touch()  # released together
            outputs = [racer.communicate(timeout=60)[0] for racer in racers]
        finally:
            for racer in racers:
                if racer.poll() is None:
                    racer.kill()
                    racer.wait()
        home.remember_superlink()
        assert all(out.strip().endswith("OK") for out in outputs), outputs
        status = home.sepal("local", "status")
        assert status.returncode == 0, status.describe()
        assert home.flwr("ls", home.connection, "--format", "json").json()["success"]


def test_first_contact_storm(tmp_path: Path, bin_dir: Path, ports: harness.PortAllocator,
                             fab: bytes) -> None:
    """50 fresh local SuperLinks (the CLI's exact flags), each hit by the probe,
    `ListAppsToLaunch` and `StartRun` within a millisecond of the Control port accepting;
    every first attempt answers OK and every file has Flower's schema. (A Control port that
    accepts means every API is listening: Sepal binds Control last.)"""
    expected = standalone.flower_schema()
    slowest = 0.0
    for index in range(STORM_HOMES):
        home = tmp_path / f"storm-{index}"
        (home / "local-superlink").mkdir(parents=True)  # as the CLI does before it spawns
        control, appio = ports.take(), ports.take()
        argv = [str(bin_dir / "flower-superlink"), "--insecure", "--simulation",
                # The storm stands in for the SuperExec: a real one would launch Ray 50 times.
                "--isolation", "process",
                "--control-api-address", f"127.0.0.1:{control}",
                "--serverappio-api-address", f"127.0.0.1:{appio}",
                "--storage-dir", str(home / "local-superlink" / "ffs"),
                "--log-file", str(home / "local-superlink" / "superlink.log"),
                "--log-rotation-interval-hours", "24", "--log-rotation-backup-count", "7",
                "--database", str(home / "local-superlink" / "state.db")]
        began = time.monotonic()
        proc = subprocess.Popen(argv, env={**os.environ, **harness.BASE_ENV,
                                           "FLWR_HOME": str(home)},
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, start_new_session=True)
        try:
            while not harness.port_accepts(control, timeout=0.05):
                assert proc.poll() is None, proc.stderr.read().decode()
                assert time.monotonic() - began < 20, "Control never accepted"
                time.sleep(0.001)
            slowest = max(slowest, time.monotonic() - began)
            outcomes = first_contact(control, appio, fab)
            assert [o for o in outcomes if o.startswith("FAIL")] == [], (index, outcomes)
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=15) == 0
            db = home / "local-superlink" / "state.db"
            report = standalone.DatabaseReport.read(db)
            assert report.problems(expected) == [], (index, report)
            assert len(report.run_ids) == 1, (index, report)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
    print(f"{STORM_HOMES} first contacts; slowest exec to Control accepting: {slowest:.3f}s")


def first_contact(control: int, appio: int, fab: bytes) -> list[str]:
    """The CLI's probe (0.4 s timeout), its StartRun and the SuperExec's ListAppsToLaunch, at
    once, each tried exactly once."""
    outcomes: list[str] = []
    lock = threading.Lock()
    gate = threading.Barrier(3)

    def attempt(name: str, call) -> None:
        gate.wait()
        try:
            value = call()
            with lock:
                outcomes.append(f"ok {name} {value}")
        except grpc.RpcError as error:
            with lock:
                outcomes.append(f"FAIL {name}: {error.code().name} {error.details()}")

    def probe() -> object:
        with link_rpc.channel(control) as ch:
            response = control_pb2_grpc.ControlStub(ch).ListFederations(
                control_pb2.ListFederationsRequest(), timeout=0.4, wait_for_ready=False)
        return [(f.name, f.simulation) for f in response.federations]

    def start() -> object:
        with link_rpc.channel(control) as ch:
            return link_rpc.start_run(control_pb2_grpc.ControlStub(ch), fab)

    def list_apps() -> object:
        with link_rpc.channel(appio) as ch:
            return list(serverappio_pb2_grpc.ServerAppIoStub(ch).ListAppsToLaunch(
                appio_pb2.ListAppsToLaunchRequest(), timeout=5, wait_for_ready=False).run_ids)

    threads = [threading.Thread(target=attempt, args=(n, c))
               for n, c in (("probe", probe), ("StartRun", start), ("ListAppsToLaunch", list_apps))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    probe_line = [o for o in outcomes if o.startswith("ok probe")]
    if probe_line:
        assert "('@none/default', True)" in probe_line[0], probe_line
    return outcomes
