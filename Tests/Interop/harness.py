"""Process and CLI plumbing for the interop suite: a SuperLink under test, real Flower
SuperNodes and the real `flwr` CLI, all on loopback with free ports and PID-based cleanup.

The SuperLink command comes from `SEPAL_SUPERLINK_CMD` (default `<repo>/.build/release/sepal
superlink`); it gets exactly the flags `flower-superlink` takes, so the reference run is
`SEPAL_SUPERLINK_CMD=.venv/bin/flower-superlink`.

Cleanup rule: every process is started in a new session (`start_new_session=True`), so its
process-group ID is its own PID and the helpers it spawns (SuperExec, `flwr-serverapp`,
`flwr-clientapp`) usually inherit that group. Stopping signals exactly that group, by the PID we
got back from `Popen`, and then SIGKILLs any descendant that moved to a group of its own (Swift's
`Process` does that), found by walking parent PIDs in /proc before the stop: nothing is ever
looked up or killed by name.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
APP_DIR = REPO / "examples" / "sklearn-digits"
VENV_BIN = Path(sys.executable).parent  # pytest runs inside the interop venv

#: Environment every process gets: no telemetry, no update checks, a fixed CLI width (rich
#: wraps error boxes to the terminal width) and the venv first on PATH, because SuperLinks
#: and SuperNodes spawn `flower-superexec` by name.
BASE_ENV = {
    "FLWR_TELEMETRY_ENABLED": "0",
    "FLWR_DISABLE_UPDATE_CHECK": "1",
    "COLUMNS": "80",
    "PYTHONUNBUFFERED": "1",
    "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
}

#: rich's and Flower's logger's colour codes.
ANSI = re.compile(r"\x1b\[[0-9;]*m")

CLI_TIMEOUT = 90.0  # one `flwr` invocation (it imports a lot; the machine has 2 busy cores)


class HarnessError(AssertionError):
    """A deadline passed or a process misbehaved; the message says which and why."""


def superlink_command() -> list[str]:
    """The SuperLink under test as an argv prefix (flags are appended)."""
    raw = os.environ.get("SEPAL_SUPERLINK_CMD")
    if not raw:
        return [str(REPO / ".build" / "release" / "sepal"), "superlink"]
    command = shlex.split(raw)
    if "/" in command[0]:  # a relative path means relative to the current directory
        command[0] = str(Path(command[0]).resolve())
    return command


# MARK: - Ports


class PortAllocator:
    """Hands out loopback ports the kernel just reported free, never the same one twice."""

    def __init__(self) -> None:
        self._given: set[int] = set()

    def take(self) -> int:
        for _ in range(100):
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
                sock.bind(("127.0.0.1", 0))
                port = sock.getsockname()[1]
            if port not in self._given:
                self._given.add(port)
                return port
        raise HarnessError("no free loopback port found")


def port_accepts(port: int, timeout: float = 0.5) -> bool:
    """True when something accepts TCP connections on 127.0.0.1:port."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout):
            return True
    except OSError:
        return False


def wait_until(what: str, predicate: Callable[[], Any], deadline_s: float,
               interval_s: float = 0.25, on_timeout: Callable[[], str] | None = None) -> Any:
    """Poll `predicate` until it returns something truthy, or fail after `deadline_s`."""
    deadline = time.monotonic() + deadline_s
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            extra = f"\n{on_timeout()}" if on_timeout else ""
            raise HarnessError(f"timed out after {deadline_s:.0f}s waiting for {what}{extra}")
        time.sleep(interval_s)


# MARK: - Processes


