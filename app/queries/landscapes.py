"""Data access for the local landscape (the module is plural: ``queries.areas.landscape`` is the older
lookup of one note): an area's record, the all-England table, roles by LA, trusts' footprints
and a partnership's membership attributes. Typed rows only."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app.codes import ACADEMY_TRUST_TYPES
from app.queries import sql, typed_rows


@dataclass(frozen=True)
class AreaLandscape:
    """An area's landscape record with its provenance and whether moderation has changed it."""

    area_code: str
    body: str
    council_role: str | None
    provider_name: str | None
    provider_url: str | None
    collaboration_forms: tuple[str, ...]
    source_url: str | None
    source_title: str | None
    source_date: str | None
    confidence: str | None
    checked_on: dt.date | None
    version: int
    updated_at: dt.datetime
    # When a moderator last changed it (approval or revert); None for a register row as imported.
    moderated_on: dt.datetime | None


_AREA_LANDSCAPE = text(
    """
    SELECT l.area_code, l.body, l.council_role, l.provider_name, l.provider_url,
           l.collaboration_forms, l.source_url, l.source_title, l.source_date, l.confidence,
           l.checked_on, l.version, l.updated_at,
           (SELECT max(r.created_at) FROM revision r
             WHERE r.area_code = l.area_code AND r.partnership_id IS NULL
               AND (r.moderator_id IS NOT NULL OR r.submission_id IS NOT NULL)) AS moderated_on
      FROM area_landscape l
     WHERE l.area_code = :code
    """
)


async def area_landscape(session: AsyncSession, code: str) -> AreaLandscape | None:
    """The landscape record of one area, if it has one."""
    row = (await session.execute(_AREA_LANDSCAPE, {"code": code})).mappings().first()
    if row is None:
        return None
    return AreaLandscape(**{**row, "collaboration_forms": tuple(row["collaboration_forms"] or ())})


@dataclass(frozen=True)
class LandscapeTableRow:
    """One LA of the all-England table."""

    code: str
    name: str
    region_name: str | None
    combined_authority_name: str | None
    mayoral: bool
    council_role: str | None
    provider_name: str | None
    provider_url: str | None
    collaboration_forms: tuple[str, ...]
    source_date: str | None
    confidence: str | None
    checked_on: dt.date | None
    local_current: int
    local_unconfirmed: int
    local_ended: int
    national: int
    schools: int
    in_trust: int


@dataclass(frozen=True)
class RegisterKindCount:
    """An area's local partnerships of one kind, by currency (ended ones included)."""

    kind_label: str
    current: int
    unconfirmed: int
    ended: int


# The area itself, its districts (for a county) and its county (for a district), as the coverage
# view reaches them, but read from the links themselves so that ended partnerships are counted.
_REGISTER_BY_KIND = text(
    """
    SELECT k.label AS kind_label,
           count(DISTINCT p.id) FILTER (WHERE p.currency = 'current') AS current,
           count(DISTINCT p.id) FILTER (WHERE p.currency = 'unconfirmed') AS unconfirmed,
           count(DISTINCT p.id) FILTER (WHERE p.currency = 'ended') AS ended
      FROM partnership_area pa
      JOIN area a ON a.code = pa.area_code
      JOIN partnership p ON p.id = pa.partnership_id
      JOIN partnership_kind k ON k.code = p.kind AND NOT k.is_national
     WHERE pa.area_code = :code OR a.parent_code = :code
        OR pa.area_code = (SELECT parent_code FROM area WHERE code = :code)
     GROUP BY k.label
     ORDER BY count(DISTINCT p.id) DESC, k.label
    """
)


async def register_by_kind(session: AsyncSession, code: str) -> list[RegisterKindCount]:
    """The register's local partnerships serving an area, by kind and currency."""
    rows = (await session.execute(_REGISTER_BY_KIND, {"code": code})).all()
    return [RegisterKindCount(r.kind_label, r.current, r.unconfirmed, r.ended) for r in rows]


async def landscape_table(session: AsyncSession) -> list[LandscapeTableRow]:
    """Every upper-tier LA with its landscape and the register's figures, by name."""
    params = {"trust_types": list(ACADEMY_TRUST_TYPES)}
    result = (await session.execute(sql("landscape_table"), params)).mappings().all()
    return [
        LandscapeTableRow(**{**r, "collaboration_forms": tuple(r["collaboration_forms"] or ())})
        for r in result
    ]


@dataclass(frozen=True)
class RoleBrief:
    """An LA's council role, provider and forms of collaboration, for lists of neighbours."""

    code: str
    council_role: str | None
    provider_name: str | None
    collaboration_forms: tuple[str, ...]
    source_date: str | None


