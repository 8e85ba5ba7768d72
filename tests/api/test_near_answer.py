"""Near-me answers in one statement, and that statement says what the separate queries say.

``near_answer.sql`` folds the place look-up, the areas (with the coastal fallback and the parent
areas), the partnerships serving the district or LA (stored coverage), partnerships with member
schools nearby, the trust's partnerships and the nearest schools into one round trip. The
separate queries it replaced are still the reference: for chosen real places, each part of the
answer must equal theirs.
"""

from __future__ import annotations

import asyncio
import gc
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncSession

from app import api_models as m
from app.queries import areas as area_q
from app.queries import partnerships as partnership_q
from app.queries import schools as school_q
from app.services import nearby
from app.services.partnerships import Filters, listing

AREA_FIELDS = (
    "level",
    "code",
    "name",
    "la_number",
    "parent_code",
    "combined_authority_code",
    "region_code",
    "is_mayoral",
    "approximate",
)
SERVING_FIELDS = (
    "slug",
    "name",
    "kind",
    "kind_label",
    "is_national",
    "status",
    "currency",
    "evidence_year",
    "area_whole",
    "area_reach",
    "themes",
    "area_codes",
    "area_names",
    "lead_organisation",
    "website",
    "source_date",
)
# A postcode in Westminster, a Sheffield academy in a trust that lists a member school, a point
# in Sheffield, and a postcode on the Adur shore that lies outside the generalised LA coastline.
PLACES = [
    {"postcode": "SW1A 1AA"},
    {"urn": 131895},
    {"lon": -1.470, "lat": 53.381},
    {"postcode": "BN43 5BH"},
    {"postcode": "SW1A"},
]


async def _separately(session: AsyncSession, place: nearby.Place) -> dict[str, Any]:
    """The answer as the separate queries give it (the way near-me was built before)."""
    found = {r.level: asdict(r) for r in await area_q.areas_at_point(session, place.lon, place.lat)}
    for level in nearby.LEVELS[:2]:
        if level not in found:
            row = await area_q.nearest_area(
                session, place.lon, place.lat, level, nearby.COASTAL_FALLBACK_M
            )
            if row:
                found[level] = dict(row) | {"level": level, "approximate": True}
    la = found.get("local_authority") or found.get("district")
    assert la is not None
    for level, key in (
        ("combined_authority", "combined_authority_code"),
        ("region", "region_code"),
    ):
        if level not in found and la.get(key):
            row = await area_q.area(session, la[key])
            assert row is not None
            found[level] = {k: getattr(row, k) for k in ("code", "name", "is_mayoral")} | {
                "level": level
            }
    home = found.get("district") or found["local_authority"]
    serving = await listing(session, Filters(area=home["code"], national=True))
    trust = (
        await partnership_q.partnerships_for_trust_schools(session, place.trust_uid, place.urn)
        if place.trust_uid
        else []
    )
    schools = await school_q.nearest_schools(session, place.x, place.y, 10, place.urn)
    members = await partnership_q.partnerships_near_members(
        session, place.x, place.y, nearby.MEMBER_RADIUS_M, nearby.MEMBER_LIMIT
    )
    return {
        "areas": {lv: found[lv] for lv in nearby.LEVELS if lv in found},
        "serving": serving,
        "near_members": [dict(r) for r in members],
        "trust_partnerships": [asdict(r) for r in trust],
        "nearest_schools": [dict(r) for r in schools],
    }


def _by_distance(schools: list[dict[str, Any]]) -> list[tuple[float, int]]:
    # Schools on one site are equally near: order them by URN (the one statement does).
    return sorted((float(s["distance_m"]), int(s["urn"])) for s in schools)


def _assert_same(result: nearby.NearResult, reference: dict[str, Any]) -> None:
    assert {lv: {k: a.get(k) for k in AREA_FIELDS} for lv, a in result.areas.items()} == {
        lv: {k: a.get(k) for k in AREA_FIELDS} for lv, a in reference["areas"].items()
    }
    assert [{k: p[k] for k in SERVING_FIELDS} for p in result.serving] == [
        {k: p[k] for k in SERVING_FIELDS} for p in reference["serving"]
    ]
    assert [str(p["checked_on"]) if p["checked_on"] else None for p in result.serving] == [
        str(p["checked_on"]) if p["checked_on"] else None for p in reference["serving"]
    ]
    assert result.near_members == reference["near_members"]
    assert result.trust_partnerships == reference["trust_partnerships"]
    assert _by_distance(result.nearest_schools) == _by_distance(reference["nearest_schools"])
    assert result.serving, "every English place is served by some partnership or programme"


@pytest.mark.parametrize("given", PLACES, ids=lambda g: "-".join(map(str, g.values())))
async def test_the_one_statement_answers_as_the_separate_queries(
    running_app: tuple[FastAPI, Any], given: dict[str, Any]
) -> None:
    application, _asgi = running_app
    async with application.state.sessionmaker() as session:
        result = await nearby.find(session, **given)
        reference = await _separately(session, result.place)
    _assert_same(result, reference)


