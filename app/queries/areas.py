"""Data access for areas: boundaries, lists, children, counts, point lookups, school statistics,
DfE neighbours and an area's landscape note."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from app.codes import ACADEMY_TRUST_TYPES, ENGLAND
from app.queries import one, scalar, sql, typed_one, typed_rows


@dataclass(frozen=True, slots=True)
class AreaRow:
    """One area with its parents' names, centre, bounding box and boundary provenance."""

    code: str
    name: str
    level: str
    la_number: int | None
    is_mayoral: bool
    is_district: bool
    area_km2: float | None
    parent_code: str | None
    parent_name: str | None
    combined_authority_code: str | None
    combined_authority_name: str | None
    combined_authority_is_mayoral: bool | None
    region_code: str | None
    region_name: str | None
    lon: float | None
    lat: float | None
    xmin: float | None
    ymin: float | None
    xmax: float | None
    ymax: float | None
    boundary_source: str | None
    boundary_vintage: str | None


@dataclass(frozen=True, slots=True)
class AreaListItem:
    """An area in a list of one level, with its region."""

    code: str
    name: str
    level: str
    la_number: int | None
    is_mayoral: bool
    region_name: str | None


@dataclass(frozen=True, slots=True)
class ChildArea:
    """An area directly below another."""

    code: str
    name: str
    level: str


@dataclass(frozen=True, slots=True)
class AreaCount:
    """How many partnerships (after filters) serve an area."""

    code: str
    n: int


@dataclass(frozen=True, slots=True)
class AreaAtPoint:
    """The area of one level containing a point."""

    level: str
    code: str
    name: str
    la_number: int | None
    parent_code: str | None
    combined_authority_code: str | None
    region_code: str | None
    is_mayoral: bool


@dataclass(frozen=True, slots=True)
class PhaseStats:
    """An area's schools of one phase: how many, and how many are academies and in a trust."""

    phase: str
    schools: int
    in_trust: int
    academies: int
    trust_unknown: int


@dataclass(frozen=True, slots=True)
class LandscapeNote:
    """An area's local landscape (register row or moderated change) with its provenance."""

    body: str
    council_role: str | None
    provider_name: str | None
    provider_url: str | None
    collaboration_forms: list[str]
    source_url: str | None
    source_title: str | None
    source_date: str | None
    confidence: str | None
    checked_on: dt.date | None
    version: int
    updated_at: dt.datetime


@dataclass(frozen=True, slots=True)
class DfeNeighbour:
    """One of an LA's DfE statistical neighbours."""

    rank: int
    code: str
    name: str
    closeness: str


async def area_layer(session: AsyncSession, level: str, band: int, digits: int) -> bytes:
    """A level's areas as a GeoJSON FeatureCollection, assembled in PostGIS."""
    body = await scalar(session, sql("area_layer"), level=level, band=band, digits=digits)
    return str(body).encode()


async def area(session: AsyncSession, code: str) -> AreaRow | None:
    """One area with its parents' names."""
    return await typed_one(
        session,
        AreaRow,
        """
        SELECT a.code, a.name, a.level, a.la_number, a.is_mayoral, a.is_district, a.area_km2,
               a.parent_code, p.name AS parent_name,
               a.combined_authority_code, ca.name AS combined_authority_name,
               ca.is_mayoral AS combined_authority_is_mayoral,
               a.region_code, r.name AS region_name,
               ST_X(a.centroid) AS lon, ST_Y(a.centroid) AS lat,
               ST_XMin(a.geom) AS xmin, ST_YMin(a.geom) AS ymin,
               ST_XMax(a.geom) AS xmax, ST_YMax(a.geom) AS ymax,
               d.source AS boundary_source, d.vintage AS boundary_vintage
        FROM area a
        LEFT JOIN area p ON p.code = a.parent_code
        LEFT JOIN area ca ON ca.code = a.combined_authority_code
        LEFT JOIN area r ON r.code = a.region_code
        LEFT JOIN dataset d ON d.id = a.dataset_id
        WHERE a.code = :code
        """,
        code=code,
    )


async def area_list(session: AsyncSession, level: str) -> list[AreaListItem]:
    """Every area of a level, by name, with its region."""
    return await typed_rows(
        session,
        AreaListItem,
        """
        SELECT a.code, a.name, a.level, a.la_number, a.is_mayoral, r.name AS region_name
        FROM area a LEFT JOIN area r ON r.code = a.region_code
        WHERE a.level = :level ORDER BY a.name
        """,
        level=level,
    )


