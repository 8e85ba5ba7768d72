"""Near-me's one statement and the schools tile use their indexes, with the planner's normal settings.

Near-me runs with PostgreSQL's generic plan (planned once per connection, whatever the place:
the statement reads its parameters from a materialised row, so a custom plan has nothing to gain),
so that is the plan checked here: a generic plan that fell back to reading a large table whole
would be slow for every place at once.
"""

from __future__ import annotations

import re
from typing import Any

import psycopg
import pytest
from psycopg import sql as pg_sql

from app.queries import sql
from app.queries.near import positional
from app.queries.tiles import _STATEMENTS
from app.services import nearby

# near_answer.sql's parameter types; their order is the statement's, as the app numbers them.
NEAR_TYPES = {
    "postcode": "text",
    "urn": "integer",
    "lon": "float8",
    "lat": "float8",
    "coastal_m": "float8",
    "serving_limit": "bigint",
    "member_radius_m": "float8",
    "member_limit": "bigint",
    "school_limit": "bigint",
}


def _near_statement() -> tuple[str, tuple[str, ...]]:
    """The statement exactly as the app sends it to asyncpg (``$n`` parameters), and their names."""
    statement, names = positional(sql("near_answer").text)
    assert set(names) == set(NEAR_TYPES), names
    return statement, names


def _assert_normal_planner(conn: psycopg.Connection[Any]) -> None:
    for setting in ("enable_seqscan", "enable_indexscan", "enable_bitmapscan"):
        assert conn.execute(f"SHOW {setting}").fetchone() == ("on",), setting


def _prepare_near(conn: psycopg.Connection[Any]) -> None:
    statement, names = _near_statement()
    types = ", ".join(NEAR_TYPES[name] for name in names)
    conn.execute(f"PREPARE near_answer_plan ({types}) AS {statement}")


def _near_args(values: dict[str, Any]) -> pg_sql.Composable:
    limits = {
        "coastal_m": nearby.COASTAL_FALLBACK_M,
        "serving_limit": 2000,
        "member_radius_m": nearby.MEMBER_RADIUS_M,
        "member_limit": nearby.MEMBER_LIMIT,
        "school_limit": 10,
    }
    given = {"postcode": None, "urn": None, "lon": None, "lat": None} | limits | values
    _statement, names = _near_statement()
    return pg_sql.SQL(", ").join(pg_sql.Literal(given[name]) for name in names)


def _generic_near_plan(conn: psycopg.Connection[Any], values: dict[str, Any]) -> str:
    _prepare_near(conn)
    conn.execute("SET LOCAL plan_cache_mode = force_generic_plan")
    _assert_normal_planner(conn)
    args = _near_args(values)
    rows = conn.execute(pg_sql.SQL("EXPLAIN EXECUTE near_answer_plan ({})").format(args)).fetchall()
    conn.execute("DEALLOCATE near_answer_plan")
    return "\n".join(r[0] for r in rows)


@pytest.mark.parametrize(
    "values",
    [{"postcode": "SW1A 1AA"}, {"urn": 131895}, {"lon": -1.47, "lat": 53.381}],
    ids=["postcode", "urn", "point"],
)
def test_near_answer_generic_plan_uses_the_indexes(
    conn: psycopg.Connection[Any], values: dict[str, Any]
) -> None:
    plan = _generic_near_plan(conn, values)
    for index in (
        "pk_postcode",
        "pk_school",
        "idx_area_subdivided_geom",
        "ix_partnership_served_area_area_code",
        "Index Scan using idx_school_geom_bng",  # the nearest schools, by KNN
        # partnerships with members nearby read the member schools' own points, not every
        # school in the circle (by their index, or whole: there are about 130)
        "on member_school_point",
    ):
        assert index in plan, plan
    assert "Seq Scan on school" not in plan and "Seq Scan on postcode" not in plan, plan
    assert "Seq Scan on area_subdivided" not in plan, plan


def test_postgresql_keeps_one_generic_plan_for_near_me(conn: psycopg.Connection[Any]) -> None:
    """With the normal plan cache setting, after its first few runs the statement is no longer
    planned per place."""
    assert conn.execute("SHOW plan_cache_mode").fetchone() == ("auto",)
    _prepare_near(conn)
    places = [{"postcode": "SW1A 1AA"}, {"urn": 131895}, {"lon": -1.47, "lat": 53.381}] * 4
    for values in places:
        execute = pg_sql.SQL("EXECUTE near_answer_plan ({})").format(_near_args(values))
        assert conn.execute(execute).fetchone() is not None
    generic, custom = conn.execute(
        "SELECT generic_plans, custom_plans FROM pg_prepared_statements"
        " WHERE name = 'near_answer_plan'"
    ).fetchone() or (0, 0)
    conn.execute("DEALLOCATE near_answer_plan")
    assert custom <= 5 and generic == len(places) - custom


@pytest.mark.parametrize(
    ("z", "x", "y"),
    [(10, 511, 340), (12, 2045, 1362), (13, 4040, 2642)],
    ids=["london-z10", "london-z12", "sheffield-z13"],
)
def test_the_schools_tile_reads_the_web_mercator_index(
    conn: psycopg.Connection[Any], z: int, x: int, y: int
) -> None:
    _assert_normal_planner(conn)
    statement = _STATEMENTS["schools"].text
    params = {"z": z, "x": x, "y": y, "cap": 5000, "layer": "schools"}
    for name in params:
        statement = re.sub(rf"(?<!:):{name}\b", f"%({name})s", statement)
    rows = conn.execute(f"EXPLAIN {statement}", params).fetchall()
    plan = "\n".join(r[0] for r in rows)
    assert "idx_school_geom_3857" in plan, plan
    assert "Seq Scan on school" not in plan, plan
    # The stored point is encoded as it is: no transform per school.
    assert "st_transform(s.geom" not in plan.lower(), plan


def test_the_stored_web_mercator_point_is_the_schools_point(conn: psycopg.Connection[Any]) -> None:
    placed, differing = conn.execute(
        "SELECT count(*) FILTER (WHERE geom IS NOT NULL),"
        " count(*) FILTER (WHERE (geom IS NULL) <> (geom_3857 IS NULL)"
        "   OR NOT ST_DWithin(geom, ST_Transform(geom_3857, 4326), 1e-9))"
        " FROM school"
    ).fetchone() or (0, 0)
    assert placed > 0
    assert differing == 0
