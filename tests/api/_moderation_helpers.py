"""Fixtures and helpers shared by the submissions and moderation API tests.

A test module imports the fixtures it uses by name; pytest then gives that module its own
module-scoped app and database connection, and removes the module's test rows at the end.
Rows the tests write are marked as test data (slugs "modtest-…", emails "@modtest.example").
"""

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import psycopg
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from psycopg.types.json import Jsonb

from app.main import create_app
from app.services import csrf, ratelimit
from app.services.snapshots import partnership_snapshot
from app.settings import Settings

XSS = '<script>alert("x")</script>"><img src=x onerror=alert(1)>'
TOWER_HAMLETS = "E09000030"
HACKNEY = "E09000012"


@pytest.fixture(scope="module")
async def served(database: str, settings: Settings) -> AsyncIterator[tuple[FastAPI, Any]]:
    """The app (for its state) and its ASGI entry point with the lifespan running."""
    application = create_app(settings)
    async with LifespanManager(application) as manager:
        yield application, manager.app


@pytest.fixture(scope="module")
def app(served: tuple[FastAPI, Any]) -> Any:
    """The running app's ASGI entry point."""
    return served[1]


@pytest.fixture(scope="module")
def state(served: tuple[FastAPI, Any]) -> Any:
    """The running app's state: its settings and database sessionmaker."""
    return served[0].state


def new_client(app: Any, ip: str | None = None, https: bool = False) -> httpx.AsyncClient:
    """A client with its own cookies and (by default) its own random IP address."""
    # secrets, not random: a seeded random module would repeat addresses between runs.
    ip = ip or f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}.{1 + secrets.randbelow(254)}"
    transport = httpx.ASGITransport(app=app, client=(ip, 40000))
    return httpx.AsyncClient(
        transport=transport, base_url=("https" if https else "http") + "://testserver"
    )


