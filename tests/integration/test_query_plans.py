"""Hot queries use their indexes: EXPLAIN on the real data, with the planner's normal settings.

The plans asserted are the ones PostgreSQL chooses on its own (no ``enable_seqscan = off``), so a
statement rewritten in a way that hides an index from the planner fails here. Small tables
(areas, partnerships: a few hundred rows) are read whole, as the planner rightly prefers; the
assertions are about the large ones.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import psycopg
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from sqlalchemy import ARRAY, Text, bindparam, event
from sqlalchemy.dialects import postgresql

from app.main import create_app
from app.queries import sql
from app.settings import Settings


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


# Every statement a hot request runs ------------------------------------------------------------
#
# The statements are captured as the app sends them (whatever module builds them) and explained
# with the values they were sent with, on the app's own driver.

LARGE_TABLES = ("postcode", "school", "area_indicator")  # read whole, each costs milliseconds


@pytest.fixture(scope="module")
async def plan_app(database: str, settings: Settings) -> AsyncIterator[FastAPI]:
    """An app of its own: no payload another test cached hides a statement from these tests."""
    application = create_app(settings)
    async with LifespanManager(application):
        await application.state.prebuilt
        yield application


async def _request_plans(app: FastAPI, url: str) -> list[str]:
    """The plan of every query the app runs to answer ``url``."""
    sent: list[tuple[str, Any]] = []

    def on_execute(_c: Any, _cur: Any, statement: str, parameters: Any, *_a: Any) -> None:
        # Statements from app/queries/sql/ open with a header comment.
        code = re.sub(r"^(\s*--[^\n]*\n)*", "", statement).lstrip()
        if code.upper().startswith(("SELECT", "WITH")):
            sent.append((statement, parameters))

    def on_query(record: Any) -> None:  # a statement sent to asyncpg directly
        on_execute(None, None, record.query, record.args)

    watched: list[Any] = []

    def on_checkout(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        dbapi_connection.driver_connection.add_query_logger(on_query)
        watched.append(dbapi_connection.driver_connection)

    engine = app.state.engine
    event.listen(engine.sync_engine, "before_cursor_execute", on_execute)
    event.listen(engine.sync_engine.pool, "checkout", on_checkout)
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            response = await http.get(url)
        await asyncio.sleep(0)  # asyncpg reports queries with call_soon
    finally:
        event.remove(engine.sync_engine.pool, "checkout", on_checkout)
        event.remove(engine.sync_engine, "before_cursor_execute", on_execute)
        for driver in watched:
            driver.remove_query_logger(on_query)
    assert response.status_code == 200, response.text
    assert sent, f"{url} ran no query"
    plans = []
    async with engine.connect() as connection:
        for setting in ("enable_seqscan", "enable_indexscan", "enable_bitmapscan"):
            on = await connection.exec_driver_sql(f"SHOW {setting}")
            assert on.scalar_one() == "on", f"{setting} is not at its normal value"
        for statement, parameters in sent:
            explained = await connection.exec_driver_sql(
                f"EXPLAIN {statement}", tuple(parameters or ())
            )
            plans.append("\n".join(row[0] for row in explained))
    return plans


@pytest.mark.parametrize(
    ("url", "indexes"),
    [
        # Near me by postcode (Buckingham Palace's): the unit postcode, then the areas it lies in
        # and the nearest schools by distance on the British National Grid.
        (
            "/api/v1/near?postcode=SW1A%201AA",
            ["pk_postcode", "idx_area_subdivided_geom", "Index Scan using idx_school_geom_bng"],
        ),
        # By sector: a range of the postcode key, not a scan of 1.5 million postcodes.
        ("/api/v1/near?postcode=S10%202", ["pk_postcode", "idx_school_geom_bng"]),
        ("/api/v1/near?lat=53.381&lon=-1.470", ["idx_area_subdivided_geom", "idx_school_geom_bng"]),
        # By school: URN 100000 is The Aldgate School, in the City of London.
        ("/api/v1/near?urn=100000", ["pk_school", "idx_school_geom_bng"]),
        # Name search, by substring and (a misspelling) by similarity: the trigram index.
        ("/api/v1/search?q=Ecclesfield", ["ix_school_name_trgm"]),
        ("/api/v1/search?q=Sheffeld", ["ix_school_name_trgm"]),
        # Close-zoom layers as tiles and as GeoJSON for a box in Sheffield city centre.
        ("/tiles/schools/12/2020/1321.mvt", ["idx_school_geom"]),
        ("/tiles/trusts/12/2020/1321.mvt", ["idx_trust_geom"]),
        ("/api/v1/schools?bbox=-1.5,53.37,-1.45,53.4", ["idx_school_geom"]),
        # An area's profile and its partnerships (Sheffield), and a school's page.
        ("/api/v1/areas/E08000019", ["pk_area_indicator", "ix_partnership_served_area_area_code"]),
        ("/api/v1/partnerships?area=E08000019", ["ix_partnership_served_area_area_code"]),
        ("/api/v1/schools/100000", ["pk_school"]),
    ],
)
async def test_every_query_of_a_hot_request_uses_its_index(
    plan_app: FastAPI, url: str, indexes: list[str]
) -> None:
    plans = await _request_plans(plan_app, url)
    joined = "\n\n".join(plans)
    for index in indexes:
        assert index in joined, joined
    for table in LARGE_TABLES:
        assert not re.search(rf"Seq Scan on {table}\b", joined), joined