async def test_it_answers_as_the_separate_queries_across_england(
    running_app: tuple[FastAPI, Any],
) -> None:
    """A spread of postcodes (a fixed pseudo-random sample, one per postcode area where it can),
    including places a partnership serves only in part and places with member schools nearby."""
    application, _asgi = running_app
    async with application.state.sessionmaker() as session:
        sample = (
            (
                await session.execute(
                    text(
                        "SELECT DISTINCT ON (substring(postcode FROM '^[A-Z]+')) postcode"
                        " FROM postcode ORDER BY substring(postcode FROM '^[A-Z]+'), md5(postcode)"
                    )
                )
            )
            .scalars()
            .all()
        )
        partial = with_members = 0
        for postcode in sample:
            result = await nearby.find(session, postcode=postcode)
            reference = await _separately(session, result.place)
            try:
                _assert_same(result, reference)
            except AssertionError as error:
                raise AssertionError(f"near {postcode}") from error
            partial += any(p["area_reach"] for p in result.serving)
            with_members += bool(result.near_members)
    assert len(sample) > 100  # 104 postcode areas hold English postcodes
    assert partial > 0 and with_members > 0, (partial, with_members)


async def test_the_places_cover_every_part_of_the_statement(
    running_app: tuple[FastAPI, Any],
) -> None:
    """The places above reach the coastal fallback, a trust's partnerships and members nearby."""
    application, _asgi = running_app
    async with application.state.sessionmaker() as session:
        shore = await nearby.find(session, postcode="BN43 5BH")
        academy = await nearby.find(session, urn=131895)
        westminster = await nearby.find(session, postcode="SW1A 1AA")
    assert any(a.get("approximate") for a in shore.areas.values())
    assert academy.place.trust_uid and academy.trust_partnerships
    assert westminster.near_members