@pytest.fixture()
async def anon(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    """A signed-out visitor with a fresh address."""
    async with new_client(app) as c:
        yield c


@pytest.fixture()
def web(anon: httpx.AsyncClient) -> httpx.AsyncClient:
    """The same visitor, by the name the submissions tests use."""
    return anon


@pytest.fixture(autouse=True)
def quick_forms(monkeypatch: pytest.MonkeyPatch) -> None:
    """No minimum fill time, and rate limits no test reaches unless it lowers them."""
    monkeypatch.setattr(csrf, "MIN_FILL_SECONDS", 0)
    monkeypatch.setattr(ratelimit, "SUBMIT", ratelimit.Limit(10_000, 3600))
    monkeypatch.setattr(ratelimit, "LOGIN_IP", ratelimit.Limit(10_000, 900))


@pytest.fixture(scope="module")
def db(database: str) -> Iterator[psycopg.Connection[Any]]:
    """An autocommit connection; the module's test rows are removed when it closes."""
    with psycopg.connect(database, autocommit=True) as conn:
        yield conn
        cleanup(conn)


def cleanup(conn: psycopg.Connection[Any]) -> None:
    """Remove every row the tests wrote (revisions are immutable, so their trigger is paused)."""
    with conn.transaction():
        conn.execute("ALTER TABLE revision DISABLE TRIGGER revision_is_immutable")
        conn.execute(
            "CREATE TEMP TABLE doomed_p ON COMMIT DROP AS SELECT id FROM partnership"
            " WHERE slug LIKE 'modtest-%'"
        )
        conn.execute(
            "CREATE TEMP TABLE doomed_s ON COMMIT DROP AS SELECT id FROM submission"
            " WHERE submitter_email LIKE '%@modtest.example'"
            " OR partnership_id IN (SELECT id FROM doomed_p)"
        )
        conn.execute(
            "CREATE TEMP TABLE doomed_m ON COMMIT DROP AS SELECT id FROM moderator"
            " WHERE email LIKE '%@modtest.example'"
        )
        # Landscapes the tests' approvals and reverts changed: found through their revisions, or
        # through the approved submissions themselves. Their revisions go, and each landscape is
        # put back as its newest remaining revision (the seed import) left it, or removed.
        conn.execute(
            "CREATE TEMP TABLE touched_l ON COMMIT DROP AS SELECT DISTINCT area_code FROM revision"
            " WHERE partnership_id IS NULL AND (submission_id IN (SELECT id FROM doomed_s)"
            "  OR moderator_id IN (SELECT id FROM doomed_m))"
            " UNION SELECT area_code FROM submission WHERE id IN (SELECT id FROM doomed_s)"
            "  AND kind = 'landscape' AND status = 'approved'"
        )
        conn.execute(
            "DELETE FROM revision WHERE partnership_id IS NULL"
            " AND area_code IN (SELECT area_code FROM touched_l)"
            " AND (submission_id IN (SELECT id FROM doomed_s)"
            "  OR moderator_id IN (SELECT id FROM doomed_m))"
        )
        conn.execute(
            "UPDATE area_landscape l SET body = s->>'body', council_role = s->>'council_role',"
            " provider_name = s->>'provider_name', provider_url = s->>'provider_url',"
            " collaboration_forms = ARRAY(SELECT jsonb_array_elements_text("
            "   coalesce(s->'collaboration_forms', '[]'::jsonb))),"
            " source_url = s->>'source_url', source_title = s->>'source_title',"
            " source_date = s->>'source_date', confidence = s->>'confidence',"
            " checked_on = (s->>'checked_on')::date, version = (s->>'version')::int"
            " FROM (SELECT DISTINCT ON (area_code) area_code, snapshot AS s FROM revision"
            "       WHERE partnership_id IS NULL ORDER BY area_code, version DESC) r"
            " WHERE r.area_code = l.area_code AND l.area_code IN (SELECT area_code FROM touched_l)"
        )
        conn.execute(
            "DELETE FROM area_landscape WHERE area_code IN (SELECT area_code FROM touched_l)"
            " AND area_code NOT IN (SELECT area_code FROM revision WHERE partnership_id IS NULL)"
        )
        conn.execute(
            "DELETE FROM revision WHERE partnership_id IN (SELECT id FROM doomed_p)"
            " OR submission_id IN (SELECT id FROM doomed_s)"
            " OR moderator_id IN (SELECT id FROM doomed_m)"
        )
        conn.execute(
            "DELETE FROM audit_log WHERE submission_id IN (SELECT id FROM doomed_s)"
            " OR moderator_id IN (SELECT id FROM doomed_m)"
        )
        conn.execute("DELETE FROM submission WHERE id IN (SELECT id FROM doomed_s)")
        conn.execute("DELETE FROM partnership WHERE id IN (SELECT id FROM doomed_p)")
        conn.execute("DELETE FROM moderator WHERE id IN (SELECT id FROM doomed_m)")
        conn.execute("ALTER TABLE revision ENABLE TRIGGER revision_is_immutable")


@pytest.fixture(scope="module")
def school(db: psycopg.Connection[Any]) -> tuple[int, str]:
    """The URN and name of a school on the register."""
    row = db.execute("SELECT urn, name FROM school ORDER BY urn LIMIT 1").fetchone()
    assert row is not None, "the schools importer has not run"
    return int(row[0]), str(row[1])


def unique(prefix: str = "ModTest") -> str:
    """A name no other test uses."""
    return f"{prefix} {uuid.uuid4().hex[:8]}"


def make_partnership(
    conn: psycopg.Connection[Any], name: str | None = None, dated: bool = False
) -> dict[str, Any]:
    """A partnership at version 1 with its first revision, as the seed importer leaves one.

    ``dated`` gives it a 2019 source and a register check date, as most seed records have.
    """
    name = name or unique()
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    with conn.transaction():
        pid = conn.execute(
            "INSERT INTO partnership (slug, name, kind, summary, status, version)"
            " VALUES (%s, %s, 'area_based_education_partnership', 'Original summary', 'active', 1)"
            " RETURNING id",
            (slug, name),
        ).fetchone()[0]  # type: ignore[index]
        conn.execute(
            "INSERT INTO partnership_theme VALUES (%s, 'school_improvement'), (%s, 'leadership')",
            (pid, pid),
        )
        conn.execute(
            "INSERT INTO partnership_area (partnership_id, area_code, position, note, whole)"
            " VALUES (%s, %s, 0, '(part)', false)",
            (pid, TOWER_HAMLETS),
        )
        if dated:
            conn.execute(
                "UPDATE partnership SET source_date = '2019-03-01', checked_on = '2026-11-23',"
                " source_url = 'https://example.org/2019' WHERE id = %s",
                (pid,),
            )
        snap = partnership_snapshot(conn, pid)
        conn.execute(
            "INSERT INTO revision (partnership_id, version, snapshot, change)"
            " VALUES (%s, 1, %s, 'seed import')",
            (pid, Jsonb(snap)),
        )
    return snap


def local(url: str) -> str:
    """The path and query of an absolute URL, for the ASGI client."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def token_of(html: str) -> str:
    """The CSRF token of the first form on a page."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)
