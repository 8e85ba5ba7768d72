"""Writes of moderated records: partnerships, their theme, area and member links, landscape
notes and revisions. Every write runs in the caller's transaction; a versioned write returns
None when the row is no longer at the version it was based on.

Column names in the dynamic statements come from the fixed field tuples of
``app.services.records`` and ``app.services.record_diff``, never from input.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

LINK_TABLES = ("partnership_theme", "partnership_area", "partnership_member")


@dataclass(frozen=True)
class AreaLink:
    """An area a partnership serves, in the record's order."""

    code: str
    position: int
    note: str | None
    whole: bool


@dataclass(frozen=True)
class MemberLink:
    """A member of a partnership as stored in ``partnership_member``."""

    member_type: str
    name: str | None
    urn: int | None
    trust_uid: int | None
    area_code: str | None
    role: str | None
    joined_on: dt.date | None
    left_on: dt.date | None


@dataclass(frozen=True)
class Written:
    """A partnership's version and slug after a write."""

    version: int
    slug: str


async def replace_links(
    session: AsyncSession,
    partnership_id: int,
    themes: Sequence[str],
    areas: Sequence[AreaLink],
    members: Sequence[MemberLink],
) -> None:
    """Replace a partnership's themes, areas and members."""
    for table in LINK_TABLES:
        await session.execute(
            text(f"DELETE FROM {table} WHERE partnership_id = :p"), {"p": partnership_id}
        )
    if themes:
        await session.execute(
            text("INSERT INTO partnership_theme (partnership_id, theme_code) VALUES (:p, :t)"),
            [{"p": partnership_id, "t": t} for t in themes],
        )
    if areas:
        await session.execute(
            text(
                "INSERT INTO partnership_area (partnership_id, area_code, position, note, whole)"
                " VALUES (:p, :c, :pos, :note, :whole)"
            ),
            [
                {
                    "p": partnership_id,
                    "c": a.code,
                    "pos": a.position,
                    "note": a.note,
                    "whole": a.whole,
                }
                for a in areas
            ],
        )
    if members:
        await session.execute(
            text(
                "INSERT INTO partnership_member (partnership_id, member_type, name, urn,"
                " trust_uid, area_code, role, joined_on, left_on)"
                " VALUES (:p, :type, :name, :urn, :uid, :area, :role, :joined, :left)"
            ),
            [
                {
                    "p": partnership_id,
                    "type": m.member_type,
                    "name": m.name,
                    "urn": m.urn,
                    "uid": m.trust_uid,
                    "area": m.area_code,
                    "role": m.role,
                    "joined": m.joined_on,
                    "left": m.left_on,
                }
                for m in members
            ],
        )


async def taken_slugs(session: AsyncSession, base: str) -> set[str]:
    """The slugs in use that are ``base`` or start with ``base-``."""
    result = await session.execute(
        text("SELECT slug FROM partnership WHERE slug = :b OR slug LIKE :like"),
        {"b": base, "like": f"{base}-%"},
    )
    return {str(slug) for slug in result.scalars()}


async def insert_partnership(
    session: AsyncSession,
    values: Mapping[str, object],
    *,
    slug: str,
    source_url: str | None,
    source_title: str,
    moderator_id: int,
) -> int:
    """A new partnership at version 1, checked and verified today by the moderator; its id.

    ``values`` holds the record fields (name, kind, summary, lead_organisation, website,
    contact_email, founded_year, status).
    """
    row = (
        await session.execute(
            text(
                "INSERT INTO partnership (slug, name, kind, summary, lead_organisation, website,"
                " contact_email, founded_year, status, source_url, source_title, source_date,"
                " checked_on, last_verified, verified_by_id, moderated_at, version)"
                " VALUES (:slug, :name, :kind, :summary, :lead_organisation, :website,"
                " :contact_email, :founded_year, :status, :source_url, :source_title,"
                " to_char(current_date, 'YYYY-MM-DD'), current_date, current_date, :moderator,"
                " now(), 1)"
                " RETURNING id"
            ),
            {
                **values,
                "slug": slug,
                "source_url": source_url,
                "source_title": source_title,
                "moderator": moderator_id,
            },
        )
    ).one()
    return int(row.id)


