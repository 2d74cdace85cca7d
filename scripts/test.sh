#!/usr/bin/env bash
# Set up, then run every check CI runs: ruff, mypy (strict), the import contract and the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# PostgreSQL backs the store's contract tests; start it if this machine has it but it is down.
if command -v pg_isready >/dev/null && ! pg_isready -q -h 127.0.0.1 -p 5432; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
fi
echo "== ruff"; .venv/bin/ruff check engine adapters bot tests bench scripts
echo "== mypy"; .venv/bin/mypy
echo "== import contract"; .venv/bin/lint-imports
echo "== pytest"; .venv/bin/pytest -n 2 "$@"
