"""gRPC clients for a SuperLink's three APIs, shaped like Flower's own callers: a signed
SuperNode (Fleet), a SuperExec (ServerAppIo) and the CLI (Control), plus a FAB to start runs.

`storm()` fires many mixed calls at once (threads released together by a barrier), each on
its own channel and TCP connection, with `wait_for_ready=False` and no retries: every failure
of a first attempt is reported.
"""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import threading
import time
import traceback
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import grpc
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from flwr.proto import (
    appio_pb2,
    control_pb2,
    control_pb2_grpc,
    fab_pb2,
    fleet_pb2,
    fleet_pb2_grpc,
    serverappio_pb2_grpc,
)

import harness

RPC_TIMEOUT_S = 15.0

#: Each channel its own subchannel (TCP connection), as separate client processes would have.
CHANNEL_OPTIONS = [("grpc.use_local_subchannel_pool", 1), ("grpc.enable_retries", 0)]


def channel(port: int) -> grpc.Channel:
    return grpc.insecure_channel(f"127.0.0.1:{port}", options=CHANNEL_OPTIONS)


# MARK: - Fleet: a self-registering SuperNode


class NodeKey:
    """A SuperNode's SECP384R1 identity; signs each call's metadata as `flower-supernode`."""

    def __init__(self) -> None:
        self._key = ec.generate_private_key(ec.SECP384R1())
        self.public_pem = self._key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)

    def metadata(self) -> tuple[tuple[str, str | bytes], ...]:
        timestamp = datetime.now(timezone.utc).isoformat()
        signature = self._key.sign(timestamp.encode("ascii"), ec.ECDSA(hashes.SHA256()))
        return (("flwr-public-key-bin", self.public_pem), ("flwr-timestamp", timestamp),
                ("flwr-signature-bin", signature))


def register_and_activate(fleet: fleet_pb2_grpc.FleetStub, key: NodeKey) -> int:
    """Fleet `RegisterNode` then `ActivateNode` (heartbeat 30 s); the node ID."""
    registered = fleet.RegisterNode(
        fleet_pb2.RegisterNodeFleetRequest(public_key=key.public_pem),
        metadata=key.metadata(), timeout=RPC_TIMEOUT_S, wait_for_ready=False)
    activated = fleet.ActivateNode(
        fleet_pb2.ActivateNodeRequest(public_key=key.public_pem, heartbeat_interval=30.0),
        metadata=key.metadata(), timeout=RPC_TIMEOUT_S, wait_for_ready=False)
    if activated.node_id != registered.node_id or registered.node_id == 0:
        raise AssertionError(f"RegisterNode gave {registered.node_id}, "
                             f"ActivateNode {activated.node_id}")
    return registered.node_id


# MARK: - A FAB


