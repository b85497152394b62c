"""`sepal superlink`'s command line against `flower-superlink` 1.28's: the same flags, defaults,
meanings, messages and process statuses.

Flower's statuses, observed with the real `flower-superlink` (and re-checked live by
`test_error_statuses_match_flower`): argparse errors exit 2; every other error exits 1 — for
the conditions in Flower's exit-code table (§7.8) after logging `Exit Code: <code>` (104
invalid arguments, 105 schema mismatch, 600 invalid address); a graceful stop exits 0. Sepal
adds no status of its own, ends every error with one clear last line and never a traceback,
and refuses early (with a message) a few things Flower only trips over later or with a
traceback: a database file that is not Flower's, a missing or unwritable database directory,
an unusable `--storage-dir`.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from flwr.proto import control_pb2, control_pb2_grpc

import harness
import link_rpc
import standalone
from standalone import ERROR_EXIT_STATUS, GRACEFUL_EXIT_STATUS, LinkPool

FLOWER_SUPERLINK = harness.VENV_BIN / "flower-superlink"
USAGE_EXIT_STATUS = 2  # argparse
QUICK_S = 5.0  # an error exit must come this fast (Sepal takes milliseconds)
ANSI = re.compile(r"\x1b\[[0-9;]*m")


# MARK: - Running a SuperLink that is expected to exit


@dataclass
class Exited:
    argv: list[str]
    status: int
    stderr: str
    stdout: str
    seconds: float

    @property
    def lines(self) -> list[str]:
        return [line for line in ANSI.sub("", self.stderr).splitlines() if line.strip()]

    @property
    def last_line(self) -> str:
        return self.lines[-1] if self.lines else ""

    def exit_codes(self) -> list[int]:
        """The `Exit Code: N` lines Flower's `flwr_exit` (and Sepal) log."""
        return [int(m[1]) for m in re.finditer(r"Exit Code: (\d+)", ANSI.sub("", self.stderr))]

    def describe(self) -> str:
        return (f"$ {' '.join(self.argv)}\n-> status {self.status} after {self.seconds:.2f}s\n"
                f"--- stderr ---\n{self.stderr}\n--- stdout ---\n{self.stdout[-2000:]}")


def run_exiting(command: list[str], args: list[str], ports: harness.PortAllocator, home: Path,
                *, insecure: bool = True, timeout: float = 30.0,
                user: int | None = None) -> Exited:
    """Start a SuperLink (free loopback ports, `--isolation process`) that should exit on its
    own; fail if it is still running after `timeout` (it is then killed by PID)."""
    argv = command + [
        "--isolation", "process",
        "--serverappio-api-address", f"127.0.0.1:{ports.take()}",
        "--fleet-api-address", f"127.0.0.1:{ports.take()}",
        "--control-api-address", f"127.0.0.1:{ports.take()}",
        *(["--insecure"] if insecure else []), *args,
    ]
    home.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, **harness.BASE_ENV, "FLWR_HOME": str(home)}
    started = time.monotonic()
    process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=env, start_new_session=True,
                               user=user, cwd=home)
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate(timeout=10)
        raise harness.HarnessError(
            f"still running after {timeout}s: {' '.join(argv)}\n{stderr.decode()}") from None
    return Exited(argv, process.returncode, stderr.decode(errors="replace"),
                  stdout.decode(errors="replace"), time.monotonic() - started)


def assert_one_line_error(result: Exited, pattern: str) -> None:
    """Failed quickly, no traceback, and the last stderr line is the (one) clear message."""
    assert result.seconds < QUICK_S, result.describe()
    assert "Traceback" not in result.stderr, result.describe()
    assert re.search(pattern, result.last_line), f"last line {result.last_line!r}\n" \
                                                 f"{result.describe()}"


# MARK: - Cases Flower has a defined answer for


@dataclass(frozen=True)
class Case:
    id: str
    args: list[str]
    status: int
    #: The `Exit Code: N` line logged before the message (None: Flower logs none).
    code: int | None
    #: What the last stderr line says (a regex).
    message: str
    insecure: bool = True


