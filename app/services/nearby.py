"""Near me: from a postcode, school or point to its areas, partnerships and nearest schools."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import InvalidInput, NotFound
from app.postcodes import normalise_outcode, normalise_postcode, normalise_sector
from app.queries import areas as area_q
from app.queries import partnerships as partnership_q
from app.queries import places as place_q
from app.queries import schools as school_q
from app.services.partnerships import Filters, listing

# England's extent with a margin, for validating clicked points.
ENGLAND_BOUNDS = (-6.5, 49.8, 2.1, 55.9)
MEMBER_RADIUS_M = 10_000
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


async def locate(
    session: AsyncSession,
    postcode: str | None = None,
    urn: int | None = None,
    lon: float | None = None,
    lat: float | None = None,
) -> Place:
    """Turn exactly one of postcode / URN / point into a Place, or explain what is wrong."""
    given = [postcode is not None, urn is not None, lon is not None or lat is not None]
    if sum(given) != 1:
        raise InvalidInput("Give exactly one of: postcode, urn, or lat and lon.")
    if postcode is not None:
        return await _locate_postcode(session, postcode)
    if urn is not None:
        return await _locate_school(session, urn)
    if lon is None or lat is None:
        raise InvalidInput("Give both lat and lon.")
    validate_point(lon, lat)
    x, y = await place_q.to_bng(session, lon, lat)
    return Place(f"{lat:.5f}, {lon:.5f}", "point", lon, lat, x, y)


async def _locate_postcode(session: AsyncSession, text: str) -> Place:
    if unit := normalise_postcode(text):
        row = await place_q.postcode_point(session, unit)
        if row is None:
            raise NotFound(
                f"We could not find the postcode {unit}. It may be new, retired, or outside "
                "England. Try the first half (e.g. {}) or a school name.".format(unit.split()[0])
            )
        return Place(unit, "postcode", row["lon"], row["lat"], row["x"], row["y"])
    if outcode := normalise_outcode(text):
        row = await place_q.outcode_point(session, outcode)
        if row is not None:
            town = f", {row['town']}" if row["town"] else ""
            label = f"{outcode} (centre of the postcode district{town})"
            return Place(label, "outcode", row["lon"], row["lat"], row["x"], row["y"])
        group = await place_q.outcode_group_point(session, outcode)
        if group is None:
            raise NotFound(f"We could not find the postcode district {outcode} in England.")
        label = f"{outcode} (centre of {group['members']})"
        return Place(label, "outcode", group["lon"], group["lat"], group["x"], group["y"])
    if sector := normalise_sector(text):
        row = await place_q.sector_point(session, sector)
        if row is None:
            raise NotFound(f"We could not find any postcode starting {sector} in England.")
        label = f"{sector} (centre of its {row['postcodes']:,} postcodes)"
        return Place(label, "sector", row["lon"], row["lat"], row["x"], row["y"])
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


async def _locate_school(session: AsyncSession, urn: int) -> Place:
    check_urn(urn)
    row = await school_q.school(session, urn)
    if row is None:
        raise NotFound(f"No school with URN {urn} in the list of open state-funded schools.")
    if row["lon"] is None:
        raise NotFound(
            f"{row['name']} (URN {urn}) could not be placed on the map: its postcode is unknown."
        )
    return school_place(row)


async def near(session: AsyncSession, place: Place, school_limit: int = 10) -> NearResult:
    """The areas containing a place and the partnerships and schools around it."""
    found = {
        r["level"]: dict(r) for r in await area_q.areas_at_point(session, place.lon, place.lat)
    }
    for level in LEVELS[:2]:
        if level not in found:  # points on a generalised coastline: take the nearest area
            row = await area_q.nearest_area(
                session, place.lon, place.lat, level, COASTAL_FALLBACK_M
            )
            if row:
                found[level] = dict(row) | {"level": level, "approximate": True}
    areas = await _with_parents(session, found)
    # The district is the most precise area: through partnership_coverage it also brings in the
    # partnerships of its county, but not those of the county's other districts.
    home = areas.get("district") or areas.get("local_authority")
    serving = await listing(session, Filters(area=home["code"], national=True)) if home else []
    result = NearResult(place=place, areas=areas, serving=serving)
    result.near_members = [
        dict(r)
        for r in await partnership_q.partnerships_near_members(
            session, place.x, place.y, MEMBER_RADIUS_M, 20
        )
    ]
    if place.trust_uid:
        result.trust_partnerships = [
            dict(r)
            for r in await partnership_q.partnerships_for_trust_schools(
                session, place.trust_uid, place.urn
            )
        ]
    result.nearest_schools = [
        dict(r)
        for r in await school_q.nearest_schools(session, place.x, place.y, school_limit, place.urn)
    ]
    return result


async def _with_parents(
    session: AsyncSession, found: dict[str, dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """Fill the combined authority and region from the LA when no polygon held the point."""
    la = found.get("local_authority") or found.get("district")
    if la:
        for level, key in (
            ("combined_authority", "combined_authority_code"),
            ("region", "region_code"),
        ):
            code = la.get(key)
            if level not in found and code:
                row = await area_q.area(session, code)
                if row:
                    found[level] = {
                        "level": level,
                        "code": row["code"],
                        "name": row["name"],
                        "is_mayoral": row["is_mayoral"],
                    }
    return {level: found[level] for level in LEVELS if level in found}
