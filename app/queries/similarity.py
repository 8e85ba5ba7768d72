"""Data access for similar areas and comparisons: areas by code, the partnerships serving LAs,
DfE statistical neighbours and indicator values at each indicator's own period."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from app.queries import sql, typed_rows


@dataclass(frozen=True, slots=True)
class AreaLevel:
    """An area's name and level, with its parent (a district's county)."""

    code: str
    name: str
    level: str
    parent_code: str | None
    parent_name: str | None


@dataclass(frozen=True, slots=True)
class ServingPartnership:
    """A current partnership serving an LA, with its kind and themes."""

    la_code: str
    id: int
    slug: str
    name: str
    kind: str
    kind_label: str
    is_national: bool
    status: str
    currency: str
    themes: list[str]


@dataclass(frozen=True, slots=True)
class NeighbourLink:
    """One DfE statistical neighbour of an LA, with the import it came from."""

    area_code: str
    rank: int
    neighbour_code: str
    closeness: str
    dataset_source: str
    dataset_vintage: str


@dataclass(frozen=True, slots=True)
class IndicatorValue:
    """An area's value of an indicator at the indicator's own period."""

    area_code: str
    indicator_code: str
    value: float


async def areas_by_code(session: AsyncSession, codes: Sequence[str]) -> list[AreaLevel]:
    """The areas with these codes (any level), with their parents."""
    return await typed_rows(session, AreaLevel, sql("similar_areas"), codes=list(codes))


async def serving_partnerships(
    session: AsyncSession, codes: Sequence[str]
) -> list[ServingPartnership]:
    """The current partnerships serving each of these LAs (local first, then national, by name)."""
    return await typed_rows(
        session, ServingPartnership, sql("similar_partnerships"), codes=list(codes)
    )


async def neighbour_links(
    session: AsyncSession, codes: Sequence[str] | None = None
) -> list[NeighbourLink]:
    """The DfE neighbours of these LAs (of every LA when ``codes`` is None), in rank order."""
    return await typed_rows(
        session,
        NeighbourLink,
        sql("similar_dfe"),
        codes=list(codes) if codes is not None else None,
    )


async def indicator_values(session: AsyncSession, codes: Sequence[str]) -> list[IndicatorValue]:
    """Every indicator's value for these areas at the indicator's own period."""
    return await typed_rows(session, IndicatorValue, sql("compare_values"), codes=list(codes))
