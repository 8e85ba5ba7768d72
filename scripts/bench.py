"""Measure import times, request latencies and payload sizes; write var/bench/results.json.

Everything runs on this machine: a scratch database on the private cluster for the import
figures, and a Uvicorn server on 127.0.0.1 for the request figures. Request loops are bounded.
"""

from __future__ import annotations

import gzip
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "bench"
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "200"))
ENDPOINTS = {
    "la_layer_z6": "/api/v1/areas?level=local_authority&zoom=6",
    "la_layer_z10": "/api/v1/areas?level=local_authority&zoom=10",
    "counts": "/api/v1/areas/counts?theme=careers&national=true",
    "partnerships": "/api/v1/partnerships",
    "near_postcode": "/api/v1/near?postcode=SW1A%201AA",
    "near_point": "/api/v1/near?lat=53.381&lon=-1.470",
    "search_name": "/api/v1/search?q=sheffield",
    "schools_bbox": "/api/v1/schools?bbox=-1.50,53.37,-1.45,53.40",
    "area_page": "/areas/E08000019",
    "home_page": "/",
}


def bench_imports() -> dict[str, float]:
    """Import every source into a scratch database and read each one's duration."""
    env = dict(os.environ, APP_DB_NAME="partnerships_map_bench")
    cli = [str(ROOT / ".venv" / "bin" / "partnerships-map")]
    subprocess.run([*cli, "db", "start"], env=env, check=True, capture_output=True)
    subprocess.run([*cli, "db", "reset", "--yes"], env=env, check=True, capture_output=True)
    subprocess.run([*cli, "migrate"], env=env, check=True, capture_output=True)
    started = time.perf_counter()
    subprocess.run([*cli, "import", "--quiet"], env=env, check=True, capture_output=True)
    total = time.perf_counter() - started
    import psycopg

    from app.settings import Settings

    settings = Settings(db_name="partnerships_map_bench")
    with psycopg.connect(settings.libpq_url) as conn:
        times = dict(conn.execute("SELECT name, duration_s FROM dataset ORDER BY id").fetchall())
        rows = dict(
            conn.execute(
                "SELECT relname, n_live_tup FROM pg_stat_user_tables ORDER BY relname"
            ).fetchall()
        )
    return {"seconds_per_source": times, "total_seconds": round(total, 1), "rows_per_table": rows}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bench_requests() -> dict[str, dict[str, float]]:
    """Latency (cold first request, then warm p50/p95) and sizes of the main endpoints."""
    port = _free_port()
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "uvicorn"),
            "app.main:app",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=30, headers={"Accept-Encoding": "gzip"}) as client:
            for _ in range(100):
                try:
                    client.get("/healthz")
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            results = {}
            for name, path in ENDPOINTS.items():
                t0 = time.perf_counter()
                first = client.get(path)
                cold = time.perf_counter() - t0
                samples = []
                for _ in range(REQUESTS):
                    t0 = time.perf_counter()
                    client.get(path)
                    samples.append(time.perf_counter() - t0)
                samples.sort()
                results[name] = {
                    "status": first.status_code,
                    "cold_ms": round(cold * 1000, 2),
                    "p50_ms": round(statistics.median(samples) * 1000, 2),
                    "p95_ms": round(samples[int(len(samples) * 0.95) - 1] * 1000, 2),
                    "bytes": len(first.content),
                    "gzip_bytes": len(gzip.compress(first.content, 9)),
                }
            return results
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> None:
    """Run both benchmarks and write the figures."""
    OUT.mkdir(parents=True, exist_ok=True)
    figures = {
        "when": time.strftime("%Y-%m-%d %H:%M:%S"),
        "machine": os.uname().nodename,
        "cores": os.cpu_count(),
        "requests_per_endpoint": REQUESTS,
    }
    if "--no-import" not in sys.argv:
        figures["import"] = bench_imports()
    figures["requests"] = bench_requests()
    (OUT / "results.json").write_text(json.dumps(figures, indent=2, default=str))
    print(json.dumps(figures, indent=2, default=str))


if __name__ == "__main__":
    main()
