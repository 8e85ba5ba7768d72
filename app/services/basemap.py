"""The offline basemap: place names by zoom band and England's outline, cached per data version.

Without a raster basemap (the default, and the only choice offline) the map draws these: the
coast and borders from the imported country boundary, then local authority names at national
zooms, district names from zoom 8 and town and village names from zoom 9 to 11 (placed at the
median of their schools and ranked by school count so that big towns win label collisions).
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.cache import Payload, PayloadCache
from app.errors import InvalidInput
from app.queries import basemap as queries
from app.services.areas import band_for_zoom
from app.services.payloads import GEOJSON, cached

# Up to zoom -> the highest label zoom included in that payload.
LABEL_BANDS = ((7, 7), (9, 9))
ALL_LABELS = 22
LABEL_DIGITS = 4


def label_band(zoom: int) -> int:
    """The label payload for a map zoom: the names drawn at that zoom and the next half-step."""
    if not 0 <= zoom <= 22:
        raise InvalidInput("zoom must be between 0 and 22.")
    return next((band for upto, band in LABEL_BANDS if zoom <= upto), ALL_LABELS)


async def labels(session: AsyncSession, cache: PayloadCache, zoom: int) -> Payload:
    """Place names for a zoom as GeoJSON points (n name, k kind, r rank, z first zoom)."""
    band = label_band(zoom)

    async def build() -> bytes:
        return await queries.place_labels(session, band, LABEL_DIGITS)

    return await cached(session, cache, ("labels", band), build, GEOJSON)


async def land(session: AsyncSession, cache: PayloadCache, zoom: int) -> Payload:
    """England's outline for a zoom, drawn under the areas as land against the sea."""
    band, digits = band_for_zoom(zoom)

    async def build() -> bytes:
        return await queries.land(session, band, digits)

    return await cached(session, cache, ("land", band), build, GEOJSON)
