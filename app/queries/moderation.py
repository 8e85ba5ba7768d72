"""Data access for moderation: the queue, one submission locked for a decision, decisions,
revisions (history, the base of a stale suggestion, the Atom feed) and the audit trail.

Revision snapshots and proposals are JSON documents (the shape ``revision.snapshot`` holds),
returned as parsed JSON objects; every row is a frozen dataclass.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app.queries import sql, typed_one, typed_rows


@dataclass(frozen=True)
class LockedSubmission:
    """A submission locked (FOR UPDATE) while a moderator's decision is written."""

    id: int
    reference: str
    kind: str
    status: str
    partnership_id: int | None
    partnership_slug: str | None
    area_code: str | None
    base_version: int | None
    proposed: dict[str, Any]
    submitter_email: str
    evidence: str | None


@dataclass(frozen=True)
class PartnershipState:
    """A partnership's id, version and status, found by slug."""

    id: int
    version: int
    status: str


@dataclass(frozen=True)
class QueueItem:
    """A row of the moderation queue."""

    reference: str
    kind: str
    status: str
    created_at: dt.datetime
    updated_at: dt.datetime
    submitter_name: str
    submitter_organisation: str | None
    base_version: int | None
    area_code: str | None
    subject: str | None
    partnership_slug: str | None
    partnership_version: int | None
    stale: bool
    proposed_areas: str | None


@dataclass(frozen=True)
class StatusCount:
    """How many submissions have one status and kind."""

    status: str
    kind: str
    n: int


@dataclass(frozen=True)
class AuditEntry:
    """One step in a submission's audit trail."""

    action: str
    detail: dict[str, Any]
    created_at: dt.datetime
    moderator_email: str | None


@dataclass(frozen=True)
class RevisionRow:
    """One revision of a record, with who approved it and from which submission."""

    version: int
    snapshot: dict[str, Any]
    change: str
    created_at: dt.datetime
    moderator_email: str | None
    reference: str | None


@dataclass(frozen=True)
class FeedRow:
    """A moderated revision for the Atom feed, with the snapshot before it."""

    id: int
    partnership_id: int | None
    area_code: str | None
    version: int
    snapshot: dict[str, Any]
    change: str
    created_at: dt.datetime
    previous: dict[str, Any] | None
    area_name: str | None


async def lock_submission(session: AsyncSession, reference: str) -> LockedSubmission | None:
    """The submission with this canonical reference, locked for update, if any."""
    return await typed_one(
        session,
        LockedSubmission,
        "SELECT s.id, s.reference, s.kind, s.status, s.partnership_id,"
        " p.slug AS partnership_slug, s.area_code, s.base_version, s.proposed,"
        " s.submitter_email, s.evidence"
        " FROM submission s LEFT JOIN partnership p ON p.id = s.partnership_id"
        " WHERE s.reference = :r FOR UPDATE OF s",
        r=reference,
    )


async def mark_approved(
    session: AsyncSession,
    submission_id: int,
    moderator_id: int,
    note: str | None,
    private_note: str | None,
    partnership_id: int | None,
) -> None:
    """Mark a submission approved (and linked to the partnership it made)."""
    await session.execute(
        text(
            "UPDATE submission SET status = 'approved', moderator_id = :m, moderator_note = :n,"
            " private_note = coalesce(:pn, private_note), decided_at = now(), updated_at = now(),"
            " partnership_id = coalesce(partnership_id, :p) WHERE id = :id"
        ),
        {
            "m": moderator_id,
            "n": note,
            "pn": private_note,
            "p": partnership_id,
            "id": submission_id,
        },
    )


async def mark_decided(
    session: AsyncSession,
    submission_id: int,
    to_status: str,
    moderator_id: int,
    note: str | None,
    private_note: str | None,
) -> None:
    """Mark a submission rejected (decided now) or sent back for more information."""
    await session.execute(
        text(
            "UPDATE submission SET status = :st, moderator_id = :m, moderator_note = :n,"
            " private_note = coalesce(:pn, private_note), updated_at = now(),"
            " decided_at = CASE WHEN :st = 'rejected' THEN now() END WHERE id = :id"
        ),
        {"st": to_status, "m": moderator_id, "n": note, "pn": private_note, "id": submission_id},
    )


