#!/usr/bin/env bash
# Set up and run the product on the embedded SQLite default (qbr.db in this folder): migrate, load the
# demonstration MSP into a database that has no data yet, create an admin user if there is none (its password is
# printed), then serve the dashboard and the API.
set -euo pipefail
cd "$(dirname "$0")/.."

QBR_EXTRAS=${QBR_EXTRAS:-dev} scripts/setup.sh
.venv/bin/qbr db upgrade
.venv/bin/qbr demo --if-empty
if .venv/bin/qbr users list | grep -q "^no users yet"; then
    password=$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(12))')
    QBR_USER_PASSWORD="$password" .venv/bin/qbr users create admin --role admin
    echo "Dashboard sign-in: admin / $password  (change it with: .venv/bin/qbr users password admin)"
fi
echo
echo "Dashboard: http://127.0.0.1:8000/   (a client's view: qbr users create NAME --role viewer --org ORG)"
echo "Explore from the command line: .venv/bin/qbr orgs list; .venv/bin/qbr kpis list 'Acme Dental Group' --period YYYY-Qn"
echo "API keys for the REST API: .venv/bin/qbr keys create --name me --role admin"
exec .venv/bin/qbr serve
