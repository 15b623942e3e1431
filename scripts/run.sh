#!/usr/bin/env bash
# Set up and run the product on the embedded SQLite default (qbr.db in this folder): migrate, load the
# demonstration MSP into a database that has no data yet, then serve the API.
set -euo pipefail
cd "$(dirname "$0")/.."

QBR_EXTRAS=${QBR_EXTRAS:-dev} scripts/setup.sh
.venv/bin/qbr db upgrade
.venv/bin/qbr demo --if-empty
echo
echo "Explore from the command line: .venv/bin/qbr orgs list; .venv/bin/qbr kpis list 'Acme Dental Group' --period YYYY-Qn"
echo "API keys for the REST API: .venv/bin/qbr keys create --name me --role admin"
exec .venv/bin/qbr serve
