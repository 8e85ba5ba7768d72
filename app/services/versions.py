"""The data version: numbers that change whenever public data changes, keying every cache.

Each import run records a ``dataset`` row; an approved moderation adds one too
(``name='moderation'``). The version of a payload is the highest dataset id among the sources it
is built from (``scope``), or among all sources; so an approved partnership edit makes the
partnership payloads stale but not the boundaries, schools or trusts.

The process keeps the newest id per source in memory (:class:`DataVersions`): it reads them once
at start-up and then listens on the PostgreSQL channel ``data_version``, which a trigger on
``dataset`` notifies on every insert and update (imports from the command line, approvals from any
app process). A cached hit or a 304 therefore touches no database. While the listening connection
is down, versions are read from the database on each request, as a fallback that is slower but
never stale.
``app.services.payloads.cached`` keeps a finished payload for the current version.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable
from typing import Any

import asyncpg
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from app.queries import datasets

log = logging.getLogger(__name__)

CHANNEL = "data_version"
APPLICATION_NAME = "partnerships-map data version"  # names the listening connection

# Payload scopes: the dataset names a payload is built from. Anything not scoped uses every source.
BOUNDARIES = ("boundaries",)
SCHOOLS = ("boundaries", "postcodes", "schools", "trusts")
STATISTICS = ("boundaries", "statistics")
Scope = tuple[str, ...] | None


class DataVersions:
    """The newest dataset id per source, held in process and refreshed by LISTEN/NOTIFY."""

    def __init__(self, dsn: str, retry_seconds: float = 1.0) -> None:
        self._dsn = dsn
        self._ids: dict[str, int] = {}
        self._retry = retry_seconds
        self._conn: asyncpg.Connection | None = None
        self._lost = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.live = False  # True while the listening connection is up and the ids are current
        self.ready = asyncio.Event()

    def current(self, scope: Scope = None) -> int | None:
        """The version for ``scope`` (a tuple of source names; None for all), or None if not live."""
        if not self.live:
            return None
        return _version_of(self._ids, scope)

    def saw(self, name: str, dataset_id: int) -> None:
        """Record a dataset id this process committed itself (its notification may come later)."""
        if dataset_id > self._ids.get(name, 0):
            self._ids[name] = dataset_id

    async def start(self, wait: float = 5.0) -> None:
        """Start listening in the background; wait briefly for the first connection."""
        self._task = asyncio.create_task(self._run(), name="data-version-listener")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.ready.wait(), wait)

    async def stop(self) -> None:
        """Stop listening and close the connection."""
        self.live = False
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._conn is not None and not self._conn.is_closed():
            await self._conn.close()

    async def _run(self) -> None:
        delay = self._retry
        while True:
            try:
                await self._listen()
                delay = self._retry
                await self._lost.wait()
            except Exception as exc:  # whatever the failure, fall back to SQL and retry
                log.warning("data version listener unavailable: %s", type(exc).__name__)
                if self._conn is not None and not self._conn.is_closed():
                    self._conn.terminate()
            self.live = False
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)  # back within seconds of the database returning

    async def _listen(self) -> None:
        self._lost.clear()
        conn = await asyncpg.connect(
            self._dsn, timeout=5, server_settings={"application_name": APPLICATION_NAME}
        )
        self._conn = conn
        conn.add_termination_listener(lambda _c: self._lost.set())
        # Listen before reading, so a change committed in between is not missed.
        await conn.add_listener(CHANNEL, self._notified)
        # Replace rather than merge: after a database reset the ids start again from 1.
        self._ids = await datasets.newest_ids_on(conn)
        self.live = True
        self.ready.set()

    def _notified(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        name, _, value = payload.rpartition(":")
        with contextlib.suppress(ValueError):
            self.saw(name, int(value))


def _version_of(ids: dict[str, int], scope: Iterable[str] | None) -> int:
    if scope is None:
        return max(ids.values(), default=0)
    return max((ids.get(name, 0) for name in scope), default=0)


def _versions(session: AsyncSession) -> DataVersions | None:
    versions = session.info.get("data_versions")
    return versions if isinstance(versions, DataVersions) else None


async def stored_data_version(session: AsyncSession, scope: Scope = None) -> int:
    """The data version as the database has it now (a query; for readiness and the fallback)."""
    return _version_of(await datasets.newest_ids(session), scope)


async def data_version(session: AsyncSession, scope: Scope = None) -> int:
    """The current data version for ``scope`` (0 before any import); in memory when listening."""
    versions = _versions(session)
    if versions is not None:
        value = versions.current(scope)
        if value is not None:
            return value
    return await stored_data_version(session, scope)


async def bump_data_version(session: AsyncSession, reason: str) -> int:
    """Record a moderated change as a new data version, inside the caller's transaction.

    Once the transaction commits, this process sees the new version at once; other processes
    hear of it through the trigger's notification.
    """
    dataset_id = await datasets.add_moderation_dataset(session, reason)
    versions = _versions(session)
    if versions is not None:

        def committed(_session: Session) -> None:
            versions.saw("moderation", dataset_id)

        event.listen(session.sync_session, "after_commit", committed, once=True)
    return dataset_id
