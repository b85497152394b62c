#!/usr/bin/env bash
# Installs the Debian packages Sepal builds and tests against (idempotent; needs root).
# openssl and openssh-client (ssh-keygen) make the interop suite's certificates and SuperNode keys.
set -euo pipefail
pkgs=(libgrpc-dev libsqlite3-dev libssl-dev nettle-dev libgmp-dev zlib1g-dev protobuf-compiler sqlite3 openssl openssh-client python3-venv)
missing=()
for p in "${pkgs[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi
echo "system packages ready"
