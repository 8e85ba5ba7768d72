"""Finished payloads kept per data version: the one way services cache what they build.

A service hands ``cached`` a key, a builder and the data sources the payload is built from; it
gets the payload held for the current data version of those sources (``app.services.versions``),
built once per version, or the newest one held when the database is down (stale-if-error).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from app.cache import Built, Payload, PayloadCache, note_lookup
from app.db import is_unavailable
from app.services.versions import Scope, data_version

log = logging.getLogger(__name__)

GEOJSON = "application/geo+json"
MVT = "application/vnd.mapbox-vector-tile"


async def cached(
    session: AsyncSession,
    cache: PayloadCache,
    key: tuple[object, ...],
    build: Callable[[], Awaitable[Built]],
    media_type: str = "application/json",
    scope: Scope = None,
) -> Payload:
    """The payload for ``key`` at the current data version of ``scope``, built once per version.

    When the version cannot be read because the database is down (the listener has lost it too),
    the newest payload held for ``key`` is served rather than an error: stale-if-error.
    """
    try:
        version = await data_version(session, scope)
    except Exception as exc:
        stale = cache.newest(key) if is_unavailable(exc) else None
        if stale is None:
            raise
        log.warning("serving a held payload while the database is unavailable")
        return stale
    payload = await cache.get_or_build(key, build, media_type, version=version)
    note_lookup(key, scope, payload)
    return payload
