"""Shared test fixtures: a real PostGIS database, migrated and loaded with the real source files.

``make test`` points ``APP_DB_NAME`` at a throwaway database (dropped and made anew each run);
run on its own, pytest uses whatever database the settings name and imports into it only the
sources whose files changed since their last import.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from rich.console import Console

from app import cluster
from app.settings import Settings, get_settings

os.environ.setdefault("APP_ENVIRONMENT", "test")


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


@pytest.fixture(scope="session")
def settings() -> Settings:
    """The settings the tests run with."""
    return get_settings()


@pytest.fixture(scope="session")
def database(settings: Settings) -> str:
    """The libpq URL of a migrated database holding every imported source."""
    _prepare(settings)
    return settings.libpq_url


@pytest.fixture()
def conn(database: str) -> Iterator[psycopg.Connection[Any]]:
    """A connection whose work is rolled back after the test."""
    with psycopg.connect(database) as connection:
        yield connection
        connection.rollback()


@pytest.fixture(scope="session")
def geodata_dir(settings: Settings) -> Path:
    """The folder of real source files."""
    return settings.geodata_dir


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run browser tests last: Playwright's sync API keeps its own event loop running for the
    session's browser, and async tests collected after it could not start theirs."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
