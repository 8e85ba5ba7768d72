"""Data access for schools and academy trusts: map layers, records, a trust's schools and the
nearest schools to a point."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from app.queries import feature_collection, rows, scalar, sql, typed_one, typed_rows


@dataclass(frozen=True, slots=True)
class SchoolRow:
    """One school with its areas, its trust, its place in both reference systems and the
    provenance of facts taken from elsewhere than the schools register."""

    urn: int
    name: str
    laestab: int | None
    town: str | None
    postcode: str | None
    open_date: dt.date | None
    phase: str | None
    school_type: str | None
    status: str | None
    is_academy: bool | None
    fsm_pct: float | None
    pupils: int | None
    predecessor_urn: int | None
    provenance: dict[str, str]
    la_code: str | None
    la_name: str | None
    district_code: str | None
    district_name: str | None
    combined_authority_code: str | None
    combined_authority_name: str | None
    region_code: str | None
    region_name: str | None
    trust_uid: int | None
    trust_name: str | None
    trust_type: str | None
    lon: float | None
    lat: float | None
    x: float | None
    y: float | None


@dataclass(frozen=True, slots=True)
class SchoolPartnership:
    """A partnership a school is a listed member of, with its role and dates there."""

    slug: str
    name: str
    kind_label: str
    is_national: bool
    status: str
    currency: str
    evidence_year: int | None
    role: str | None
    joined_on: dt.date | None
    left_on: dt.date | None


@dataclass(frozen=True, slots=True)
class TrustRow:
    """One trust or group with its head-office area and the import it came from."""

    uid: int
    group_id: str | None
    name: str
    group_type: str
    status: str
    companies_house_number: str | None
    ukprn: str | None
    open_date: dt.date | None
    closed_date: dt.date | None
    town: str | None
    postcode: str | None
    la_code: str | None
    la_name: str | None
    lon: float | None
    lat: float | None
    dataset_source: str | None
    dataset_vintage: str | None


@dataclass(frozen=True, slots=True)
class TrustSchool:
    """One of a trust's schools, with its LA and location."""

    urn: int
    name: str
    phase: str | None
    town: str | None
    la_code: str | None
    la_name: str | None
    lon: float | None
    lat: float | None


async def _bbox_geojson(
    session: AsyncSession,
    query: str,
    xmin: float,
    ymin: float,
    xmax: float,
    ymax: float,
    limit: int,
) -> bytes:
    """The named bounding-box layer query's GeoJSON, at most ``limit`` features."""
    body = await scalar(
        session, sql(query), xmin=xmin, ymin=ymin, xmax=xmax, ymax=ymax, limit=limit
    )
    return str(body).encode()


async def schools_in_bbox(
    session: AsyncSession, xmin: float, ymin: float, xmax: float, ymax: float, limit: int
) -> bytes:
    """Schools in a box as GeoJSON, at most ``limit``."""
    return await _bbox_geojson(session, "schools_in_bbox", xmin, ymin, xmax, ymax, limit)


async def trusts_in_bbox(
    session: AsyncSession, xmin: float, ymin: float, xmax: float, ymax: float, limit: int
) -> bytes:
    """Open academy trusts' head offices in a box as GeoJSON, at most ``limit``."""
    return await _bbox_geojson(session, "trusts_in_bbox", xmin, ymin, xmax, ymax, limit)


async def school(session: AsyncSession, urn: int) -> SchoolRow | None:
    """One school with its areas and trust."""
    return await typed_one(
        session,
        SchoolRow,
        """
        SELECT s.urn, s.name, s.laestab, s.town, s.postcode, s.open_date, s.phase, s.school_type,
               s.status, s.is_academy, s.fsm_pct, s.pupils, s.predecessor_urn, s.provenance,
               s.la_code, la.name AS la_name, s.district_code, d.name AS district_name,
               la.combined_authority_code, ca.name AS combined_authority_name,
               la.region_code, r.name AS region_name,
               s.trust_uid, t.name AS trust_name, t.group_type AS trust_type,
               ST_X(s.geom) AS lon, ST_Y(s.geom) AS lat, ST_X(s.geom_bng) AS x, ST_Y(s.geom_bng) AS y
        FROM school s
        LEFT JOIN area la ON la.code = s.la_code
        LEFT JOIN area d ON d.code = s.district_code
        LEFT JOIN area ca ON ca.code = la.combined_authority_code
        LEFT JOIN area r ON r.code = la.region_code
        LEFT JOIN trust t ON t.uid = s.trust_uid
        WHERE s.urn = :urn
        """,
        urn=urn,
    )


async def school_by_laestab(session: AsyncSession, laestab: int) -> int | None:
    """The URN of the school with this LA-establishment number, or None."""
    urn = await scalar(session, "SELECT urn FROM school WHERE laestab = :n LIMIT 1", n=laestab)
    return None if urn is None else int(urn)


async def school_partnerships(session: AsyncSession, urn: int) -> list[SchoolPartnership]:
    """Partnerships a school is a listed member of."""
    return await typed_rows(
        session,
        SchoolPartnership,
        """
        SELECT p.slug, p.name, k.label AS kind_label, k.is_national, p.status, p.currency,
               CAST(substring(COALESCE(NULLIF(p.status_evidence_date, ''), p.source_date)
                              FROM '^([0-9]{4})') AS integer) AS evidence_year,
               m.role, m.joined_on, m.left_on
        FROM partnership_member m
        JOIN partnership p ON p.id = m.partnership_id
        JOIN partnership_kind k ON k.code = p.kind
        WHERE m.member_type = 'school' AND m.urn = :urn
        ORDER BY m.left_on IS NOT NULL, p.name
        """,
        urn=urn,
    )


async def trust(session: AsyncSession, uid: int) -> TrustRow | None:
    """One trust with its head-office area."""
    return await typed_one(
        session,
        TrustRow,
        """
        SELECT t.uid, t.group_id, t.name, t.group_type, t.status, t.companies_house_number,
               t.ukprn, t.open_date, t.closed_date, t.town, t.postcode, t.la_code,
               la.name AS la_name, ST_X(t.geom) AS lon, ST_Y(t.geom) AS lat,
               d.source AS dataset_source, d.vintage AS dataset_vintage
        FROM trust t
        LEFT JOIN area la ON la.code = t.la_code
        LEFT JOIN dataset d ON d.id = t.dataset_id
        WHERE t.uid = :uid
        """,
        uid=uid,
    )


async def trust_schools(session: AsyncSession, uid: int) -> list[TrustSchool]:
    """A trust's schools with their locations."""
    return await typed_rows(
        session,
        TrustSchool,
        """
        SELECT s.urn, s.name, s.phase, s.town, s.la_code, la.name AS la_name,
               ST_X(s.geom) AS lon, ST_Y(s.geom) AS lat
        FROM school s LEFT JOIN area la ON la.code = s.la_code
        WHERE s.trust_uid = :uid ORDER BY s.name
        """,
        uid=uid,
    )


async def nearest_schools(
    session: AsyncSession, x: float, y: float, limit: int, exclude_urn: int | None = None
) -> list[RowMapping]:
    """The schools nearest a British National Grid point."""
    return await rows(
        session, sql("nearest_schools"), x=x, y=y, limit=limit, exclude_urn=exclude_urn
    )


async def trust_schools_geojson(session: AsyncSession, uid: int) -> bytes:
    """A trust's schools as a GeoJSON FeatureCollection of points."""
    return await feature_collection(
        session,
        """
        SELECT urn, name, phase, geom FROM school
        WHERE trust_uid = :uid AND geom IS NOT NULL ORDER BY urn
        """,
        uid=uid,
    )
