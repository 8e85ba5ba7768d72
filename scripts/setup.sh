#!/usr/bin/env bash
# Set up everything the service needs on a Debian machine, idempotently:
#   system packages (PostgreSQL 15 + PostGIS 3, and Chromium with --browser), the Python venv,
#   front-end libraries, the private database cluster, migrations and the data import.
# Usage: scripts/setup.sh [--browser] [--no-import]
set -euo pipefail
cd "$(dirname "$0")/.."

want_browser=0
do_import=1
for arg in "$@"; do
  case "$arg" in
    --browser) want_browser=1 ;;
    --no-import) do_import=0 ;;
    *) echo "unknown option: $arg" >&2; exit 2 ;;
  esac
done

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# 1. System packages.
need=()
if [ -z "${APP_DATABASE_URL:-}" ]; then
  [ -x /usr/lib/postgresql/15/bin/initdb ] || need+=(postgresql-15)
  [ -f /usr/share/postgresql/15/extension/postgis.control ] || need+=(postgresql-15-postgis-3)
fi
command -v psql >/dev/null || need+=(postgresql-client-15)
if [ "$want_browser" = 1 ]; then
  command -v chromium >/dev/null || need+=(chromium)
  command -v npm >/dev/null || need+=(npm)
fi
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "Missing system packages: ${need[*]}" >&2
    echo "Install them as root (apt-get install ${need[*]}) or set APP_DATABASE_URL to an existing PostGIS." >&2
    exit 1
  fi
  say "installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# 2. Python environment (re-installed when pyproject.toml changes).
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  say "creating .venv"
  "$PY" -m venv .venv
fi
if [ ! -f .venv/.installed ] || [ pyproject.toml -nt .venv/.installed ]; then
  say "installing Python dependencies"
  .venv/bin/pip install -q --disable-pip-version-check -U pip
  .venv/bin/pip install -q --disable-pip-version-check -e '.[dev,ingest]'
  touch .venv/.installed
fi

# 3. Front-end libraries, from the npm registry, served by the app itself (no CDN).
if [ ! -f static/vendor/.installed ] || [ package-lock.json -nt static/vendor/.installed ]; then
  if command -v npm >/dev/null; then
    say "installing front-end libraries"
    npm ci --silent --no-audit --no-fund >/dev/null
    .venv/bin/python scripts/vendor_assets.py
    touch static/vendor/.installed
  else
    echo "npm not found: install it (apt-get install npm) to fetch Leaflet" >&2
    exit 1
  fi
fi

# Static assets compressed once (brotli and gzip beside each file); stale copies are ignored.
.venv/bin/python scripts/precompress_static.py

# 4. Database: private cluster (unless APP_DATABASE_URL), migrations, data.
PM=.venv/bin/partnerships-map
$PM db start
$PM migrate
if [ "$do_import" = 1 ]; then
  say "importing data from ${APP_GEODATA_DIR:-../shared/geodata/raw} (sources whose files changed)"
  $PM import
fi
