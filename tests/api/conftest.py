"""API test fixtures: the app over ASGI, with its lifespan, against the real database.

``client`` runs each test in a transaction rolled back at its end: the app's sessions join the
test's connection through savepoints (SQLAlchemy's ``join_transaction_mode="create_savepoint"``),
so a commit in the app releases a savepoint and nothing the test causes outlives it: not its rows,
and not a data version an approval announced in process (the app reads its versions again).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.main import create_app
from app.services.versions import APPLICATION_NAME
from app.settings import Settings


@pytest.fixture(scope="session")
async def running_app(database: str, settings: Settings) -> AsyncIterator[tuple[FastAPI, Any]]:
    """One app for the session (for its state) and its ASGI entry point, lifespan running."""
    application = create_app(settings)
    async with LifespanManager(application) as manager:
        yield application, manager.app


@pytest.fixture()
async def client(running_app: tuple[FastAPI, Any]) -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client talking to the app through ASGI, inside a transaction rolled back after."""
    application, asgi = running_app
    state = application.state
    async with state.engine.connect() as connection:
        outer = await connection.begin()
        usual = state.sessionmaker
        state.sessionmaker = async_sessionmaker(
            bind=connection,
            class_=AsyncSession,
            expire_on_commit=False,
            join_transaction_mode="create_savepoint",
        )
        try:
            transport = httpx.ASGITransport(app=asgi)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
                yield http
        finally:
            state.sessionmaker = usual
            await outer.rollback()
    await _forget_rolled_back_versions(state)


async def _forget_rolled_back_versions(state: Any) -> None:
    """An approval inside the rolled-back transaction told the app of a data version that never
    committed; make the app read its versions from the database again, so no later test is served
    payloads cached for that version."""
    versions = state.data_versions
    if versions is None or not versions.live:
        return
    async with state.engine.connect() as connection:
        stored = (
            await connection.execute(text("SELECT coalesce(max(id), 0) FROM dataset"))
        ).scalar_one()
        if versions.current() == stored:
            return
        await connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE application_name = :name AND datname = current_database()"
            ),
            {"name": APPLICATION_NAME},
        )
    for _ in range(200):  # the listener reconnects within seconds and reads the versions again
        await asyncio.sleep(0.05)
        if versions.live and versions.current() == stored:
            return
    raise AssertionError("the data version listener did not come back after a rolled-back test")
