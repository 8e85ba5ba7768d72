"""Revision history and revert, for partnerships and for areas' landscape records."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import Conflict, InvalidInput, NotFound
from app.queries import moderation as moderation_q
from app.queries.moderation import RevisionRow
from app.services import submission_store
from app.services.accounts import ModeratorIdentity
from app.services.moderation import Applied, clean_note
from app.services.moderation_queue import vocabulary_labels
from app.services.record_diff import RecordDiff, diff_records
from app.services.record_writer import (
    apply_landscape,
    parse_date,
    update_partnership,
    write_revision,
)
from app.services.submission_store import audit
from app.services.versions import bump_data_version

SOURCE_FIELDS = ("source_url", "source_title", "source_date")
# The dates a record's content carries; a revert restores them with the content.
PROVENANCE_FIELDS = (
    "checked_on",
    "status_evidence_url",
    "status_evidence_title",
    "status_evidence_date",
    "last_verified",
    "verified_by_id",
    "verification_note",
)


@dataclass
class HistoryEntry:
    """One revision of a partnership and what it changed from the one before."""

    version: int
    created_at: dt.datetime
    change: str
    diff: RecordDiff
    snapshot: dict[str, Any]
    moderator_email: str | None
    reference: str | None


def _history_entries(
    rows: Sequence[RevisionRow],
    kinds: dict[str, str] | None = None,
    themes: dict[str, str] | None = None,
) -> list[HistoryEntry]:
    """Revisions (oldest first, as the history queries give them) as entries, newest first,
    each with its changes against the revision before it."""
    entries: list[HistoryEntry] = []
    previous: dict[str, Any] | None = None
    for row in rows:
        snapshot = dict(row.snapshot)
        entries.append(
            HistoryEntry(
                row.version,
                row.created_at,
                row.change,
                diff_records(previous, snapshot, kinds, themes),
                snapshot,
                row.moderator_email,
                row.reference,
            )
        )
        previous = snapshot
    return entries[::-1]


async def _record_revert(
    session: AsyncSession,
    moderator: ModeratorIdentity,
    *,
    partnership_id: int | None,
    area_code: str | None,
    version: int,
    to_version: int,
    expected_version: int,
    reason: str | None,
    subject: str,
    **target: str,
) -> None:
    """The revision, audit entry and data version of a revert (the caller commits)."""
    await write_revision(
        session,
        partnership_id=partnership_id,
        area_code=area_code,
        version=version,
        change=f"reverted to version {to_version}",
        moderator_id=moderator.id,
        submission_id=None,
    )
    detail: dict[str, Any] = {
        **target,
        "from_version": expected_version,
        "to_version": to_version,
        "new_version": version,
        "note": reason,
    }
    await audit(session, "reverted", moderator_id=moderator.id, **detail)
    await bump_data_version(session, f"reverted {subject} to version {to_version}")


async def history(session: AsyncSession, slug: str) -> tuple[dict[str, Any], list[HistoryEntry]]:
    """A partnership's current record and its revisions, newest first."""
    current = await submission_store.partnership_by_slug(session, slug)
    kinds, themes = await vocabulary_labels(session)
    rows = await moderation_q.partnership_revisions(session, current["id"])
    return current, _history_entries(rows, kinds, themes)


async def revert(
    session: AsyncSession,
    moderator: ModeratorIdentity,
    slug: str,
    to_version: int,
    expected_version: int,
    note: str | None = None,
) -> Applied:
    """Restore an earlier revision of a partnership, as a new revision; ``Conflict`` if stale."""
    reason = clean_note(note, "a reason", required=False)
    try:
        # PostgreSQL text cannot hold NUL, so such a slug names nothing (rather than failing).
        found = None if "\x00" in slug else await moderation_q.partnership_state(session, slug)
        if found is None:
            raise NotFound("No partnership has this address")
        pid = found.id
        snapshot = await moderation_q.partnership_revision(session, pid, to_version)
        if snapshot is None:
            raise NotFound(f"This partnership has no version {to_version}")
        if to_version == found.version:
            raise InvalidInput("That is already the current version")
        record = dict(snapshot)
        restored: dict[str, Any] = {f: record.get(f) for f in SOURCE_FIELDS}
        # The content's own dates come back with it (a snapshot older than these fields has none).
        for f in PROVENANCE_FIELDS:
            value = record.get(f)
            restored[f] = parse_date(value) if f in ("checked_on", "last_verified") else value
        version, slug = await update_partnership(session, pid, expected_version, record, restored)
        await _record_revert(
            session,
            moderator,
            partnership_id=pid,
            area_code=None,
            version=version,
            to_version=to_version,
            expected_version=expected_version,
            reason=reason,
            subject=slug,
            partnership=slug,
        )
        await session.commit()
    except (IntegrityError, DBAPIError) as exc:
        await session.rollback()
        raise Conflict(
            "That version cannot be restored as it stands (the database refused it, perhaps an "
            "area code has since changed)."
        ) from exc
    except BaseException:
        await session.rollback()
        raise
    return Applied("revert", slug, None, version)


# --- landscape history and revert ---------------------------------------------------------------


async def landscape_history(
    session: AsyncSession, area_code: str
) -> tuple[dict[str, Any], list[HistoryEntry]]:
    """An area's current landscape record and its revisions, newest first; ``NotFound`` if none."""
    code = area_code.strip().upper()[:12]
    current = await _landscape_record(session, code)
    rows = await moderation_q.landscape_revisions(session, code)
    return current, _history_entries(rows)


async def _landscape_record(session: AsyncSession, code: str) -> dict[str, Any]:
    """An area's current landscape record; ``NotFound`` if it has none."""
    current = None if "\x00" in code else await submission_store.landscape_record(session, code)
    if current is None:
        raise NotFound("This area has no local landscape record")
    return current


async def revert_landscape(
    session: AsyncSession,
    moderator: ModeratorIdentity,
    area_code: str,
    to_version: int,
    expected_version: int,
    note: str | None = None,
) -> Applied:
    """Restore an earlier revision of an area's landscape, as a new revision; ``Conflict`` if stale."""
    reason = clean_note(note, "a reason", required=False)
    code = area_code.strip().upper()[:12]
    try:
        current = await _landscape_record(session, code)
        snapshot = await moderation_q.landscape_revision(session, code, to_version)
        if snapshot is None:
            raise NotFound(f"This area's landscape has no version {to_version}")
        if to_version == current["version"]:
            raise InvalidInput("That is already the current version")
        record = {k: v for k, v in dict(snapshot).items() if k not in ("area_code", "area_name")}
        version = await apply_landscape(session, code, expected_version, record)
        await _record_revert(
            session,
            moderator,
            partnership_id=None,
            area_code=code,
            version=version,
            to_version=to_version,
            expected_version=expected_version,
            reason=reason,
            subject=f"landscape of {code}",
            area=code,
        )
        await session.commit()
    except (IntegrityError, DBAPIError) as exc:
        await session.rollback()
        raise Conflict(
            "That version cannot be restored as it stands (the database refused it)."
        ) from exc
    except BaseException:
        await session.rollback()
        raise
    return Applied("revert", None, code, version)
