"""Key material made at test time with the system tools, as an operator would make it: a CA and
a loopback server certificate with the `openssl` CLI (TLS, protocol §7.2), and ECDSA P-384
OpenSSH key pairs with `ssh-keygen` (SuperNode authentication, §7.1). Nothing is checked in.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import harness


@dataclass(frozen=True)
class TlsFiles:
    """PEM files for `--ssl-ca-certfile`, `--ssl-certfile` and `--ssl-keyfile`."""

    ca_cert: Path
    server_cert: Path
    server_key: Path


@dataclass(frozen=True)
class SshKeyPair:
    """`ssh-keygen` output: `private` for `--auth-supernode-private-key`, `public` (`.pub`)
    for `flwr supernode register`."""

    private: Path
    public: Path


def _tool(name: str, hint: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise harness.HarnessError(f"`{name}` is not installed ({hint}; see "
                                   "scripts/install-deps.sh)")
    return path


def _run(argv: list[str]) -> None:
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60,
                          stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        raise harness.HarnessError(f"{' '.join(argv)} -> exit {done.returncode}\n"
                                   f"{done.stdout}\n{done.stderr}")


def make_tls_files(directory: Path) -> TlsFiles:
    """A throw-away CA and a server certificate it signed for `127.0.0.1` and `localhost`.

    EC P-256 keys: grpcio and gRPC C-core both take them, and they are made in milliseconds
    (RSA-4096, as in Flower's e2e `generate.sh`, costs seconds on a busy machine).
    """
    openssl = _tool("openssl", "apt-get install openssl")
    directory.mkdir(parents=True, exist_ok=True)
    ca_key, ca_cert = directory / "ca.key", directory / "ca.pem"
    key, csr, cert = directory / "server.key", directory / "server.csr", directory / "server.pem"
    extensions = directory / "server.ext"
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
    _run([openssl, "req", "-x509", *ec, "-keyout", str(ca_key), "-out", str(ca_cert),
          "-days", "2", "-sha256", "-subj", "/O=Sepal interop tests/CN=Sepal test CA",
          "-addext", "basicConstraints=critical,CA:TRUE",
          "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
    _run([openssl, "req", "-new", *ec, "-keyout", str(key), "-out", str(csr),
          "-subj", "/O=Sepal interop tests/CN=127.0.0.1"])
    extensions.write_text("basicConstraints=CA:FALSE\n"
                          "keyUsage=critical,digitalSignature,keyEncipherment\n"
                          "extendedKeyUsage=serverAuth\n"
                          "subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    _run([openssl, "x509", "-req", "-in", str(csr), "-CA", str(ca_cert), "-CAkey", str(ca_key),
          "-CAcreateserial", "-out", str(cert), "-days", "2", "-sha256",
          "-extfile", str(extensions)])
    return TlsFiles(ca_cert=ca_cert, server_cert=cert, server_key=key)


def make_ssh_key(path: Path) -> SshKeyPair:
    """`ssh-keygen -t ecdsa -b 384 -N "" -f path`: an OpenSSH ECDSA P-384 key pair."""
    ssh_keygen = _tool("ssh-keygen", "apt-get install openssh-client")
    path.parent.mkdir(parents=True, exist_ok=True)
    _run([ssh_keygen, "-q", "-t", "ecdsa", "-b", "384", "-N", "", "-C", path.name,
          "-f", str(path)])
    return SshKeyPair(private=path, public=path.with_name(path.name + ".pub"))
