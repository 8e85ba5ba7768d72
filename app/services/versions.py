"""The data version: one number that changes whenever public data changes, keying every cache.

It is the highest ``dataset`` id. Imports add a dataset row when their source files change;
an approved moderation adds one too (``name='moderation'``), so caches refresh at once.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


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
