"""Put imported points (schools, trust head offices) into areas, in PostGIS, set-based.

A point takes the area whose ``area_subdivided`` piece contains it. The boundaries are ONS
"BSC" generalisations (about 200 m), so a point on the coast or an estuary can fall just
outside every polygon; such a point takes the nearest area of that level within a stated
distance, measured in metres on the spheroid, and is counted apart so the summary says how
many were placed that way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg

# How far outside the generalised boundaries a point may lie and still be given the nearest
# area: well above the ~200 m generalisation, well below the size of any LA or district.
NEAREST_WITHIN_M = 2000.0

LOCATE_SQL = """
INSERT INTO area_hit (key, level, area_code, metres)
SELECT DISTINCT ON (p.key) p.key, s.level, s.area_code, 0.0
FROM {points} p
JOIN area_subdivided s ON s.level = %(level)s AND ST_Intersects(s.geom, p.geom)
ORDER BY p.key, s.area_code
"""

# The bounding-box filter is the point's square of side 2 x within_m made in metres on the
# British National Grid and transformed to the pieces' SRID, so the GiST index on
# area_subdivided.geom is used; the exact distance is then measured on the spheroid.
NEAREST_SQL = """
WITH outside AS MATERIALIZED (
    SELECT p.key, p.geom, p.geom_bng FROM {points} p
    WHERE NOT EXISTS (SELECT 1 FROM area_hit h WHERE h.key = p.key AND h.level = %(level)s)
)
INSERT INTO area_hit (key, level, area_code, metres)
SELECT o.key, %(level)s, n.area_code, n.metres
FROM outside o
CROSS JOIN LATERAL (
    SELECT s.area_code, ST_Distance(s.geom::geography, o.geom::geography) AS metres
    FROM area_subdivided s
    WHERE s.level = %(level)s
      AND s.geom && ST_Transform(ST_Expand(o.geom_bng, %(within)s), 4326)
    ORDER BY metres, s.area_code
    LIMIT 1
) n
WHERE n.metres <= %(within)s
"""


@dataclass(frozen=True)
class Placed:
    """How the points of one level were placed: inside a polygon, by the nearest, or not at all."""

    level: str
    inside: int
    nearest: int
    outside: int


def locate(
    conn: psycopg.Connection[Any],
    points: str,
    levels: tuple[str, ...],
    within_m: float = NEAREST_WITHIN_M,
) -> list[Placed]:
    """Fill the temporary table ``area_hit`` (key, level, area_code, metres) for each level.

    ``points`` names a table of ``key``, ``geom`` (EPSG:4326) and ``geom_bng`` (EPSG:27700);
    its name is the caller's own, never user input. ``metres`` is 0 for a point inside a
    polygon and the distance to the chosen area otherwise.
    """
    conn.execute("DROP TABLE IF EXISTS pg_temp.area_hit")
    conn.execute(
        "CREATE TEMP TABLE area_hit (key bigint, level text, area_code text,"
        " metres double precision, PRIMARY KEY (key, level)) ON COMMIT DROP"
    )
    total = int(conn.execute(f"SELECT count(*) FROM {points}").fetchone()[0])  # type: ignore[index]
    results = []
    for level in levels:
        inside = conn.execute(LOCATE_SQL.format(points=points), {"level": level}).rowcount
        nearest = conn.execute(
            NEAREST_SQL.format(points=points), {"level": level, "within": within_m}
        ).rowcount
        results.append(Placed(level, inside, nearest, total - inside - nearest))
    conn.execute("ANALYZE area_hit")
    return results
