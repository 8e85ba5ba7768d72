"""Writing moderated records: partnerships, their links, landscape notes and revisions.

Each write checks the version it was based on (``UPDATE … WHERE version = …``) and raises
``StaleRecord`` if the record has moved on; the caller owns the transaction.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import Conflict
from app.services import records, submission_store
from app.services.record_diff import LANDSCAPE_EXTRA_FIELDS
from app.services.records import RECORD_FIELDS
from app.slugs import slugify, unique_slug


class StaleRecord(Conflict):
    """The record has moved on from the version a change was based on."""


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


async def _write_links(session: AsyncSession, partnership_id: int, record: dict[str, Any]) -> None:
    """Replace a partnership's themes, areas and members with those of ``record``."""
    for table in ("partnership_theme", "partnership_area", "partnership_member"):
        await session.execute(
            text(f"DELETE FROM {table} WHERE partnership_id = :p"), {"p": partnership_id}
        )
    if record.get("themes"):
        await session.execute(
            text("INSERT INTO partnership_theme (partnership_id, theme_code) VALUES (:p, :t)"),
            [{"p": partnership_id, "t": t} for t in record["themes"]],
        )
    if record.get("areas"):
        await session.execute(
            text(
                "INSERT INTO partnership_area (partnership_id, area_code, position, note, whole)"
                " VALUES (:p, :c, :pos, :note, :whole)"
            ),
            [
                {
                    "p": partnership_id,
                    "c": a["code"],
                    "pos": i,
                    "note": a.get("note"),
                    # A note ('part', 'north') narrows the footprint unless the record says otherwise.
                    "whole": bool(a["whole"]) if "whole" in a else not a.get("note"),
                }
                for i, a in enumerate(record["areas"])
            ],
        )
    if record.get("members"):
        await session.execute(
            text(
                "INSERT INTO partnership_member (partnership_id, member_type, name, urn,"
                " trust_uid, area_code, role, joined_on, left_on)"
                " VALUES (:p, :type, :name, :urn, :uid, :area, :role, :joined, :left)"
            ),
            [
                {
                    "p": partnership_id,
                    "type": m["member_type"],
                    "name": m.get("name"),
                    "urn": m.get("urn"),
                    "uid": m.get("trust_uid"),
                    "area": m.get("area_code"),
                    "role": m.get("role"),
                    "joined": _date(m.get("joined_on")),
                    "left": _date(m.get("left_on")),
                }
                for m in record["members"]
            ],
        )


def _record_values(record: dict[str, Any]) -> dict[str, Any]:
    values = {f: record.get(f) for f in RECORD_FIELDS}
    values["summary"] = values["summary"] or ""
    return values


async def _create_partnership(
    session: AsyncSession, record: dict[str, Any], reference: str, moderator_id: int
) -> tuple[int, str]:
    name = record["name"]
    base = slugify(name)
    taken = set(
        (
            await session.execute(
                text("SELECT slug FROM partnership WHERE slug = :b OR slug LIKE :like"),
                {"b": base, "like": f"{base}-%"},
            )
        ).scalars()
    )
    slug = unique_slug(name, taken)
    links = records._LINK.findall(record.get("evidence") or "")
    # A link written "www.…" would be a relative href on the public page without its scheme.
    source_url = (
        (links[0] if links[0].lower().startswith("http") else f"https://{links[0]}")
        if links
        else None
    )
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
                **_record_values(record),
                "slug": slug,
                "source_url": source_url,
                "source_title": f"Suggestion {reference}",
                "moderator": moderator_id,
            },
        )
    ).one()
    return int(row.id), slug


async def _update_partnership(
    session: AsyncSession,
    partnership_id: int,
    base_version: int,
    record: dict[str, Any],
    extra: dict[str, Any] | None = None,
    verified_by: int | None = None,
) -> tuple[int, str]:
    """Write ``record`` over the partnership only if it is still at ``base_version``.

    A moderated change sets ``moderated_at``; with ``verified_by`` it also records that moderator's
    verification today. A revert passes the restored content's own dates in ``extra`` instead.
    """
    extra = extra or {}
    sets = ", ".join(f"{f} = :{f}" for f in (*RECORD_FIELDS, *extra))
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
                **_record_values(record),
                **extra,
                "id": partnership_id,
                "base": base_version,
                **({"verified_by": verified_by} if verified_by is not None else {}),
            },
        )
    ).one_or_none()
    if row is None:
        raise StaleRecord(
            "The partnership has changed since this suggestion was made. Review the changes "
            "and approve the merged version, or reject it."
        )
    await _write_links(session, partnership_id, record)
    return int(row.version), str(row.slug)


async def _write_revision(
    session: AsyncSession,
    *,
    partnership_id: int | None,
    area_code: str | None,
    version: int,
    change: str,
    moderator_id: int,
    submission_id: int | None,
) -> dict[str, Any]:
    if partnership_id is not None:
        snapshot = await submission_store.partnership_snapshot(session, partnership_id)
    else:
        assert area_code is not None
        landscape = await submission_store.landscape_record(session, area_code)
        snapshot = dict(landscape or {})
    assert snapshot is not None
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
            "s": json.dumps(snapshot, default=str),
            "c": change,
            "m": moderator_id,
            "sub": submission_id,
        },
    )
    return snapshot


def _landscape_extras(record: dict[str, Any]) -> dict[str, Any]:
    """The fields beyond text and role that ``record`` carries, as bind values."""
    extras = {f: record[f] for f in LANDSCAPE_EXTRA_FIELDS if f in record}
    if "collaboration_forms" in extras:
        extras["collaboration_forms"] = list(extras["collaboration_forms"] or [])
    if isinstance(extras.get("checked_on"), str):
        extras["checked_on"] = _date(extras["checked_on"])
    return extras


async def _apply_landscape(
    session: AsyncSession, area_code: str, base_version: int, record: dict[str, Any]
) -> int:
    extras = _landscape_extras(record)
    values = {"a": area_code, "b": record["body"], "r": record.get("council_role"), **extras}
    if base_version == 0:
        columns = "".join(f", {f}" for f in extras)
        binds = "".join(f", :{f}" for f in extras)
        result = await session.execute(
            text(
                f"INSERT INTO area_landscape (area_code, body, council_role{columns}, version)"
                f" VALUES (:a, :b, :r{binds}, 1) ON CONFLICT (area_code) DO NOTHING"
                " RETURNING version"
            ),
            values,
        )
    else:
        sets = "".join(f", {f} = :{f}" for f in extras)
        result = await session.execute(
            text(
                f"UPDATE area_landscape SET body = :b, council_role = :r{sets},"
                " version = version + 1, updated_at = now()"
                " WHERE area_code = :a AND version = :base RETURNING version"
            ),
            {**values, "base": base_version},
        )
    version = result.scalar_one_or_none()
    if version is None:
        raise StaleRecord(
            "The area's description has changed since this suggestion was made. Review the "
            "changes and approve the merged version, or reject it."
        )
    return int(version)
