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
.venv/bin/qbr db upgrade
.venv/bin/qbr demo --if-empty
echo
.venv/bin/qbr keys create --name "demo admin" --role admin --if-none
admin=$(.venv/bin/qbr users create admin --role admin --generate-password --if-none)
echo "$admin"
echo
# The address to open: a server listening on every address is reached on this machine through 127.0.0.1.
case "$host" in
    0.0.0.0 | "::" | "") shown=127.0.0.1 ;;
    *:*) shown="[$host]" ;;
    *) shown=$host ;;
esac
if [[ $admin == *"none created"* ]]; then
    sign_in="sign in with an existing user; a forgotten password: .venv/bin/qbr users password admin"
else
    sign_in="sign in as admin with the password above"
fi
echo "The dashboard: http://$shown:$port/ ($sign_in)"
echo "Explore from the command line: .venv/bin/qbr orgs list; .venv/bin/qbr kpis list 'Acme Dental Group' --period YYYY-Qn"
echo "The API: curl -H 'X-API-Key: <the key above>' http://$shown:$port/api/v1/organizations (docs: /docs)"
exec .venv/bin/qbr serve --host "$host" --port "$port" "$@"