def _stat_fields(pid: int | str) -> list[str] | None:
    """The fields of /proc/PID/stat after "pid (comm) " (comm may hold spaces and parentheses,
    so split after its last ")"): [0] is the state (field 3 of stat(5)), [1] the parent PID,
    [3] the session, [19] the start time. None once the process is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat[stat.rindex(")") + 2:].split()


def process_start_time(pid: int) -> int | None:
    """The kernel's start time of `pid` (clock ticks since boot), or None if it is gone; with
    the PID it identifies one process even if the PID is later reused."""
    fields = _stat_fields(pid)
    return int(fields[19]) if fields else None


def pid_alive(pid: int, start_time: int | None = None) -> bool:
    """True while `pid` exists (and, given `start_time`, is still that same process) and is
    not a zombie."""
    fields = _stat_fields(pid)
    if fields is None or fields[0] == "Z":
        return False
    return start_time is None or int(fields[19]) == start_time


def _live_pids() -> list[int]:
    return [int(entry.name) for entry in Path("/proc").iterdir() if entry.name.isdigit()]


def _children_by_parent() -> dict[int, list[int]]:
    """Every live PID under its parent's PID, from /proc."""
    children: dict[int, list[int]] = {}
    for pid in _live_pids():
        fields = _stat_fields(pid)
        if fields is not None:
            children.setdefault(int(fields[1]), []).append(pid)
    return children


def session_members(sid: int) -> list[tuple[int, int]]:
    """(pid, start time) of every live, non-zombie process in session `sid`: what a process
    started with `start_new_session` and everything it started, even after reparenting."""
    found = []
    for pid in _live_pids():
        fields = _stat_fields(pid)
        if fields is not None and fields[0] != "Z" and int(fields[3]) == sid:
            found.append((pid, int(fields[19])))
    return found


def child_pids(pid: int) -> list[int]:
    """The PIDs whose parent is `pid` (by PID relation, never by name)."""
    return sorted(_children_by_parent().get(pid, []))


def descendants(root: int) -> list[tuple[int, int]]:
    """(pid, start time) of every live descendant of `root`, from /proc's parent PIDs."""
    children = _children_by_parent()
    found: list[tuple[int, int]] = []
    queue = list(children.get(root, []))
    while queue:
        pid = queue.pop()
        start = process_start_time(pid)
        if start is not None:
            found.append((pid, start))
        queue.extend(children.get(pid, []))
    return found


def kill_processes(processes: list[tuple[int, int]]) -> None:
    """SIGKILL each (pid, start time) that is still that process."""
    for pid, start in processes:
        if pid_alive(pid, start):
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass


@dataclass(eq=False)  # identity semantics: kept in the _LIVE set
class ManagedProcess:
    """One long-lived process we started, its own process group, output in a log file."""

    name: str
    argv: list[str]
    log_path: Path
    env: dict[str, str]
    popen: subprocess.Popen | None = None

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")  # noqa: SIM115 - handed to the child, closed below
        try:
            log.write(f"\n=== start {shlex.join(self.argv)}\n".encode())
            log.flush()
            self.popen = subprocess.Popen(
                self.argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                env=self.env, start_new_session=True,
            )
        finally:
            log.close()
        _LIVE.add(self)

    @property
    def pid(self) -> int:
        assert self.popen is not None
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def stop(self, sig: int = signal.SIGTERM, grace_s: float = 15.0) -> int | None:
        """Signal our process group, wait for the leader, SIGKILL the group if it lingers.

        Returns the leader's exit code (None if it had to be killed).
        """
        if self.popen is None:
            return None
        tree = descendants(self.pid) if self.popen.poll() is None else []
        code = None
        if self.popen.poll() is None:
            self._signal_group(sig)
            try:
                code = self.popen.wait(timeout=grace_s)
            except subprocess.TimeoutExpired:
                self._signal_group(signal.SIGKILL)
                self.popen.wait(timeout=10)
        else:
            code = self.popen.returncode
        # Helpers that outlived the leader (e.g. a SuperExec) are still in our group, or were
        # our descendants before the stop.
        self._signal_group(signal.SIGKILL)
        kill_processes(tree)
        _LIVE.discard(self)
        return code

    def _signal_group(self, sig: int) -> None:
        try:
            os.killpg(self.pid, sig)  # the group we created: pgid == our child's PID
        except (ProcessLookupError, PermissionError):
            pass

    def log_tail(self, lines: int = 60) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError as error:
            return f"<no log: {error}>"
        return "\n".join(text.splitlines()[-lines:])

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""