ARGPARSE = r"superlink: error: "
CASES = [
    Case("control-and-exec", ["--exec-api-address", "127.0.0.1:1"], ERROR_EXIT_STATUS, 104,
         r"^Both `--control-api-address` and `--exec-api-address` are set"),
    Case("executor", ["--executor", "flwr.x"], ERROR_EXIT_STATUS, 104,
         r"`--executor`, `--executor-dir`, and `--executor-config` are deprecated"),
    Case("executor-dir", ["--executor-dir", "."], ERROR_EXIT_STATUS, 104,
         r"please use `--simulation`\.$"),
    Case("executor-config", ["--executor-config", "a=1"], ERROR_EXIT_STATUS, 104,
         r"please use `--simulation`\.$"),
    Case("auth-list-public-keys", ["--auth-list-public-keys", "keys.csv"], ERROR_EXIT_STATUS,
         104, r"`--auth-list-public-keys` argument is no longer supported"),
    Case("supernode-auth-insecure", ["--enable-supernode-auth"], ERROR_EXIT_STATUS, 104,
         r"`--enable-supernode-auth` flag requires encrypted TLS communications"),
    Case("no-certificates", [], ERROR_EXIT_STATUS, None,
         r"^ERROR :\s+Certificates are required unless running in insecure mode", False),
    Case("missing-certificate-files",
         ["--ssl-certfile", "/nonexistent/c.pem", "--ssl-keyfile", "/nonexistent/k.pem",
          "--ssl-ca-certfile", "/nonexistent/ca.pem"], ERROR_EXIT_STATUS, None,
         r"Path argument `--ssl-ca-certfile` does not point to a file\.$", False),
    Case("some-certificate-files", ["--ssl-certfile", "/nonexistent/c.pem"],
         ERROR_EXIT_STATUS, None, r"You need to provide valid file paths to `--ssl-certfile`",
         False),
    Case("address-no-port", ["--fleet-api-address", "127.0.0.1"], ERROR_EXIT_STATUS, 600,
         r"Address \(127\.0\.0\.1\) cannot be parsed\.$"),
    Case("address-bad-port", ["--serverappio-api-address", "127.0.0.1:99999"],
         ERROR_EXIT_STATUS, 600, r"Address \(127\.0\.0\.1:99999\) cannot be parsed\.$"),
    Case("address-garbage", ["--control-api-address", "not an address"], ERROR_EXIT_STATUS, 600,
         r"Address \(not an address\) cannot be parsed\.$"),
    Case("address-health", ["--health-server-address", "nohost"], ERROR_EXIT_STATUS, 600,
         r"Address \(nohost\) cannot be parsed\.$"),
    Case("unknown-flag", ["--bogus"], USAGE_EXIT_STATUS, None,
         ARGPARSE + r"unrecognized arguments: --bogus$"),
    Case("positional", ["stray"], USAGE_EXIT_STATUS, None,
         ARGPARSE + r"unrecognized arguments: stray$"),
    Case("bad-isolation", ["--isolation", "thread"], USAGE_EXIT_STATUS, None,
         ARGPARSE + r"argument --isolation: invalid choice: 'thread' \(choose from "
                    r"'subprocess', 'process'\)$"),
    Case("bad-fleet-api-type", ["--fleet-api-type", "grpc-bidi"], USAGE_EXIT_STATUS, None,
         ARGPARSE + r"argument --fleet-api-type: invalid choice: 'grpc-bidi'"),
    Case("bad-num-workers", ["--fleet-api-num-workers", "two"], USAGE_EXIT_STATUS, None,
         ARGPARSE + r"argument --fleet-api-num-workers: invalid int value: 'two'$"),
    Case("bad-rotation-hours", ["--log-rotation-interval-hours", "1.5"], USAGE_EXIT_STATUS,
         None, ARGPARSE + r"argument --log-rotation-interval-hours: invalid _positive_int "
                          r"value: '1\.5'$"),
    Case("zero-backups", ["--log-rotation-backup-count", "0"], USAGE_EXIT_STATUS, None,
         ARGPARSE + r"argument --log-rotation-backup-count: value must be >= 1$"),
    Case("missing-value", ["--database"], USAGE_EXIT_STATUS, None,
         ARGPARSE + r"argument --database: expected one argument$"),
    Case("ambiguous-abbreviation", ["--ssl-c", "x"], USAGE_EXIT_STATUS, None,
         ARGPARSE + r"ambiguous option: --ssl-c could match --ssl-certfile, --ssl-ca-certfile$"),
    Case("flag-with-value", ["--simulation=yes"], USAGE_EXIT_STATUS, None,
         ARGPARSE + r"argument --simulation: ignored explicit argument 'yes'$"),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_error_exit(case: Case, ports: harness.PortAllocator, tmp_path: Path) -> None:
    result = run_exiting(harness.superlink_command(), case.args, ports, tmp_path / "home",
                         insecure=case.insecure)
    assert result.status == case.status, result.describe()
    assert result.exit_codes() == ([case.code] if case.code else []), result.describe()
    if case.code:
        assert_exit_record(result, case.code, case.message)
    else:
        assert_one_line_error(result, case.message)


def assert_exit_record(result: Exited, code: int, pattern: str, quick: bool = True) -> None:
    """Flower's `flwr_exit` layout: `Exit Code: N`, the message, the code's short help, and
    the link to its documentation page as the last line."""
    assert not quick or result.seconds < QUICK_S, result.describe()
    assert "Traceback" not in result.stderr, result.describe()
    lines = result.lines
    at = [i for i, line in enumerate(lines) if line.endswith(f"Exit Code: {code}")]
    assert len(at) == 1 and at[0] + 2 < len(lines), result.describe()
    assert re.search(pattern, lines[at[0] + 1]), result.describe()
    assert lines[-1] == ("For more information, visit: "
                         f"<https://flower.ai/docs/framework/1.28/en/ref-exit-codes/{code}.html>"), \
        result.describe()


#: One case of each kind, re-run against Flower (each Flower start costs ~1.5 s of CPU).
FLOWER_CHECKED = ["control-and-exec", "executor", "auth-list-public-keys",
                  "supernode-auth-insecure", "no-certificates", "missing-certificate-files",
                  "some-certificate-files", "address-no-port", "address-garbage",
                  "unknown-flag", "bad-isolation", "zero-backups"]


def test_error_statuses_match_flower(ports: harness.PortAllocator, tmp_path: Path) -> None:
    """The cases above, run against the real `flower-superlink` too: same status, same
    `Exit Code` lines."""
    if not FLOWER_SUPERLINK.exists():
        pytest.fail(f"{FLOWER_SUPERLINK} missing: run scripts/venv.sh")
    cases = [case for case in CASES if case.id in FLOWER_CHECKED]
    assert len(cases) == len(FLOWER_CHECKED)

    def flower(case: Case) -> Exited:
        return run_exiting([str(FLOWER_SUPERLINK)], case.args, ports,
                           tmp_path / f"flower-{case.id}", insecure=case.insecure, timeout=60)

    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(flower, cases))
    mismatches = [f"{case.id}: Flower exits {r.status} with codes {r.exit_codes()}, "
                  f"expected {case.status} with {[case.code] if case.code else []}\n"
                  f"{r.describe()}"
                  for case, r in zip(cases, results, strict=True)
                  if r.status != case.status or r.exit_codes() != ([case.code] if case.code
                                                                   else [])]
    assert mismatches == []
    # Flower's record after the message (short help, link) is Sepal's too.
    for case, r in zip(cases, results, strict=True):
        if case.code:
            assert_exit_record(r, case.code, case.message, quick=False)