async def child_areas(session: AsyncSession, code: str) -> list[ChildArea]:
    """The areas directly below an area: districts of a county, LAs of a CA or region."""
    return await typed_rows(
        session,
        ChildArea,
        """
        SELECT code, name, level FROM area
        WHERE (parent_code = :code)
           OR (level = 'local_authority' AND (combined_authority_code = :code OR region_code = :code))
        ORDER BY name
        """,
        code=code,
    )


async def area_geojson(session: AsyncSession, code: str, band: int) -> bytes:
    """One area's boundary (generalised for ``band``) as a GeoJSON Feature."""
    body = await scalar(
        session,
        """
        SELECT ST_AsGeoJSON(f.*, 'geom', 5) FROM (
            SELECT a.code, a.name, a.level, coalesce(g.geom, a.geom) AS geom
            FROM area a LEFT JOIN area_generalised g ON g.area_code = a.code AND g.zoom_band = :band
            WHERE a.code = :code) f
        """,
        code=code,
        band=band,
    )
    return str(body).encode() if body else b""


async def area_counts(session: AsyncSession, **filters: Any) -> list[AreaCount]:
    """Filtered partnership counts per area of a level."""
    return await typed_rows(session, AreaCount, sql("area_counts"), **filters)


async def areas_at_point(session: AsyncSession, lon: float, lat: float) -> list[AreaAtPoint]:
    """The areas (one per level) containing a point."""
    return await typed_rows(session, AreaAtPoint, sql("areas_at_point"), lon=lon, lat=lat)


async def nearest_area(
    session: AsyncSession, lon: float, lat: float, level: str, max_m: float
) -> RowMapping | None:
    """The nearest area of a level within ``max_m`` metres."""
    return await one(session, sql("nearest_area"), lon=lon, lat=lat, level=level, max_m=max_m)


async def area_school_stats(session: AsyncSession, code: str, level: str) -> list[PhaseStats]:
    """Schools in an area by phase: how many, how many academies, how many of those are in an
    academy trust (a multi- or single-academy trust: never a foundation trust or a sponsor, so
    never more than the academies), and how many academies' trusts are not recorded."""
    column = {"local_authority": "la_code", "district": "district_code"}.get(level)
    if column is None:  # combined authority, region or England: through the LA
        where = (
            "s.la_code IN (SELECT code FROM area WHERE level = 'local_authority'"
            " AND (combined_authority_code = :code OR region_code = :code OR :code = :england))"
        )
        if level == "combined_authority":
            where = (
                "s.district_code IN (SELECT code FROM area WHERE combined_authority_code = :code)"
                " OR s.la_code IN (SELECT code FROM area WHERE combined_authority_code = :code"
                " AND level = 'local_authority')"
            )
    else:
        where = f"s.{column} = :code"
    return await typed_rows(
        session,
        PhaseStats,
        f"""
        SELECT coalesce(s.phase, 'Not recorded') AS phase, count(*) AS schools,
               count(*) FILTER (WHERE s.is_academy AND t.group_type = ANY(:trust_types))
                   AS in_trust,
               count(*) FILTER (WHERE s.is_academy) AS academies,
               count(*) FILTER (WHERE s.is_academy AND s.trust_uid IS NULL) AS trust_unknown
        FROM school s LEFT JOIN trust t ON t.uid = s.trust_uid WHERE {where}
        GROUP BY 1 ORDER BY 2 DESC
        """,
        code=code,
        england=ENGLAND,
        trust_types=list(ACADEMY_TRUST_TYPES),
    )


async def area_trust_count(session: AsyncSession, code: str, level: str) -> int:
    """Distinct trusts with a school in an LA or district."""
    column = "district_code" if level == "district" else "la_code"
    return int(
        await scalar(
            session,
            f"SELECT count(DISTINCT trust_uid) FROM school WHERE {column} = :code",
            code=code,
        )
        or 0
    )


async def landscape(session: AsyncSession, code: str) -> LandscapeNote | None:
    """The local landscape of an area (register row or moderated change), with its provenance."""
    return await typed_one(
        session,
        LandscapeNote,
        "SELECT body, council_role, provider_name, provider_url, collaboration_forms,"
        " source_url, source_title, source_date, confidence, checked_on, version, updated_at"
        " FROM area_landscape WHERE area_code = :code",
        code=code,
    )


async def dfe_neighbours(session: AsyncSession, code: str) -> list[DfeNeighbour]:
    """An LA's DfE statistical neighbours in rank order."""
    return await typed_rows(
        session,
        DfeNeighbour,
        """
        SELECT n.rank, n.neighbour_code AS code, a.name, n.closeness
        FROM statistical_neighbour n JOIN area a ON a.code = n.neighbour_code
        WHERE n.area_code = :code ORDER BY n.rank
        """,
        code=code,
    )
