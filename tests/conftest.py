"""Shared test fixtures: a real PostGIS database, migrated and loaded with the real source files.

``make test`` points ``APP_DB_NAME`` at a throwaway database (dropped and made anew each run);
run on its own, pytest uses whatever database the settings name and imports into it only the
sources whose files changed since their last import.

Isolation: the tests never write to that imported database. Each session works on a copy of
its own (``<base>_scratch_<pid>_<random>``, see ``tests/_databases.py``), dropped when the session
ends, and every variable that names the database points at the copy, so the app, the command line
and the importers the tests run all write there. Within the session each test that talks to the
app through ``client`` runs in a transaction rolled back at its end (``tests/api/conftest.py``);
a module whose tests must commit asks for ``tables_restored`` (``tests/_snapshots.py``). At the
end the copy's row counts must equal the imported database's at the start, and the imported
database's must be unchanged: a test that left rows behind, or wrote past the copy, fails the run.
"""

from __future__ import annotations

import importlib.util
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from _databases import (
    DatabaseInUse,
    copy_database,
    drop_database,
    drop_stale,
    exclusive,
    scratch_name,
)
from _snapshots import TableSnapshot
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
    """The libpq URL of the session's own scratch copy of the migrated, imported database."""
    imported = get_settings()
    base = urlsplit(imported.libpq_url).path.lstrip("/")
    scratch = scratch_name(base)
    admin_url = _with_database(imported.libpq_url, "postgres")
    if not imported.database_url:
        cluster.start(imported)
    with psycopg.connect(admin_url, autocommit=True) as admin, exclusive(admin, base):
        # Sessions take turns importing and copying: a copy needs the database to itself.
        _prepare(imported)
        drop_stale(admin, base)
        _imported["url"] = imported.libpq_url
        _imported["counts"] = rowcounts.row_counts(imported.libpq_url)
        try:
            copy_database(admin, base, scratch)
        except DatabaseInUse as exc:
            pytest.exit(str(exc), returncode=3)
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
        # The copy started with the imported database's rows: every test must leave it so.
        _imported["scratch_changed"] = rowcounts.differences(
            _imported["counts"], rowcounts.row_counts(url)
        )
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        get_settings.cache_clear()
        with psycopg.connect(admin_url, autocommit=True) as admin:
            drop_database(admin, scratch)


@pytest.fixture(scope="module")
def tables_restored(database: str) -> Iterator[None]:
    """For a module whose tests commit for real: the tables the app writes are put back exactly
    as they were after its last test (tests/_snapshots.py)."""
    snapshot = TableSnapshot(database)
    snapshot.take()
    yield
    snapshot.restore()


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


@pytest.fixture(scope="session")
def la_count(geodata_dir: Path) -> int:
    """How many local authorities England has, counted in ONS's county and unitary authority
    boundary file: its E06 (unitary), E08 (metropolitan), E09 (London) and E10 (county) codes."""
    from app.ingest.boundaries import CTYUA

    features = json.loads((geodata_dir / CTYUA).read_text())["features"]
    codes = {f["properties"]["CTYUA23CD"] for f in features}
    return sum(1 for code in codes if code.startswith(("E06", "E08", "E09", "E10")))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run browser tests last: Playwright's sync API keeps its own event loop running for the
    session's browser, and async tests collected after it could not start theirs."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run when a table's row count changed while the tests ran: in the imported
    database (a test wrote past its copy), or in the session's copy (a test left rows behind)."""
    if "url" not in _imported:
        return
    url = _imported["url"]
    base = urlsplit(url).path.lstrip("/")
    admin_url = _with_database(url, "postgres")
    with psycopg.connect(admin_url, autocommit=True) as admin, exclusive(admin, base):
        imported = rowcounts.differences(_imported["counts"], rowcounts.row_counts(url))
    reports = [
        ("The tests wrote to the imported database:", imported),
        ("The tests left rows behind in their copy:", _imported.get("scratch_changed", [])),
    ]
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    for title, changed in reports:
        if not changed:
            continue
        if reporter is not None:
            reporter.write_line(title, red=True)
            for line in changed:
                reporter.write_line(f"  {line}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
