"""Data access for partnerships: filtered lists, one record with its themes, areas, members and
trusts, and partnerships found through trusts' schools or near a point."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from app.queries import feature_collection, rows, sql, typed_one, typed_rows


@dataclass(frozen=True, slots=True)
class PartnershipSummary:
    """A partnership in a filtered list: its public fields, themes, areas and display point."""

    id: int
    slug: str
    name: str
    kind: str
    kind_label: str
    is_national: bool
    status: str
    currency: str
    evidence_year: int | None
    summary: str
    lead_organisation: str | None
    website: str | None
    founded_year: int | None
    source_url: str | None
    source_title: str | None
    source_date: str | None
    checked_on: dt.date | None
    status_evidence_url: str | None
    status_evidence_title: str | None
    status_evidence_date: str | None
    last_verified: dt.date | None
    area_whole_list: list[bool]
    area_whole: bool | None
    area_reach: str | None
    themes: list[str]
    area_codes: list[str]
    area_names: list[str]
    lon: float | None
    lat: float | None


@dataclass(frozen=True, slots=True)
class PartnershipRow:
    """One partnership's public fields, its kind's label and network size, and its provenance."""

    id: int
    slug: str
    name: str
    kind: str
    summary: str
    lead_organisation: str | None
    website: str | None
    contact_email: str | None
    founded_year: int | None
    status: str
    source_url: str | None
    source_title: str | None
    source_date: str | None
    checked_on: dt.date | None
    status_evidence_url: str | None
    status_evidence_title: str | None
    status_evidence_date: str | None
    last_verified: dt.date | None
    verified_by_id: int | None
    verification_note: str | None
    currency: str
    moderated_at: dt.datetime | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    kind_label: str
    is_national: bool
    kind_description: str
    network_size: int | None
    network_size_approx: bool
    network_size_source: str | None
    network_recorded: int
    network_current: int
    evidence_year: int | None
    dataset_source: str | None
    dataset_vintage: str | None


@dataclass(frozen=True, slots=True)
class ThemeLabel:
    """A theme's code and label."""

    code: str
    label: str


@dataclass(frozen=True, slots=True)
class NamedArea:
    """An area a partnership names, with the source's note and whether it serves all of it."""

    code: str
    name: str
    level: str
    note: str | None
    whole: bool


@dataclass(frozen=True, slots=True)
class MemberRow:
    """A partnership member as the source lists it, with the register's current name."""

    member_type: str
    name: str
    urn: int | None
    trust_uid: int | None
    area_code: str | None
    role: str | None
    joined_on: dt.date | None
    left_on: dt.date | None
    school_current_name: str | None
    trust_current_name: str | None


@dataclass(frozen=True, slots=True)
class LinkedTrust:
    """An academy trust a partnership involves, and how that is known."""

    uid: int
    name: str
    via: str | None


@dataclass(frozen=True, slots=True)
class TrustPartnership:
    """A partnership a trust or its schools belong to, with the schools that put it there."""

    slug: str
    name: str
    kind_label: str
    is_national: bool
    status: str
    via: str


async def partnership_list(session: AsyncSession, **filters: Any) -> list[PartnershipSummary]:
    """Partnerships after filters, with a display point."""
    return await typed_rows(session, PartnershipSummary, sql("partnership_list"), **filters)


async def partnership(session: AsyncSession, slug: str) -> PartnershipRow | None:
    """One partnership's public fields with its kind's label (no import bookkeeping columns)."""
    return await typed_one(
        session,
        PartnershipRow,
        """
        SELECT p.id, p.slug, p.name, p.kind, p.summary, p.lead_organisation, p.website,
               p.contact_email, p.founded_year, p.status, p.source_url, p.source_title,
               p.source_date, p.checked_on, p.status_evidence_url, p.status_evidence_title,
               p.status_evidence_date, p.last_verified, p.verified_by_id, p.verification_note,
               p.currency, p.moderated_at, p.version, p.created_at, p.updated_at,
               k.label AS kind_label, k.is_national, k.description AS kind_description,
               k.network_size, k.network_size_approx, k.network_size_source,
               (SELECT count(*) FROM partnership o
                 WHERE o.kind = p.kind AND o.currency <> 'ended') AS network_recorded,
               (SELECT count(*) FROM partnership o
                 WHERE o.kind = p.kind AND o.currency = 'current') AS network_current,
               CAST(substring(COALESCE(NULLIF(p.status_evidence_date, ''), p.source_date)
                              FROM '^([0-9]{4})') AS integer) AS evidence_year,
               d.source AS dataset_source, d.vintage AS dataset_vintage
        FROM partnership p
        JOIN partnership_kind k ON k.code = p.kind
        LEFT JOIN dataset d ON d.id = p.dataset_id
        WHERE p.slug = :slug
        """,
        slug=slug,
    )


