"""Measure what users feel, beside tipg on the same database; write var/bench/report.md and results.json.

Everything runs on this machine over loopback, bounded in time:

* ``wrk`` at 1 and 16 connections for each workload (warm), and the first request of each on a
  freshly started server (cold);
* pan-while-others-read: one client asks for new school tiles, as a pan does, while 16 connections
  read the national LA layer; the pan's latency and the readers' throughput against reading alone;
* tipg (developmentseed's PostGIS feature and tile server) in its own virtualenv under
  ``var/bench/tipg-venv``, started and stopped here, for the comparable workloads;
* the first load of the home map in Chromium: bytes transferred and time until the LA layer is drawn;
* optionally (``--imports``) the import time per source into a scratch database.

Options: ``--base-url URL`` measures an already running server instead of starting one (then
no cold figures); ``--no-tipg``, ``--no-browser``; ``--seconds N`` per wrk run (default 5).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import math
import os
import platform
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "bench"
TIPG_VENV = OUT / "tipg-venv"

# name -> (path, extra request headers, what it stands for)
WORKLOADS: dict[str, tuple[str, dict[str, str], str]] = {
    "la_layer_z6": (
        "/api/v1/areas?level=local_authority&zoom=6",
        {},
        "national LA layer (z6 band)",
    ),
    "la_layer_z8": ("/api/v1/areas?level=local_authority&zoom=8", {}, "LA layer asked at zoom 8"),
    "la_layer_z10": (
        "/api/v1/areas?level=local_authority&zoom=10",
        {},
        "LA layer asked at zoom 10 (zoom 8's band)",
    ),
    "revalidate_304": (
        "/api/v1/areas?level=local_authority&zoom=6",
        {"etag": "1"},
        "304 revalidation",
    ),
    "la_tile_z5": ("/tiles/local_authority/5/15/10.mvt", {}, "LA vector tile z5"),
    "la_tile_z7": ("/tiles/local_authority/7/63/41.mvt", {}, "LA vector tile z7"),
    "schools_tile_z5": ("/tiles/schools/5/15/10.mvt", {}, "schools tile z5 (capped)"),
    "schools_tile_z13": ("/tiles/schools/13/4040/2642.mvt", {}, "schools tile z13 (Sheffield)"),
    "schools_bbox": ("/api/v1/schools?bbox=-0.2,51.45,0.0,51.55", {}, "schools GeoJSON box"),
    "near_postcode": ("/api/v1/near?postcode=SW1A%201AA", {}, "near-me by postcode"),
    "near_point": ("/api/v1/near?lat=53.381&lon=-1.470", {}, "near-me by point"),
    "near_urn": ("/api/v1/near?urn=131895", {}, "near-me by URN"),
    # Each request a different postcode (a Lua script cycles through a sample): what a cache of
    # answers per postcode could not flatter. The path is the first request's (cold, sizes).
    "near_postcode_spread": (
        "/api/v1/near?postcode=SW1A%201AA",
        {},
        "near-me, 1,000 different postcodes",
    ),
    "search_st_mary": ("/api/v1/search?q=st%20mary", {}, "search 'st mary'"),
    "search_manc": ("/api/v1/search?q=manc", {}, "search 'manc'"),
    "search_kent": ("/api/v1/search?q=kent", {}, "search 'kent'"),
    "area_page": ("/areas/E08000019", {}, "area page (Sheffield)"),
    "home_page": ("/", {}, "home page HTML"),
    "healthz": ("/healthz", {}, "health check (touches nothing)"),
}
SPREAD_POSTCODES = 1000
ENGLAND = "E92000001"
# tipg's nearest equivalents: name -> path (geom-column=geom picks the full polygons).
TIPG_WORKLOADS: dict[str, str] = {
    "la_layer_z6": "/collections/public.area/items?level=local_authority&limit=200&geom-column=geom",
    "la_tile_z5": "/collections/public.area/tiles/WebMercatorQuad/5/15/10?geom-column=geom",
    "schools_tile_z5": "/collections/public.school/tiles/WebMercatorQuad/5/15/10?geom-column=geom",
    "schools_tile_z13": "/collections/public.school/tiles/WebMercatorQuad/13/4040/2642?geom-column=geom",
    "schools_bbox": "/collections/public.school/items?bbox=-0.2,51.45,0.0,51.55&limit=5000&geom-column=geom",
    "near_postcode": "/collections/public.postcode/items?postcode=SW1A%201AA&limit=1",
    "search_manc": "/collections/public.school/items?filter-lang=cql2-text&filter=name%20LIKE%20%27%25Manc%25%27&limit=20",
}


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_up(base: str, path: str, seconds: float = 60) -> None:
    """Wait until the server answers ``path``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + path, timeout=5).status_code < 500:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"server at {base} did not start")


