#!/usr/bin/env bash
# Set up and run the product on the embedded SQLite default (qbr.db in this folder): install it with its runtime
# dependencies only, migrate, load the demonstration MSP into a database that has no data yet, create a first admin
# (API key and dashboard user, printed once) when there is none, then serve the dashboard and the API.
# HOST and PORT choose the address (make run PORT=8123, make run HOST=0.0.0.0).
set -euo pipefail
cd "$(dirname "$0")/.."

host=${HOST:-127.0.0.1}
port=${PORT:-8000}
# Only what the product needs to run: the development tools come with `make setup` and `make test`.
QBR_EXTRAS=${QBR_EXTRAS:-} scripts/setup.sh
.venv/bin/python scripts/first_run.py "$host" "$port"
exec .venv/bin/qbr serve --host "$host" --port "$port" "$@"
