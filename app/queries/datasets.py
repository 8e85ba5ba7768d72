"""Data access for the data version: the newest ``dataset`` id per source, and the dataset row an
approved moderation adds."""

from __future__ import annotations

from typing import Any

import asyncpg
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

NEWEST_IDS_SQL = "SELECT name, max(id) AS id FROM dataset GROUP BY name"

_MODERATION_DATASET = text(
    "INSERT INTO dataset (name, source, vintage, licence, checksum)"
    " VALUES ('moderation', :reason, to_char(now(), 'YYYY-MM-DD'),"
    " 'Contributions published under the Open Government Licence v3.0 terms of this site',"
    " md5(:reason || clock_timestamp()::text)) RETURNING id"
)


async def newest_ids(session: AsyncSession) -> dict[str, int]:
    """The newest dataset id of each source."""
    rows = (await session.execute(text(NEWEST_IDS_SQL))).all()
    return {str(name): int(value) for name, value in rows}


async def newest_ids_on(conn: asyncpg.Connection[Any]) -> dict[str, int]:
    """The newest dataset id of each source, read on a raw asyncpg connection (the listener's)."""
    rows = await conn.fetch(NEWEST_IDS_SQL)
    return {str(row["name"]): int(row["id"]) for row in rows}


async def add_moderation_dataset(session: AsyncSession, reason: str) -> int:
    """Record a moderated change as a new ``dataset`` row (name 'moderation'); its id."""
    value = await session.execute(_MODERATION_DATASET, {"reason": reason})
    return int(value.scalar_one())
