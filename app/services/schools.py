"""Schools and trusts: their pages' content."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app import queries
from app.errors import InvalidInput, NotFound
from app.services import nearby


def check_urn(urn: int) -> None:
    """A URN is six digits."""
    if not 100000 <= urn <= 999999:
        raise InvalidInput("A URN is a six-digit number, e.g. 100000.")


async def school_page(session: AsyncSession, urn: int) -> dict[str, Any]:
    """A school, the partnerships it is in or near, and its trust's other schools."""
    check_urn(urn)
    row = await queries.school(session, urn)
    if row is None:
        raise NotFound(
            f"No school with URN {urn} in the list of open state-funded schools (July 2025)."
        )
    school = dict(row)
    result: dict[str, Any] = {
        "school": school,
        "member_of": [dict(r) for r in await queries.school_partnerships(session, urn)],
    }
    if school["lon"] is not None:
        place = await nearby.locate(session, urn=urn)
        result["near"] = await nearby.near(session, place, school_limit=5)
    else:
        result["near"] = None
    result["trust_schools"] = (
        [dict(r) for r in await queries.trust_schools(session, school["trust_uid"])]
        if school["trust_uid"]
        else []
    )
    return result


async def trust_page(session: AsyncSession, uid: int) -> dict[str, Any]:
    """A trust, its schools, and the partnerships it or its schools belong to."""
    if not 0 < uid < 10_000_000:
        raise InvalidInput("A trust UID is a positive whole number, e.g. 16102.")
    row = await queries.trust(session, uid)
    if row is None:
        raise NotFound(f"No trust or group with UID {uid}.")
    schools = [dict(r) for r in await queries.trust_schools(session, uid)]
    las = sorted({s["la_name"] for s in schools if s["la_name"]})
    return {
        "trust": dict(row),
        "schools": schools,
        "las": las,
        "partnerships": [
            dict(r) for r in await queries.partnerships_for_trust_schools(session, uid)
        ],
    }