# MARK: - Help and version


def option_strings(help_text: str) -> set[str]:
    """Every `-x`/`--long` option named in an argparse help text's options section."""
    section = help_text.split("options:", 1)[1]
    return set(re.findall(r"(?<![\w`-])(--?[A-Za-z][\w-]*)", "\n".join(
        line for line in section.splitlines() if re.match(r"^  -", line))))


def flower_help() -> str:
    done = subprocess.run([str(FLOWER_SUPERLINK), "--help"], capture_output=True, text=True,
                          timeout=60, env={**os.environ, **harness.BASE_ENV})
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def help_texts() -> tuple[str, str]:
    ours = subprocess.run([*harness.superlink_command(), "--help"], capture_output=True,
                          text=True, timeout=30, env={**os.environ, **harness.BASE_ENV})
    assert ours.returncode == 0, ours.stderr
    assert ours.stdout.startswith("usage: "), ours.stdout
    return flower_help(), ours.stdout


def test_help_lists_every_flower_flag(help_texts: tuple[str, str]) -> None:
    flower, ours = help_texts
    wanted = option_strings(flower)
    assert {"-h", "--help", "-V", "--version", "--insecure", "--database",
            "--simulationio-api-address", "--health-server-address"} <= wanted  # parsed right
    missing = wanted - option_strings(ours)
    assert missing == set(), f"flags of flower-superlink --help missing from ours: {missing}"
    # Choices are the same too.
    for choices in re.findall(r"\{[\w,-]+\}", flower):
        assert choices in ours, choices


