"""The data version: one number that changes whenever public data changes, keying every cache.

It is the highest ``dataset`` id. Imports add a dataset row when their source files change;
an approved moderation adds one too (``name='moderation'``), so caches refresh at once.
``cached`` is how services keep a finished payload for the current version.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app.cache import Payload, PayloadCache


async def data_version(session: AsyncSession) -> int:
    """The current data version (0 before any import)."""
    value = (await session.execute(text("SELECT coalesce(max(id), 0) FROM dataset"))).scalar_one()
    return int(value)


async def bump_data_version(session: AsyncSession, reason: str) -> int:
    """Record a moderated change as a new data version, inside the caller's transaction."""
    value = await session.execute(
        text(
            "INSERT INTO dataset (name, source, vintage, licence, checksum)"
            " VALUES ('moderation', :reason, to_char(now(), 'YYYY-MM-DD'),"
            " 'Contributions published under the Open Government Licence v3.0 terms of this site',"
            " md5(:reason || clock_timestamp()::text)) RETURNING id"
        ),
        {"reason": reason},
    )
    return int(value.scalar_one())


GEOJSON = "application/geo+json"


async def cached(
    session: AsyncSession,
    cache: PayloadCache,
    key: tuple[object, ...],
    build: Callable[[], Awaitable[bytes]],
    media_type: str = "application/json",
) -> Payload:
    """The payload for ``key`` at the current data version, built once per version."""
    version = await data_version(session)
    return await cache.get_or_build((*key, version), build, media_type)
