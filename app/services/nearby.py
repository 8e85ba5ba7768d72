"""Near me: from a postcode, school or point to its areas, partnerships and nearest schools."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import InvalidInput, NotFound
from app.postcodes import normalise_outcode, normalise_postcode, normalise_sector
from app.queries import near as near_q
from app.queries import places as place_q
from app.services.partnerships import MAX_LIST

# England's extent with a margin, for validating clicked points.
ENGLAND_BOUNDS = (-6.5, 49.8, 2.1, 55.9)
MEMBER_RADIUS_M = 10_000
MEMBER_LIMIT = 20
COASTAL_FALLBACK_M = 3_000
LEVELS = ("district", "local_authority", "combined_authority", "region")


@dataclass
class Place:
    """A located query: a label, the point in both systems, and the school when one was asked."""

    label: str
    kind: str
    lon: float
    lat: float
    x: float
    y: float
    urn: int | None = None
    trust_uid: int | None = None
    trust_name: str | None = None


@dataclass
class NearResult:
    """Everything the near-me page and API show for a place."""

    place: Place
    areas: dict[str, dict[str, Any]]
    serving: list[dict[str, Any]] = field(default_factory=list)
    near_members: list[dict[str, Any]] = field(default_factory=list)
    trust_partnerships: list[dict[str, Any]] = field(default_factory=list)
    nearest_schools: list[dict[str, Any]] = field(default_factory=list)


def validate_point(lon: float, lat: float) -> None:
    """Reject coordinates outside England's bounding box with a clear message."""
    xmin, ymin, xmax, ymax = ENGLAND_BOUNDS
    if not (xmin <= lon <= xmax and ymin <= lat <= ymax):
        raise InvalidInput(
            f"The point ({lat:.4f}, {lon:.4f}) is outside England; give lat between {ymin} and "
            f"{ymax} and lon between {xmin} and {xmax}."
        )


async def _locate_district(session: AsyncSession, text: str) -> Place:
    """A postcode district or sector (not a full postcode) at its centre."""
    if outcode := normalise_outcode(text):
        row = await place_q.outcode_point(session, outcode)
        if row is not None:
            town = f", {row.town}" if row.town else ""
            label = f"{outcode} (centre of the postcode district{town})"
            return Place(label, "outcode", row.lon, row.lat, row.x, row.y)
        group = await place_q.outcode_group_point(session, outcode)
        if group is None:
            raise NotFound(f"We could not find the postcode district {outcode} in England.")
        label = f"{outcode} (centre of {group.members})"
        return Place(label, "outcode", group.lon, group.lat, group.x, group.y)
    if sector := normalise_sector(text):
        centre = await place_q.sector_point(session, sector)
        if centre is None:
            raise NotFound(f"We could not find any postcode starting {sector} in England.")
        label = f"{sector} (centre of its {centre.postcodes or 0:,} postcodes)"
        return Place(label, "sector", centre.lon, centre.lat, centre.x, centre.y)
    raise InvalidInput(
        f"'{text}' is not a postcode. Use a full postcode (SW1A 1AA) or its first half (SW1A)."
    )


def check_urn(urn: int) -> None:
    """A URN is six digits."""
    if not 100000 <= urn <= 999999:
        raise InvalidInput("A URN is a six-digit number, e.g. 100000.")


def school_place(row: RowMapping | Mapping[str, Any]) -> Place:
    """A placed school (a row of ``app.queries.schools.school``) as a Place."""
    return Place(
        row["name"],
        "school",
        row["lon"],
        row["lat"],
        row["x"],
        row["y"],
        urn=row["urn"],
        trust_uid=row["trust_uid"],
        trust_name=row["trust_name"],
    )


def _unknown_postcode(unit: str) -> str:
    return (
        f"We could not find the postcode {unit}. It may be new, retired, or outside "
        "England. Try the first half (e.g. {}) or a school name.".format(unit.split()[0])
    )


def _unknown_urn(urn: int) -> str:
    return f"No school with URN {urn} in the list of open state-funded schools."


def _unplaced_school(name: str | None, urn: int) -> str:
    return f"{name} (URN {urn}) could not be placed on the map: its postcode is unknown."