@contextmanager
def serve(command: list[str], env: dict[str, str], probe: str, cwd: Path = ROOT) -> Iterator[str]:
    """Run a server on a free port for the block; yields its base URL."""
    port = free_port()
    log = (OUT / f"server-{port}.log").open("w")
    proc = subprocess.Popen(
        [*command, "--port", str(port)],
        cwd=cwd,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_up(base, probe)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def ensure_wrk() -> str:
    """The wrk binary, installed from Debian's archive if missing."""
    found = shutil.which("wrk")
    if found:
        return found
    print("installing wrk (apt-get install wrk)", file=sys.stderr)
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    subprocess.run([*sudo, "apt-get", "install", "-y", "-q", "wrk"], check=True)
    return shutil.which("wrk") or "wrk"


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def sample_postcodes(geodata_dir: Path, n: int = SPREAD_POSTCODES, seed: int = 11) -> list[str]:
    """``n`` English postcodes drawn at random (reservoir sampling, fixed seed) from the
    Code-Point Open files the import reads."""
    rng = random.Random(seed)
    chosen: list[str] = []
    seen = 0
    for path in sorted((geodata_dir / "codepoint_open" / "Data" / "CSV").glob("*.csv.gz")):
        with gzip.open(path, "rt", newline="") as handle:
            for row in csv.reader(handle):
                if len(row) < 5 or row[4] != ENGLAND:
                    continue
                seen += 1
                if len(chosen) < n:
                    chosen.append(row[0])
                elif (j := rng.randrange(seen)) < n:
                    chosen[j] = row[0]
    return chosen


def spread_script(postcodes: list[str]) -> Path:
    """A wrk Lua script asking near-me for each postcode in turn (each thread from its own start)."""
    paths = ", ".join(
        '"/api/v1/near?postcode=' + urllib.parse.quote(" ".join(p.split())) + '"' for p in postcodes
    )
    script = OUT / "near_postcodes.lua"
    script.write_text(
        f"local paths = {{{paths}}}\n"
        "local i = 0\n"
        "local threads = 0\n"
        # each wrk thread starts half-way round from the previous one, not on the same postcode
        "function setup(thread) thread:set('start', threads * 499); threads = threads + 1 end\n"
        "function init(args) i = start or 0 end\n"
        "function request()\n"
        "  i = i % #paths + 1\n"
        "  return wrk.format(nil, paths[i])\n"
        "end\n"
    )
    return script


def wrk(
    url: str,
    connections: int,
    seconds: int,
    headers: dict[str, str],
    script: Path | None = None,
) -> dict[str, float]:
    """Requests per second and latency percentiles from one wrk run."""
    command = [
        "wrk",
        f"-c{connections}",
        f"-t{min(connections, 2)}",
        f"-d{seconds}s",
        "--latency",
        "-H",
        "Accept-Encoding: br, gzip",
    ]
    for key, value in headers.items():
        command += ["-H", f"{key}: {value}"]
    if script is not None:
        command += ["-s", str(script)]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    lat = dict(re.findall(r"^\s+(50|90|99)%\s+(\S+)", out, re.M))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": round(rps, 1),
        "p50_ms": round(_ms(lat["50"]), 2),
        "p90_ms": round(_ms(lat["90"]), 2),
        "p99_ms": round(_ms(lat["99"]), 2),
        "errors": int(errors.group(1)) if errors else 0,
    }


def sizes(client: httpx.Client, path: str) -> dict[str, int]:
    """Bytes on the wire for identity, gzip and brotli."""
    result = {}
    for encoding in ("identity", "gzip", "br"):
        with client.stream("GET", path, headers={"Accept-Encoding": encoding}) as r:
            result[encoding] = sum(len(chunk) for chunk in r.iter_raw())
            result["status"] = r.status_code
    return result


