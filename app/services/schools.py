"""Schools and trusts: their pages' content and their map payloads."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.cache import Payload, PayloadCache
from app.errors import InvalidInput, NotFound
from app.queries import partnerships as partnership_q
from app.queries import schools as school_q
from app.services import nearby
from app.services.payloads import GEOJSON, cached
from app.services.versions import SCHOOLS

MAX_SCHOOL_BBOX_DEG2 = 4.0


async def school_page(session: AsyncSession, urn: int) -> dict[str, Any]:
    """A school, the partnerships it is in or near, and its trust's other schools."""
    nearby.check_urn(urn)
    row = await school_q.school(session, urn)
    if row is None:
        raise NotFound(
            f"No school with URN {urn} in the list of open state-funded schools (July 2025)."
        )
    school = asdict(row)
    result: dict[str, Any] = {
        "school": school,
        "member_of": [asdict(r) for r in await school_q.school_partnerships(session, urn)],
    }
    if row.lon is not None:
        result["near"] = await nearby.near(session, nearby.school_place(school), school_limit=5)
    else:
        result["near"] = None
    result["trust_schools"] = (
        [asdict(r) for r in await school_q.trust_schools(session, row.trust_uid)]
        if row.trust_uid
        else []
    )
    return result


def check_uid(uid: int) -> None:
    """A GIAS group UID is a positive whole number of at most seven digits."""
    if not 0 < uid < 10_000_000:
        raise InvalidInput("A trust UID is a positive whole number, e.g. 16102.")


async def trust_page(session: AsyncSession, uid: int) -> dict[str, Any]:
    """A trust, its schools, and the partnerships it or its schools belong to."""
    check_uid(uid)
    row = await school_q.trust(session, uid)
    if row is None:
        raise NotFound(f"No trust or group with UID {uid}.")
    schools = [asdict(r) for r in await school_q.trust_schools(session, uid)]
    las = sorted({s["la_name"] for s in schools if s["la_name"]})
    return {
        "trust": asdict(row),
        "schools": schools,
        "las": las,
        "partnerships": [
            asdict(r) for r in await partnership_q.partnerships_for_trust_schools(session, uid)
        ],
    }


async def schools_payload(
    session: AsyncSession, cache: PayloadCache, bbox: tuple[float, float, float, float]
) -> Payload:
    """Schools in a box (at most 5,000) as cached GeoJSON; a box over 4 square degrees is refused."""
    xmin, ymin, xmax, ymax = bbox
    if (xmax - xmin) * (ymax - ymin) > MAX_SCHOOL_BBOX_DEG2:
        raise InvalidInput("bbox too large for schools: zoom in (at most 4 square degrees).")

    async def build() -> bytes:
        return await school_q.schools_in_bbox(session, *bbox, limit=5000)

    return await cached(session, cache, ("schools", bbox), build, GEOJSON, SCHOOLS)


async def trusts_payload(
    session: AsyncSession, cache: PayloadCache, bbox: tuple[float, float, float, float]
) -> Payload:
    """Open academy trusts' head offices in a box as cached GeoJSON."""

    async def build() -> bytes:
        return await school_q.trusts_in_bbox(session, *bbox, limit=3000)

    return await cached(session, cache, ("trusts", bbox), build, GEOJSON, SCHOOLS)


async def trust_schools_payload(session: AsyncSession, cache: PayloadCache, uid: int) -> Payload:
    """A trust's schools as cached GeoJSON points; NotFound for an unknown trust."""
    check_uid(uid)
    if await school_q.trust(session, uid) is None:
        raise NotFound(f"No trust or group with UID {uid}.")

    async def build() -> bytes:
        return await school_q.trust_schools_geojson(session, uid)

    return await cached(session, cache, ("trust-schools", uid), build, GEOJSON, SCHOOLS)