def command_line(pid: int) -> list[str]:
    """The argv of a live process ([] once it is gone)."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part]


#: Everything started and not yet stopped, for the last-resort cleanup in conftest.
_LIVE: set[ManagedProcess] = set()


def stop_all_live() -> None:
    for process in list(_LIVE):
        process.stop(grace_s=5.0)


def run_to_exit(argv: list[str], timeout: float = 60.0) -> CompletedCommand:
    """Run a command that should stop by itself (e.g. a refused start-up), with the suite's
    environment and a throw-away FLWR_HOME; colour codes are removed from its output."""
    import tempfile  # noqa: PLC0415

    with tempfile.TemporaryDirectory(prefix="sepal-interop-") as home:
        env = {**os.environ, **BASE_ENV, "FLWR_HOME": home}
        try:
            done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout,
                                  stdin=subprocess.DEVNULL, env=env, start_new_session=True)
        except subprocess.TimeoutExpired as expired:
            raise HarnessError(f"{shlex.join(argv)} still running after {timeout:.0f}s:\n"
                               f"{_text(expired.stdout)}{_text(expired.stderr)}") from None
    return CompletedCommand(argv, done.returncode, ANSI.sub("", done.stdout + done.stderr))


@dataclass(frozen=True)
class CompletedCommand:
    argv: list[str]
    returncode: int
    output: str  # stdout + stderr

    def describe(self) -> str:
        return f"$ {shlex.join(self.argv)}\n-> exit {self.returncode}\n{self.output}"


# MARK: - The flwr CLI


@dataclass
class CliResult:
    argv: list[str]
    returncode: int
    stdout: str
    stderr: str

    def describe(self) -> str:
        return (f"$ {shlex.join(self.argv)}\n-> exit {self.returncode}\n"
                f"--- stdout ---\n{self.stdout}\n--- stderr ---\n{self.stderr}")

    def json(self) -> dict[str, Any]:
        try:
            return json.loads(self.stdout)
        except json.JSONDecodeError as error:
            raise HarnessError(f"not JSON ({error}):\n{self.describe()}") from None


def parse_cli_time(text: str) -> datetime:
    """Parse the CLI's `YYYY-MM-DD HH:MM:SSZ` run timestamps (UTC)."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%SZ").replace(tzinfo=timezone.utc)


# MARK: - A deployment


