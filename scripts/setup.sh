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
    # Without pip: installing it takes longer than everything `make run` needs; it comes below, when needed.
    "$PYTHON" -m venv --without-pip .venv
fi
extras=${QBR_EXTRAS-dev}

# The runtime only: uv resolves and installs in parallel, several times faster than pip. It is fetched from the
# package index into .venv/tools on first use; without a pip to fetch it with, pip does the whole install below.
install_runtime_with_uv() {
    local uv=.venv/tools/bin/uv
    if [ ! -x "$uv" ]; then
        "$PYTHON" -m pip install --quiet --disable-pip-version-check --no-deps --target .venv/tools "uv>=0.5" \
            >/dev/null 2>&1 || return 1
    fi
    # pip too, so that `make setup` / `make test` can later add the development tools to the same .venv.
    "$uv" pip install --quiet --python .venv/bin/python -e . pip
}
if [ -z "$extras" ] && install_runtime_with_uv; then
    exit 0
fi

if ! .venv/bin/python -m pip --version >/dev/null 2>&1; then
    .venv/bin/python -m ensurepip --upgrade >/dev/null
fi
# setuptools too: the one a new venv starts with is years old and has known vulnerabilities.
.venv/bin/python -m pip install --quiet --upgrade pip setuptools
if [ -n "$extras" ]; then
    .venv/bin/python -m pip install --quiet -e ".[${extras}]"
else
    .venv/bin/python -m pip install --quiet -e .
fi