async def find(
    session: AsyncSession,
    postcode: str | None = None,
    urn: int | None = None,
    lon: float | None = None,
    lat: float | None = None,
    school_limit: int = 10,
) -> NearResult:
    """Locate exactly one of postcode / URN / point and answer near-me for it (for pages).

    A full postcode, a URN or a point is located and answered in one statement; a postcode
    district or sector is located first (its centre), then answered as a point.
    """
    place, answer = await _locate_and_answer(session, postcode, urn, lon, lat, school_limit)
    return _result(place, answer)


async def find_json(
    session: AsyncSession,
    postcode: str | None = None,
    urn: int | None = None,
    lon: float | None = None,
    lat: float | None = None,
    school_limit: int = 10,
) -> bytes:
    """The same answer as :func:`find`, as the API's JSON (``NearResult``), ready to send.

    PostgreSQL writes all of it but the place, in the response model's form; it is sent as it
    is, not parsed and validated again.
    """
    place, answer = await _locate_and_answer(session, postcode, urn, lon, lat, school_limit)
    return b'{"place":' + orjson.dumps(place) + b"," + answer.body[1:]


async def _locate_and_answer(
    session: AsyncSession,
    postcode: str | None,
    urn: int | None,
    lon: float | None,
    lat: float | None,
    school_limit: int,
) -> tuple[Place, near_q.NearAnswer]:
    given = [postcode is not None, urn is not None, lon is not None or lat is not None]
    if sum(given) != 1:
        raise InvalidInput("Give exactly one of: postcode, urn, or lat and lon.")
    if postcode is not None:
        unit = normalise_postcode(postcode)
        if not unit:
            place = await _locate_district(session, postcode)
            return place, await _answer_place(session, place, school_limit)
        answer = await _answer(session, school_limit, postcode=unit)
        if answer is None:
            raise NotFound(_unknown_postcode(unit))
        return _placed(unit, "postcode", answer), answer
    if urn is not None:
        check_urn(urn)
        answer = await _answer(session, school_limit, urn=urn)
        if answer is None:
            raise NotFound(_unknown_urn(urn))
        if answer.lon is None:
            raise NotFound(_unplaced_school(answer.school_name, urn))
        return _placed(answer.school_name or str(urn), "school", answer), answer
    if lon is None or lat is None:
        raise InvalidInput("Give both lat and lon.")
    validate_point(lon, lat)
    answer = await _answer(session, school_limit, lon=lon, lat=lat)
    assert answer is not None  # a point is always located
    return _placed(f"{lat:.5f}, {lon:.5f}", "point", answer), answer


async def near(session: AsyncSession, place: Place, school_limit: int = 10) -> NearResult:
    """The areas containing a located place and the partnerships and schools around it."""
    return _result(place, await _answer_place(session, place, school_limit))


async def _answer_place(
    session: AsyncSession, place: Place, school_limit: int
) -> near_q.NearAnswer:
    if place.urn is not None:
        answer = await _answer(session, school_limit, urn=place.urn)
    else:
        answer = await _answer(session, school_limit, lon=place.lon, lat=place.lat)
    if answer is None:  # the school was removed since it was located
        raise NotFound(_unknown_urn(place.urn or 0))
    return answer


async def _answer(
    session: AsyncSession,
    school_limit: int,
    *,
    postcode: str | None = None,
    urn: int | None = None,
    lon: float | None = None,
    lat: float | None = None,
) -> near_q.NearAnswer | None:
    return await near_q.near_answer(
        session,
        postcode=postcode,
        urn=urn,
        lon=lon,
        lat=lat,
        coastal_m=COASTAL_FALLBACK_M,
        serving_limit=MAX_LIST,
        member_radius_m=MEMBER_RADIUS_M,
        member_limit=MEMBER_LIMIT,
        school_limit=school_limit,
    )


def _placed(label: str, kind: str, answer: near_q.NearAnswer) -> Place:
    assert answer.lon is not None and answer.lat is not None
    assert answer.x is not None and answer.y is not None
    return Place(
        label,
        kind,
        answer.lon,
        answer.lat,
        answer.x,
        answer.y,
        urn=answer.urn,
        trust_uid=answer.trust_uid,
        trust_name=answer.trust_name,
    )


def _result(place: Place, answer: near_q.NearAnswer) -> NearResult:
    parts = orjson.loads(answer.body)
    return NearResult(
        place=place,
        areas=parts["areas"],
        serving=parts["partnerships_serving"],
        near_members=parts["partnerships_with_members_nearby"],
        trust_partnerships=parts["trust_partnerships"] if place.trust_uid else [],
        nearest_schools=parts["nearest_schools"],
    )
