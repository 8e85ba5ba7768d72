"""Near me in one statement: a place located by postcode, URN or point, and all that is around it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from app.queries import one, sql


@dataclass(frozen=True)
class NearAnswer:
    """One row of ``near_answer.sql``; the lists are its JSON arrays, each item one object."""

    school_name: str | None
    urn: int | None
    trust_uid: int | None
    trust_name: str | None
    lon: float | None
    lat: float | None
    x: float | None
    y: float | None
    areas: list[dict[str, Any]]
    serving: list[dict[str, Any]]
    near_members: list[dict[str, Any]]
    trust_partnerships: list[dict[str, Any]]
    nearest_schools: list[dict[str, Any]]


def _json(value: Any) -> list[dict[str, Any]]:
    """asyncpg hands json columns over as text."""
    parsed = orjson.loads(value) if isinstance(value, (str, bytes)) else value
    return list(parsed)


async def near_answer(
    session: AsyncSession,
    *,
    postcode: str | None = None,
    urn: int | None = None,
    lon: float | None = None,
    lat: float | None = None,
    coastal_m: float,
    serving_limit: int,
    member_radius_m: float,
    member_limit: int,
    school_limit: int,
) -> NearAnswer | None:
    """The place and everything near-me shows around it; None when the postcode or URN is unknown."""
    row = await one(
        session,
        sql("near_answer"),
        postcode=postcode,
        urn=urn,
        lon=lon,
        lat=lat,
        coastal_m=coastal_m,
        serving_limit=serving_limit,
        member_radius_m=member_radius_m,
        member_limit=member_limit,
        school_limit=school_limit,
    )
    if row is None:
        return None
    return NearAnswer(
        school_name=row["school_name"],
        urn=row["urn"],
        trust_uid=row["trust_uid"],
        trust_name=row["trust_name"],
        lon=row["lon"],
        lat=row["lat"],
        x=row["x"],
        y=row["y"],
        areas=_json(row["areas"]),
        serving=_json(row["serving"]),
        near_members=_json(row["near_members"]),
        trust_partnerships=_json(row["trust_partnerships"]),
        nearest_schools=_json(row["nearest_schools"]),
    )
