#!/usr/bin/env bash
# Creates (or refreshes) the repo's Python virtualenv with the real Flower 1.28 toolchain:
# the `flwr` CLI, `flower-supernode`, the reference `flower-superlink`, scikit-learn and pytest,
# all pinned in scripts/requirements-interop.txt.
#
# Idempotent: a stamp file records the hash of the requirements the venv was built from, so a
# re-run with nothing to do prints exactly one line and touches nothing.
#
# Env: VENV_DIR (default <repo>/.venv), PYTHON (default python3).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${VENV_DIR:-$repo/.venv}"
python="${PYTHON:-python3}"
requirements="$repo/scripts/requirements-interop.txt"
stamp="$venv/.sepal-requirements.sha256"

want="$(sha256sum "$requirements" | cut -d' ' -f1)"
if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]] \
    && version="$("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("flwr"))' 2>/dev/null)"; then
    echo "venv: $venv is up to date (flwr $version)"
    exit 0
fi

if [[ ! -x "$venv/bin/python" ]]; then
    echo "venv: creating $venv with $("$python" -V 2>&1)"
    if ! "$python" -m venv "$venv"; then
        echo "venv: '$python -m venv' failed (on Debian: apt-get install python3-venv)" >&2
        exit 1
    fi
fi

echo "venv: installing pinned requirements into $venv"
# The stamp goes first so an interrupted install is redone next time, not trusted.
rm -f "$stamp"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
"$venv/bin/python" -c 'import flwr, sklearn, numpy, grpc, pytest, ray' # fail loudly if incomplete
echo "$want" > "$stamp"
echo "venv: ready ($("$venv/bin/flwr" --version 2>/dev/null | head -n1 || echo flwr))"
