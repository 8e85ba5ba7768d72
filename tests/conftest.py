"""Shared test fixtures: a real PostGIS database, migrated and loaded with the real source files.

``make test`` points ``APP_DB_NAME`` at a throwaway database (dropped and made anew each run);
run on its own, pytest uses whatever database the settings name and imports into it only the
sources whose files changed since their last import.

Isolation: the tests never write to that imported database. The session works on a scratch copy
of it (``CREATE DATABASE … TEMPLATE``), dropped when the session ends, and every variable that
names the database points at the copy, so the app, the command line and the importers the tests
run all write there. Within the session each test that talks to the app through ``client`` runs
in a transaction rolled back at its end (see ``tests/api/conftest.py``). At the end the imported
database's row counts are compared with those at the start: a test that wrote past the copy
fails the run.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql
from rich.console import Console

from app import cluster
from app.settings import PROJECT_ROOT, Settings, get_settings

os.environ.setdefault("APP_ENVIRONMENT", "test")

# Tunables for the tests: no minimum fill time, and rate limits no test reaches unless it lowers
# them for its own app (see ``tune`` in tests/api/_moderation_helpers.py).
TEST_TUNABLES: dict[str, Any] = {
    "form_min_fill_seconds": 0,
    "submit_rate_limit": 10_000,
    "login_rate_limit": 10_000,
}


def _load_rowcounts() -> Any:
    spec = importlib.util.spec_from_file_location(
        "rowcounts", PROJECT_ROOT / "scripts/rowcounts.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


rowcounts = _load_rowcounts()
_imported: dict[str, Any] = {}  # the imported database's URL and its row counts at the start


def _prepare(settings: Settings) -> None:
    from alembic import command
    from alembic.config import Config

    from app.ingest import all_importers
    from app.ingest.base import run_importer
    from app.settings import PROJECT_ROOT

    if not settings.database_url:
        cluster.start(settings)
        cluster.ensure_database(settings)
    command.upgrade(Config(str(PROJECT_ROOT / "alembic.ini")), "head")
    console = Console(stderr=True)
    for importer in all_importers():
        outcome = run_importer(
            importer, settings.libpq_url, settings.geodata_dir, console, quiet=True
        )
        if outcome.status == "failed":
            pytest.exit(f"import of {importer.name} failed: {outcome.error}", returncode=3)


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


@pytest.fixture(scope="session")
def database() -> Iterator[str]:
    """The libpq URL of the session's scratch copy of the migrated, imported database."""
    imported = get_settings()
    _prepare(imported)
    base = urlsplit(imported.libpq_url).path.lstrip("/")
    scratch = f"{base}_scratch"
    admin = _with_database(imported.libpq_url, "postgres")
    _imported["url"] = imported.libpq_url
    _imported["counts"] = rowcounts.row_counts(imported.libpq_url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(scratch))
        )
        try:
            conn.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {} STRATEGY FILE_COPY").format(
                    sql.Identifier(scratch), sql.Identifier(base)
                )
            )
        except psycopg.errors.ObjectInUse:
            pytest.exit(
                f"Database {base} is in use (a running server?): stop it, or run the tests with "
                "make test, which uses its own database.",
                returncode=3,
            )
    url = _with_database(imported.libpq_url, scratch)
    # Everything that reads settings from the environment (the command line, create_moderator)
    # now names the copy.
    saved = {key: os.environ.get(key) for key in ("APP_DATABASE_URL", "APP_DB_NAME")}
    if imported.database_url:
        os.environ["APP_DATABASE_URL"] = _with_database(imported.database_url, scratch)
    else:
        os.environ["APP_DB_NAME"] = scratch
    get_settings.cache_clear()
    try:
        yield url
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        get_settings.cache_clear()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(scratch))
            )


@pytest.fixture(scope="session")
def settings(database: str) -> Settings:
    """The settings the tests run with: the scratch database and the test tunables."""
    return Settings(**TEST_TUNABLES)


@pytest.fixture()
def conn(database: str) -> Iterator[psycopg.Connection[Any]]:
    """A connection whose work is rolled back after the test."""
    with psycopg.connect(database) as connection:
        yield connection
        connection.rollback()


@pytest.fixture(scope="session")
def geodata_dir() -> Path:
    """The folder of real source files."""
    return get_settings().geodata_dir


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run browser tests last: Playwright's sync API keeps its own event loop running for the
    session's browser, and async tests collected after it could not start theirs."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run when the imported database's row counts changed while the tests ran."""
    if "url" not in _imported:
        return
    changed = rowcounts.differences(_imported["counts"], rowcounts.row_counts(_imported["url"]))
    if changed:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line("The tests wrote to the imported database:", red=True)
            for line in changed:
                reporter.write_line(f"  {line}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
