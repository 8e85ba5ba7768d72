"""The database crashes, stops and freezes under a running app: nothing acknowledged is lost,
requests get a quick 503 with ``Retry-After``, and the app recovers without a restart.

Each test uses the throwaway cluster from ``conftest.py``; none touches the shared one.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from asgi_lifespan import LifespanManager

from app.main import create_app

TOWER_HAMLETS = "E09000030"
HARTLEPOOL = "E06000001"
CRASH_SUBMISSIONS = 12
# Routes that must read the database (nothing cached), API and HTML.
DB_ROUTES = [
    f"/api/v1/areas/{TOWER_HAMLETS}",
    "/api/v1/search?q=hackney",
    "/api/v1/near?postcode=E1%206AN",
    "/readyz",
    "/search?q=hackney",
]
# Pages kept in the payload cache once built: a cached hit needs no database, so they still
# answer during an outage.
CACHED_ROUTES = [f"/areas/{TOWER_HAMLETS}"]
# A bound far above the app's own timeouts: a request still waiting then has hung.
HANG_S = 30


if TYPE_CHECKING:
    from conftest import Scratch

figures = logging.getLogger("reliability.figures")
figures.setLevel(logging.INFO)  # shown with -o log_cli=true; alembic sets the root to WARNING


def landscape_note(i: int) -> dict[str, Any]:
    return {
        "kind": "landscape",
        "area": HARTLEPOOL,
        "proposed": {
            "body": f"Schools here work together through a local partnership (crash test {i}).",
            "council_role": "in_house_team",
        },
        "submitter": {"name": "Crash Tester", "email": f"crash{i}@modtest.example"},
        "evidence": "Written for the crash test",
    }


def client_for(app: Any, i: int) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(f"10.78.{i // 250}.{1 + i % 250}", 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def test_acknowledged_submissions_survive_a_crash(scratch: Scratch) -> None:
    """Every reference the API has answered with is still there after kill -9 of the cluster."""
    scratch.start()
    app = create_app(scratch.settings)
    references: list[str] = []
    async with LifespanManager(app) as manager:

        async def submit(i: int) -> str:
            async with client_for(manager.app, i) as c:
                r = await c.post("/api/v1/submissions", json=landscape_note(i))
                assert r.status_code == 201, r.text
                return str(r.json()["reference"])

        references = list(await asyncio.gather(*(submit(i) for i in range(CRASH_SUBMISSIONS))))
        scratch.crash()  # at once, after the last acknowledgement
    scratch.start()
    with scratch.connect() as conn:
        kept = {
            row[0]
            for row in conn.execute(
                "SELECT reference FROM submission WHERE reference = ANY(%s)", (references,)
            )
        }
    figures.info(f"crash test: kept {len(kept)} of {len(references)} acknowledged submissions")
    assert kept == set(references)


async def test_a_stopped_database_gives_503_then_recovers_without_restart(
    scratch: Scratch, caplog: pytest.LogCaptureFixture
) -> None:
    scratch.start()
    app = create_app(scratch.settings)
    async with LifespanManager(app) as manager, client_for(manager.app, 900) as c:
        for path in DB_ROUTES + CACHED_ROUTES:  # warm the pool: its connections die with it
            assert (await c.get(path)).status_code == 200, path
        scratch.stop()
        caplog.clear()
        answers = await asyncio.gather(
            *(asyncio.wait_for(c.get(path), HANG_S) for path in DB_ROUTES * 3)
        )
        statuses = [r.status_code for r in answers]
        figures.info(f"during the stop: {statuses.count(503)} of {len(statuses)} requests got 503")
        assert statuses == [503] * len(DB_ROUTES) * 3
        for r in answers:
            assert r.headers["retry-after"].isdigit()
            assert "content-security-policy" in r.headers
            if r.request.url.path.startswith("/api/"):
                assert "database is not answering" in r.json()["detail"]
            elif r.request.url.path != "/readyz":
                assert r.headers["content-type"].startswith("text/html")
                assert "database is not answering" in r.text
        tracebacks = [rec for rec in caplog.records if rec.exc_info]
        assert tracebacks == []
        for path in CACHED_ROUTES:
            cached = await asyncio.wait_for(c.get(path), HANG_S)
            assert cached.status_code == 200, path

        scratch.start()
        started = time.monotonic()
        while True:
            r = await asyncio.wait_for(c.get(DB_ROUTES[0]), HANG_S)
            if r.status_code == 200 or time.monotonic() - started > 60:
                break
            await asyncio.sleep(0.2)
        figures.info(f"recovered {time.monotonic() - started:.1f} s after the database came back")
        assert r.status_code == 200
        for path in DB_ROUTES:
            assert (await c.get(path)).status_code == 200, path


async def test_a_frozen_database_gives_503_not_a_hang(scratch: Scratch) -> None:
    scratch.start()
    app = create_app(scratch.settings)
    async with LifespanManager(app) as manager, client_for(manager.app, 901) as c:
        assert (await c.get(DB_ROUTES[0])).status_code == 200
        scratch.signal_all(signal.SIGSTOP)
        try:
            answers = await asyncio.gather(
                *(asyncio.wait_for(c.get(path), HANG_S) for path in DB_ROUTES[:3])
            )
        finally:
            scratch.signal_all(signal.SIGCONT)
        assert [r.status_code for r in answers] == [503] * 3
        assert all(r.headers["retry-after"].isdigit() for r in answers)
        r = await c.get(DB_ROUTES[0])
        for _ in range(50):
            if r.status_code == 200:
                break
            await asyncio.sleep(0.2)
            r = await c.get(DB_ROUTES[0])
        assert r.status_code == 200
