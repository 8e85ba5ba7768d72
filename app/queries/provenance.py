"""Data access for provenance: the imported datasets and per-LA coverage."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from app.queries import sql, typed_rows


@dataclass(frozen=True, slots=True)
class DatasetRow:
    """The newest import of one source: where from, its vintage and licence, how many rows."""

    name: str
    source: str
    vintage: str
    licence: str
    row_count: int
    imported_at: dt.datetime
    id: int


@dataclass(frozen=True, slots=True)
class CoverageRow:
    """One LA's schools, and how many are partnership members or in a served area."""

    code: str
    name: str
    combined_authority_code: str | None
    combined_authority_name: str | None
    is_mayoral: bool | None
    region_code: str | None
    region_name: str | None
    schools: int
    member_schools: int
    served_schools: int
    served_unconfirmed_schools: int


async def datasets(session: AsyncSession) -> list[DatasetRow]:
    """The newest import of each source, for the About page."""
    return await typed_rows(
        session,
        DatasetRow,
        """
        SELECT DISTINCT ON (name) name, source, vintage, licence, row_count, imported_at, id
        FROM dataset WHERE name <> 'moderation' ORDER BY name, id DESC
        """,
    )


async def coverage(session: AsyncSession) -> list[CoverageRow]:
    """Per LA: schools, schools listed as partnership members, schools in a served area."""
    return await typed_rows(session, CoverageRow, sql("coverage"))
