"""The moderation queue and the review of one submission beside the live record."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.queries import moderation as moderation_q
from app.queries.moderation import AuditEntry, QueueItem
from app.queries.submissions import Duplicate, SubmissionRow
from app.queries.vocab import load_vocabulary
from app.schemas import SUBMISSION_KIND_LABELS, SUBMISSION_STATUS_LABELS
from app.services import submission_fields, submission_store
from app.services.record_diff import (
    LANDSCAPE_EXTRA_FIELDS,
    RecordDiff,
    diff_records,
    three_way_merge,
)

QUEUE_LIMIT = 200


@dataclass
class Queue:
    """Submissions matching the filters, oldest first, with counts by status and kind."""

    items: list[QueueItem]
    by_status: dict[str, int]
    by_kind: dict[str, int]
    filters: dict[str, str]
    truncated: bool


async def queue(
    session: AsyncSession, status: str = "pending", kind: str = "", area: str = ""
) -> Queue:
    """The moderation queue: oldest first, filtered by status, kind and area."""
    status = status if status in (*SUBMISSION_STATUS_LABELS, "") else "pending"
    kind = kind if kind in SUBMISSION_KIND_LABELS else ""
    area = submission_fields.clean(area, single_line=True).upper()[:12]
    params = {"status": status, "kind": kind, "area": area}
    rows = await moderation_q.queue_items(session, status, kind, area, QUEUE_LIMIT + 1)
    counts = await moderation_q.status_counts(session, kind, area)
    by_status = dict.fromkeys(SUBMISSION_STATUS_LABELS, 0)
    by_kind = dict.fromkeys(SUBMISSION_KIND_LABELS, 0)
    for row in counts:
        by_status[row.status] = by_status.get(row.status, 0) + row.n
        if status in ("", row.status):
            by_kind[row.kind] = by_kind.get(row.kind, 0) + row.n
    return Queue(rows[:QUEUE_LIMIT], by_status, by_kind, params, len(rows) > QUEUE_LIMIT)


# --- one submission -----------------------------------------------------------------------------


@dataclass
class Review:
    """Everything a moderator needs to decide on one submission."""

    submission: SubmissionRow
    proposed: dict[str, Any]
    current: dict[str, Any] | None
    base: dict[str, Any] | None
    diff: RecordDiff
    stale: bool = False
    merged: dict[str, Any] | None = None
    merged_diff: RecordDiff | None = None
    since_base: RecordDiff | None = None
    conflicts: list[str] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    audit: list[AuditEntry] = field(default_factory=list)
    kinds: dict[str, str] = field(default_factory=dict)
    themes: dict[str, str] = field(default_factory=dict)

    @property
    def current_version(self) -> int:
        """The live record's version (0 when there is none yet)."""
        return int((self.current or {}).get("version") or 0)


async def vocabulary_labels(session: AsyncSession) -> tuple[dict[str, str], dict[str, str]]:
    """The labels of partnership kinds and themes, by code."""
    known = await load_vocabulary(session)
    return known.kind_labels, known.theme_labels


async def _base_record(session: AsyncSession, submission: SubmissionRow) -> dict[str, Any] | None:
    version = submission.base_version or 0
    if submission.kind == "landscape":
        assert submission.area_code is not None
        return await moderation_q.landscape_revision(session, submission.area_code, version)
    assert submission.partnership_id is not None
    return await moderation_q.partnership_revision(session, submission.partnership_id, version)


async def _current_record(
    session: AsyncSession, submission: SubmissionRow
) -> dict[str, Any] | None:
    if submission.kind == "landscape":
        assert submission.area_code is not None
        return await submission_store.landscape_record(session, submission.area_code)
    if submission.partnership_id is None:
        return None
    return await submission_store.partnership_snapshot(session, submission.partnership_id)


async def review(session: AsyncSession, reference: str) -> Review:
    """A submission beside the live record, as a diff; a three-way view when it is stale."""
    sub = await submission_store.load_by_reference(session, reference)
    kinds, themes = await vocabulary_labels(session)
    proposed = dict(sub.proposed)
    current = await _current_record(session, sub)
    pending = sub.status in ("pending", "needs_info")
    result = Review(
        sub,
        proposed,
        current,
        None,
        diff_records(current, proposed, kinds, themes),
        kinds=kinds,
        themes=themes,
    )
    if sub.kind == "new" and pending:
        areas = [a["code"] for a in proposed.get("areas") or []]
        result.duplicates = await submission_store.likely_duplicates(
            session,
            proposed.get("name") or "",
            areas[0] if areas else None,
            None,
            proposed.get("website") or None,
        )
    if pending and sub.kind != "new" and current is not None:
        base_version = sub.base_version or 0
        result.stale = int(current.get("version") or 0) != base_version
    elif pending and sub.kind == "landscape":
        result.stale = (sub.base_version or 0) != 0
    if result.stale:
        base = await _base_record(session, sub) or {}
        result.base = base
        if sub.kind == "landscape":
            merged = {
                k: (current or {}).get(k) if proposed.get(k) == base.get(k) else proposed.get(k)
                for k in ("body", "council_role", *LANDSCAPE_EXTRA_FIELDS)
                if k in proposed
            }
            conflicts: list[str] = []
        else:
            merged, conflicts = three_way_merge(base, current or {}, proposed)
        result.merged, result.conflicts = merged, conflicts
        result.merged_diff = diff_records(current, merged, kinds, themes)
        result.since_base = diff_records(base, current or {}, kinds, themes)
        result.diff = diff_records(base, proposed, kinds, themes)
    result.audit = await moderation_q.audit_entries(session, sub.id)
    return result
