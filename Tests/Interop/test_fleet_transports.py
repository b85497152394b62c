"""The other Fleet transports (protocol §4.7, §7.5): `--fleet-api-type grpc-adapter` with
Flower SuperNodes started `--grpc-adapter`, and `--fleet-api-type rest` with SuperNodes started
`--rest --superlink http://...` (and, with the `--ssl-*` files, `https://...` verified against
the test CA). Each trains examples/sklearn-digits to `finished:completed` on a SQLite state file.
Neither transport carries node signature auth (as in Flower); the ports answer Flower's
transport-level errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import grpc
import pytest
import requests

import harness
import pki
from conftest import RUN_DEADLINE_S
from test_deployment import round_accuracies

#: `rest-tls`: `--fleet-api-type rest` with the three `--ssl-*` files instead of `--insecure`.
TRANSPORTS = ["grpc-adapter", "rest", "rest-tls"]
ROUNDS = 2


def supernode_flags(transport: str, deployment: harness.Deployment) -> list[str]:
    """Flower SuperNode flags for the transport; a later `--superlink` overrides the harness's
    (argparse keeps the last)."""
    if transport == "grpc-adapter":
        return ["--grpc-adapter"]
    scheme = "https" if deployment.tls is not None else "http"
    return ["--rest", "--superlink", f"{scheme}://127.0.0.1:{deployment.fleet_port}"]


def skip_rest_on_reference(transport: str) -> None:
    """Flower 1.28's REST SuperNode cannot work with Flower's own REST SuperLink: it sends
    `//api/v0/fleet/register-node`, which Starlette answers 404 ("Failed to register node"); and
    that SuperLink needs the `flwr[rest]` extra, not pinned here. A reference run skips REST."""
    if transport.startswith("rest") and Path(harness.superlink_command()[0]).name == "flower-superlink":
        pytest.skip("Flower 1.28's REST SuperNode cannot register with flower-superlink (404 on //api/...)")


@pytest.fixture(scope="module", params=TRANSPORTS)
def transport_deployment(request: pytest.FixtureRequest,
                         make_deployment: Callable[..., harness.Deployment],
                         tmp_path_factory: pytest.TempPathFactory) -> harness.Deployment:
    transport = request.param
    skip_rest_on_reference(transport)
    tls = pki.make_tls_files(tmp_path_factory.mktemp("pki")) if transport == "rest-tls" else None
    deployment = make_deployment(f"fleet-{transport}", tls=tls, superlink_flags=[
        "--fleet-api-type", transport.removesuffix("-tls")])
    deployment.start_superlink()
    deployment.start_supernodes(2, extra_args=lambda _: supernode_flags(transport, deployment))
    deployment.transport = transport  # type: ignore[attr-defined]
    return deployment


def test_run_completes_over_transport(transport_deployment: harness.Deployment) -> None:
    deployment = transport_deployment
    transport = deployment.transport  # type: ignore[attr-defined]
    for node in deployment.supernodes:
        assert supernode_flags(transport, deployment)[0] in node.argv
    run_id = deployment.start_run(run_config=f"num-server-rounds={ROUNDS}")
    deployment.wait_status(run_id, {"finished:completed"}, RUN_DEADLINE_S)
    run = deployment.list_run(run_id)
    assert run["status"] == "finished:completed", run
    # Fleet traffic and ClientApp runtime were accounted through the transport too.
    assert run["network-traffic"]["inbound-bytes"] > 0, run
    assert run["network-traffic"]["outbound-bytes"] > 0, run
    assert run["compute-time"]["clientapp-seconds"] > 0, run
    log = deployment.flwr("log", run_id, deployment.connection, "--show")
    accuracies = round_accuracies(log.stdout)
    assert set(range(1, ROUNDS + 1)) <= set(accuracies), log.describe()
    for node in deployment.supernodes:
        assert node.alive(), f"{node.name} died:\n{node.log_tail()}"


def test_transport_level_errors(transport_deployment: harness.Deployment) -> None:
    """What a client that is not a Flower SuperNode gets, as from flower-superlink 1.28."""
    deployment = transport_deployment
    port = deployment.fleet_port
    transport = deployment.transport  # type: ignore[attr-defined]
    if transport.startswith("rest"):
        scheme = "https" if deployment.tls is not None else "http"
        verify = str(deployment.tls.ca_cert) if deployment.tls is not None else True
        base = f"{scheme}://127.0.0.1:{port}/api/v0/fleet"
        url = f"{base}/pull-messages"
        if deployment.tls is not None:  # HTTPS only: plain HTTP to the port gets no answer
            with pytest.raises(requests.exceptions.ConnectionError):
                requests.post(f"http://127.0.0.1:{port}/api/v0/fleet/pull-messages", timeout=10)
        plain = requests.post(url, data=b"", headers={"Accept": "application/protobuf"},
                              timeout=10, verify=verify)
        assert (plain.status_code, plain.text) == (400, "Missing header `Content-Type`")
        wrong = requests.post(url, data=b"", timeout=10, verify=verify,
                              headers={"Content-Type": "application/protobuf", "Accept": "*/*"})
        assert (wrong.status_code, wrong.text) == (400, "Unsupported `Accept`")
        unknown = requests.post(f"{base}/nope", timeout=10, verify=verify)
        assert (unknown.status_code, unknown.text) == (404, "Not Found")
        ok = requests.post(url, data=b"", timeout=10, verify=verify, headers={
            "Content-Type": "application/protobuf", "Accept": "application/protobuf"})
        assert ok.status_code == 200 and ok.headers["content-type"] == "application/protobuf"
    else:
        from flwr.proto import grpcadapter_pb2  # noqa: PLC0415

        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            send_receive = channel.unary_unary(
                "/flwr.proto.GrpcAdapter/SendReceive",
                request_serializer=grpcadapter_pb2.MessageContainer.SerializeToString,
                response_deserializer=grpcadapter_pb2.MessageContainer.FromString)
            with pytest.raises(grpc.RpcError) as raised:
                send_receive(grpcadapter_pb2.MessageContainer(grpc_message_name="FooRequest"),
                             timeout=10)
            assert raised.value.code() == grpc.StatusCode.UNKNOWN
            assert raised.value.details() == (
                "Exception calling application: Invalid grpc_message_name: FooRequest")
            reply = send_receive(grpcadapter_pb2.MessageContainer(
                grpc_message_name="PullMessagesRequest"), timeout=10)
            assert reply.grpc_message_name == "PullMessagesResponse"
            assert reply.metadata["grpc-message-module"] == "flwr.proto.fleet_pb2"
    assert deployment.superlink.alive()


def test_sigterm_stops_the_transport(transport_deployment: harness.Deployment) -> None:
    """A graceful stop (status 0) also stops the Fleet transport: its port stops accepting."""
    deployment = transport_deployment
    for node in deployment.supernodes:  # not to be mistaken for the SuperLink's own stop
        node.stop()
    code = deployment.superlink.stop()
    assert code == 0, deployment.superlink.log_tail()
    assert not harness.port_accepts(deployment.fleet_port)


def test_rest_defaults_to_port_9095_and_a_taken_port_is_an_error(
        ports: harness.PortAllocator) -> None:
    """Without `--fleet-api-address`, REST binds 0.0.0.0:9095 (gRPC types: 9092). Holding 9095
    on loopback makes that bind fail, which shows the default and the taken-port error at once."""
    if Path(harness.superlink_command()[0]).name == "flower-superlink":
        pytest.skip("Sepal's message; Flower's REST thread crashes with Exit Code: 100")
    import socket  # noqa: PLC0415

    holder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        holder.bind(("127.0.0.1", 9095))
    except OSError:
        holder.close()
        pytest.skip("port 9095 is in use on this machine")
    with holder:
        holder.listen()
        done = harness.run_to_exit([
            *harness.superlink_command(), "--insecure", "--fleet-api-type", "rest",
            "--isolation", "process", "--database", ":flwr-in-memory:",
            "--serverappio-api-address", f"127.0.0.1:{ports.take()}",
            "--control-api-address", f"127.0.0.1:{ports.take()}",
        ])
    assert done.returncode == 1, done.describe()
    assert "Cannot serve the Fleet API on 0.0.0.0:9095: Address already in use" in done.output, \
        done.describe()


def test_rest_https_needs_both_certificate_and_key(ports: harness.PortAllocator,
                                                   tmp_path: Path) -> None:
    """One of `--ssl-certfile`/`--ssl-keyfile` without the other: Flower's REST thread crashes
    (`Exit Code: 100`, status 1); Sepal refuses with the same code before listening."""
    if Path(harness.superlink_command()[0]).name == "flower-superlink":
        pytest.skip("flower-superlink --fleet-api-type rest needs flwr[rest]")
    tls = pki.make_tls_files(tmp_path / "pki")
    done = harness.run_to_exit([
        *harness.superlink_command(), "--insecure", "--fleet-api-type", "rest",
        "--ssl-certfile", str(tls.server_cert), "--isolation", "process",
        "--serverappio-api-address", f"127.0.0.1:{ports.take()}",
        "--control-api-address", f"127.0.0.1:{ports.take()}",
        "--fleet-api-address", f"127.0.0.1:{ports.take()}",
    ])
    assert done.returncode == 1, done.describe()
    assert "Exit Code: 100" in done.output, done.describe()
