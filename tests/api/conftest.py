"""API test fixtures: the app over ASGI, with its lifespan, against the real database.

``client`` runs each test in a transaction rolled back at its end: the app's sessions join the
test's connection through savepoints (SQLAlchemy's ``join_transaction_mode="create_savepoint"``),
so a commit in the app releases a savepoint and nothing the test causes outlives it: not its rows,
and not a data version an approval announced in process (the app reads its versions again).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from _snapshots import forget_rolled_back_versions
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.main import create_app
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
    await forget_rolled_back_versions(state)