def build_fab(out_dir: Path) -> bytes:
    """`flwr build` of examples/sklearn-digits (the FAB `flwr run` would send)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [str(harness.VENV_BIN / "flwr"), "build", "--app", str(harness.APP_DIR)],
        cwd=out_dir, capture_output=True, text=True, timeout=harness.CLI_TIMEOUT,
        env={**os.environ, **harness.BASE_ENV, "FLWR_HOME": str(out_dir / "home")},
        stdin=subprocess.DEVNULL)
    fabs = sorted(out_dir.glob("*.fab"))
    if done.returncode != 0 or len(fabs) != 1:
        raise harness.HarnessError(f"flwr build failed ({done.returncode}): "
                                   f"{done.stdout}\n{done.stderr}\nfound {fabs}")
    content = fabs[0].read_bytes()
    with zipfile.ZipFile(io.BytesIO(content)) as bundle:
        if "pyproject.toml" not in bundle.namelist():
            raise harness.HarnessError(f"{fabs[0]} has no pyproject.toml")
    return content


def start_run_request(fab: bytes, run_config: dict[str, int] | None = None
                      ) -> control_pb2.StartRunRequest:
    """What `flwr run <app> <conn>` sends (default federation, optional `--run-config`)."""
    from flwr.proto import transport_pb2  # noqa: PLC0415 - Scalar lives here

    request = control_pb2.StartRunRequest(
        fab=fab_pb2.Fab(hash_str=hashlib.sha256(fab).hexdigest(), content=fab))
    for key, value in (run_config or {}).items():
        request.override_config[key].CopyFrom(transport_pb2.Scalar(sint64=value))
    return request


def start_run(control: control_pb2_grpc.ControlStub, fab: bytes,
              run_config: dict[str, int] | None = None) -> int:
    response = control.StartRun(start_run_request(fab, run_config), timeout=RPC_TIMEOUT_S,
                                wait_for_ready=False)
    if not response.HasField("run_id") or response.run_id == 0:
        raise AssertionError(f"StartRun returned no run ID: {response}")
    return response.run_id


def run_statuses(control: control_pb2_grpc.ControlStub) -> dict[int, str]:
    """run ID -> `status` (with `:sub_status` once finished), from Control `ListRuns`."""
    response = control.ListRuns(control_pb2.ListRunsRequest(), timeout=RPC_TIMEOUT_S)
    return {run_id: (f"{run.status.status}:{run.status.sub_status}"
                     if run.status.status == "finished" else run.status.status)
            for run_id, run in response.run_dict.items()}


# MARK: - The storm


@dataclass
class Outcome:
    """One storm call: which kind, how long it took, its result or its failure."""

    kind: str
    seconds: float
    result: object = None
    error: str | None = None


@dataclass(frozen=True)
class Ports:
    control: int
    serverappio: int
    fleet: int


def _call_kinds(ports: Ports, fab: bytes) -> dict[str, Callable[[], object]]:
    """Each kind opens its channels, makes its calls, closes them; returns something to check."""

    def control(call: Callable[[control_pb2_grpc.ControlStub], object]) -> Callable[[], object]:
        def run() -> object:
            with channel(ports.control) as ch:
                return call(control_pb2_grpc.ControlStub(ch))
        return run

    def list_federations(stub: control_pb2_grpc.ControlStub) -> object:
        response = stub.ListFederations(control_pb2.ListFederationsRequest(),
                                        timeout=RPC_TIMEOUT_S, wait_for_ready=False)
        names = [f.name for f in response.federations]
        if names != ["@none/default"]:
            raise AssertionError(f"ListFederations: {names}")
        return names

    def list_runs(stub: control_pb2_grpc.ControlStub) -> object:
        response = stub.ListRuns(control_pb2.ListRunsRequest(), timeout=RPC_TIMEOUT_S,
                                 wait_for_ready=False)
        if not response.now:
            raise AssertionError("ListRuns without `now`")
        return sorted(response.run_dict)

    def start_only(stub: control_pb2_grpc.ControlStub) -> object:
        return start_run(stub, fab)

    def start_and_token() -> object:
        with channel(ports.control) as c, channel(ports.serverappio) as s:
            run_id = start_run(control_pb2_grpc.ControlStub(c), fab)
            token = serverappio_pb2_grpc.ServerAppIoStub(s).RequestToken(
                appio_pb2.RequestTokenRequest(run_id=run_id), timeout=RPC_TIMEOUT_S,
                wait_for_ready=False).token
            if not token:
                raise AssertionError(f"RequestToken({run_id}) gave an empty token")
            return run_id

    def list_apps() -> object:
        with channel(ports.serverappio) as s:
            return list(serverappio_pb2_grpc.ServerAppIoStub(s).ListAppsToLaunch(
                appio_pb2.ListAppsToLaunchRequest(), timeout=RPC_TIMEOUT_S,
                wait_for_ready=False).run_ids)

    def node() -> object:
        key = NodeKey()
        with channel(ports.fleet) as f:
            return register_and_activate(fleet_pb2_grpc.FleetStub(f), key)

    return {
        "ListFederations": control(list_federations),
        "ListRuns": control(list_runs),
        "StartRun": control(start_only),
        "StartRun+RequestToken": start_and_token,
        "ListAppsToLaunch": list_apps,
        "RegisterNode+ActivateNode": node,
    }


STORM_KINDS = ("ListFederations", "ListRuns", "StartRun", "StartRun+RequestToken",
               "ListAppsToLaunch", "RegisterNode+ActivateNode")


def storm(ports: Ports, fab: bytes, per_kind: int = 6, deadline_s: float = 60.0
          ) -> list[Outcome]:
    """`per_kind` threads of each kind, released together; every outcome, in kind order."""
    kinds = _call_kinds(ports, fab)
    plan = [kind for kind in STORM_KINDS for _ in range(per_kind)]
    outcomes: list[Outcome | None] = [None] * len(plan)
    barrier = threading.Barrier(len(plan))

    def worker(index: int, kind: str) -> None:
        try:
            barrier.wait(timeout=30)
        except threading.BrokenBarrierError:
            outcomes[index] = Outcome(kind, 0.0, error="barrier broken (harness)")
            return
        started = time.monotonic()
        try:
            result = kinds[kind]()
            outcomes[index] = Outcome(kind, time.monotonic() - started, result=result)
        except grpc.RpcError as error:
            outcomes[index] = Outcome(kind, time.monotonic() - started,
                                      error=f"{error.code().name}: {error.details()}")
        except Exception:  # noqa: BLE001 - every failure is an outcome to report
            outcomes[index] = Outcome(kind, time.monotonic() - started,
                                      error=traceback.format_exc(limit=3))

    threads = [threading.Thread(target=worker, args=(i, kind), daemon=True)
               for i, kind in enumerate(plan)]
    for thread in threads:
        thread.start()
    end = time.monotonic() + deadline_s
    for thread in threads:
        thread.join(timeout=max(0.0, end - time.monotonic()))
    return [o if o is not None else Outcome(kind, deadline_s, error="no outcome (timed out)")
            for o, kind in zip(outcomes, plan, strict=True)]


def failures(outcomes: list[Outcome]) -> list[str]:
    return [f"{o.kind} after {o.seconds:.3f}s: {o.error}" for o in outcomes if o.error]


def started_runs(outcomes: list[Outcome]) -> set[int]:
    return {int(o.result) for o in outcomes
            if o.kind in ("StartRun", "StartRun+RequestToken") and o.error is None}
