#!/usr/bin/env bash
# Load while moderators approve (scripts/load_approvals.py), against a scratch copy of the main
# database so the partnerships it approves land nowhere else. Writes var/load/results.json.
# Usage: scripts/load_approvals.sh [SECONDS (default 30)] [CONNECTIONS (default 64)]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-30}"
connections="${2:-64}"
scripts/setup.sh
out=var/load
mkdir -p "$out"
PM=.venv/bin/partnerships-map
if [ -z "${APP_DATABASE_URL:-}" ]; then
  $PM backup "$out/seed.dump"
  export APP_DB_NAME=partnerships_map_load
  $PM db reset --yes
  $PM restore "$out/seed.dump" --yes
fi
port=$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# One moderator submits and approves in a loop: the suggestion rate limit would stop it.
export APP_SUBMIT_RATE_LIMIT=1000000 APP_FORM_MIN_FILL_SECONDS=0
$PM serve --port "$port" >"$out/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.5
done
.venv/bin/python scripts/load_approvals.py "http://127.0.0.1:$port" --seconds "$seconds" --connections "$connections"
