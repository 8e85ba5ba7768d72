"""Writing moderated records: partnerships, their links, landscape notes and revisions.

Each write checks the version it was based on (``UPDATE … WHERE version = …``) and raises
``StaleRecord`` if the record has moved on; the caller owns the transaction.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import Conflict
from app.queries import record_writes as writes
from app.queries.record_writes import AreaLink, MemberLink
from app.services import records, submission_store
from app.services.record_diff import LANDSCAPE_EXTRA_FIELDS
from app.services.records import RECORD_FIELDS
from app.slugs import slugify, unique_slug


class StaleRecord(Conflict):
    """The record has moved on from the version a change was based on."""


def parse_date(value: str | None) -> dt.date | None:
    """An ISO date from a record, or None when it has none."""
    return dt.date.fromisoformat(value) if value else None


async def write_links(session: AsyncSession, partnership_id: int, record: dict[str, Any]) -> None:
    """Replace a partnership's themes, areas and members with those of ``record``."""
    areas = [
        AreaLink(
            code=a["code"],
            position=i,
            note=a.get("note"),
            # A note ('part', 'north') narrows the footprint unless the record says otherwise.
            whole=bool(a["whole"]) if "whole" in a else not a.get("note"),
        )
        for i, a in enumerate(record.get("areas") or [])
    ]
    members = [
        MemberLink(
            member_type=m["member_type"],
            name=m.get("name"),
            urn=m.get("urn"),
            trust_uid=m.get("trust_uid"),
            area_code=m.get("area_code"),
            role=m.get("role"),
            joined_on=parse_date(m.get("joined_on")),
            left_on=parse_date(m.get("left_on")),
        )
        for m in record.get("members") or []
    ]
    await writes.replace_links(session, partnership_id, record.get("themes") or [], areas, members)


def _record_values(record: dict[str, Any]) -> dict[str, Any]:
    values = {f: record.get(f) for f in RECORD_FIELDS}
    values["summary"] = values["summary"] or ""
    return values


async def create_partnership(
    session: AsyncSession, record: dict[str, Any], reference: str, moderator_id: int
) -> tuple[int, str]:
    """Insert a new partnership from an approved suggestion (links written apart); its id and slug."""
    name = record["name"]
    taken = await writes.taken_slugs(session, slugify(name))
    slug = unique_slug(name, taken)
    links = records.LINK.findall(record.get("evidence") or "")
    # A link written "www.…" would be a relative href on the public page without its scheme.
    source_url = (
        (links[0] if links[0].lower().startswith("http") else f"https://{links[0]}")
        if links
        else None
    )
    partnership_id = await writes.insert_partnership(
        session,
        _record_values(record),
        slug=slug,
        source_url=source_url,
        source_title=f"Suggestion {reference}",
        moderator_id=moderator_id,
    )
    return partnership_id, slug


async def update_partnership(
    session: AsyncSession,
    partnership_id: int | None,
    base_version: int | None,
    record: dict[str, Any],
    extra: dict[str, Any] | None = None,
    verified_by: int | None = None,
) -> tuple[int, str]:
    """Write ``record`` over the partnership only if it is still at ``base_version``.

    A moderated change sets ``moderated_at``; with ``verified_by`` it also records that moderator's
    verification today. A revert passes the restored content's own dates in ``extra`` instead.
    """
    written = await writes.update_partnership(
        session,
        partnership_id,
        base_version,
        {**_record_values(record), **(extra or {})},
        verified_by,
    )
    if written is None:
        raise StaleRecord(
            "The partnership has changed since this suggestion was made. Review the changes "
            "and approve the merged version, or reject it."
        )
    assert partnership_id is not None  # a row was written, so it had an id
    await write_links(session, partnership_id, record)
    return written.version, written.slug


async def write_revision(
    session: AsyncSession,
    *,
    partnership_id: int | None,
    area_code: str | None,
    version: int,
    change: str,
    moderator_id: int,
    submission_id: int | None,
) -> dict[str, Any]:
    """Store a revision holding the record as it now is (a partnership's, else an area's
    landscape); the snapshot stored."""
    if partnership_id is not None:
        snapshot = await submission_store.partnership_snapshot(session, partnership_id)
    else:
        assert area_code is not None
        landscape = await submission_store.landscape_record(session, area_code)
        snapshot = dict(landscape or {})
    assert snapshot is not None
    await writes.insert_revision(
        session,
        partnership_id=partnership_id,
        area_code=area_code,
        version=version,
        snapshot_json=json.dumps(snapshot, default=str),
        change=change,
        moderator_id=moderator_id,
        submission_id=submission_id,
    )
    return snapshot


def _landscape_extras(record: dict[str, Any]) -> dict[str, Any]:
    """The fields beyond text and role that ``record`` carries, as bind values."""
    extras = {f: record[f] for f in LANDSCAPE_EXTRA_FIELDS if f in record}
    if "collaboration_forms" in extras:
        extras["collaboration_forms"] = list(extras["collaboration_forms"] or [])
    if isinstance(extras.get("checked_on"), str):
        extras["checked_on"] = parse_date(extras["checked_on"])
    return extras


async def apply_landscape(
    session: AsyncSession, area_code: str, base_version: int, record: dict[str, Any]
) -> int:
    """Write an area's landscape record (a first one when ``base_version`` is 0); its version."""
    extras = _landscape_extras(record)
    body, role = record["body"], record.get("council_role")
    if base_version == 0:
        version = await writes.insert_landscape(session, area_code, body, role, extras)
    else:
        version = await writes.update_landscape(
            session, area_code, base_version, body, role, extras
        )
    if version is None:
        raise StaleRecord(
            "The area's description has changed since this suggestion was made. Review the "
            "changes and approve the merged version, or reject it."
        )
    return version