async def roles_for(session: AsyncSession, codes: list[str]) -> dict[str, RoleBrief]:
    """The landscape brief of each of these areas that has one, by code."""
    if not codes:
        return {}
    result = await session.execute(
        text(
            "SELECT area_code, council_role, provider_name, collaboration_forms, source_date"
            " FROM area_landscape WHERE area_code = ANY(:codes)"
        ),
        {"codes": codes},
    )
    return {
        r.area_code: RoleBrief(
            r.area_code,
            r.council_role,
            r.provider_name,
            tuple(r.collaboration_forms or ()),
            r.source_date,
        )
        for r in result
    }


@dataclass(frozen=True)
class Membership:
    """How schools belong to a partnership, as researched, with its source."""

    membership_basis: str | None
    member_count_stated: int | None
    member_count_year: int | None
    member_trusts: tuple[str, ...]
    council_part: str | None
    funding_model: str | None
    legal_form: str | None
    contact_url: str | None
    notes: str | None
    source_url: str | None
    source_title: str | None
    source_date: str | None
    checked_on: dt.date | None


async def membership(session: AsyncSession, partnership_id: int) -> Membership | None:
    """A partnership's membership attributes; None when it has not been researched."""
    row = (
        (
            await session.execute(
                text(
                    "SELECT membership_basis, member_count_stated, member_count_year,"
                    " member_trusts, council_part, funding_model, legal_form, contact_url, notes,"
                    " source_url, source_title, source_date, checked_on"
                    " FROM partnership_membership WHERE partnership_id = :p"
                ),
                {"p": partnership_id},
            )
        )
        .mappings()
        .first()
    )
    if row is None:
        return None
    return Membership(**{**row, "member_trusts": tuple(row["member_trusts"] or ())})


@dataclass(frozen=True)
class TrustFootprintRow:
    """One LA where a trust has schools, with that LA's local partnerships and the trust's part."""

    la_code: str
    la_name: str
    trust_schools: int
    partnership_slug: str | None
    partnership_name: str | None
    partnership_status: str | None
    # How the trust is in it ('the trust leads it', 'member school in the trust'…); None if not.
    via: str | None


_TRUST_FOOTPRINT = text(
    """
    WITH footprint AS (
        SELECT s.la_code, count(*) AS trust_schools
          FROM school s WHERE s.trust_uid = :uid AND s.la_code IS NOT NULL
         GROUP BY s.la_code
    ), local AS (
        SELECT DISTINCT c.area_code, p.id, p.slug, p.name, p.status
          FROM partnership_coverage c
          JOIN partnership p ON p.id = c.partnership_id
          JOIN partnership_kind k ON k.code = p.kind AND NOT k.is_national
         WHERE c.area_code IN (SELECT la_code FROM footprint) AND p.status <> 'ended'
    )
    SELECT f.la_code, a.name AS la_name, f.trust_schools,
           l.slug AS partnership_slug, l.name AS partnership_name, l.status AS partnership_status,
           (SELECT string_agg(DISTINCT t.via, '; ') FROM partnership_trust_link t
             WHERE t.partnership_id = l.id AND t.trust_uid = :uid) AS via
      FROM footprint f
      JOIN area a ON a.code = f.la_code
      LEFT JOIN local l ON l.area_code = f.la_code
     ORDER BY f.trust_schools DESC, a.name, l.name
    """
)


async def trust_footprint(session: AsyncSession, uid: int) -> list[TrustFootprintRow]:
    """Each LA where the trust has schools, with each of that LA's local partnerships (not ended)
    and whether the trust is in it."""
    return await typed_rows(session, TrustFootprintRow, _TRUST_FOOTPRINT, uid=uid)


@dataclass(frozen=True)
class LedPartnership:
    """A partnership a trust or school leads or belongs to."""

    slug: str
    name: str
    kind_label: str
    is_national: bool
    status: str
    role: str | None
    via: str


_TRUST_PARTNERSHIPS = text(
    """
    SELECT p.slug, p.name, k.label AS kind_label, k.is_national, p.status,
           CASE WHEN bool_or(m.role = 'lead') THEN 'lead' ELSE 'member' END AS role,
           string_agg(DISTINCT coalesce(s.name, 'the trust itself'), '; ') AS via
      FROM partnership_member m
      JOIN partnership p ON p.id = m.partnership_id
      JOIN partnership_kind k ON k.code = p.kind
      LEFT JOIN school s ON s.urn = m.urn
     WHERE m.left_on IS NULL
       AND ((m.member_type = 'trust' AND m.trust_uid = :uid)
            OR (m.member_type = 'school' AND s.trust_uid = :uid))
     GROUP BY p.id, k.label, k.is_national
     ORDER BY bool_or(m.role = 'lead') DESC, k.is_national, p.name
    """
)


async def trust_partnerships(session: AsyncSession, uid: int) -> list[LedPartnership]:
    """Partnerships the trust or its schools lead or belong to, those it leads first."""
    return await typed_rows(session, LedPartnership, _TRUST_PARTNERSHIPS, uid=uid)
