"""A SuperLink under test on its own (no SuperNodes, no CLI config), on free ports, for the
process-level suites: bootstrap storms, CLI flags, signals and SuperExec supervision.

Each `Link` is a `harness.ManagedProcess` with its own log file; `LinkPool` (the `links`
fixture) tracks them so a failing test gets their log tails and nothing outlives the test.
Signals meant for the SuperLink go to its PID only (what an operator or service manager does),
so what the SuperLink itself stops can be checked; the final cleanup kills the whole tree.
"""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import harness

#: Alembic head of the flwr 1.28.0 wheel.
FLOWER_HEAD_REVISION = "795243e997d8"
#: A database written by Flower 1.28's own `flower-superlink`: the schema Sepal must create.
FLOWER_FIXTURE_DB = harness.REPO / "Tests" / "SQLTests" / "Fixtures" / "flower-1.28-state.db"

#: Flower's process status after a graceful stop by SIGINT, SIGTERM or SIGQUIT. Its exit codes
#: for them (1, 3, 2) are only internal: `flwr_exit` exits 0 for every code below 100.
GRACEFUL_EXIT_STATUS = 0
#: Flower's process status for every error, whatever `Exit Code: N` it logs first.
ERROR_EXIT_STATUS = 1

SUPEREXEC_STARTED = re.compile(r"Started SuperExec \(pid (\d+)\)")
ANSI = re.compile(r"\x1b\[[0-9;]*m")
#: Log words that mean the database misbehaved (any SQLite or bootstrap failure).
DB_WORDS = re.compile(r"sqlite|database|locked|no such table|already exists|migrat|schema",
                      re.IGNORECASE)
#: The one healthy log line that names the database.
DB_OPENED = re.compile(r"^INFO :\s+Using SqlLinkState \(")


def log_trouble(log_text: str) -> list[str]:
    """Lines of a SuperLink log that report an error, a traceback or any database trouble."""
    def troubled(line: str) -> bool:
        if line.startswith("=== start "):  # the harness's own argv line
            return False
        return (line.startswith(("ERROR", "CRITICAL")) or "Traceback" in line
                or bool(DB_WORDS.search(line) and not DB_OPENED.match(line)))

    return [line for line in log_text.splitlines() if troubled(line)]


