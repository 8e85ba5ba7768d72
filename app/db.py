"""Database engines: an async engine for the web app and a sync one for imports and the CLI."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine, create_engine
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from app.settings import Settings


def make_async_engine(settings: Settings) -> AsyncEngine:
    """The web app's engine: a small fixed pool, since overflow churn hurts on two cores."""
    return create_async_engine(
        settings.url_for_driver("asyncpg"),
        pool_size=settings.pool_size,
        max_overflow=0,
        pool_pre_ping=True,
    )


def make_sync_engine(settings: Settings) -> Engine:
    """A psycopg engine for importers, migrations and the command line."""
    return create_engine(settings.url_for_driver("psycopg"), pool_pre_ping=True)


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One session per request, from the sessionmaker the app made at start-up."""
    maker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    async with maker() as session:
        # Services read the in-process data version through the session (app/services/versions.py).
        session.info["data_versions"] = getattr(request.app.state, "data_versions", None)
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]