def measure(
    base: str,
    seconds: int,
    names: list[str],
    cold: bool,
    scripts: dict[str, Path] | None = None,
) -> dict[str, Any]:
    """Cold first request, sizes, and wrk at 1 and 16 connections for each workload."""
    results: dict[str, Any] = {}
    scripts = scripts or {}
    with httpx.Client(base_url=base, timeout=60) as client:
        if cold:
            for name in names:
                path, _headers, _label = WORKLOADS[name]
                t0 = time.perf_counter()
                client.get(path, headers={"Accept-Encoding": "br, gzip"})
                results.setdefault(name, {})["cold_ms"] = round(
                    (time.perf_counter() - t0) * 1000, 1
                )
        for name in names:
            path, headers, label = WORKLOADS[name]
            entry = results.setdefault(name, {})
            entry["label"] = label
            if headers.get("etag"):
                etag = client.get(path).headers.get("etag", "")
                headers = {"If-None-Match": etag}
            entry["bytes"] = sizes(client, path)
            script = scripts.get(name)
            entry["c1"] = wrk(base + path, 1, seconds, headers, script)
            entry["c16"] = wrk(base + path, 16, seconds, headers, script)
            print(
                f"  {name}: {entry['c1']['p50_ms']} ms p50, {entry['c16']['rps']} req/s",
                file=sys.stderr,
            )
    return results


def _tile_bbox(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    n = 2**z

    def lat(row: int) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * row / n))))

    return x / n * 360 - 180, lat(y + 1), (x + 1) / n * 360 - 180, lat(y)


def pan_while_reading(base: str, seconds: int, geojson: bool = False) -> dict[str, Any]:
    """Pans at zoom 13 (each to a view no one has seen) while 16 connections read the LA layer.

    A view is about 1440 x 900 pixels: the 3 x 2 school tiles the map asks for (512 pixels, from
    zoom 12) fetched at once, as a browser does, or with ``geojson`` the one schools box the map
    used to ask for; both cover the same ground.
    """
    path = WORKLOADS["la_layer_z6"][0]
    alone = wrk(base + path, 16, seconds, {})
    reader = subprocess.Popen(
        ["wrk", "-c16", "-t2", f"-d{seconds}s", "-H", "Accept-Encoding: br, gzip", base + path],
        stdout=subprocess.PIPE,
        text=True,
    )
    pans: list[float] = []
    x0, y0 = 2005, 1300  # zoom 12: the Pennines west of Sheffield, moving east and south
    with (
        httpx.Client(base_url=base, timeout=60, headers={"Accept-Encoding": "br"}) as client,
        ThreadPoolExecutor(6) as pool,
    ):
        deadline = time.monotonic() + seconds - 0.5
        while time.monotonic() < deadline:
            x = x0 + 3 * len(pans)
            y = y0 + 2 * (len(pans) % 5)
            t0 = time.perf_counter()
            if geojson:
                w, _, _, n = _tile_bbox(12, x, y)
                _, s, e, _ = _tile_bbox(12, x + 2, y + 1)
                client.get(f"/api/v1/schools?bbox={w:.4f},{s:.4f},{e:.4f},{n:.4f}")
            else:
                urls = [
                    f"/tiles/schools/12/{x + i}/{y + j}.mvt" for i in range(3) for j in range(2)
                ]
                list(pool.map(client.get, urls))
            pans.append((time.perf_counter() - t0) * 1000)
    out, _ = reader.communicate()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    return {
        "pan_kind": "schools GeoJSON box" if geojson else "6 school tiles of 512 pixels",
        "readers_alone_rps": alone["rps"],
        "readers_during_pans_rps": round(rps, 1),
        "readers_kept_share": round(rps / alone["rps"], 3) if alone["rps"] else None,
        "pans": len(pans),
        "pan_p50_ms": round(statistics.median(pans), 1) if pans else None,
        "pan_max_ms": round(max(pans), 1) if pans else None,
    }