@contextmanager
def statements(app: FastAPI) -> Iterator[list[str]]:
    """Every SQL statement the app's engine runs inside the block, through SQLAlchemy or sent
    to asyncpg directly (``BEGIN`` and ``ROLLBACK`` included), on any pooled connection."""
    seen: list[str] = []

    def on_execute(_c: Any, _cur: Any, statement: str, *_a: Any) -> None:
        seen.append(statement)

    def on_query(record: Any) -> None:
        seen.append(record.query)

    def on_checkout(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        driver = dbapi_connection.driver_connection
        driver.add_query_logger(on_query)
        watched.append(driver)

    watched: list[Any] = []
    engine = app.state.engine.sync_engine
    event.listen(engine, "before_cursor_execute", on_execute)
    event.listen(engine.pool, "checkout", on_checkout)
    try:
        yield seen
    finally:
        event.remove(engine.pool, "checkout", on_checkout)
        event.remove(engine, "before_cursor_execute", on_execute)
        for driver in watched:
            driver.remove_query_logger(on_query)


async def _get(asgi: Any, params: dict[str, Any]) -> httpx.Response:
    """A request to the app as deployed: its own sessions on pooled connections (no test
    transaction around them; near-me only reads)."""
    transport = httpx.ASGITransport(app=asgi)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        response = await http.get("/api/v1/near", params=params)
    await asyncio.sleep(0)  # asyncpg reports queries with call_soon
    return response


@pytest.mark.parametrize(
    "params",
    [{"postcode": "S1 2HE"}, {"urn": 131895}, {"lat": 53.381, "lon": -1.470}],
    ids=["postcode", "urn", "point"],
)
async def test_near_me_is_one_statement_without_a_transaction_around_it(
    running_app: tuple[FastAPI, Any], params: dict[str, Any]
) -> None:
    """One round trip: no BEGIN before the statement, no ROLLBACK after it."""
    application, asgi = running_app
    await application.state.prebuilt  # the start-up build runs statements of its own
    with statements(application) as seen:
        r = await _get(asgi, params)
    assert r.status_code == 200
    assert r.json()["areas"]["local_authority"]["name"] == "Sheffield"
    assert len(seen) == 1 and "near_answer" in seen[0], seen


async def test_a_postcode_district_is_located_then_answered(
    running_app: tuple[FastAPI, Any],
) -> None:
    application, asgi = running_app
    await application.state.prebuilt
    with statements(application) as seen:
        r = await _get(asgi, {"postcode": "S1"})
    assert r.status_code == 200
    facts = [s for s in seen if not s.startswith(("BEGIN", "ROLLBACK"))]
    assert len(facts) == 2 and "FROM outcode" in facts[0] and "near_answer" in facts[1], seen


async def test_near_me_reads_inside_the_sessions_transaction(
    client: httpx.AsyncClient, running_app: tuple[FastAPI, Any]
) -> None:
    """Sent to asyncpg directly, the statement still runs on the session's connection, inside
    its transaction: a postcode added there and not committed is found."""
    application, _asgi = running_app
    async with application.state.sessionmaker() as session:
        await session.execute(
            text(
                "INSERT INTO postcode (postcode, outcode, quality, district_code, geom_bng)"
                " SELECT 'ZZ1 1ZZ', 'ZZ1', quality, district_code, geom_bng"
                " FROM postcode WHERE postcode = 'SW1A 1AA'"
            )
        )
        r = await client.get("/api/v1/near", params={"postcode": "ZZ1 1ZZ"})
    assert r.status_code == 200, r.text
    assert r.json()["areas"]["local_authority"]["name"] == "Westminster"


async def test_unknown_places_are_refused_by_the_same_statement(client: httpx.AsyncClient) -> None:
    postcode = await client.get("/api/v1/near", params={"postcode": "ZZ9 9ZZ"})
    assert postcode.status_code == 404
    assert "could not find the postcode ZZ9 9ZZ" in postcode.json()["detail"]
    school = await client.get("/api/v1/near", params={"urn": 999999})
    assert school.status_code == 404
    assert "No school with URN 999999" in school.json()["detail"]


def _previous_answer(place: nearby.Place, reference: dict[str, Any]) -> dict[str, Any]:
    """The API's answer as it was built before: a dict from the separate queries, passed
    through the response model."""
    answer = {
        "place": asdict(place),
        "areas": reference["areas"],
        "partnerships_serving": [
            dict(p) | {"url": f"/partnerships/{p['slug']}"} for p in reference["serving"]
        ],
        "partnerships_with_members_nearby": reference["near_members"],
        "trust_partnerships": reference["trust_partnerships"] if place.trust_uid else [],
        "nearest_schools": reference["nearest_schools"],
    }
    return m.NearResult.model_validate(answer).model_dump(mode="json")


def _schools_in_order(answer: dict[str, Any]) -> dict[str, Any]:
    # Schools on one site are equally near: the separate query may list them in any order.
    schools = sorted(answer["nearest_schools"], key=lambda s: (s["distance_m"], s["urn"]))
    return answer | {"nearest_schools": schools}


@pytest.mark.parametrize("given", PLACES, ids=lambda g: "-".join(map(str, g.values())))
async def test_the_body_is_the_previous_answer_and_fits_its_model(
    client: httpx.AsyncClient, running_app: tuple[FastAPI, Any], given: dict[str, Any]
) -> None:
    """PostgreSQL writes the body in the response model's form: validating it changes nothing,
    and it equals what the separate queries, passed through the model, gave."""
    application, _asgi = running_app
    r = await client.get("/api/v1/near", params=given)
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    body = r.json()
    assert m.NearResult.model_validate_json(r.content).model_dump(mode="json") == body
    async with application.state.sessionmaker() as session:
        place = (await nearby.find(session, **given)).place
        reference = await _separately(session, place)
    assert body["place"] == asdict(place)
    assert _schools_in_order(body) == _schools_in_order(_previous_answer(place, reference))
    assert list(body["areas"]) == [lv for lv in nearby.LEVELS if lv in body["areas"]]


async def test_every_pooled_connection_goes_back_even_when_requests_are_cancelled(
    running_app: tuple[FastAPI, Any],
) -> None:
    """Near-me borrows a pooled connection outside any session: whether its requests finish or
    are cancelled part way (a client gone), each connection returns to the pool in a state the
    next request can use."""
    application, asgi = running_app
    await application.state.prebuilt
    pool = application.state.engine.sync_engine.pool
    places = [{"postcode": "SW1A 1AA"}, {"urn": 131895}, {"lat": 53.381, "lon": -1.470}]
    finished = await asyncio.gather(*(_get(asgi, places[i % 3]) for i in range(24)))
    assert [r.status_code for r in finished] == [200] * 24
    assert pool.checkedout() == 0

    cancelled = borrowed = 0
    with warnings.catch_warnings(record=True) as warned:
        warnings.simplefilter("always")
        for delay_ms in range(0, 12):
            tasks = [asyncio.create_task(_get(asgi, places[i % 3])) for i in range(8)]
            await asyncio.sleep(delay_ms / 1000)
            borrowed = max(borrowed, pool.checkedout())  # some are cancelled holding one
            for task in tasks:
                cancelled += task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        await asyncio.sleep(0.05)  # cancellations reach asyncpg on the loop's next turns
        del tasks
        gc.collect()  # a connection nobody returned is found here, and counted back by the pool
    assert cancelled > 0 and borrowed > 0, (cancelled, borrowed)
    assert not [w for w in warned if "non-checked-in" in str(w.message)]
    assert pool.checkedout() == 0
    after = await asyncio.gather(*(_get(asgi, places[i % 3]) for i in range(24)))
    assert [r.status_code for r in after] == [200] * 24
