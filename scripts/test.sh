#!/usr/bin/env bash
# Run the whole test suite on a throwaway database: set up, import, pytest, drop.
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
.venv/bin/pytest "$@"