@dataclass(eq=False)
class Link:
    """One SuperLink process with its own ports, database and storage directory."""

    name: str
    root: Path
    ports: harness.PortAllocator
    database: Path | None
    extra_args: list[str] = field(default_factory=list)
    #: `--isolation` (None: not given, Flower's default `subprocess`).
    isolation: str | None = "process"
    #: Whether to pass `--storage-dir` (otherwise Flower's default under `$FLWR_HOME`).
    storage: bool = True
    #: The flags naming the ServerAppIo and Control addresses (deprecated aliases exist).
    serverappio_flag: str = "--serverappio-api-address"
    control_flag: str = "--control-api-address"
    serverappio_port: int = 0
    fleet_port: int = 0
    control_port: int = 0
    process: harness.ManagedProcess | None = None

    def __post_init__(self) -> None:
        self.serverappio_port = self.serverappio_port or self.ports.take()
        self.fleet_port = self.fleet_port or self.ports.take()
        self.control_port = self.control_port or self.ports.take()

    @property
    def storage_dir(self) -> Path:
        return self.root / f"{self.name}-ffs"

    @property
    def log_path(self) -> Path:
        return self.root / "logs" / f"{self.name}.log"

    def argv(self) -> list[str]:
        argv = harness.superlink_command() + ["--insecure"]
        if self.isolation is not None:
            argv += ["--isolation", self.isolation]
        if self.storage:
            argv += ["--storage-dir", str(self.storage_dir)]
        argv += [
            self.serverappio_flag, f"127.0.0.1:{self.serverappio_port}",
            "--fleet-api-address", f"127.0.0.1:{self.fleet_port}",
            self.control_flag, f"127.0.0.1:{self.control_port}",
        ]
        if self.database is not None:
            argv += ["--database", str(self.database)]
        return argv + self.extra_args

    def start(self) -> None:
        command = harness.superlink_command()
        if "/" in command[0] and not Path(command[0]).exists():
            raise harness.HarnessError(
                f"SuperLink executable {command[0]} does not exist. Build it with "
                "`swift build -c release --product sepal`.")
        env = {**os.environ, **harness.BASE_ENV, "FLWR_HOME": str(self.root / f"{self.name}-home")}
        self.process = harness.ManagedProcess(self.name, self.argv(), self.log_path, env)
        self.process.start()

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def alive(self) -> bool:
        return self.process is not None and self.process.alive()

    def returncode(self) -> int | None:
        return None if self.process is None or self.process.popen is None \
            else self.process.popen.poll()

    def log_text(self) -> str:
        return ANSI.sub("", self.process.log_text()) if self.process else ""

    def wait_accepting(self, port: int | None = None, deadline_s: float = 20.0,
                       interval_s: float = 0.002) -> float:
        """Wait until `port` (default: Control) accepts a TCP connection; fail at once if the
        process exits. Returns the seconds it took."""
        port = port or self.control_port
        started = time.monotonic()

        def accepting() -> bool:
            if not self.alive():
                raise harness.HarnessError(
                    f"{self.name} exited with {self.returncode()} before port {port} "
                    f"accepted:\n{self.process.log_tail() if self.process else ''}")
            return harness.port_accepts(port, timeout=0.2)

        harness.wait_until(f"{self.name}'s port {port} to accept", accepting, deadline_s,
                           interval_s=interval_s,
                           on_timeout=lambda: self.process.log_tail() if self.process else "")
        return time.monotonic() - started

    def wait_all_ports(self, deadline_s: float = 20.0) -> None:
        for port in (self.control_port, self.serverappio_port, self.fleet_port):
            self.wait_accepting(port, deadline_s)

    def send(self, sig: int) -> None:
        """Send `sig` to the SuperLink's PID only (not its process group)."""
        self.process.popen.send_signal(sig)

    def terminate(self, sig: int = signal.SIGTERM, deadline_s: float = 15.0) -> int:
        """Signal the SuperLink's PID and wait for it; its exit status (fails on timeout)."""
        assert self.process is not None and self.process.popen is not None
        if self.process.popen.poll() is None:
            self.send(sig)
        try:
            return self.process.popen.wait(timeout=deadline_s)
        except subprocess.TimeoutExpired:
            raise harness.HarnessError(
                f"{self.name} (pid {self.pid}) did not exit within {deadline_s}s of "
                f"{signal.Signals(sig).name}:\n{self.process.log_tail()}") from None

    def superexec_pids(self) -> list[int]:
        """PIDs of the SuperExecs the SuperLink says it started, in order."""
        return [int(m[1]) for m in SUPEREXEC_STARTED.finditer(self.log_text())]

    def cleanup(self) -> None:
        if self.process is not None:
            self.process.stop(grace_s=5.0)


@dataclass
class LinkPool:
    """The links (and stray PIDs) of one test: log tails for its report, cleanup after it."""

    root: Path
    ports: harness.PortAllocator
    links: list[Link] = field(default_factory=list)
    strays: list[tuple[int, int]] = field(default_factory=list)

    def new(self, name: str, database: Path | None, **kwargs) -> Link:
        link = Link(name, self.root, self.ports, database, **kwargs)
        self.links.append(link)
        return link

    def start(self, name: str, database: Path | None, **kwargs) -> Link:
        link = self.new(name, database, **kwargs)
        link.start()
        return link

    def adopt(self, pid: int) -> None:
        """Kill `pid` at cleanup if it is still the same process (e.g. a SuperExec, which runs
        in a process group of its own)."""
        start = harness.process_start_time(pid)
        if start is not None:
            self.strays.append((pid, start))

    def cleanup(self) -> None:
        for link in self.links:
            for pid in link.superexec_pids():
                self.adopt(pid)
            link.cleanup()
        harness.kill_processes(self.strays)

    def diagnostics(self, lines: int = 80) -> list[tuple[str, str]]:
        """Log tails of the links that are still up or did not exit cleanly, and of the last
        three (a storm starts dozens)."""
        sections = []
        for index, link in enumerate(self.links):
            if link.process is None:
                continue
            if index < len(self.links) - 3 and link.returncode() == GRACEFUL_EXIT_STATUS:
                continue
            code = link.returncode()
            state = "alive" if code is None else f"exited {code}"
            sections.append((f"{link.name} log tail ({state}, pid {link.pid})",
                             link.process.log_tail(lines)))
        return sections