async def partnership_state(session: AsyncSession, slug: str) -> PartnershipState | None:
    """The id, version and status of the partnership with this slug, if any."""
    row = (
        await session.execute(
            text("SELECT id, version, status FROM partnership WHERE slug = :s"), {"s": slug}
        )
    ).one_or_none()
    return PartnershipState(row.id, row.version, row.status) if row else None


async def queue_items(
    session: AsyncSession, status: str, kind: str, area: str, limit: int
) -> list[QueueItem]:
    """Submissions matching the filters ('' = any), oldest first (``moderation_queue.sql``)."""
    return await typed_rows(
        session,
        QueueItem,
        sql("moderation_queue"),
        status=status,
        kind=kind,
        area=area,
        limit=limit,
    )


async def status_counts(session: AsyncSession, kind: str, area: str) -> list[StatusCount]:
    """Counts of submissions by status and kind under the kind and area filters."""
    rows = await session.execute(sql("moderation_counts"), {"kind": kind, "area": area})
    return [StatusCount(r.status, r.kind, int(r.n)) for r in rows]


async def partnership_revision(
    session: AsyncSession, partnership_id: int, version: int
) -> dict[str, Any] | None:
    """The snapshot a partnership's revision holds, if that version exists."""
    snapshot = (
        await session.execute(
            text("SELECT snapshot FROM revision WHERE partnership_id = :p AND version = :v"),
            {"p": partnership_id, "v": version},
        )
    ).scalar_one_or_none()
    return dict(snapshot) if snapshot is not None else None


async def landscape_revision(
    session: AsyncSession, area_code: str, version: int
) -> dict[str, Any] | None:
    """The snapshot an area's landscape revision holds, if that version exists."""
    snapshot = (
        await session.execute(
            text(
                "SELECT snapshot FROM revision"
                " WHERE area_code = :a AND partnership_id IS NULL AND version = :v"
            ),
            {"a": area_code, "v": version},
        )
    ).scalar_one_or_none()
    return dict(snapshot) if snapshot is not None else None


async def audit_entries(session: AsyncSession, submission_id: int) -> list[AuditEntry]:
    """A submission's audit trail, oldest first."""
    return await typed_rows(
        session,
        AuditEntry,
        "SELECT l.action, l.detail, l.created_at, m.email AS moderator_email"
        " FROM audit_log l LEFT JOIN moderator m ON m.id = l.moderator_id"
        " WHERE l.submission_id = :s ORDER BY l.created_at, l.id",
        s=submission_id,
    )


async def partnership_revisions(session: AsyncSession, partnership_id: int) -> list[RevisionRow]:
    """Every revision of a partnership, oldest first (``moderation_history.sql``)."""
    return await typed_rows(session, RevisionRow, sql("moderation_history"), p=partnership_id)


async def landscape_revisions(session: AsyncSession, area_code: str) -> list[RevisionRow]:
    """Every revision of an area's landscape, oldest first (``landscape_history.sql``)."""
    return await typed_rows(session, RevisionRow, sql("landscape_history"), a=area_code)


async def feed_rows(session: AsyncSession, area: str, theme: str, limit: int) -> list[FeedRow]:
    """Moderated revisions for the Atom feed, newest first (``moderation_feed.sql``)."""
    return await typed_rows(
        session, FeedRow, sql("moderation_feed"), area=area, theme=theme, limit=limit
    )


async def area_name(session: AsyncSession, code: str) -> str | None:
    """The name of the area with this GSS code, if any."""
    name = (
        await session.execute(text("SELECT name FROM area WHERE code = :c"), {"c": code})
    ).scalar_one_or_none()
    return None if name is None else str(name)


async def theme_label(session: AsyncSession, code: str) -> str | None:
    """The label of the theme with this code, if any."""
    label = (
        await session.execute(text("SELECT label FROM theme WHERE code = :c"), {"c": code})
    ).scalar_one_or_none()
    return None if label is None else str(label)
