#!/usr/bin/env bash
# Create .venv and install the package with its development tools (QBR_EXTRAS=dev, the default), or with its
# runtime dependencies only (QBR_EXTRAS= empty, as `make run` does). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "QBR Dashboard needs Python 3.11 or newer; $PYTHON is $("$PYTHON" --version 2>&1)" >&2
    exit 1
fi
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
extras=${QBR_EXTRAS-dev}
# setuptools too: the one a new venv starts with is years old and has known vulnerabilities.
.venv/bin/python -m pip install --quiet --upgrade pip setuptools
if [ -n "$extras" ]; then
    .venv/bin/python -m pip install --quiet -e ".[${extras}]"
else
    .venv/bin/python -m pip install --quiet -e .
fi
