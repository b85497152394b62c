"""TLS end to end (protocol §7.2): the SuperLink serves Control and Fleet with certificates made
by `openssl` at test time (no `--insecure` anywhere), two Flower SuperNodes connect with
`--root-certificates`, the CLI with `root-certificates`, and a federated run completes. A CLI
that talks plain text to the TLS Control port gets a clean error and the SuperLink keeps
serving."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Callable
from pathlib import Path

import pytest

import harness
import pki
from conftest import RUN_DEADLINE_S
from test_cli_errors import box_text
from test_deployment import round_accuracies


@pytest.fixture(scope="module")
def tls_deployment(make_deployment: Callable[..., harness.Deployment],
                   tmp_path_factory: pytest.TempPathFactory) -> harness.Deployment:
    tls = pki.make_tls_files(tmp_path_factory.mktemp("pki"))
    deployment = make_deployment("tls", tls=tls)
    deployment.start_superlink()
    deployment.start_supernodes(2)
    return deployment


def peer_certificate(port: int, ca_cert: Path) -> dict:
    """The server certificate of 127.0.0.1:port, verified against `ca_cert` (hostname
    included), negotiating HTTP/2 as gRPC clients do."""
    context = ssl.create_default_context(cafile=str(ca_cert))
    context.set_alpn_protocols(["h2"])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw, \
            context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
        assert tls.selected_alpn_protocol() == "h2"
        return tls.getpeercert()


def test_tls_ports_serve_the_given_certificate(tls_deployment: harness.Deployment) -> None:
    assert "--insecure" not in tls_deployment.superlink.argv
    for node in tls_deployment.supernodes:
        assert "--insecure" not in node.argv
    for port in (tls_deployment.control_port, tls_deployment.fleet_port):
        certificate = peer_certificate(port, tls_deployment.tls.ca_cert)
        assert ("IP Address", "127.0.0.1") in certificate["subjectAltName"], certificate
        assert ("DNS", "localhost") in certificate["subjectAltName"], certificate
    # ServerAppIo stays plain text, as in Flower: a TLS handshake there cannot succeed.
    with pytest.raises((ssl.SSLError, ConnectionError, TimeoutError)):
        peer_certificate(tls_deployment.serverappio_port, tls_deployment.tls.ca_cert)


def test_tls_run_completes(tls_deployment: harness.Deployment) -> None:
    run_id = tls_deployment.start_run(run_config="num-server-rounds=1")
    tls_deployment.wait_status(run_id, {"finished:completed"}, RUN_DEADLINE_S)
    run = tls_deployment.list_run(run_id)
    assert run["status"] == "finished:completed", run
    assert run["network-traffic"]["inbound-bytes"] > 0, run
    log = tls_deployment.flwr("log", run_id, tls_deployment.connection, "--show")
    assert 1 in round_accuracies(log.stdout), log.describe()


def test_insecure_cli_to_tls_control_fails_cleanly(tls_deployment: harness.Deployment,
                                                   tmp_path: Path) -> None:
    home = tmp_path / "insecure-cli"
    home.mkdir()
    (home / "config.toml").write_text(
        '[superlink]\ndefault = "plain"\n\n[superlink.plain]\n'
        f'address = "127.0.0.1:{tls_deployment.control_port}"\ninsecure = true\n')
    result = tls_deployment.flwr("ls", "plain", check=False, home=home)
    assert result.returncode == 1, result.describe()
    assert box_text(result.stderr) == (
        "Error Connection to the SuperLink is unavailable. Please check your network "
        "connection and 'address' in the SuperLink connection configuration."), result.describe()
    assert "Traceback" not in result.stderr, result.describe()

    # The SuperLink shrugged it off: still alive, still answering the TLS CLI.
    assert tls_deployment.superlink.alive(), tls_deployment.superlink.log_tail()
    listed = tls_deployment.flwr("ls", tls_deployment.connection, "--format", "json").json()
    assert listed["success"] is True, listed


def test_insecure_supernode_to_tls_fleet_fails_cleanly(tls_deployment: harness.Deployment
                                                       ) -> None:
    node = tls_deployment.start_supernode(0, 2, ["--max-retries", "0"], name="supernode-plain",
                                          track=False, security=["--insecure"])
    harness.wait_until("the plain-text SuperNode to give up", lambda: not node.alive(), 60.0,
                       on_timeout=node.log_tail)
    assert "SuperNode ID:" not in node.log_text(), node.log_tail()
    assert "StatusCode.UNAVAILABLE" in node.log_text(), node.log_tail()
    assert tls_deployment.superlink.alive(), tls_deployment.superlink.log_tail()
    # The TLS SuperNodes are still connected and the SuperLink still lists their runs.
    for tls_node in tls_deployment.supernodes:
        assert tls_node.alive(), tls_node.log_tail()
    assert tls_deployment.flwr("ls", tls_deployment.connection, "--format", "json").json()[
        "success"] is True


def test_superlink_without_insecure_needs_certificates() -> None:
    done = harness.run_to_exit([
        *harness.superlink_command(), "--database", ":flwr-in-memory:",
        "--serverappio-api-address", "127.0.0.1:0", "--fleet-api-address", "127.0.0.1:0",
        "--control-api-address", "127.0.0.1:0",
    ])
    assert done.returncode == 1, done.describe()
    # Flower's text, typo (`—-ssl-ca-certfile`) included.
    assert ("Certificates are required unless running in insecure mode. Please provide "
            "certificate paths to `--ssl-certfile`, `--ssl-keyfile`, and `—-ssl-ca-certfile` "
            "or run the server in insecure mode using '--insecure' if you understand the "
            "risks.") in done.output, done.describe()