def test_help_states_flower_defaults(help_texts: tuple[str, str]) -> None:
    """Where Flower's help names a default, ours names the same one."""
    flower, ours = help_texts
    flat = " ".join(ours.split())
    defaults = re.findall(r"\d+\.\d+\.\d+\.\d+:\d+|`\w+` by default", " ".join(flower.split()))
    assert len(defaults) >= 3, defaults
    for default in defaults:
        assert default in flat, default


@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_version(flag: str) -> None:
    done = subprocess.run([*harness.superlink_command(), flag], capture_output=True, text=True,
                          timeout=30, env={**os.environ, **harness.BASE_ENV})
    assert done.returncode == 0, done.stderr
    assert "1.28.0" in done.stdout, done.stdout


# MARK: - Flags that start a SuperLink


def control_stub_call(port: int, call: Callable[[control_pb2_grpc.ControlStub], object]):
    with link_rpc.channel(port) as ch:
        return call(control_pb2_grpc.ControlStub(ch))


def federations(port: int) -> list[tuple[str, bool]]:
    response = control_stub_call(port, lambda s: s.ListFederations(
        control_pb2.ListFederationsRequest(), timeout=link_rpc.RPC_TIMEOUT_S))
    return [(f.name, f.simulation) for f in response.federations]


def test_every_flag_accepted(links: LinkPool, ports: harness.PortAllocator) -> None:
    """All of Flower's non-conflicting flags at once, each with its meaning checked."""
    health_port = ports.take()
    log_file = links.root / "superlink.log"
    db = links.root / "state.db"
    link = links.new("all-flags", db, extra_args=[
        "--log-file", str(log_file), "--log-rotation-interval-hours", "12",
        "--log-rotation-backup-count", "3", "--fleet-api-type", "grpc-rere",
        "--fleet-api-num-workers", "1", "--health-server-address", f"127.0.0.1:{health_port}",
    ])
    link.start()
    link.wait_all_ports()
    link.wait_accepting(health_port)
    assert federations(link.control_port) == [("@none/default", False)]

    from grpc_health.v1 import health_pb2, health_pb2_grpc  # noqa: PLC0415

    with link_rpc.channel(health_port) as ch:
        answer = health_pb2_grpc.HealthStub(ch).Check(health_pb2.HealthCheckRequest(),
                                                      timeout=10)
    assert answer.status == health_pb2.HealthCheckResponse.SERVING

    assert link.storage_dir.is_dir()  # --storage-dir made at startup
    assert db.exists()
    assert link.terminate(signal.SIGTERM) == GRACEFUL_EXIT_STATUS
    log = log_file.read_text()  # --log-file gets the log too
    assert "SuperLink terminated gracefully." in log, log
    assert "Starting Flower SuperLink" in log
    # Flower's file format: "LEVEL flwr YYYY-MM-DD HH:MM:SS,mmm | file:line | message".
    assert re.search(r"(?m)^INFO flwr \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3} \| \S+:\d+ \| "
                     r"Starting Flower SuperLink", log), log
    assert standalone.DatabaseReport.read(db).problems(standalone.flower_schema()) == []


def test_simulation_flag(links: LinkPool) -> None:
    """`--simulation`: the federation is a simulation one and there is no Fleet API."""
    link = links.start("simulation", None, extra_args=["--simulation"])
    link.wait_accepting()
    link.wait_accepting(link.serverappio_port)
    assert federations(link.control_port) == [("@none/default", True)]
    assert not harness.port_accepts(link.fleet_port)
    assert link.terminate(signal.SIGTERM) == GRACEFUL_EXIT_STATUS


@pytest.mark.parametrize(("alias", "warning"), [
    ("--simulationio-api-address",
     "The `--simulationio-api-address` argument is deprecated. Use `--serverappio-api-address`"),
    ("--exec-api-address",
     "The `--exec-api-address` argument is deprecated and will be removed in a future "
     "release. Use `--control-api-address` instead."),
])
def test_deprecated_alias(links: LinkPool, alias: str, warning: str) -> None:
    """The alias serves the API it stands for, with a deprecation warning."""
    kwargs = {"serverappio_flag": alias} if "simulationio" in alias else {"control_flag": alias}
    link = links.start("alias", None, **kwargs)
    link.wait_all_ports()
    assert federations(link.control_port) == [("@none/default", False)]
    assert link.terminate(signal.SIGTERM) == GRACEFUL_EXIT_STATUS
    warnings = [line for line in link.log_text().splitlines() if line.startswith("WARNING")]
    assert any(warning in line for line in warnings), warnings


