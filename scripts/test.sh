#!/usr/bin/env bash
# The full check: setup, lint, types, migrations in sync, the test suite on SQLite and PostgreSQL (including
# the browser tests in headless Chromium, installed from Debian when missing), and the dependency audit.
# This is the README's test command and what CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
scripts/ensure-postgres.sh
scripts/ensure-browser.sh

echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== mypy (strict)"
.venv/bin/mypy
echo "== pytest (SQLite and PostgreSQL)"
# pytest exits 5 when it collects no test: that is a failure here too, as is any other non-zero status.
# In parallel (pytest-xdist): one worker per CPU, each with its own databases; a worker that runs out of tests
# takes some of another's (worksteal), so one long test does not leave the other CPU idle. `-n 0` runs serially.
.venv/bin/python -m pytest -n auto --dist worksteal "$@"
echo "== dependency audit (pip-audit; fails on a known vulnerability, lists loudly what it could not check)"
.venv/bin/python scripts/audit_dependencies.py
