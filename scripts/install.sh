#!/usr/bin/env bash
# Install vankien-bot into a virtual environment from nothing. Used by .ci/run and the Dockerfile.
#   VENV (default .venv), EXTRAS (default "test"; empty for production).
# torch is installed first and pinned: a bare "torch" requirement would pull a multi-GB CUDA build,
# while torch==2.13.0 resolves to the CPU build these machines keep on disk.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
EXTRAS="${EXTRAS-test}"
PYTHON="${PYTHON:-python3}"
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet "torch==2.13.0"
if [ -n "$EXTRAS" ]; then
  "$VENV/bin/python" -m pip install --quiet -e ".[$EXTRAS]"
else
  "$VENV/bin/python" -m pip install --quiet .
fi
