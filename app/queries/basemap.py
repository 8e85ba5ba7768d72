"""Data access for the offline basemap: place names and the land outline, as finished GeoJSON."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.queries import scalar, sql


async def place_labels(session: AsyncSession, max_zoom: int, digits: int) -> bytes:
    """Place names drawn up to ``max_zoom`` (LAs, districts, towns) as a FeatureCollection."""
    body = await scalar(session, sql("place_labels"), max_zoom=max_zoom, digits=digits)
    return str(body).encode()


LAND = """
SELECT '{"type":"FeatureCollection","features":['
       || coalesce(string_agg(ST_AsGeoJSON(l.*, 'geom', :digits), ','), '')
       || ']}'
FROM (
    SELECT a.code, g.geom
    FROM area a
    JOIN area_generalised g ON g.area_code = a.code AND g.zoom_band = :band
    WHERE a.level = 'country'
) l
"""


async def land(session: AsyncSession, band: int, digits: int) -> bytes:
    """England's outline (the country boundary, generalised for a band) as a FeatureCollection."""
    body = await scalar(session, LAND, band=band, digits=digits)
    return str(body).encode()
