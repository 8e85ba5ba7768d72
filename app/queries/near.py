"""Near me in one statement: a place located by postcode, URN or point, and all that is around it.

The statement goes to asyncpg directly, as a single extended-protocol exchange: no BEGIN before
it and no ROLLBACK after it (one read-only statement is its own transaction), and none of
SQLAlchemy's per-statement work. Through SQLAlchemy the same answer took three round trips
(``BEGIN``, the statement, ``ROLLBACK``). A session inside a transaction (the tests' rolled-back
one) lends its own connection, so the statement reads inside it; otherwise the statement borrows
a pooled connection without beginning the session's transaction (``app.db.driver_connection``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.db import driver_connection
from app.queries import sql

_NAMED = re.compile(r"(?<![:\w]):([a-z_][a-z0-9_]*)\b")


@dataclass(frozen=True)
class NearAnswer:
    """One row of ``near_answer.sql``: the place as located, and the rest of the answer as JSON.

    ``body`` is a JSON object with ``areas``, ``partnerships_serving``,
    ``partnerships_with_members_nearby``, ``trust_partnerships`` and ``nearest_schools``, each in
    the form of the API's response model.
    """

    school_name: str | None
    urn: int | None
    trust_uid: int | None
    trust_name: str | None
    lon: float | None
    lat: float | None
    x: float | None
    y: float | None
    body: bytes


def positional(statement: str) -> tuple[str, tuple[str, ...]]:
    """A statement with ``:name`` parameters in asyncpg's ``$n`` form, and the names in order."""
    names: list[str] = []

    def number(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in names:
            names.append(name)
        return f"${names.index(name) + 1}"

    return _NAMED.sub(number, statement), tuple(names)


@cache
def _statement() -> tuple[str, tuple[str, ...]]:
    return positional(sql("near_answer").text)


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
    values: dict[str, Any] = {
        "postcode": postcode,
        "urn": urn,
        "lon": lon,
        "lat": lat,
        "coastal_m": float(coastal_m),
        "serving_limit": serving_limit,
        "member_radius_m": float(member_radius_m),
        "member_limit": member_limit,
        "school_limit": school_limit,
    }
    statement, names = _statement()
    async with driver_connection(session) as driver:
        row = await driver.fetchrow(statement, *(values[name] for name in names))
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
        body=row["body"],
    )