# MARK: - Database inspection


def flower_schema() -> dict[str, list[str]]:
    """Table -> column names of the database Flower 1.28 itself creates."""
    return table_columns(FLOWER_FIXTURE_DB)


def table_columns(path: Path) -> dict[str, list[str]]:
    with closing_db(path) as db:
        tables = [r[0] for r in db.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name")]
        return {t: [c[1] for c in db.execute(f'PRAGMA table_info("{t}")')] for t in tables}


class closing_db:  # noqa: N801 - reads like the contextlib helper it mirrors
    """A sqlite3 connection for reading, closed on exit.

    Not `mode=ro`: a read-only connection to a WAL database cannot remove the -wal and -shm
    files it creates, and would leave them behind as if the SuperLink had not closed cleanly.
    Only queries go through it; its close checkpoints nothing new into the file.
    """

    def __init__(self, path: Path) -> None:
        if not Path(path).exists():
            raise harness.HarnessError(f"no database file at {path}")
        self.connection = sqlite3.connect(path, timeout=10)

    def __enter__(self) -> sqlite3.Connection:
        return self.connection

    def __exit__(self, *exc: object) -> None:
        self.connection.close()


@dataclass
class DatabaseReport:
    """What a stopped (or running) SuperLink left in its database file."""

    tables: dict[str, list[str]]
    duplicate_objects: list[tuple[str, str, int]]
    versions: list[str]
    run_ids: set[int]
    node_count: int
    integrity: str
    journal_mode: str

    @classmethod
    def read(cls, path: Path) -> DatabaseReport:
        with closing_db(path) as db:
            duplicates = [tuple(r) for r in db.execute(
                "SELECT type, name, count(*) FROM sqlite_master GROUP BY type, name "
                "HAVING count(*) > 1")]
            versions = [r[0] for r in db.execute("SELECT version_num FROM alembic_version")]
            # IDs are uint64 stored as SQLite's signed int64, as Flower stores them.
            runs = {int(r[0]) & 0xFFFF_FFFF_FFFF_FFFF for r in db.execute("SELECT run_id FROM run")}
            nodes = db.execute("SELECT count(*) FROM node").fetchone()[0]
            integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
            journal = db.execute("PRAGMA journal_mode").fetchone()[0]
        return cls(table_columns(path), duplicates, versions, runs, nodes, integrity, journal)

    def problems(self, expected_schema: dict[str, list[str]]) -> list[str]:
        """Everything wrong with the file as a state database at Flower's head revision."""
        found = []
        if self.integrity != "ok":
            found.append(f"integrity_check: {self.integrity}")
        if self.duplicate_objects:
            found.append(f"duplicate sqlite_master entries: {self.duplicate_objects}")
        if self.versions != [FLOWER_HEAD_REVISION]:
            found.append(f"alembic_version holds {self.versions}, "
                         f"expected [{FLOWER_HEAD_REVISION!r}]")
        if self.tables != expected_schema:
            missing = sorted(set(expected_schema) - set(self.tables))
            extra = sorted(set(self.tables) - set(expected_schema))
            differing = sorted(t for t in set(self.tables) & set(expected_schema)
                               if self.tables[t] != expected_schema[t])
            found.append(f"schema differs from Flower's: missing tables {missing}, extra "
                         f"{extra}, different columns in {differing}")
        return found


def signed_off(path: Path) -> list[str]:
    """Side files a cleanly closed SQLite database does not leave behind."""
    return [p.name for p in (Path(f"{path}-wal"), Path(f"{path}-journal")) if p.exists()]
