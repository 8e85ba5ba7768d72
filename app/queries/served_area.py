"""The stored coverage (``partnership_served_area``): the ``partnership_coverage`` view, materialised.

Hot queries (near-me, the area page, the map's counts) filter coverage by area; the view would roll
up every partnership first. Every import and every moderated change refreshes it in its own
transaction, so readers never see coverage that disagrees with ``partnership_area``.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

# CONCURRENTLY (over the unique index) lets readers go on reading the previous rows meanwhile.
REFRESH = "REFRESH MATERIALIZED VIEW CONCURRENTLY partnership_served_area"


async def refresh(session: AsyncSession) -> None:
    """Recompute the stored coverage inside the caller's transaction."""
    await session.execute(text(REFRESH))
