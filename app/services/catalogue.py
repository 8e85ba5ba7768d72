"""What the public pages list beside their main content: the partnership vocabulary, the
indicators, the areas of a level, one area, and the imported datasets with their vintages."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.queries import areas as area_q
from app.queries import indicators as indicator_q
from app.queries import provenance as provenance_q
from app.queries.vocab import Vocabulary, load_vocabulary


async def vocabulary(session: AsyncSession) -> Vocabulary:
    """The partnership kinds and themes, with labels and descriptions."""
    return await load_vocabulary(session)


async def indicators(session: AsyncSession) -> list[indicator_q.IndicatorInfo]:
    """Every indicator's label, unit, source and period."""
    return await indicator_q.indicators(session)


async def area(session: AsyncSession, code: str) -> area_q.AreaRow | None:
    """One area with its parents' names, if the code names one."""
    return await area_q.area(session, code)


async def areas_of_level(session: AsyncSession, level: str) -> list[area_q.AreaListItem]:
    """Every area of a level, by name, with its region."""
    return await area_q.area_list(session, level)


async def datasets(session: AsyncSession) -> list[provenance_q.DatasetRow]:
    """The newest import of each source, with its vintage and licence."""
    return await provenance_q.datasets(session)
