"""CLI-managed SuperNode authentication (protocol §7.1): `--enable-supernode-auth` over TLS,
ECDSA P-384 OpenSSH keys from `ssh-keygen`, registered with `flwr supernode register`; the
SuperNodes only activate (`--auth-supernode-private-key`), and everything else is refused with
Flower's status codes and texts, which the real CLI and SuperNode turn into their messages."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import grpc
import pytest
from flwr.proto import control_pb2, control_pb2_grpc

import harness
import pki
from conftest import RUN_DEADLINE_S
from test_cli_errors import box_text

SELF_REGISTRATION_REFUSED = ("SuperNode authentication is enabled. All SuperNodes must be "
                             "registered via the CLI.")
UNKNOWN_KEY = "No SuperNode found with the given public key."
NODE_EXIT_DEADLINE_S = 60.0


class Federation:
    """The module's deployment plus the keys and node IDs the tests build up."""

    def __init__(self, deployment: harness.Deployment, keys: dict[str, pki.SshKeyPair]) -> None:
        self.deployment = deployment
        self.keys = keys
        self.node_ids: dict[str, str] = {}  # key name -> node ID as `flwr` prints it

    def register(self, key: str) -> harness.CliResult:
        return self.deployment.flwr("supernode", "register", str(self.keys[key].public),
                                    self.deployment.connection, "--format", "json",
                                    check=False)

    def nodes(self) -> dict[str, dict]:
        """`flwr supernode list --format json`, by node ID."""
        result = self.deployment.flwr("supernode", "list", self.deployment.connection,
                                      "--format", "json")
        body = result.json()
        assert body["success"] is True, result.describe()
        return {node["node-id"]: node for node in body["nodes"]}


@pytest.fixture(scope="module")
def federation(make_deployment: Callable[..., harness.Deployment],
               tmp_path_factory: pytest.TempPathFactory) -> Federation:
    material = tmp_path_factory.mktemp("keys")
    deployment = make_deployment("auth", tls=pki.make_tls_files(material / "tls"),
                                 superlink_flags=["--enable-supernode-auth"])
    keys = {name: pki.make_ssh_key(material / name) for name in ("k1", "k2", "stranger", "k4")}
    deployment.start_superlink()
    return Federation(deployment, keys)


def wait_exit(node: harness.ManagedProcess) -> int:
    harness.wait_until(f"{node.name} to give up", lambda: not node.alive(),
                       NODE_EXIT_DEADLINE_S, on_timeout=node.log_tail)
    return node.popen.returncode


def test_register_lists_registered(federation: Federation) -> None:
    for key in ("k1", "k2"):
        result = federation.register(key)
        assert result.returncode == 0, result.describe()
        body = result.json()
        assert body["success"] is True, result.describe()
        federation.node_ids[key] = str(body["node-id"])
    assert len(set(federation.node_ids.values())) == 2

    nodes = federation.nodes()
    for key, node_id in federation.node_ids.items():
        node = nodes[node_id]
        assert node["status"] == "registered", node
        assert node["owner-name"] == "none" and node["owner-aid"] == "<id:none>", node
        assert node["online-at"] == "N/A" and node["deleted-at"] == "N/A", node

    # The default (table) view shows them too, with their status.
    table = federation.deployment.flwr("supernode", "list", federation.deployment.connection)
    for node_id in federation.node_ids.values():
        assert node_id in table.stdout, table.describe()
    assert table.stdout.count("registered") >= 2, table.describe()


def test_registered_nodes_activate_and_train(federation: Federation) -> None:
    deployment = federation.deployment
    assert federation.node_ids, "needs test_register_lists_registered"
    order = ["k1", "k2"]
    deployment.start_supernodes(2, extra_args=lambda i: [
        "--auth-supernode-private-key", str(federation.keys[order[i]].private)])
    for key, node in zip(order, deployment.supernodes, strict=True):
        assert f"SuperNode ID: {federation.node_ids[key]}" in node.log_text(), node.log_tail()

    nodes = federation.nodes()
    for node_id in federation.node_ids.values():
        assert nodes[node_id]["status"] == "online", nodes[node_id]
        assert nodes[node_id]["online-at"] != "N/A", nodes[node_id]

    run_id = deployment.start_run(run_config="num-server-rounds=1")
    deployment.wait_status(run_id, {"finished:completed"}, RUN_DEADLINE_S)
    assert deployment.list_run(run_id)["status"] == "finished:completed"


def test_unregistered_key_cannot_connect(federation: Federation) -> None:
    deployment = federation.deployment
    node = deployment.start_supernode(
        0, 2, ["--auth-supernode-private-key", str(federation.keys["stranger"].private),
               "--max-retries", "0"], name="supernode-stranger", track=False)
    wait_exit(node)
    assert UNKNOWN_KEY in node.log_text(), node.log_tail()
    assert "StatusCode.FAILED_PRECONDITION" in node.log_text(), node.log_tail()
    assert "SuperNode ID:" not in node.log_text(), node.log_tail()
    assert len(federation.nodes()) == 2  # nothing was created for it
    assert deployment.superlink.alive()


def test_self_registration_refused(federation: Federation) -> None:
    deployment = federation.deployment
    node = deployment.start_supernode(0, 2, ["--max-retries", "0"],
                                      name="supernode-self-registering", track=False)
    wait_exit(node)
    assert SELF_REGISTRATION_REFUSED in node.log_text(), node.log_tail()
    assert "SuperNode ID:" not in node.log_text(), node.log_tail()
    assert len(federation.nodes()) == 2
    assert deployment.superlink.alive()