def test_num_workers_warning(links: LinkPool) -> None:
    link = links.start("workers", None, extra_args=["--fleet-api-num-workers", "4"])
    link.wait_all_ports()
    assert link.terminate(signal.SIGTERM) == GRACEFUL_EXIT_STATUS
    assert ("The Fleet API currently supports only 1 worker. You have specified 4 workers. "
            "Support for multiple workers will be added in future releases. Proceeding with "
            "a single worker.") in link.log_text()


def test_defaults(links: LinkPool) -> None:
    """No `--isolation`: `subprocess` (a SuperExec is started); no `--database`: in memory;
    no `--storage-dir`: `$FLWR_HOME/superlink/ffs`."""
    link = links.start("defaults", None, isolation=None, storage=False)
    link.wait_all_ports()
    harness.wait_until("the default SuperExec", link.superexec_pids, 20.0)
    for pid in link.superexec_pids():
        links.adopt(pid)
    assert (links.root / "defaults-home" / "superlink" / "ffs").is_dir()
    assert "Using InMemoryLinkState" in link.log_text()
    assert link.terminate(signal.SIGTERM) == GRACEFUL_EXIT_STATUS


# MARK: - A port that is taken


@pytest.mark.parametrize("reuse_port", [False, True], ids=["plain", "SO_REUSEPORT"])
@pytest.mark.parametrize("api", ["control", "serverappio", "fleet"])
def test_port_in_use(ports: harness.PortAllocator, tmp_path: Path, api: str,
                     reuse_port: bool) -> None:
    """A taken port is a quick one-line error, never a shared bind (even when the owner allows
    SO_REUSEPORT, which would let gRPC's default bind silently share it), and the owner keeps
    its port."""
    owner = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        if reuse_port:
            owner.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        owner.bind(("127.0.0.1", 0))
        owner.listen(8)
        taken = owner.getsockname()[1]
        flag = {"control": "--control-api-address", "serverappio": "--serverappio-api-address",
                "fleet": "--fleet-api-address"}[api]
        result = run_exiting(harness.superlink_command(), [flag, f"127.0.0.1:{taken}"], ports,
                             tmp_path / "home")
        assert result.status == ERROR_EXIT_STATUS, result.describe()
        assert result.exit_codes() == [], result.describe()
        assert_one_line_error(result, rf"127\.0\.0\.1:{taken}.*(in use|already)")

        # The owner still has it: a client reaches the owner, not a ghost of the SuperLink.
        with socket.create_connection(("127.0.0.1", taken), timeout=5) as client:
            owner.settimeout(5)
            accepted, _ = owner.accept()
            client.sendall(b"ping")
            assert accepted.recv(4) == b"ping"
            accepted.close()
    finally:
        owner.close()


# MARK: - Databases it must refuse or cannot open


def snapshot_dir(directory: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(directory.iterdir()) if p.is_file()}


def make_random(path: Path) -> None:
    path.write_bytes(os.urandom(8192))


def make_unrelated(path: Path) -> None:
    db = sqlite3.connect(path)
    try:
        with db:
            db.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount REAL)")
            db.execute("INSERT INTO invoices (amount) VALUES (9.5)")
    finally:
        db.close()


def make_newer(path: Path) -> None:
    """A Flower state database stamped with a revision this build does not know."""
    shutil.copyfile(standalone.FLOWER_FIXTURE_DB, path)
    db = sqlite3.connect(path)
    try:
        with db:
            db.execute("UPDATE alembic_version SET version_num = 'ffffffffffff'")
    finally:
        db.close()  # the last connection: checkpoints and removes any -wal


@pytest.mark.parametrize("make", [make_random, make_unrelated, make_newer],
                         ids=["random-bytes", "unrelated-sqlite", "newer-revision"])
def test_database_refused_untouched(make: Callable[[Path], None], ports: harness.PortAllocator,
                                    tmp_path: Path) -> None:
    directory = tmp_path / "db"
    directory.mkdir()
    db = directory / "state.db"
    make(db)
    before = snapshot_dir(directory)
    result = run_exiting(harness.superlink_command(), ["--database", str(db)], ports,
                         tmp_path / "home")
    assert result.status == ERROR_EXIT_STATUS, result.describe()
    assert result.exit_codes() == [105], result.describe()
    assert_exit_record(result, 105, rf"{re.escape(str(db))}.*refusing to touch it")
    assert snapshot_dir(directory) == before  # byte-identical, and no -wal/-shm left


