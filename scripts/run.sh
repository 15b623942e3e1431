#!/usr/bin/env bash
# Set up and run the product on the embedded SQLite default (qbr.db in this folder).
set -euo pipefail
cd "$(dirname "$0")/.."

QBR_EXTRAS=${QBR_EXTRAS:-dev} scripts/setup.sh
.venv/bin/qbr db upgrade
echo "QBR Dashboard database ready. Try: .venv/bin/qbr --help"
