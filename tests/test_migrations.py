"""The migrations run down to nothing and up again, and match the models."""

from __future__ import annotations

import uuid

import psycopg
import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, pool

from app.models import Base, include_in_migrations
from app.settings import PROJECT_ROOT, Settings


@pytest.fixture()
def scratch_url(settings: Settings, database: str) -> str:
    """A brand-new empty database beside the test database, dropped afterwards."""
    name = f"migrations_{uuid.uuid4().hex[:8]}"
    admin = database.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield database.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _tables(url: str) -> set[str]:
    with psycopg.connect(url) as conn:
        return {
            r[0]
            for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'spatial_ref_sys'"
            )
        }


def test_upgrade_downgrade_upgrade(scratch_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from app import settings as settings_module

    monkeypatch.setenv("APP_DATABASE_URL", scratch_url)
    settings_module.get_settings.cache_clear()
    try:
        config = Config(str(PROJECT_ROOT / "alembic.ini"))
        command.upgrade(config, "head")
        first = _tables(scratch_url)
        assert {
            "area",
            "school",
            "trust",
            "postcode",
            "partnership",
            "submission",
            "revision",
            "moderator",
            "statistical_neighbour",
            "area_indicator",
        } <= first
        command.downgrade(config, "base")
        assert _tables(scratch_url) == {"alembic_version"}
        command.upgrade(config, "head")
        assert _tables(scratch_url) == first

        engine = create_engine(
            scratch_url.replace("postgresql://", "postgresql+psycopg://"), poolclass=pool.NullPool
        )
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"include_object": include_in_migrations}
            )
            diff = compare_metadata(context, Base.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
    finally:
        settings_module.get_settings.cache_clear()