@dataclass
class Deployment:
    """A SuperLink under test, two Flower SuperNodes and a `flwr` config pointing at it.

    `tls` (a `pki.TlsFiles`) switches every hop that Flower secures to TLS: the SuperLink gets
    the three `--ssl-*` files instead of `--insecure`, SuperNodes `--root-certificates`, the CLI
    connection `root-certificates`. `superlink_argv` replaces the SuperLink command (e.g.
    Flower's own `flower-superlink`); `superlink_flags` are appended to it.
    """

    root: Path
    ports: PortAllocator
    connection: str = "interop"
    tls: Any = None  # pki.TlsFiles | None (pki imports this module)
    superlink_argv: list[str] | None = None
    superlink_flags: list[str] = field(default_factory=list)
    superlink: ManagedProcess | None = None
    supernodes: list[ManagedProcess] = field(default_factory=list)
    #: Other processes of this deployment (e.g. a separately run SuperExec): stopped first,
    #: shown in failure diagnostics.
    helpers: list[ManagedProcess] = field(default_factory=list)
    serverappio_port: int = 0
    fleet_port: int = 0
    control_port: int = 0
    cli_log: list[CliResult] = field(default_factory=list)

    @property
    def database(self) -> Path:
        return self.root / "superlink" / "state.db"

    @property
    def storage_dir(self) -> Path:
        return self.root / "superlink" / "ffs"

    @property
    def cli_home(self) -> Path:
        return self.root / "cli-home"

    def env_for(self, home: Path) -> dict[str, str]:
        home.mkdir(parents=True, exist_ok=True)
        return {**os.environ, **BASE_ENV, "FLWR_HOME": str(home)}

    # -- SuperLink

    def start_superlink(self) -> None:
        if not self.control_port:
            self.serverappio_port = self.ports.take()
            self.fleet_port = self.ports.take()
            self.control_port = self.ports.take()
        command = self.superlink_argv or superlink_command()
        if not Path(command[0]).exists() and "/" in command[0]:
            raise HarnessError(
                f"SuperLink executable {command[0]} does not exist. Build it with "
                "`swift build -c release --product sepal`, or point SEPAL_SUPERLINK_CMD at "
                "another SuperLink (e.g. .venv/bin/flower-superlink).")
        self.storage_dir.mkdir(parents=True, exist_ok=True)
        if self.tls is None:
            security = ["--insecure"]
        else:
            security = ["--ssl-ca-certfile", str(self.tls.ca_cert),
                        "--ssl-certfile", str(self.tls.server_cert),
                        "--ssl-keyfile", str(self.tls.server_key)]
        argv = command + security + [
            "--database", str(self.database),
            "--storage-dir", str(self.storage_dir),
            "--serverappio-api-address", f"127.0.0.1:{self.serverappio_port}",
            "--fleet-api-address", f"127.0.0.1:{self.fleet_port}",
            "--control-api-address", f"127.0.0.1:{self.control_port}",
            *self.superlink_flags,
        ]
        self.superlink = ManagedProcess(
            "superlink", argv, self.root / "logs" / "superlink.log",
            self.env_for(self.root / "superlink" / "home"))
        self.superlink.start()
        self.wait_superlink_ready()

    def wait_superlink_ready(self, deadline_s: float = 60.0) -> None:
        """Ready = the Control port accepts and `flwr ls` answers successfully."""
        assert self.superlink is not None
        process = self.superlink

        def control_port_up() -> bool:
            if not process.alive():
                raise HarnessError(f"SuperLink exited with {process.popen.returncode} "
                                   f"while starting:\n{process.log_tail()}")
            return port_accepts(self.control_port)

        wait_until("the SuperLink Control port", control_port_up, deadline_s,
                   on_timeout=process.log_tail)
        self.write_cli_config()
        wait_until("`flwr ls` to answer", lambda: self.flwr("ls", "--format", "json",
                                                            check=False).returncode == 0,
                   deadline_s, interval_s=1.0, on_timeout=process.log_tail)

    def restart_superlink(self) -> int | None:
        """SIGTERM the SuperLink, then start it again on the same ports, DB and storage."""
        assert self.superlink is not None
        code = self.superlink.stop(signal.SIGTERM)
        wait_until("the old SuperLink's ports to be released",
                   lambda: not port_accepts(self.control_port), 30.0)
        self.start_superlink()
        return code

    # -- SuperNodes

    def start_supernodes(self, count: int = 2,
                         extra_args: Callable[[int], list[str]] | None = None) -> None:
        """Start `count` SuperNodes (partition i of count) and wait until each registered;
        `extra_args(i)` adds flags to node i (e.g. its authentication key)."""
        started = [self.start_supernode(index, count, extra_args(index) if extra_args else [])
                   for index in range(count)]
        for node in started:
            self.wait_supernode_registered(node)

    def supernode_security_flags(self) -> list[str]:
        if self.tls is None:
            return ["--insecure"]
        return ["--root-certificates", str(self.tls.ca_cert)]

    def start_supernode(self, index: int, count: int, extra: list[str] | None = None,
                        name: str | None = None, track: bool = True,
                        security: list[str] | None = None) -> ManagedProcess:
        """Start one Flower SuperNode (not waited for). `track=False` keeps it out of
        `supernodes` (whose deaths fail `wait_status`), for nodes expected to exit;
        `security` replaces the deployment's `--insecure`/`--root-certificates` flags."""
        clientappio_port = self.ports.take()
        name = name or f"supernode-{index}"
        security = self.supernode_security_flags() if security is None else security
        argv = [
            str(VENV_BIN / "flower-supernode"), *security,
            "--superlink", f"127.0.0.1:{self.fleet_port}",
            "--clientappio-api-address", f"127.0.0.1:{clientappio_port}",
            "--node-config", f"partition-id={index} num-partitions={count}",
            *(extra or []),
        ]
        node = ManagedProcess(name, argv, self.root / "logs" / f"{name}.log",
                              self.env_for(self.root / name / "home"))
        node.start()
        (self.supernodes if track else self.helpers).append(node)
        return node

    def start_helper(self, name: str, argv: list[str]) -> ManagedProcess:
        """Start another process of this deployment (own group, log, cleanup)."""
        process = ManagedProcess(name, argv, self.root / "logs" / f"{name}.log",
                                 self.env_for(self.root / name / "home"))
        process.start()
        self.helpers.append(process)
        return process

    def wait_supernode_registered(self, node: ManagedProcess, deadline_s: float = 60.0) -> None:
        """A Flower SuperNode logs `SuperNode ID: N` once RegisterNode/ActivateNode succeed."""

        def registered() -> bool:
            if not node.alive():
                raise HarnessError(f"{node.name} exited with {node.popen.returncode}:\n"
                                   f"{node.log_tail()}")
            return "SuperNode ID:" in node.log_text()

        wait_until(f"{node.name} to register with the SuperLink", registered, deadline_s,
                   on_timeout=node.log_tail)

    # -- CLI

    def write_cli_config(self) -> None:
        self.cli_home.mkdir(parents=True, exist_ok=True)
        security = ("insecure = true\n" if self.tls is None
                    else f'root-certificates = "{self.tls.ca_cert.resolve()}"\n')
        (self.cli_home / "config.toml").write_text(
            "[superlink]\n"
            f'default = "{self.connection}"\n\n'
            f"[superlink.{self.connection}]\n"
            f'address = "127.0.0.1:{self.control_port}"\n'
            + security)

    def flwr(self, *args: str, check: bool = True, timeout: float = CLI_TIMEOUT,
             home: Path | None = None) -> CliResult:
        """Run the real `flwr` CLI against this deployment (connection name appended where
        the command takes one). `home` is another FLWR_HOME (another `config.toml`)."""
        argv = [str(VENV_BIN / "flwr"), *args]
        try:
            done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout,
                                  env=self.env_for(home or self.cli_home), cwd=self.root,
                                  stdin=subprocess.DEVNULL)
            result = CliResult(argv, done.returncode, done.stdout, done.stderr)
        except subprocess.TimeoutExpired as expired:
            result = CliResult(argv, -1, _text(expired.stdout), _text(expired.stderr)
                               + f"\n<timed out after {timeout}s>")
        self.cli_log.append(result)
        if check and result.returncode != 0:
            raise HarnessError(f"flwr failed:\n{result.describe()}")
        return result

    def start_run(self, run_config: str | None = None) -> str:
        """`flwr run examples/sklearn-digits <conn> --format json [--run-config ...]` -> run ID."""
        args = ["run", str(APP_DIR), self.connection, "--format", "json"]
        if run_config:
            args += ["--run-config", run_config]
        result = self.flwr(*args)
        body = result.json()
        if not body.get("success") or "run-id" not in body:
            raise HarnessError(f"flwr run did not start a run:\n{result.describe()}")
        return str(body["run-id"])

    def list_run(self, run_id: str) -> dict[str, Any]:
        """The run's entry in `flwr ls --run-id ID --format json`."""
        result = self.flwr("ls", self.connection, "--run-id", run_id, "--format", "json")
        body = result.json()
        runs = [r for r in body.get("runs", []) if str(r.get("run-id")) == run_id]
        if not body.get("success") or len(runs) != 1:
            raise HarnessError(f"run {run_id} not listed:\n{result.describe()}")
        return runs[0]

    def list_all(self) -> list[dict[str, Any]]:
        result = self.flwr("ls", self.connection, "--format", "json")
        body = result.json()
        if not body.get("success"):
            raise HarnessError(f"flwr ls failed:\n{result.describe()}")
        return body["runs"]

    def run_status(self, run_id: str) -> str:
        """The run's `status:sub_status`, read with ListRuns over gRPC.

        Polling uses gRPC directly because every `flwr` invocation costs ~2 s of CPU on a
        2-core machine that is also running the federation; assertions use the CLI.
        """
        import grpc  # noqa: PLC0415 - only the polling path needs it
        from flwr.proto import control_pb2, control_pb2_grpc  # noqa: PLC0415

        with self.control_channel() as channel:
            stub = control_pb2_grpc.ControlStub(channel)
            try:
                response = stub.ListRuns(control_pb2.ListRunsRequest(run_id=int(run_id)),
                                         timeout=10)
            except grpc.RpcError as error:
                return f"<rpc error {error.code().name}: {error.details()}>"
        run = response.run_dict.get(int(run_id))
        if run is None:
            return "<not listed>"
        status = run.status.status
        return f"{status}:{run.status.sub_status}" if status == "finished" else status

    def control_channel(self) -> Any:
        """A grpcio channel to the Control API, secured as the CLI's would be."""
        import grpc  # noqa: PLC0415

        target = f"127.0.0.1:{self.control_port}"
        if self.tls is None:
            return grpc.insecure_channel(target)
        credentials = grpc.ssl_channel_credentials(self.tls.ca_cert.read_bytes())
        return grpc.secure_channel(target, credentials)

    def wait_status(self, run_id: str, wanted: set[str], deadline_s: float) -> str:
        """Wait until the run's status is one of `wanted`; fail early on another final one."""
        seen: list[str] = []

        def reached() -> str | None:
            status = self.run_status(run_id)
            if not seen or seen[-1] != status:
                seen.append(status)
            self.check_processes_alive()
            if status in wanted:
                return status
            if status.startswith("finished"):  # final, and not one we wanted
                raise HarnessError(f"run {run_id} ended as {status}, wanted {sorted(wanted)}; "
                                   f"statuses seen: {seen}")
            return None

        return wait_until(f"run {run_id} to reach {sorted(wanted)}", reached, deadline_s,
                          interval_s=1.0, on_timeout=lambda: f"statuses seen: {seen}")

    def check_processes_alive(self) -> None:
        for process in [self.superlink, *self.supernodes]:
            if process is not None and not process.alive():
                raise HarnessError(f"{process.name} died (exit {process.popen.returncode}):\n"
                                   f"{process.log_tail()}")

    # -- Teardown and diagnostics

    def stop(self) -> None:
        for process in [*self.helpers, *self.supernodes]:
            process.stop()
        if self.superlink is not None:
            self.superlink.stop()

    def diagnostics(self, lines: int = 60) -> list[tuple[str, str]]:
        sections = []
        for process in [self.superlink, *self.supernodes, *self.helpers]:
            if process is not None:
                state = "alive" if process.alive() else f"exited {process.popen.returncode}"
                sections.append((f"{process.name} log tail ({state}, pid {process.pid})",
                                 process.log_tail(lines)))
        if self.cli_log:
            sections.append(("last flwr invocations",
                             "\n\n".join(r.describe() for r in self.cli_log[-3:])))
        return sections


def _text(value: bytes | str | None) -> str:
    if value is None:
        return ""
    return value.decode(errors="replace") if isinstance(value, bytes) else value
