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
from psycopg import sql

from app.ingest.common import statement

# How far outside the generalised boundaries a point may lie and still be given the nearest
# area: well above the ~200 m generalisation, well below the size of any LA or district.
NEAREST_WITHIN_M = 2000.0


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
    table = sql.Identifier(points)
    inside_sql = sql.SQL(statement("placing_inside")).format(points=table)
    nearest_sql = sql.SQL(statement("placing_nearest")).format(points=table)
    conn.execute(statement("placing_area_hit"))
    count_sql = sql.SQL("SELECT count(*) FROM {}").format(table)
    total = int(conn.execute(count_sql).fetchone()[0])  # type: ignore[index]
    results = []
    for level in levels:
        inside = conn.execute(inside_sql, {"level": level}).rowcount
        nearest = conn.execute(nearest_sql, {"level": level, "within": within_m}).rowcount
        results.append(Placed(level, inside, nearest, total - inside - nearest))
    conn.execute("ANALYZE area_hit")
    return results