def test_register_same_key_twice(federation: Federation) -> None:
    result = federation.register("k1")
    assert result.returncode == 0, result.describe()  # JSON mode: the failure is in the body
    assert result.json() == {
        "success": False,
        "error-message": "\nThe provided public key is already in use by another SuperNode.",
    }, result.describe()
    plain = federation.deployment.flwr("supernode", "register",
                                       str(federation.keys["k1"].public),
                                       federation.deployment.connection, check=False)
    assert plain.returncode == 1, plain.describe()
    assert box_text(plain.stderr) == (
        "Error The provided public key is already in use by another SuperNode."), \
        plain.describe()


def test_invalid_public_key(federation: Federation, tmp_path: Path) -> None:
    # The CLI checks the file itself (Flower exit code 500, process exit 1) before it calls
    # the SuperLink ...
    bad = tmp_path / "bad.pub"
    bad.write_text("ecdsa-sha2-nistp384 bm90IGEga2V5 nobody@nowhere\n")
    result = federation.deployment.flwr("supernode", "register", str(bad),
                                        federation.deployment.connection, check=False)
    assert result.returncode == 1, result.describe()
    assert "Exit Code: 500" in result.stderr, result.describe()
    assert "valid elliptic curve public key in the SSH format" in result.stderr

    # ... so the SuperLink's own check is reached with a raw RegisterNode.
    with federation.deployment.control_channel() as channel:
        stub = control_pb2_grpc.ControlStub(channel)
        with pytest.raises(grpc.RpcError) as caught:
            stub.RegisterNode(control_pb2.RegisterNodeRequest(public_key=b"not a PEM key"),
                              timeout=10)
    assert caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert caught.value.details() == "The provided public key is not valid"


def test_unregister(federation: Federation) -> None:
    registered = federation.register("k4")
    assert registered.returncode == 0, registered.describe()
    node_id = str(registered.json()["node-id"])
    assert federation.nodes()[node_id]["status"] == "registered"

    deployment = federation.deployment
    result = deployment.flwr("supernode", "unregister", node_id, deployment.connection)
    assert f"SuperNode {node_id} unregistered successfully." in result.stdout, result.describe()
    node = federation.nodes()[node_id]
    assert node["status"] == "unregistered" and node["deleted-at"] != "N/A", node
    # The table hides unregistered nodes unless --verbose.
    table = deployment.flwr("supernode", "list", deployment.connection)
    assert node_id not in table.stdout, table.describe()

    again = deployment.flwr("supernode", "unregister", node_id, deployment.connection,
                            check=False)
    assert again.returncode == 1, again.describe()
    assert box_text(again.stderr) == "Error Node ID not found for this account.", \
        again.describe()
    # The active nodes were not touched.
    nodes = federation.nodes()
    for key in ("k1", "k2"):
        assert nodes[federation.node_ids[key]]["status"] == "online", nodes


def test_registered_node_restarts_and_unregistered_online_node_is_cut_off(
        federation: Federation) -> None:
    deployment = federation.deployment
    first, second = deployment.supernodes[:2]
    first_id, second_id = federation.node_ids["k1"], federation.node_ids["k2"]

    # SIGTERM: a CLI-registered SuperNode deactivates (it does not unregister) ...
    assert second.stop() == 0, second.log_tail()
    node = federation.nodes()[second_id]
    assert node["status"] == "offline" and node["offline-at"] != "N/A", node
    # ... and the same key activates the same node again.
    again = deployment.start_supernode(
        1, 2, ["--auth-supernode-private-key", str(federation.keys["k2"].private)],
        name="supernode-1-again")
    deployment.wait_supernode_registered(again)
    assert f"SuperNode ID: {second_id}" in again.log_text(), again.log_tail()
    assert federation.nodes()[second_id]["status"] == "online"

    # Unregistering a node that is online cuts it off: its next Fleet call is refused. (The
    # SuperNode then usually exits; if its heartbeat thread is refused first, Flower's
    # SuperNode crashes its main thread on shutdown and hangs, whichever SuperLink it uses.)
    deployment.flwr("supernode", "unregister", first_id, deployment.connection)
    assert federation.nodes()[first_id]["status"] == "unregistered"
    harness.wait_until("the unregistered SuperNode to be refused",
                       lambda: 'details = "Invalid node ID"' in first.log_text(),
                       NODE_EXIT_DEADLINE_S, on_timeout=first.log_tail)
    assert "StatusCode.UNAUTHENTICATED" in first.log_text(), first.log_tail()
    first.stop()
    assert federation.nodes()[first_id]["status"] == "unregistered"
    assert again.alive() and deployment.superlink.alive()
    assert federation.nodes()[second_id]["status"] == "online"


def test_supernode_auth_requires_tls() -> None:
    done = harness.run_to_exit([
        *harness.superlink_command(), "--insecure", "--enable-supernode-auth",
        "--database", ":flwr-in-memory:", "--serverappio-api-address", "127.0.0.1:0",
        "--fleet-api-address", "127.0.0.1:0", "--control-api-address", "127.0.0.1:0",
    ])
    assert done.returncode == 1, done.describe()
    # Flower logs the code, then the message (Sepal as two ERROR lines, Flower as one).
    message = ("The `--enable-supernode-auth` flag requires encrypted TLS communications. "
               "Please provide TLS certificates using the `--ssl-certfile`, `--ssl-keyfile` and "
               "`--ssl-ca-certfile` arguments to your SuperLink. Please refer to the Flower "
               "documentation for more information: https://flower.ai/docs/framework/v1.28.0/"
               "en/how-to-authenticate-supernodes.html\n")
    assert re.search(r"Exit Code: 104\n(ERROR :\s+)?" + re.escape(message), done.output), \
        done.describe()
