"""Load while moderators approve: 64 readers, a stream of approvals, and a health probe.

Usage: scripts/load_approvals.sh (makes a scratch copy of the main database, then runs this).
       .venv/bin/python scripts/load_approvals.py BASE_URL [--seconds N] [--connections N]
           [--moderator EMAIL] [--out FILE]
       With ``--moderator`` the run signs in as an existing moderator whose password is the load
       run's (``PASSWORD`` below) instead of making one in the database the settings name, so it
       can load a server of another release with its own database.

Readers fetch a mix of what the public reads (the national LA layer, area pages, partnership
lists, near-me, search) as fast as the server answers; meanwhile one moderator submits and
approves a new partnership about every two seconds, so caches that depend on partnerships go stale
again and again; a probe asks for ``/healthz`` every 50 ms. Prints one JSON line with errors (5xx
and connection failures), latency percentiles, approvals made and the worst ``/healthz`` latency,
and writes it to ``var/load/results.json`` (or ``--out``), with the machine's load average before
and after (the figures mean little on a busy machine). Loopback only; the server is the caller's.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import re
import statistics
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from app.services import accounts
from app.settings import PROJECT_ROOT, get_settings

READS = [
    "/api/v1/areas?level=local_authority&zoom=6",
    "/areas/E08000019",
    "/areas/E09000030",
    "/api/v1/partnerships?area=E08000025",
    "/api/v1/near?postcode=E1%206AN",
    "/api/v1/search?q=manc",
    "/",
]
PASSWORD = "load run password, not secret"
HACKNEY = "E09000012"


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


async def _reader(client: httpx.AsyncClient, stop: float, out: dict[str, Any], n: int) -> None:
    i = n
    while time.monotonic() < stop:
        path = READS[i % len(READS)]
        i += 1
        started = time.monotonic()
        try:
            r = await client.get(path)
            out["latencies"].append(time.monotonic() - started)
            if r.status_code >= 500:
                out["errors"].append(f"{r.status_code} {path}")
        except httpx.HTTPError as exc:
            out["errors"].append(f"{type(exc).__name__} {path}: {exc!r}"[:200])


async def _probe(client: httpx.AsyncClient, stop: float, out: dict[str, Any]) -> None:
    while time.monotonic() < stop:
        started = time.monotonic()
        try:
            r = await client.get("/healthz")
            if r.status_code != 200:
                out["errors"].append(f"healthz {r.status_code}")
        except httpx.HTTPError as exc:
            out["errors"].append(f"healthz {type(exc).__name__}")
        out["healthz"].append(time.monotonic() - started)
        await asyncio.sleep(0.05)


def _token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    if not found:
        raise RuntimeError("no form token on the page")
    return found.group(1)


async def _moderate(base: str, email: str, stop: float, out: dict[str, Any]) -> None:
    async with (
        httpx.AsyncClient(base_url=base, timeout=30) as public,
        httpx.AsyncClient(base_url=base, timeout=30) as moderator,
    ):
        page = await moderator.get("/moderate/login")
        signed = await moderator.post(
            "/moderate/login",
            data={"csrf_token": _token(page.text), "email": email, "password": PASSWORD},
        )
        if signed.status_code != 303:
            raise RuntimeError(f"sign-in failed: {signed.status_code}")
        while time.monotonic() < stop:
            name = f"Load run partnership {uuid.uuid4().hex[:8]}"
            created = await public.post(
                "/api/v1/submissions",
                json={
                    "kind": "new",
                    "proposed": {
                        "name": name,
                        "kind": "area_based_education_partnership",
                        "themes": ["maths"],
                        "summary": "A partnership made by the load run",
                        "areas_served": [HACKNEY],
                        "status": "active",
                    },
                    "submitter": {
                        "name": "Load run",
                        "email": "load@example.org",
                        "organisation": "Load run",
                    },
                    "evidence": "https://example.org/load",
                },
            )
            if created.status_code != 201:
                out["approval_errors"].append(f"submit {created.status_code}")
                await asyncio.sleep(2)
                continue
            reference = created.json()["reference"]
            token = _token((await moderator.get("/moderate")).text)
            started = time.monotonic()
            done = await moderator.post(
                f"/moderate/submissions/{reference}/approve", data={"csrf_token": token}
            )
            out["approval_s"].append(time.monotonic() - started)
            if done.status_code == 303:
                out["approvals"] += 1
            else:
                out["approval_errors"].append(f"approve {done.status_code}")
            await asyncio.sleep(2)


async def run(
    base: str, seconds: float, connections: int, moderator: str | None = None
) -> dict[str, Any]:
    """Readers, a moderator and a probe against ``base`` for ``seconds``; the figures."""
    if moderator is None:
        email = f"load-{uuid.uuid4().hex[:6]}@example.org"
        accounts.create_moderator(get_settings(), email, PASSWORD)
    else:
        email = moderator
    load_before = os.getloadavg()
    started_at = dt.datetime.now(dt.UTC)
    out: dict[str, Any] = {
        "latencies": [],
        "errors": [],
        "healthz": [],
        "approvals": 0,
        "approval_s": [],
        "approval_errors": [],
    }
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with (
        httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as readers,
        httpx.AsyncClient(base_url=base, timeout=30) as prober,
    ):
        for path in READS:  # warm: the figures are for a running service, not a cold start
            await readers.get(path)
        stop = time.monotonic() + seconds
        await asyncio.gather(
            *(_reader(readers, stop, out, n) for n in range(connections)),
            _probe(prober, stop, out),
            _moderate(base, email, stop, out),
        )
    lat = out["latencies"]
    return {
        "started_utc": started_at.isoformat(timespec="seconds"),
        "machine": f"{platform.node()}, {os.cpu_count()} CPUs, {platform.platform(terse=True)}",
        "load_average_before": [round(v, 2) for v in load_before],
        "load_average_after": [round(v, 2) for v in os.getloadavg()],
        "base_url": base,
        "seconds": seconds,
        "connections": connections,
        "requests": len(lat),
        "requests_per_s": round(len(lat) / seconds, 1),
        "errors": len(out["errors"]),
        "error_samples": out["errors"][:10],
        "p50_ms": round(1000 * _percentile(lat, 0.50), 1),
        "p99_ms": round(1000 * _percentile(lat, 0.99), 1),
        "approvals": out["approvals"],
        "approval_errors": out["approval_errors"][:10],
        "approval_median_ms": round(1000 * statistics.median(out["approval_s"]), 1)
        if out["approval_s"]
        else None,
        "healthz_probes": len(out["healthz"]),
        "healthz_worst_ms": round(1000 * max(out["healthz"], default=0.0), 1),
    }


def main() -> None:
    """Run, print and save the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base_url")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--moderator", help="an existing moderator with the load run's password")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "var" / "load" / "results.json")
    args = parser.parse_args()
    figures = asyncio.run(run(args.base_url, args.seconds, args.connections, args.moderator))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, indent=2))
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
