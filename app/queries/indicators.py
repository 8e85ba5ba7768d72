"""Data access for area indicators: their metadata and values by area."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from app.codes import ENGLAND
from app.queries import typed_one, typed_rows


@dataclass(frozen=True, slots=True)
class AreaIndicator:
    """An indicator's latest value for an area, beside England's and the region's."""

    code: str
    label: str
    unit: str
    polarity: str
    source: str
    topic: str
    period: str
    value: float
    england: float | None
    region: float | None


@dataclass(frozen=True, slots=True)
class IndicatorValue:
    """An indicator's latest value for one LA."""

    code: str
    value: float
    period: str


@dataclass(frozen=True, slots=True)
class IndicatorMeta:
    """An indicator's label, unit, polarity, source, period and topic."""

    code: str
    label: str
    unit: str
    polarity: str
    source: str
    period: str
    topic: str


@dataclass(frozen=True, slots=True)
class IndicatorInfo:
    """An indicator's full metadata, with its description and its default use in similarity."""

    code: str
    label: str
    unit: str
    polarity: str
    source: str
    period: str
    topic: str
    description: str
    in_default_similarity: bool


async def area_indicators(
    session: AsyncSession, code: str, region_code: str | None
) -> list[AreaIndicator]:
    """Each indicator's latest value for the area beside England's and the region's."""
    return await typed_rows(
        session,
        AreaIndicator,
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


async def indicator_values(session: AsyncSession, indicator: str) -> list[IndicatorValue]:
    """An indicator's latest value for every LA (for colouring the map)."""
    return await typed_rows(
        session,
        IndicatorValue,
        """
        SELECT DISTINCT ON (ai.area_code) ai.area_code AS code, ai.value, ai.period
        FROM area_indicator ai JOIN area a ON a.code = ai.area_code
        WHERE ai.indicator_code = :indicator AND a.level = 'local_authority'
        ORDER BY ai.area_code, ai.period DESC
        """,
        indicator=indicator,
    )


async def indicator(session: AsyncSession, code: str) -> IndicatorMeta | None:
    """One indicator's metadata."""
    return await typed_one(
        session,
        IndicatorMeta,
        "SELECT code, label, unit, polarity, source, period, topic FROM indicator WHERE code = :code",
        code=code,
    )


async def indicators(session: AsyncSession) -> list[IndicatorInfo]:
    """Every indicator's metadata."""
    return await typed_rows(
        session,
        IndicatorInfo,
        "SELECT code, label, unit, polarity, source, period, topic, description,"
        " in_default_similarity FROM indicator ORDER BY topic, label",
    )
