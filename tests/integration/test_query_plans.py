"""Hot queries use their indexes: EXPLAIN on the real data, with the planner's normal settings.

The plans asserted are the ones PostgreSQL chooses on its own (no ``enable_seqscan = off``), so a
statement rewritten in a way that hides an index from the planner fails here. Small tables
(areas, partnerships: a few hundred rows) are read whole, as the planner rightly prefers; the
assertions are about the large ones.
"""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from sqlalchemy import ARRAY, Text, bindparam
from sqlalchemy.dialects import postgresql

from app.queries import sql


def _plan(conn: psycopg.Connection[Any], name: str, params: dict[str, Any]) -> str:
    binds = [
        bindparam(key, value, type_=ARRAY(Text) if isinstance(value, list) else None)
        for key, value in params.items()
    ]
    compiled = str(
        sql(name)
        .bindparams(*binds)
        .compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
    )
    # The dialect doubles % for a driver's placeholders; this statement is sent without any.
    statement = compiled.replace("%%", "%")
    for setting in ("enable_seqscan", "enable_indexscan", "enable_bitmapscan"):
        on = conn.execute(f"SHOW {setting}").fetchone()
        assert on == ("on",), f"{setting} is not at its normal value"
    rows = conn.execute(f"EXPLAIN {statement}").fetchall()
    return "\n".join(r[0] for r in rows)


SHEFFIELD_BOX = {"xmin": -1.5, "ymin": 53.37, "xmax": -1.45, "ymax": 53.4}

# partnerships_near_members is left out while the register lists no member schools: the planner
# then rightly starts from the empty member table, and which index it uses says nothing.


@pytest.mark.parametrize(
    ("name", "params", "indexes"),
    [
        ("areas_at_point", {"lon": -1.47, "lat": 53.38}, ["idx_area_subdivided_geom"]),
        (
            "nearest_schools",
            {"x": 435000.0, "y": 387000.0, "limit": 10, "exclude_urn": None},
            ["Index Scan using idx_school_geom_bng"],
        ),
        ("schools_in_bbox", {**SHEFFIELD_BOX, "limit": 100}, ["idx_school_geom"]),
        (
            "nearest_area",
            {"lon": -1.47, "lat": 53.38, "level": "district", "max_m": 3000},
            ["idx_area_subdivided_geom"],
        ),
        (
            "trusts_in_bbox",
            {**SHEFFIELD_BOX, "limit": 500},
            ["idx_trust_geom", "ix_school_trust_uid"],
        ),
        (
            "compare_values",
            {"codes": ["E08000012", "E08000003", "E92000001"]},
            ["pk_area_indicator"],
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
    ],
)
def test_hot_query_uses_index(
    conn: psycopg.Connection[Any], name: str, params: dict[str, Any], indexes: list[str]
) -> None:
    plan = _plan(conn, name, params)
    for index in indexes:
        assert index in plan, plan
    assert "Seq Scan on school" not in plan and "Seq Scan on trust" not in plan, plan


# Names as people type them that pick out a few rows: a phrase most names resemble ("Oasis
# Academy" among trusts) is rightly answered by reading the table whole.
@pytest.mark.parametrize("typed", ["Abbey", "Sheffield", "st marys", "Ecclesfield"])
def test_name_search_uses_the_trigram_indexes(conn: psycopg.Connection[Any], typed: str) -> None:
    plan = _plan(conn, "search_names", {"q": typed, "limit": 20})
    # Schools (tens of thousands of rows) are found through their pg_trgm GIN index, for both the
    # substring (ILIKE) and the similarity (%) arm. Trusts (a few thousand) may rightly be read
    # whole just after an import, while the new index's pending list is not yet merged.
    assert plan.count("Bitmap Index Scan on ix_school_name_trgm") == 2, plan
    assert "Seq Scan on school" not in plan, plan


def test_stored_coverage_matches_the_view(conn: psycopg.Connection[Any]) -> None:
    """The stored coverage the hot queries read holds exactly what the view defines."""
    view = conn.execute(
        "SELECT partnership_id, area_code, direct, whole FROM partnership_coverage"
    ).fetchall()
    stored = conn.execute(
        "SELECT partnership_id, area_code, direct, whole FROM partnership_served_area"
    ).fetchall()
    assert view
    assert sorted(stored) == sorted(view)
