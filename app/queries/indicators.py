"""Data access for area indicators: their metadata and values by area."""

from __future__ import annotations

from sqlalchemy import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from app.codes import ENGLAND
from app.queries import one, rows


async def area_indicators(
    session: AsyncSession, code: str, region_code: str | None
) -> list[RowMapping]:
    """Each indicator's latest value for the area beside England's and the region's."""
    return await rows(
        session,
        """
        WITH latest AS (
            SELECT DISTINCT ON (ai.indicator_code) ai.indicator_code, ai.period, ai.value
            FROM area_indicator ai WHERE ai.area_code = :code
            ORDER BY ai.indicator_code, ai.period DESC
        )
        SELECT i.code, i.label, i.unit, i.polarity, i.source, i.topic, l.period, l.value,
               (SELECT value FROM area_indicator e WHERE e.area_code = :england
                  AND e.indicator_code = i.code AND e.period = l.period) AS england,
               (SELECT value FROM area_indicator r WHERE r.area_code = :region
                  AND r.indicator_code = i.code AND r.period = l.period) AS region
        FROM indicator i JOIN latest l ON l.indicator_code = i.code
        ORDER BY i.topic, i.label
        """,
        code=code,
        region=region_code,
        england=ENGLAND,
    )


async def indicator_values(session: AsyncSession, indicator: str) -> list[RowMapping]:
    """An indicator's latest value for every LA (for colouring the map)."""
    return await rows(
        session,
        """
        SELECT DISTINCT ON (ai.area_code) ai.area_code AS code, ai.value, ai.period
        FROM area_indicator ai JOIN area a ON a.code = ai.area_code
        WHERE ai.indicator_code = :indicator AND a.level = 'local_authority'
        ORDER BY ai.area_code, ai.period DESC
        """,
        indicator=indicator,
    )


async def indicator(session: AsyncSession, code: str) -> RowMapping | None:
    """One indicator's metadata."""
    return await one(
        session,
        "SELECT code, label, unit, polarity, source, period, topic FROM indicator WHERE code = :code",
        code=code,
    )


async def indicators(session: AsyncSession) -> list[RowMapping]:
    """Every indicator's metadata."""
    return await rows(
        session,
        "SELECT code, label, unit, polarity, source, period, topic, description,"
        " in_default_similarity FROM indicator ORDER BY topic, label",
    )