@dataclass
class Unprivileged:
    """A directory the SuperLink cannot write to, the user to run it as (root ignores
    permissions, so as root the SuperLink runs as `nobody`) and the command to run (as
    `nobody`, a copy of the executable outside the possibly private checkout)."""

    readonly: Path
    home: Path
    user: int | None
    command: list[str]


@pytest.fixture
def unprivileged() -> Iterator[Unprivileged]:
    base = Path(tempfile.mkdtemp(prefix="sepal-readonly-"))
    try:
        base.chmod(0o755)
        readonly = base / "readonly"
        readonly.mkdir()
        home = base / "home"
        home.mkdir()
        home.chmod(0o777)
        command = harness.superlink_command()
        user = None
        if os.geteuid() == 0:
            user = 65534
            executable = Path(command[0])
            if executable.is_file():
                copy = base / "bin" / executable.name
                copy.parent.mkdir()
                shutil.copy2(executable, copy)
                copy.chmod(0o755)
                command = [str(copy), *command[1:]]
        readonly.chmod(0o555)
        yield Unprivileged(readonly, home, user, command)
    finally:
        (base / "readonly").chmod(0o755)
        shutil.rmtree(base, ignore_errors=True)


def nonexistent_dir(tmp_path: Path) -> Path:
    return tmp_path / "no" / "such" / "dir"


def file_as_dir(tmp_path: Path) -> Path:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    return blocker


@pytest.mark.parametrize(("where", "message"), [
    (nonexistent_dir, r"Cannot open database .*: the directory .* does not exist$"),
    (file_as_dir, r"Cannot open database .*: .*a-file is not a directory$"),
], ids=["missing-dir", "file-as-dir"])
def test_database_directory_unusable(where: Callable[[Path], Path], message: str,
                                     ports: harness.PortAllocator, tmp_path: Path) -> None:
    db = where(tmp_path) / "state.db"
    result = run_exiting(harness.superlink_command(), ["--database", str(db)], ports,
                         tmp_path / "home")
    assert result.status == ERROR_EXIT_STATUS, result.describe()
    assert_one_line_error(result, message)
    assert not db.exists()


def test_database_directory_unwritable(unprivileged: Unprivileged,
                                       ports: harness.PortAllocator) -> None:
    result = run_exiting(unprivileged.command,
                         ["--database", str(unprivileged.readonly / "state.db"),
                          "--storage-dir", str(unprivileged.home / "ffs")],
                         ports, unprivileged.home, user=unprivileged.user)
    assert result.status == ERROR_EXIT_STATUS, result.describe()
    assert_one_line_error(result, r"Cannot open database .*: the directory .* is not writable")
    assert list(unprivileged.readonly.iterdir()) == []


def test_storage_dir_is_a_file(ports: harness.PortAllocator, tmp_path: Path) -> None:
    """Flower only fails on the first FAB it stores; Sepal refuses at startup."""
    storage = file_as_dir(tmp_path) / "ffs"
    result = run_exiting(harness.superlink_command(), ["--storage-dir", str(storage)], ports,
                         tmp_path / "home")
    assert result.status == ERROR_EXIT_STATUS, result.describe()
    assert_one_line_error(result, rf"Cannot use storage directory {re.escape(str(storage))}")


def test_storage_dir_unwritable(unprivileged: Unprivileged,
                                ports: harness.PortAllocator) -> None:
    storage = unprivileged.readonly / "ffs"
    result = run_exiting(unprivileged.command, ["--storage-dir", str(storage)], ports,
                         unprivileged.home, user=unprivileged.user)
    assert result.status == ERROR_EXIT_STATUS, result.describe()
    assert_one_line_error(result, rf"Cannot use storage directory {re.escape(str(storage))}")
    assert not storage.exists()


def test_log_file_unwritable(ports: harness.PortAllocator, tmp_path: Path) -> None:
    log_file = file_as_dir(tmp_path) / "superlink.log"
    result = run_exiting(harness.superlink_command(), ["--log-file", str(log_file)], ports,
                         tmp_path / "home")
    assert result.status == ERROR_EXIT_STATUS, result.describe()
    assert_one_line_error(result, r"Cannot write the log file .*: Not a directory$")
