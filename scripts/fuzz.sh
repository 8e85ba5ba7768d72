#!/usr/bin/env bash
# Fuzz the HTTP API with Schemathesis against the app's own OpenAPI document.
#   The app runs as `partnerships-map serve` runs it, on a free loopback port, against a copy of
#   the main database (made with `backup` / `restore`, so fuzzed suggestions land nowhere else).
#   Every phase runs (examples, coverage, fuzzing, stateful) with every check but one, NUL bytes
#   allowed. Left out: positive_data_acceptance, which expects a 2xx for any request the schema
#   allows; the API's rules that OpenAPI cannot express (exactly one of postcode, URN or point; a
#   valid box; 2 to 6 areas; what each kind of suggestion needs) answer such requests with a 422,
#   by design, and those answers are still checked against the declared error schema.
#   Figures and failures go to var/fuzz/. Exit status is Schemathesis's: 0 when nothing failed.
# Usage: scripts/fuzz.sh [MAX_EXAMPLES_PER_OPERATION (default 100)] [extra schemathesis options]
set -euo pipefail
cd "$(dirname "$0")/.."
examples="${1:-100}"
shift || true
scripts/setup.sh
out=var/fuzz
mkdir -p "$out"
PM=.venv/bin/partnerships-map
if [ -z "${APP_DATABASE_URL:-}" ]; then
  $PM backup "$out/seed.dump"
  export APP_DB_NAME=partnerships_map_fuzz
  $PM db reset --yes
  $PM restore "$out/seed.dump" --yes
fi
port=$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export APP_ENVIRONMENT=test
# Generated suggestions must reach validation, not all get 429 after the twentieth.
export APP_SUBMIT_RATE_LIMIT=1000000
.venv/bin/python scripts/fuzz_server.py "$port" 2>"$out/server.log" &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.5
done
export FUZZ_BASE_URL="http://127.0.0.1:$port" SCHEMATHESIS_HOOKS=scripts.fuzz_hooks
export PYTHONPATH="${PYTHONPATH:+$PYTHONPATH:}$PWD"
set +e
.venv/bin/schemathesis run "http://127.0.0.1:$port/openapi.json" \
  --checks all \
  --exclude-checks positive_data_acceptance \
  --phases examples,coverage,fuzzing,stateful \
  --max-examples "$examples" \
  --generation-allow-x00 true \
  --request-timeout 30 \
  --suppress-health-check all \
  --no-color \
  --report junit,ndjson --report-dir "$out" \
  "$@" | tee "$out/summary.txt"
status=${PIPESTATUS[0]}
set -e
server_errors=$(grep -c '"status": 5[0-9][0-9]' "$out/server.log" || true)
tracebacks=$(grep -c '"traceback"' "$out/server.log" || true)
echo "server log: $tracebacks tracebacks; full log in $out/server.log" | tee -a "$out/summary.txt"
exit "$status"
