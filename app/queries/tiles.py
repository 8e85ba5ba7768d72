"""Vector tiles: one layer's features inside a web-mercator tile, encoded by PostGIS (``ST_AsMVT``).

Each layer is a fixed statement chosen from a whitelist (the layer name never reaches SQL text).
A tile holds at most ``cap`` features; when more match, the tile says it was capped. Filters use
the tile envelope transformed to the column's SRID (EPSG:4326), so the GiST indexes apply.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

EXTENT = 4096
BUFFER = 64

# The tile envelope in both systems; every layer's statement starts from it. Features are chosen
# within the tile plus its buffer, so a school just over the edge is drawn in part by this tile too
# and its circle is not cut at the boundary.
_BOX = (
    "WITH box AS (SELECT e AS e3857,"
    f" ST_Transform(ST_TileEnvelope(:z, :x, :y, margin => {BUFFER}.0 / {EXTENT}), 4326) AS e4326"
    " FROM ST_TileEnvelope(:z, :x, :y) AS e), "
)
_GEOM = "ST_AsMVTGeom(ST_Transform({col}, 3857), box.e3857, {extent}, {buffer}, true) AS geom"


def _geom(col: str) -> str:
    return _GEOM.format(col=col, extent=EXTENT, buffer=BUFFER)


# layer -> the candidate rows (properties and a geom column), ordered, before the cap.
_LAYERS: dict[str, str] = {
    "local_authority": f"""
        SELECT a.code, a.name, a.la_number, {_geom("g.geom")}
        FROM area a
        JOIN area_generalised g ON g.area_code = a.code AND g.zoom_band = :band
        CROSS JOIN box
        WHERE a.level = 'local_authority' AND g.geom && box.e4326
        ORDER BY a.code""",
    "district": f"""
        SELECT a.code, a.name, a.parent_code, {_geom("g.geom")}
        FROM area a
        JOIN area_generalised g ON g.area_code = a.code AND g.zoom_band = :band
        CROSS JOIN box
        WHERE (a.level = 'district' OR a.is_district) AND g.geom && box.e4326
        ORDER BY a.code""",
    # Schools carry a stored Web Mercator point (school.geom_3857, GiST-indexed): no transform
    # per school, and the filter is the buffered tile envelope in the column's own SRID.
    "schools": f"""
        SELECT s.urn, s.name, s.phase, s.status, s.trust_uid, s.is_academy,
               ST_AsMVTGeom(s.geom_3857, box.e3857, {EXTENT}, {BUFFER}, true) AS geom
        FROM school s CROSS JOIN box
        WHERE s.geom_3857 && ST_TileEnvelope(:z, :x, :y, margin => {BUFFER}.0 / {EXTENT})
        ORDER BY s.urn""",
    "trusts": f"""
        SELECT t.uid, t.name, t.group_type, t.town,
               (SELECT count(*) FROM school s WHERE s.trust_uid = t.uid) AS school_count,
               {_geom("t.geom")}
        FROM trust t CROSS JOIN box
        WHERE t.geom && box.e4326 AND t.status = 'Open'
          AND t.group_type IN ('Multi-academy trust', 'Single-academy trust')
        ORDER BY t.uid""",
    "partnerships": f"""
        SELECT p.slug, p.name, p.kind, k.is_national, {_geom("pt.geom")}
        FROM (SELECT pa.partnership_id, ST_Centroid(ST_Collect(a.centroid)) AS geom
              FROM partnership_area pa JOIN area a ON a.code = pa.area_code
              GROUP BY pa.partnership_id) AS pt
        JOIN partnership p ON p.id = pt.partnership_id AND p.status <> 'ended'
        JOIN partnership_kind k ON k.code = p.kind
        CROSS JOIN box
        WHERE pt.geom && box.e4326
        ORDER BY k.is_national, p.id""",
}
LAYERS = tuple(_LAYERS)


def _statement(layer: str) -> str:
    return (
        _BOX
        + f"candidates AS ({_LAYERS[layer]}\n        LIMIT :cap + 1), "
        + "kept AS (SELECT * FROM candidates WHERE geom IS NOT NULL LIMIT :cap) "
        + f"SELECT (SELECT ST_AsMVT(kept.*, :layer, {EXTENT}, 'geom') FROM kept) AS mvt,"
        + " (SELECT count(*) FROM candidates) > :cap AS capped,"
        + " (SELECT count(*) FROM kept) AS features"
    )


_STATEMENTS = {layer: text(_statement(layer)) for layer in _LAYERS}


@dataclass(frozen=True)
class Tile:
    """A Mapbox vector tile's bytes, how many features it holds, and whether it was capped."""

    data: bytes
    features: int
    capped: bool


async def tile(
    session: AsyncSession, layer: str, z: int, x: int, y: int, cap: int, band: int
) -> Tile:
    """One layer's tile; ``band`` picks the generalised boundaries (unused by point layers)."""
    statement = _STATEMENTS[layer]  # a KeyError here is a programming error: routes whitelist
    params = {"z": z, "x": x, "y": y, "cap": cap, "layer": layer}
    if ":band" in _LAYERS[layer]:
        params["band"] = band
    row = (await session.execute(statement, params)).one()
    return Tile(bytes(row.mvt or b""), int(row.features), bool(row.capped))
