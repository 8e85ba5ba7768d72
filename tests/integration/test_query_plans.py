"""Hot queries use their indexes (checked with EXPLAIN on the real data)."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from sqlalchemy.dialects import postgresql

from app.queries import sql


def _plan(conn: psycopg.Connection[Any], name: str, params: dict[str, Any]) -> str:
    compiled = (
        sql(name)
        .bindparams(**params)
        .compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
    )
    conn.execute("SET enable_seqscan = off")  # as on a busy server: show which index is usable
    # The dialect escapes % for a driver that formats parameters; EXPLAIN is sent with none.
    statement = str(compiled).replace("%%", "%")
    rows = conn.execute(f"EXPLAIN {statement}").fetchall()
    return "\n".join(r[0] for r in rows)


@pytest.mark.parametrize(
    ("name", "params", "index"),
    [
        ("areas_at_point", {"lon": -1.47, "lat": 53.38}, "idx_area_subdivided_geom"),
        (
            "nearest_schools",
            {"x": 435000.0, "y": 387000.0, "limit": 10, "exclude_urn": None},
            "idx_school_geom_bng",
        ),
        (
            "schools_in_bbox",
            {"xmin": -1.5, "ymin": 53.37, "xmax": -1.45, "ymax": 53.4, "limit": 100},
            "idx_school_geom",
        ),
        (
            "nearest_area",
            {"lon": -1.47, "lat": 53.38, "level": "district", "max_m": 3000},
            "idx_area_subdivided_geom",
        ),
        (
            "partnership_list",
            {
                "area": "E08000019",
                "themes": None,
                "kinds": None,
                "national": True,
                "trust_only": False,
                "include_ended": False,
                "q": None,
                "xmin": None,
                "ymin": None,
                "xmax": None,
                "ymax": None,
                "limit": 500,
            },
            "ix_partnership_served_area_area_code",
        ),
        ("search_names", {"q": "st mary", "limit": 10}, "ix_school_name_trgm"),
    ],
)
def test_hot_query_uses_index(
    conn: psycopg.Connection[Any], name: str, params: dict[str, Any], index: str
) -> None:
    assert index in _plan(conn, name, params)


def test_stored_coverage_matches_the_view(conn: psycopg.Connection[Any]) -> None:
    """The stored coverage the hot queries read holds exactly what the view defines."""
    view = conn.execute(
        "SELECT partnership_id, area_code, direct FROM partnership_coverage"
    ).fetchall()
    stored = conn.execute(
        "SELECT partnership_id, area_code, direct FROM partnership_served_area"
    ).fetchall()
    assert view
    assert sorted(stored) == sorted(view)