async def update_partnership(
    session: AsyncSession,
    partnership_id: int | None,
    base_version: int | None,
    values: Mapping[str, object],
    verified_by: int | None,
) -> Written | None:
    """Write ``values`` (column → value) over the partnership if it is still at ``base_version``.

    The version goes up by one and ``moderated_at`` becomes now; with ``verified_by`` the record
    is also verified today by that moderator. None when the record has moved on (or when the id
    or base version is missing, which matches no row).
    """
    sets = ", ".join(f"{f} = :{f}" for f in values)
    verified = (
        ", last_verified = current_date, verified_by_id = :verified_by, verification_note = NULL"
        if verified_by is not None
        else ""
    )
    row = (
        await session.execute(
            text(
                f"UPDATE partnership SET {sets}, version = version + 1, updated_at = now(),"
                f" moderated_at = now(){verified}"
                " WHERE id = :id AND version = :base RETURNING version, slug"
            ),
            {
                **values,
                "id": partnership_id,
                "base": base_version,
                **({"verified_by": verified_by} if verified_by is not None else {}),
            },
        )
    ).one_or_none()
    return Written(int(row.version), str(row.slug)) if row is not None else None


async def confirm_running(
    session: AsyncSession, partnership_id: int, base_version: int, moderator_id: int, note: str
) -> int | None:
    """Mark a partnership checked and verified today, with the moderator's note; its new version,
    or None when it is no longer at ``base_version``."""
    row = (
        await session.execute(
            text(
                "UPDATE partnership SET version = version + 1, checked_on = current_date,"
                " last_verified = current_date, verified_by_id = :m, verification_note = :n,"
                " moderated_at = now(), updated_at = now()"
                " WHERE id = :id AND version = :base RETURNING version"
            ),
            {"m": moderator_id, "n": note, "id": partnership_id, "base": base_version},
        )
    ).one_or_none()
    return int(row.version) if row is not None else None


async def insert_revision(
    session: AsyncSession,
    *,
    partnership_id: int | None,
    area_code: str | None,
    version: int,
    snapshot_json: str,
    change: str,
    moderator_id: int,
    submission_id: int | None,
) -> None:
    """Store an immutable revision (a partnership's, or else an area's landscape)."""
    await session.execute(
        text(
            "INSERT INTO revision (partnership_id, area_code, version, snapshot, change,"
            " moderator_id, submission_id)"
            " VALUES (:p, :a, :v, CAST(:s AS jsonb), :c, :m, :sub)"
        ),
        {
            "p": partnership_id,
            "a": area_code if partnership_id is None else None,
            "v": version,
            "s": snapshot_json,
            "c": change,
            "m": moderator_id,
            "sub": submission_id,
        },
    )


async def insert_landscape(
    session: AsyncSession,
    area_code: str,
    body: str,
    council_role: str | None,
    extras: Mapping[str, object],
) -> int | None:
    """An area's first landscape record at version 1; None when one exists already."""
    columns = "".join(f", {f}" for f in extras)
    binds = "".join(f", :{f}" for f in extras)
    result = await session.execute(
        text(
            f"INSERT INTO area_landscape (area_code, body, council_role{columns}, version)"
            f" VALUES (:a, :b, :r{binds}, 1) ON CONFLICT (area_code) DO NOTHING"
            " RETURNING version"
        ),
        {"a": area_code, "b": body, "r": council_role, **extras},
    )
    version = result.scalar_one_or_none()
    return None if version is None else int(version)


async def update_landscape(
    session: AsyncSession,
    area_code: str,
    base_version: int,
    body: str,
    council_role: str | None,
    extras: Mapping[str, object],
) -> int | None:
    """Overwrite an area's landscape record if still at ``base_version``; its new version or None."""
    sets = "".join(f", {f} = :{f}" for f in extras)
    result = await session.execute(
        text(
            f"UPDATE area_landscape SET body = :b, council_role = :r{sets},"
            " version = version + 1, updated_at = now()"
            " WHERE area_code = :a AND version = :base RETURNING version"
        ),
        {"a": area_code, "b": body, "r": council_role, **extras, "base": base_version},
    )
    version = result.scalar_one_or_none()
    return None if version is None else int(version)
