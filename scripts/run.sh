#!/usr/bin/env bash
# Set everything up (first run installs and imports) and serve the map at http://127.0.0.1:8000.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/partnerships-map serve --host "${APP_HOST:-127.0.0.1}" --port "${APP_PORT:-8000}"
