"""The moderation queue and the review of one submission beside the live record."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app.queries.vocab import load_vocabulary
from app.schemas import SUBMISSION_KIND_LABELS, SUBMISSION_STATUS_LABELS
from app.services import submission_fields, submission_store
from app.services.record_diff import (
    LANDSCAPE_EXTRA_FIELDS,
    RecordDiff,
    diff_records,
    three_way_merge,
)

SQL_DIR = Path(__file__).resolve().parent.parent / "queries" / "sql"
QUEUE_LIMIT = 200

_QUEUE_SQL = text((SQL_DIR / "moderation_queue.sql").read_text())
_COUNTS_SQL = text((SQL_DIR / "moderation_counts.sql").read_text())


@dataclass
class Queue:
    """Submissions matching the filters, oldest first, with counts by status and kind."""

    items: list[dict[str, Any]]
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
    rows = (await session.execute(_QUEUE_SQL, {**params, "limit": QUEUE_LIMIT + 1})).all()
    counts = (await session.execute(_COUNTS_SQL, {"kind": kind, "area": area})).all()
    by_status = dict.fromkeys(SUBMISSION_STATUS_LABELS, 0)
    by_kind = dict.fromkeys(SUBMISSION_KIND_LABELS, 0)
    for row in counts:
        by_status[row.status] = by_status.get(row.status, 0) + row.n
        if status in ("", row.status):
            by_kind[row.kind] = by_kind.get(row.kind, 0) + row.n
    items = [dict(r._mapping) for r in rows[:QUEUE_LIMIT]]
    return Queue(items, by_status, by_kind, params, len(rows) > QUEUE_LIMIT)


# --- one submission -----------------------------------------------------------------------------


@dataclass
class Review:
    """Everything a moderator needs to decide on one submission."""

    submission: dict[str, Any]
    proposed: dict[str, Any]
    current: dict[str, Any] | None
    base: dict[str, Any] | None
    diff: RecordDiff
    stale: bool = False
    merged: dict[str, Any] | None = None
    merged_diff: RecordDiff | None = None
    since_base: RecordDiff | None = None
    conflicts: list[str] = field(default_factory=list)
    duplicates: list[dict[str, Any]] = field(default_factory=list)
    audit: list[dict[str, Any]] = field(default_factory=list)
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


async def _base_record(session: AsyncSession, submission: dict[str, Any]) -> dict[str, Any] | None:
    if submission["kind"] == "landscape":
        sql = "SELECT snapshot FROM revision WHERE area_code = :a AND partnership_id IS NULL AND version = :v"
        params: dict[str, Any] = {"a": submission["area_code"], "v": submission["base_version"]}
    else:
        sql = "SELECT snapshot FROM revision WHERE partnership_id = :p AND version = :v"
        params = {"p": submission["partnership_id"], "v": submission["base_version"]}
    snapshot = (await session.execute(text(sql), params)).scalar_one_or_none()
    return dict(snapshot) if snapshot else None


async def _current_record(
    session: AsyncSession, submission: dict[str, Any]
) -> dict[str, Any] | None:
    if submission["kind"] == "landscape":
        return await submission_store.landscape_record(session, submission["area_code"])
    if submission["partnership_id"] is None:
        return None
    return await submission_store.partnership_snapshot(session, submission["partnership_id"])


async def review(session: AsyncSession, reference: str) -> Review:
    """A submission beside the live record, as a diff; a three-way view when it is stale."""
    sub = await submission_store.load_by_reference(session, reference)
    kinds, themes = await vocabulary_labels(session)
    proposed = dict(sub["proposed"])
    current = await _current_record(session, sub)
    pending = sub["status"] in ("pending", "needs_info")
    result = Review(
        sub,
        proposed,
        current,
        None,
        diff_records(current, proposed, kinds, themes),
        kinds=kinds,
        themes=themes,
    )
    if sub["kind"] == "new" and pending:
        areas = [a["code"] for a in proposed.get("areas") or []]
        result.duplicates = await submission_store.likely_duplicates(
            session,
            proposed.get("name") or "",
            areas[0] if areas else None,
            None,
            proposed.get("website") or None,
        )
    if pending and sub["kind"] != "new" and current is not None:
        base_version = sub["base_version"] or 0
        result.stale = int(current.get("version") or 0) != base_version
    elif pending and sub["kind"] == "landscape":
        result.stale = (sub["base_version"] or 0) != 0
    if result.stale:
        base = await _base_record(session, sub) or {}
        result.base = base
        if sub["kind"] == "landscape":
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
    audit_rows = await session.execute(
        text(
            "SELECT l.action, l.detail, l.created_at, m.email AS moderator_email"
            " FROM audit_log l LEFT JOIN moderator m ON m.id = l.moderator_id"
            " WHERE l.submission_id = :s ORDER BY l.created_at, l.id"
        ),
        {"s": sub["id"]},
    )
    result.audit = [dict(r._mapping) for r in audit_rows]
    return result
