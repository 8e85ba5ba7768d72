"""Fixtures and helpers shared by the submissions and moderation API tests.

A test module imports the fixtures it uses by name; pytest then gives that module its own
module-scoped app and database connection. These tests commit (they race requests against each
other and run the command line), into the session's scratch copy of the database; unique names
keep one test's rows out of another's way, and the tables the app writes are put back as they
were when the module ends (``tables_restored``, tests/_snapshots.py).
"""

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import psycopg
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from psycopg.types.json import Jsonb

from app.main import create_app
from app.services.snapshots import partnership_snapshot
from app.settings import Settings

XSS = '<script>alert("x")</script>"><img src=x onerror=alert(1)>'
TOWER_HAMLETS = "E09000030"
HACKNEY = "E09000012"


@pytest.fixture(scope="module")
async def served(
    database: str, settings: Settings, tables_restored: None
) -> AsyncIterator[tuple[FastAPI, Any]]:
    """The app (for its state) and its ASGI entry point with the lifespan running; the tables
    it writes are put back when the module ends."""
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
def quick_forms(settings: Settings) -> None:
    """The forms need no minimum fill time and no test reaches a rate limit unless it lowers it
    with ``tune``: the session's settings say so (tests/conftest.py)."""
    assert settings.form_min_fill_seconds == 0
    assert settings.submit_rate_limit >= 1000 and settings.login_rate_limit >= 1000


@pytest.fixture()
def tune(state: Any) -> Iterator[Callable[..., None]]:
    """Change settings of the running app for one test, e.g. ``tune(submit_rate_limit=2)``."""
    usual = state.settings

    def change(**updates: Any) -> None:
        state.settings = state.settings.model_copy(update=updates)

    yield change
    state.settings = usual


@pytest.fixture(scope="module")
def db(database: str, tables_restored: None) -> Iterator[psycopg.Connection[Any]]:
    """An autocommit connection to the session's scratch database; what it writes is put back
    when the module ends."""
    with psycopg.connect(database, autocommit=True) as conn:
        yield conn


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
    conn: psycopg.Connection[Any],
    name: str | None = None,
    dated: bool = False,
    area: str = TOWER_HAMLETS,
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
            (pid, area),
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