def ensure_tipg() -> Path:
    """tipg in its own virtualenv (pip install tipg uvicorn), made once."""
    python = TIPG_VENV / "bin" / "python"
    if not (TIPG_VENV / "bin" / "uvicorn").exists():
        subprocess.run([sys.executable, "-m", "venv", str(TIPG_VENV)], check=True)
        subprocess.run(
            [
                str(python),
                "-m",
                "pip",
                "install",
                "-q",
                "--disable-pip-version-check",
                "tipg",
                "uvicorn",
            ],
            check=True,
        )
    return TIPG_VENV / "bin" / "uvicorn"


def measure_tipg(database_url: str, seconds: int) -> dict[str, Any]:
    """tipg on the same database: sizes and wrk at 1 and 16 connections for its workloads."""
    uvicorn = ensure_tipg()
    env = dict(os.environ, DATABASE_URL=database_url, TIPG_DB_SCHEMAS='["public"]')
    results: dict[str, Any] = {}
    tipg = serve(
        [str(uvicorn), "tipg.main:app", "--log-level", "warning"], env, "/collections", cwd=OUT
    )
    with tipg as base, httpx.Client(base_url=base, timeout=120) as client:
        for name, path in TIPG_WORKLOADS.items():
            t0 = time.perf_counter()
            first = client.get(path, headers={"Accept-Encoding": "gzip"})
            entry: dict[str, Any] = {
                "status": first.status_code,
                "cold_ms": round((time.perf_counter() - t0) * 1000, 1),
                "path": path,
            }
            if first.status_code == 200:
                entry["bytes"] = sizes(client, path)
                entry["c1"] = wrk(base + path, 1, seconds, {})
                entry["c16"] = wrk(base + path, 16, seconds, {})
            results[name] = entry
            print(f"  tipg {name}: {entry.get('c16', {}).get('rps')} req/s", file=sys.stderr)
    return results