async def partnership_themes(session: AsyncSession, partnership_id: int) -> list[ThemeLabel]:
    """A partnership's themes with labels."""
    return await typed_rows(
        session,
        ThemeLabel,
        "SELECT t.code, t.label FROM partnership_theme pt JOIN theme t ON t.code = pt.theme_code"
        " WHERE pt.partnership_id = :id ORDER BY t.label",
        id=partnership_id,
    )


async def partnership_areas(session: AsyncSession, partnership_id: int) -> list[NamedArea]:
    """The areas a partnership names, in the source's order, with the note ('part')."""
    return await typed_rows(
        session,
        NamedArea,
        "SELECT a.code, a.name, a.level, pa.note, pa.whole FROM partnership_area pa"
        " JOIN area a ON a.code = pa.area_code WHERE pa.partnership_id = :id ORDER BY pa.position",
        id=partnership_id,
    )


async def partnership_areas_geojson(session: AsyncSession, partnership_id: int) -> bytes:
    """The areas a partnership serves as a GeoJSON FeatureCollection (band 10)."""
    return await feature_collection(
        session,
        """
        SELECT a.code, a.name, coalesce(g.geom, a.geom) AS geom
        FROM partnership_area pa JOIN area a ON a.code = pa.area_code
        LEFT JOIN area_generalised g ON g.area_code = a.code AND g.zoom_band = 10
        WHERE pa.partnership_id = :id
        """,
        id=partnership_id,
    )


async def partnership_members(session: AsyncSession, partnership_id: int) -> list[MemberRow]:
    """A partnership's members, current first."""
    return await typed_rows(
        session,
        MemberRow,
        """
        SELECT m.member_type, m.name, m.urn, m.trust_uid, m.area_code, m.role, m.joined_on,
               m.left_on, s.name AS school_current_name, t.name AS trust_current_name
        FROM partnership_member m
        LEFT JOIN school s ON s.urn = m.urn
        LEFT JOIN trust t ON t.uid = m.trust_uid
        WHERE m.partnership_id = :id
        ORDER BY m.left_on IS NOT NULL, m.member_type, m.name
        """,
        id=partnership_id,
    )


async def partnership_trusts(session: AsyncSession, partnership_id: int) -> list[LinkedTrust]:
    """Academy trusts a partnership involves, and how that is known."""
    return await typed_rows(
        session,
        LinkedTrust,
        "SELECT l.trust_uid AS uid, t.name, string_agg(DISTINCT l.via, '; ') AS via"
        " FROM partnership_trust_link l JOIN trust t ON t.uid = l.trust_uid"
        " WHERE l.partnership_id = :id GROUP BY l.trust_uid, t.name ORDER BY t.name",
        id=partnership_id,
    )


async def partnerships_for_trust_schools(
    session: AsyncSession, trust_uid: int, exclude_urn: int | None = None
) -> list[TrustPartnership]:
    """Partnerships the trust itself or its schools belong to, with the schools involved."""
    return await typed_rows(
        session,
        TrustPartnership,
        """
        SELECT p.slug, p.name, k.label AS kind_label, k.is_national, p.status,
               string_agg(DISTINCT coalesce(s.name, 'the trust itself'), '; ') AS via
        FROM partnership_member m
        JOIN partnership p ON p.id = m.partnership_id
        JOIN partnership_kind k ON k.code = p.kind
        LEFT JOIN school s ON s.urn = m.urn
        WHERE m.left_on IS NULL
          AND ((m.member_type = 'trust' AND m.trust_uid = :uid)
               OR (m.member_type = 'school' AND s.trust_uid = :uid
                   AND s.urn IS DISTINCT FROM CAST(:exclude AS integer)))
        GROUP BY p.id, k.label, k.is_national
        ORDER BY p.name
        """,
        uid=trust_uid,
        exclude=exclude_urn,
    )


async def partnerships_near_members(
    session: AsyncSession, x: float, y: float, radius_m: float, limit: int
) -> list[RowMapping]:
    """Partnerships with a member school near a point."""
    return await rows(
        session, sql("partnerships_near_members"), x=x, y=y, radius_m=radius_m, limit=limit
    )
