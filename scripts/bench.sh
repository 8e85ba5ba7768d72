#!/usr/bin/env bash
# Benchmarks: import time per source (a forced re-import into a scratch database) and request
# latency and payload sizes against a local server. Loopback only, bounded; figures go to var/bench/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/python scripts/bench.py "$@"
