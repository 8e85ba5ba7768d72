"""Data access for provenance: the imported datasets and per-LA coverage."""

from __future__ import annotations

from sqlalchemy import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from app.queries import rows, sql


async def datasets(session: AsyncSession) -> list[RowMapping]:
    """The newest import of each source, for the About page."""
    return await rows(
        session,
        """
        SELECT DISTINCT ON (name) name, source, vintage, licence, row_count, imported_at, id
        FROM dataset WHERE name <> 'moderation' ORDER BY name, id DESC
        """,
    )


async def coverage(session: AsyncSession) -> list[RowMapping]:
    """Per LA: schools, schools listed as partnership members, schools in a served area."""
    return await rows(session, sql("coverage"))
