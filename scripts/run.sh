#!/usr/bin/env bash
# Set up and run the product on the embedded SQLite default (qbr.db in this folder): migrate, load the
# demonstration MSP into a database that has no data yet, create a first admin (API key and dashboard user, printed
# once) when there is none, then serve the dashboard and the API.
set -euo pipefail
cd "$(dirname "$0")/.."

QBR_EXTRAS=${QBR_EXTRAS:-dev} scripts/setup.sh
.venv/bin/qbr db upgrade
.venv/bin/qbr demo --if-empty
echo
.venv/bin/qbr keys create --name "demo admin" --role admin --if-none
.venv/bin/qbr users create admin --role admin --generate-password --if-none
echo
echo "The dashboard: http://127.0.0.1:8000/ (sign in as admin with the password above)"
echo "Explore from the command line: .venv/bin/qbr orgs list; .venv/bin/qbr kpis list 'Acme Dental Group' --period YYYY-Qn"
echo "The API: curl -H 'X-API-Key: <the key above>' http://127.0.0.1:8000/api/v1/organizations (docs: /docs)"
exec .venv/bin/qbr serve "$@"
