#!/usr/bin/env bash
# Run the whole test suite on a throwaway database: set up, import, pytest with coverage.
# Each pytest session works on a copy of its own of the imported database and fails if that copy's
# row counts differ at its end (tests/conftest.py); the row counts of the imported database are
# compared before and after here as well, so a test that leaves rows behind fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
export APP_ENVIRONMENT=test
if [ -z "${APP_DATABASE_URL:-}" ]; then
  export APP_DB_NAME="${APP_DB_NAME:-partnerships_map_test}"
fi
scripts/setup.sh --browser --no-import
if [ -z "${APP_DATABASE_URL:-}" ]; then
  # A fresh database each run: nothing left over from earlier runs can make a test pass.
  .venv/bin/partnerships-map db reset --yes
  .venv/bin/partnerships-map migrate
fi
.venv/bin/partnerships-map import
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy app
mkdir -p var
.venv/bin/python scripts/rowcounts.py > var/rowcounts.before
status=0
.venv/bin/pytest --cov=app --cov-report=term:skip-covered "$@" || status=$?
if .venv/bin/python scripts/rowcounts.py --compare var/rowcounts.before; then
  echo "row counts unchanged by the test run"
else
  status=1
fi
exit "$status"