def first_load(base: str) -> dict[str, Any]:
    """Chromium's first visit to the home map: bytes transferred, and ms until the LA layer is drawn."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--headless=new", "--no-sandbox"]
        )
        page = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
        responses: list[Any] = []
        page.on("requestfinished", lambda request: responses.append(request))
        page.goto(base + "/")
        page.wait_for_function("() => document.querySelectorAll('path.pm-la').length >= 150")
        drawn = page.evaluate("() => performance.now()")
        page.wait_for_load_state("networkidle")
        transferred = 0
        by_type: dict[str, int] = {}
        for request in responses:
            size = request.sizes()
            total = size["responseBodySize"] + size["responseHeadersSize"]
            transferred += total
            by_type[request.resource_type] = by_type.get(request.resource_type, 0) + total
        browser.close()
    return {
        "requests": len(responses),
        "bytes_transferred": transferred,
        "bytes_by_type": by_type,
        "la_layer_drawn_ms": round(drawn, 1),
    }


def bench_imports() -> dict[str, Any]:
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
    return {"seconds_per_source": times, "total_seconds": round(total, 1)}


def _row(name: str, ours: dict[str, Any], tipg: dict[str, Any] | None) -> str:
    b = ours.get("bytes", {})
    cells = [
        ours.get("label", name),
        f"{ours.get('cold_ms', '–')}",
        f"{ours['c1']['p50_ms']}",
        f"{ours['c16']['rps']:,.0f}",
        f"{ours['c16']['p99_ms']}",
        f"{b.get('gzip', 0) / 1000:.1f} / {b.get('br', 0) / 1000:.1f}",
    ]
    if tipg and "c16" in tipg:
        ratio = ours["c16"]["rps"] / tipg["c16"]["rps"] if tipg["c16"]["rps"] else 0
        cells += [
            f"{tipg['c16']['rps']:,.1f} req/s, p50 {tipg['c1']['p50_ms']} ms, "
            f"{tipg['bytes'].get('gzip', 0) / 1000:.1f} KB gzip",
            f"×{ratio:,.0f}",
        ]
    elif tipg:
        cells += [f"HTTP {tipg.get('status')}", "–"]
    else:
        cells += ["–", "–"]
    return "| " + " | ".join(cells) + " |"


def report(figures: dict[str, Any]) -> str:
    """The figures as a Markdown report."""
    lines = [
        "# Benchmark report",
        "",
        f"{figures['when']} UTC on `{figures['machine']}` ({figures['cores']} cores, "
        f"{figures['platform']}); one app process; wrk {figures['seconds']} s per run over loopback; "
        "sizes in KB as sent. Load from other work on the machine is not controlled.",
        "",
        "| workload | cold ms | p50 ms (1 conn) | req/s (16 conn) | p99 ms (16 conn) | KB gzip / br | tipg (same run) | ours ÷ tipg |",
        "|---|---|---|---|---|---|---|---|",
    ]
    tipg = figures.get("tipg", {})
    for name, ours in figures["requests"].items():
        lines.append(_row(name, ours, tipg.get(name) if tipg else None))
    pan = figures.get("pan_while_reading")
    if pan:
        lines += [
            "",
            "## Pan while others read",
            "",
            f"{pan['pans']} pans at zoom 13 to views no one had seen ({pan['pan_kind']} each): "
            f"p50 {pan['pan_p50_ms']} ms, worst {pan['pan_max_ms']} ms, while 16 connections read "
            "the LA layer: "
            f"{pan['readers_during_pans_rps']:,} req/s against {pan['readers_alone_rps']:,} alone "
            f"({pan['readers_kept_share']:.0%} kept).",
        ]
    load = figures.get("first_load")
    if load:
        lines += [
            "",
            "## First load in Chromium",
            "",
            f"{load['requests']} requests, {load['bytes_transferred'] / 1000:.0f} KB transferred "
            f"({', '.join(f'{k} {v / 1000:.0f} KB' for k, v in sorted(load['bytes_by_type'].items()))}); "
            f"LA layer drawn {load['la_layer_drawn_ms']:.0f} ms after navigation.",
        ]
    if "import" in figures:
        lines += ["", "## Import", "", f"Total {figures['import']['total_seconds']} s."]
    return "\n".join(lines) + "\n"


def main() -> None:
    """Run the benchmarks and write the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="")
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--no-tipg", action="store_true")
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--imports", action="store_true")
    parser.add_argument("--only", default="", help="comma-separated workload names")
    parser.add_argument("--tag", default="", help="write results-TAG.json and report-TAG.md")
    parser.add_argument("--pan-geojson", action="store_true", help="pan with schools boxes")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    ensure_wrk()
    from app.settings import get_settings

    settings = get_settings()
    names = [n for n in args.only.split(",") if n] or list(WORKLOADS)
    scripts: dict[str, Path] = {}
    if "near_postcode_spread" in names:
        scripts["near_postcode_spread"] = spread_script(sample_postcodes(settings.geodata_dir))
    figures: dict[str, Any] = {
        "when": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
        "machine": platform.node(),
        "cores": os.cpu_count(),
        "platform": f"{platform.system()} {platform.machine()}, Python {platform.python_version()}",
        "seconds": args.seconds,
        "database": settings.libpq_url.rsplit("@", 1)[-1],
    }
    print("measuring the app", file=sys.stderr)
    if args.base_url:
        # A server started just before: its first requests are cold too.
        figures["requests"] = measure(args.base_url, args.seconds, names, True, scripts)
        figures["pan_while_reading"] = pan_while_reading(
            args.base_url, args.seconds, args.pan_geojson
        )
        if not args.no_browser:
            figures["first_load"] = first_load(args.base_url)
    else:
        # The server as deployed (``partnerships-map serve``: h11 with request-head limits), not
        # Uvicorn's default parser, which is faster but is not what production runs.
        command = [str(ROOT / ".venv" / "bin" / "partnerships-map"), "serve"]
        with serve(command, dict(os.environ), "/readyz") as base:
            figures["requests"] = measure(base, args.seconds, names, True, scripts)
            figures["pan_while_reading"] = pan_while_reading(base, args.seconds)
            if not args.no_browser:
                figures["first_load"] = first_load(base)
    if not args.no_tipg:
        print("measuring tipg", file=sys.stderr)
        figures["tipg"] = measure_tipg(settings.libpq_url, args.seconds)
    if args.imports:
        figures["import"] = bench_imports()
    suffix = f"-{args.tag}" if args.tag else ""
    (OUT / f"results{suffix}.json").write_text(json.dumps(figures, indent=2, default=str))
    (OUT / f"report{suffix}.md").write_text(report(figures))
    print(report(figures))


if __name__ == "__main__":
    main()
