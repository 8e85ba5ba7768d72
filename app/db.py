"""Database engines: an async engine for the web app and a sync one for imports and the CLI.

The web app's connections are bounded in time: connecting, waiting for a pooled connection and
each statement all give up after a few seconds, so a stopped or frozen database turns into a
quick 503 (see ``app.errors``) rather than a hung request. Each connection asks for synchronous
commits, so a write the app has acknowledged survives a crash whatever the server's default.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

import asyncpg
from fastapi import Depends, Request
from sqlalchemy import Engine, create_engine, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.util import greenlet_spawn

from app.pool import FairAsyncQueuePool
from app.settings import Settings

# SQLSTATE classes meaning "the server cannot serve you now": 08 connection exception,
# 53 insufficient resources, 57 operator intervention (shutdown, statement timeout), 58 system;
# and 55P03, a lock not granted within lock_timeout (a write queued behind an import's
# transaction, which holds the stored views' stale flags until it commits).
_UNAVAILABLE_SQLSTATE = ("08", "53", "57", "58")
_UNAVAILABLE_CODES = ("55P03",)
# A pooled connection idle for longer than this is pinged before use (see _check_on_checkout).
PING_AFTER_IDLE_S = 30.0


def connect_args(settings: Settings) -> dict[str, object]:
    """asyncpg connection options: timeouts and per-session server settings."""
    statement_ms = settings.db_statement_timeout_ms
    return {
        "timeout": settings.db_connect_timeout_s,
        # The client-side guard for a server that stops answering altogether (frozen, cut off).
        "command_timeout": statement_ms / 1000 + 1,
        "server_settings": {
            "synchronous_commit": "on",
            "statement_timeout": str(statement_ms),
            "lock_timeout": str(statement_ms),
            "idle_in_transaction_session_timeout": str(max(statement_ms * 4, 60000)),
            "application_name": "partnerships-map",
        },
    }


def make_async_engine(settings: Settings) -> AsyncEngine:
    """The web app's engine: a small fixed pool, since overflow churn hurts on two cores."""
    engine = create_async_engine(
        settings.url_for_driver("asyncpg"),
        poolclass=FairAsyncQueuePool,  # first come, first served under load
        pool_size=settings.pool_size,
        max_overflow=0,
        pool_timeout=settings.db_pool_timeout_s,
        connect_args=connect_args(settings),
    )
    event.listen(engine.sync_engine.pool, "checkout", _check_on_checkout)
    event.listen(engine.sync_engine.pool, "checkin", _note_checkin)
    return engine


def _check_on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    """Hand out no connection the server has dropped; the pool then opens a new one.

    SQLAlchemy's ``pool_pre_ping`` would cost three round trips (BEGIN, a ping, ROLLBACK) on
    every checkout, as many as a whole cached-miss query. asyncpg already marks a connection
    closed as soon as its socket ends (a restart, a crash, a terminated backend), so that check
    is in memory; only a connection left idle for a while, which a network device may have cut
    silently, is pinged.
    """
    if dbapi_connection._connection.is_closed():
        raise sa_exc.DisconnectionError("the database closed this pooled connection")
    idle_since = record.info.get("checked_in_at")
    if idle_since is not None and time.monotonic() - idle_since > PING_AFTER_IDLE_S:
        try:
            dbapi_connection.ping()
        except Exception as error:
            raise sa_exc.DisconnectionError("a pooled connection did not answer a ping") from error


def _note_checkin(_dbapi_connection: Any, record: Any) -> None:
    record.info["checked_in_at"] = time.monotonic()


def make_sync_engine(settings: Settings) -> Engine:
    """A psycopg engine for importers, migrations and the command line."""
    return create_engine(settings.url_for_driver("psycopg"), pool_pre_ping=True)


def is_unavailable(exc: BaseException) -> bool:
    """Whether an error means the database is down, unreachable, overloaded or too slow.

    Such errors are the server's state, not the request's fault: they get a 503 with
    ``Retry-After``. Other database errors (a constraint refused, a bad statement) are bugs or
    conflicts and are handled elsewhere.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, sa_exc.TimeoutError | sa_exc.DisconnectionError):
            return True
        if isinstance(current, sa_exc.DBAPIError) and current.connection_invalidated:
            return True
        if isinstance(
            current,
            OSError
            | asyncio.TimeoutError
            | asyncpg.exceptions.PostgresConnectionError
            | asyncpg.exceptions.InterfaceError
            | asyncpg.exceptions.ConnectionDoesNotExistError,
        ):
            return True
        sqlstate = getattr(current, "sqlstate", None) or getattr(current, "pgcode", None)
        if isinstance(sqlstate, str) and (
            sqlstate[:2] in _UNAVAILABLE_SQLSTATE or sqlstate in _UNAVAILABLE_CODES
        ):
            return True
        orig = getattr(current, "orig", None)
        current = (
            orig if isinstance(orig, BaseException) else (current.__cause__ or current.__context__)
        )
    return False


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One session per request, from the sessionmaker the app made at start-up."""
    maker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    session = maker()
    # Services read the in-process data version through the session (app/services/versions.py).
    session.info["data_versions"] = getattr(request.app.state, "data_versions", None)
    try:
        yield session
    finally:
        # A session that never began a transaction holds no connection, and closing it would
        # cost a task and a greenlet switch on every request that needed none (a cached answer,
        # near-me on a pooled connection of its own). One that did is closed as ``async with``
        # closes it: to completion, even when the request is cancelled meanwhile.
        if session.in_transaction():
            async with session:
                pass


@asynccontextmanager
async def driver_connection(session: AsyncSession) -> AsyncIterator[asyncpg.Connection]:
    """The asyncpg connection for one read-only statement sent to the driver directly.

    For a session inside a transaction, or bound to one connection rather than to the engine
    (the tests' rolled-back one), that is the session's own connection: the statement must see
    what the transaction wrote. Otherwise it comes straight from the engine's pool, with the
    pool's checkout checks, and goes back to it at once: beginning the session's transaction
    only to run one statement costs more than the statement (two greenlet switches and a task).
    """
    engine = session.bind
    if session.in_transaction() or not isinstance(engine, AsyncEngine):
        connection = await session.connection()
        raw = await connection.get_raw_connection()
        assert raw.driver_connection is not None
        yield raw.driver_connection
        return
    pooled = await greenlet_spawn(engine.sync_engine.pool.connect)
    try:
        driver = pooled.dbapi_connection.driver_connection  # type: ignore[union-attr]
        yield driver
    finally:
        await greenlet_spawn(pooled.close)


SessionDep = Annotated[AsyncSession, Depends(get_session)]
