"""Moderation: the queue, diffs against the live record, decisions, history and revert.

Approval applies a suggestion in one transaction: the partnership row is updated only if its
version is still the one the suggestion (or the moderator's rebase) was based on
(``UPDATE … WHERE id = … AND version = …``), so a stale proposal becomes a ``Conflict`` and never
overwrites a newer change. The same transaction writes an immutable revision, marks the
submission approved, writes the audit row and bumps the data version, so public caches refresh
at once, or, if anything fails, none of it happens.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.queries.vocab import load_vocabulary
from app.schemas import (
    COUNCIL_ROLE_LABELS,
    MEMBER_ROLE_LABELS,
    MEMBER_TYPE_LABELS,
    PARTNERSHIP_STATUS_LABELS,
    SUBMISSION_KIND_LABELS,
    SUBMISSION_STATUS_LABELS,
)
from app.services import notifications, records, submission_fields, submission_store
from app.services.accounts import ModeratorIdentity
from app.services.records import RECORD_FIELDS
from app.services.submission_store import audit
from app.services.submission_validation import member_key
from app.services.versions import bump_data_version
from app.settings import Settings
from app.slugs import slugify, unique_slug

SQL_DIR = Path(__file__).resolve().parent.parent / "queries" / "sql"
QUEUE_LIMIT = 200
MAX_NOTE = 2000

FIELD_LABELS = {
    "name": "Name",
    "kind": "Kind",
    "summary": "Summary",
    "lead_organisation": "Lead organisation",
    "website": "Website",
    "contact_email": "Contact email",
    "founded_year": "Founded",
    "status": "Status",
    "themes": "Themes",
    "areas": "Areas served",
    "members": "Members",
    "body": "Description",
    "council_role": "What the council does",
    "provider_name": "Who delivers it",
    "provider_url": "Provider's page",
    "collaboration_forms": "Forms of collaboration",
    "source_url": "Source",
    "source_date": "Source dated",
    "confidence": "Confidence",
}
# A landscape record's fields beyond its text and role: written when a change carries them.
LANDSCAPE_EXTRA_FIELDS = (
    "provider_name",
    "provider_url",
    "collaboration_forms",
    "source_url",
    "source_title",
    "source_date",
    "confidence",
    "checked_on",
)
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
CONFIRMED_CHANGE = "confirmed still running"


class StaleRecord(Conflict):
    """The record has moved on from the version a change was based on."""


# --- diffs and merges ---------------------------------------------------------------------------


@dataclass
class FieldChange:
    """One field's old and new value."""

    name: str
    label: str
    old: Any
    new: Any

    @property
    def changed(self) -> bool:
        """Whether the value differs."""
        return bool(self.old != self.new)


@dataclass
class ListChange:
    """A set-like field's additions and removals (and, for members, changed details)."""

    name: str
    label: str
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[tuple[str, str]] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)

    @property
    def any(self) -> bool:
        """Whether anything was added, removed or changed."""
        return bool(self.added or self.removed or self.changed)


@dataclass
class RecordDiff:
    """A record compared with another, field by field."""

    fields: list[FieldChange]
    lists: list[ListChange]

    @property
    def changed_labels(self) -> list[str]:
        """The labels of the fields that differ, in form order."""
        return [f.label for f in self.fields if f.changed] + [c.label for c in self.lists if c.any]

    @property
    def changed(self) -> bool:
        """Whether the records differ at all."""
        return bool(self.changed_labels)


def describe_member(member: dict[str, Any]) -> str:
    """A member as one line of text: name, type, reference, role and dates."""
    kind = member.get("member_type") or "other"
    bits = [MEMBER_TYPE_LABELS.get(kind, kind).split(" (")[0]]
    if member.get("urn"):
        bits.append(f"URN {member['urn']}")
    if member.get("trust_uid"):
        bits.append(f"UID {member['trust_uid']}")
    if member.get("area_code"):
        bits.append(str(member["area_code"]))
    if member.get("role"):
        bits.append(MEMBER_ROLE_LABELS.get(member["role"], member["role"]).lower())
    if member.get("joined_on"):
        bits.append(f"joined {member['joined_on']}")
    if member.get("left_on"):
        bits.append(f"left {member['left_on']}")
    return f"{member.get('name') or '(no name)'} ({', '.join(bits)})"


def _display(field_name: str, value: Any, labels: dict[str, dict[str, str]]) -> Any:
    if value is None or value == "":
        return None
    if isinstance(value, list):  # a landscape's forms of collaboration
        return "; ".join(str(v).replace("_", " ") for v in value) or None
    table = labels.get(field_name)
    return table.get(value, value) if table else value


def diff_records(
    old: dict[str, Any] | None,
    new: dict[str, Any],
    kind_labels: dict[str, str] | None = None,
    theme_labels: dict[str, str] | None = None,
) -> RecordDiff:
    """Compare two records (partnership snapshots or landscape notes); ``old`` None means new."""
    old = old or {}
    labels = {
        "kind": kind_labels or {},
        "status": PARTNERSHIP_STATUS_LABELS,
        "council_role": COUNCIL_ROLE_LABELS,
    }
    if "body" in new or "body" in old:
        # A suggestion carries only some fields; compare those, never a field it leaves alone.
        names: tuple[str, ...] = (
            "body",
            "council_role",
            *(f for f in LANDSCAPE_EXTRA_FIELDS if f in new and f in FIELD_LABELS),
        )
        return RecordDiff(
            [
                FieldChange(
                    f,
                    FIELD_LABELS[f],
                    _display(f, old.get(f), labels),
                    _display(f, new.get(f), labels),
                )
                for f in names
            ],
            [],
        )
    fields = [
        FieldChange(
            f, FIELD_LABELS[f], _display(f, old.get(f), labels), _display(f, new.get(f), labels)
        )
        for f in RECORD_FIELDS
    ]
    themes = theme_labels or {}
    old_themes, new_themes = set(old.get("themes") or []), set(new.get("themes") or [])
    theme_change = ListChange(
        "themes",
        FIELD_LABELS["themes"],
        added=sorted(themes.get(t, t) for t in new_themes - old_themes),
        removed=sorted(themes.get(t, t) for t in old_themes - new_themes),
        kept=sorted(themes.get(t, t) for t in new_themes & old_themes),
    )
    old_areas = {a["code"]: a for a in old.get("areas") or []}
    new_areas = {a["code"]: a for a in new.get("areas") or []}

    def area_name(a: dict[str, Any]) -> str:
        return f"{a.get('name') or a['code']} ({a['code']})"

    area_change = ListChange(
        "areas",
        FIELD_LABELS["areas"],
        added=[area_name(a) for c, a in new_areas.items() if c not in old_areas],
        removed=[area_name(a) for c, a in old_areas.items() if c not in new_areas],
        kept=[area_name(a) for c, a in new_areas.items() if c in old_areas],
    )
    old_members = {member_key(m): m for m in old.get("members") or []}
    new_members = {member_key(m): m for m in new.get("members") or []}
    member_change = ListChange("members", FIELD_LABELS["members"])
    for key, member in new_members.items():
        before = old_members.get(key)
        if before is None:
            member_change.added.append(describe_member(member))
        elif _member_facts(before) != _member_facts(member):
            member_change.changed.append((describe_member(before), describe_member(member)))
        else:
            member_change.kept.append(describe_member(member))
    member_change.removed = [
        describe_member(m) for k, m in old_members.items() if k not in new_members
    ]
    return RecordDiff(fields, [theme_change, area_change, member_change])


def _member_facts(member: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(member.get(k) for k in records.MEMBER_COMPARED)


def three_way_merge(
    base: dict[str, Any], current: dict[str, Any], proposed: dict[str, Any]
) -> tuple[dict[str, Any], list[str]]:
    """Apply what the proposal changed (relative to ``base``) onto ``current``.

    Returns the merged record and the labels of fields both sides changed differently (the
    proposal wins there, and the moderator is told to check them).
    """
    merged: dict[str, Any] = {}
    conflicts: list[str] = []
    for f in RECORD_FIELDS:
        b, c, p = base.get(f), current.get(f), proposed.get(f)
        if p == b:
            merged[f] = c
        else:
            merged[f] = p
            if c not in (b, p):
                conflicts.append(FIELD_LABELS[f])
    b_themes, c_themes, p_themes = (set(r.get("themes") or []) for r in (base, current, proposed))
    merged["themes"] = sorted((c_themes | (p_themes - b_themes)) - (b_themes - p_themes))
    b_areas = {a["code"] for a in base.get("areas") or []}
    p_areas = {a["code"]: a for a in proposed.get("areas") or []}
    areas = [
        a
        for a in current.get("areas") or []
        if not (a["code"] in b_areas and a["code"] not in p_areas)
    ]
    codes = {a["code"] for a in areas}
    areas += [a for code, a in p_areas.items() if code not in b_areas and code not in codes]
    merged["areas"] = areas
    b_members = {member_key(m): m for m in base.get("members") or []}
    p_members = {member_key(m): m for m in proposed.get("members") or []}
    members: list[dict[str, Any]] = []
    for m in current.get("members") or []:
        key = member_key(m)
        if key in b_members and key not in p_members:
            continue  # the proposal removed it
        if (
            key in b_members
            and key in p_members
            and _member_facts(p_members[key]) != _member_facts(b_members[key])
        ):
            if _member_facts(m) not in (
                _member_facts(b_members[key]),
                _member_facts(p_members[key]),
            ):
                conflicts.append(f"Member {m.get('name')}")
            members.append(p_members[key])
        else:
            members.append(m)
    seen = {member_key(m) for m in members}
    members += [m for k, m in p_members.items() if k not in b_members and k not in seen]
    merged["members"] = members
    return merged, conflicts


# --- the queue ----------------------------------------------------------------------------------

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


# --- decisions ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Applied:
    """What an approval or revert changed: where to see it, and its new version."""

    kind: str
    slug: str | None
    area_code: str | None
    version: int


async def _lock_submission(session: AsyncSession, reference: str) -> dict[str, Any]:
    ref = submission_store.normalise_reference(reference)
    row = (
        await session.execute(
            text(
                "SELECT s.*, p.slug AS partnership_slug FROM submission s"
                " LEFT JOIN partnership p ON p.id = s.partnership_id"
                " WHERE s.reference = :r FOR UPDATE OF s"
            ),
            {"r": ref},
        )
    ).one_or_none()
    if row is None:
        raise NotFound("No suggestion has this reference")
    return dict(row._mapping)


def _clean_note(note: str | None, label: str, required: bool) -> str | None:
    value = submission_fields.clean(note)
    if required and not value:
        raise InvalidInput(f"Enter {label}", [{"field": "note", "message": f"Enter {label}"}])
    if len(value) > MAX_NOTE:
        raise InvalidInput(
            f"The note must be {MAX_NOTE:,} characters or fewer",
            [{"field": "note", "message": f"The note must be {MAX_NOTE:,} characters or fewer"}],
        )
    return value or None


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


CHANGE_TEXT = {
    "new": "added from a suggestion",
    "amend": "corrected from a suggestion",
    "close": "closed from a suggestion",
    "landscape": "description updated from a suggestion",
}


async def approve(
    session: AsyncSession,
    settings: Settings,
    moderator: ModeratorIdentity,
    reference: str,
    *,
    record: dict[str, Any] | None = None,
    base_version: int | None = None,
    note: str | None = None,
    private_note: str | None = None,
) -> Applied:
    """Apply a submission (or the moderator's edit of it) and publish it, all or nothing.

    The change is checked against the version the suggestion was based on, read here from the
    submission itself. Only a moderator's own edit (``record``) rebased onto a newer record may
    name another ``base_version``: the one they edited against. A record that has moved on since
    raises ``Conflict``; a ``base_version`` sent with an unedited approval is ignored, so a
    hand-made request cannot approve an old suggestion over a newer change.
    """
    try:
        applied = await _approve(
            session, moderator, reference, record, base_version, note, private_note
        )
        await session.commit()
    except (IntegrityError, DBAPIError) as exc:
        await session.rollback()
        raise Conflict(
            "The change could not be applied as it stands (the database refused it). Edit it "
            "and try again.",
            [
                {
                    "field": "",
                    "message": str(exc.orig).splitlines()[0][:300] if exc.orig else "refused",
                }
            ],
        ) from exc
    except BaseException:
        await session.rollback()
        raise
    await _notify_decision(session, settings, reference)
    return applied


async def _approve(
    session: AsyncSession,
    moderator: ModeratorIdentity,
    reference: str,
    record: dict[str, Any] | None,
    base_version: int | None,
    note: str | None,
    private_note: str | None,
) -> Applied:
    sub = await _lock_submission(session, reference)
    if sub["status"] not in ("pending", "needs_info"):
        raise Conflict(
            f"This suggestion has already been decided ({SUBMISSION_STATUS_LABELS[sub['status']].lower()})"
        )
    if sub["submitter_email"].strip().lower() == moderator.email.lower():
        raise Forbidden("You cannot approve your own suggestion; ask another moderator")
    kind = sub["kind"]
    edited = record is not None
    proposal = dict(record if record is not None else sub["proposed"])
    base = sub["base_version"]
    if record is not None and base_version is not None:
        base = base_version
    public_note = _clean_note(note, "a note", required=False)
    private = _clean_note(private_note, "a private note", required=False)
    partnership_id = sub["partnership_id"]
    slug: str | None = sub["partnership_slug"]
    area_code: str | None = sub["area_code"]
    if kind == "new":
        partnership_id, slug = await _create_partnership(
            session, {**proposal, "evidence": sub["evidence"]}, sub["reference"], moderator.id
        )
        await _write_links(session, partnership_id, proposal)
        version = 1
    elif kind in ("amend", "close"):
        if kind == "close":
            proposal["status"] = "ended"
        version, slug = await _update_partnership(
            session, partnership_id, base, proposal, verified_by=moderator.id
        )
    else:
        assert area_code is not None
        version = await _apply_landscape(session, area_code, base or 0, proposal)
    await _write_revision(
        session,
        partnership_id=partnership_id,
        area_code=area_code,
        version=version,
        change=CHANGE_TEXT[kind],
        moderator_id=moderator.id,
        submission_id=sub["id"],
    )
    await session.execute(
        text(
            "UPDATE submission SET status = 'approved', moderator_id = :m, moderator_note = :n,"
            " private_note = coalesce(:pn, private_note), decided_at = now(), updated_at = now(),"
            " partnership_id = coalesce(partnership_id, :p) WHERE id = :id"
        ),
        {"m": moderator.id, "n": public_note, "pn": private, "p": partnership_id, "id": sub["id"]},
    )
    await audit(
        session,
        "approved",
        submission_id=sub["id"],
        moderator_id=moderator.id,
        from_status=sub["status"],
        to_status="approved",
        edited=edited,
        applied_to_version=base,
        new_version=version,
        note=public_note,
    )
    await bump_data_version(session, f"approved {sub['reference']}")
    return Applied(kind, slug, area_code, version)


async def decide(
    session: AsyncSession,
    settings: Settings,
    moderator: ModeratorIdentity,
    reference: str,
    to_status: str,
    note: str | None,
    private_note: str | None = None,
) -> None:
    """Reject a submission, or send it back for more information, with a note for the submitter."""
    if to_status not in ("rejected", "needs_info"):
        raise InvalidInput("Choose reject or ask for more information")
    label = (
        "the reason (the submitter will see it)"
        if to_status == "rejected"
        else "what you need to know"
    )
    public_note = _clean_note(note, label, required=True)
    private = _clean_note(private_note, "a private note", required=False)
    try:
        sub = await _lock_submission(session, reference)
        allowed = ("pending", "needs_info") if to_status == "rejected" else ("pending",)
        if sub["status"] not in allowed:
            raise Conflict(
                f"This suggestion is {SUBMISSION_STATUS_LABELS[sub['status']].lower()}, so it cannot be "
                f"{'rejected' if to_status == 'rejected' else 'sent back'} now"
            )
        await session.execute(
            text(
                "UPDATE submission SET status = :st, moderator_id = :m, moderator_note = :n,"
                " private_note = coalesce(:pn, private_note), updated_at = now(),"
                " decided_at = CASE WHEN :st = 'rejected' THEN now() END WHERE id = :id"
            ),
            {"st": to_status, "m": moderator.id, "n": public_note, "pn": private, "id": sub["id"]},
        )
        await audit(
            session,
            to_status,
            submission_id=sub["id"],
            moderator_id=moderator.id,
            from_status=sub["status"],
            to_status=to_status,
            note=public_note,
        )
        await session.commit()
    except BaseException:
        await session.rollback()
        raise
    await _notify_decision(session, settings, reference)


async def _notify_decision(session: AsyncSession, settings: Settings, reference: str) -> None:
    if not notifications.mail_enabled(settings):
        return
    sub = await submission_store.load_by_reference(session, reference)
    status = SUBMISSION_STATUS_LABELS.get(sub["status"], sub["status"])
    lines = [f"Your suggestion {reference} has a new status: {status}."]
    if sub["moderator_note"]:
        lines.append(f"\nThe moderator's note:\n{sub['moderator_note']}")
    if sub["status"] == "needs_info":
        lines.append(
            "\nUse the private link from our first email to add the details and send it again."
        )
    await notifications.send_mail(
        session,
        settings,
        sub["id"],
        sub["submitter_email"],
        f"Suggestion {reference}: {status}",
        "\n".join(lines),
    )


# --- history and revert -------------------------------------------------------------------------

_HISTORY_SQL = text((SQL_DIR / "moderation_history.sql").read_text())


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
    rows: Sequence[Any],
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
    await _write_revision(
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
    rows = (await session.execute(_HISTORY_SQL, {"p": current["id"]})).all()
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
    reason = _clean_note(note, "a reason", required=False)
    try:
        # PostgreSQL text cannot hold NUL, so such a slug names nothing (rather than failing).
        found = (
            None
            if "\x00" in slug
            else (
                await session.execute(
                    text("SELECT id, version FROM partnership WHERE slug = :s"), {"s": slug}
                )
            ).one_or_none()
        )
        if found is None:
            raise NotFound("No partnership has this address")
        pid = found.id
        snapshot = (
            await session.execute(
                text("SELECT snapshot FROM revision WHERE partnership_id = :p AND version = :v"),
                {"p": pid, "v": to_version},
            )
        ).scalar_one_or_none()
        if snapshot is None:
            raise NotFound(f"This partnership has no version {to_version}")
        if to_version == found.version:
            raise InvalidInput("That is already the current version")
        record = dict(snapshot)
        restored: dict[str, Any] = {f: record.get(f) for f in SOURCE_FIELDS}
        # The content's own dates come back with it (a snapshot older than these fields has none).
        for f in PROVENANCE_FIELDS:
            value = record.get(f)
            restored[f] = _date(value) if f in ("checked_on", "last_verified") else value
        version, slug = await _update_partnership(session, pid, expected_version, record, restored)
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

_LANDSCAPE_HISTORY_SQL = text((SQL_DIR / "landscape_history.sql").read_text())


async def landscape_history(
    session: AsyncSession, area_code: str
) -> tuple[dict[str, Any], list[HistoryEntry]]:
    """An area's current landscape record and its revisions, newest first; ``NotFound`` if none."""
    code = area_code.strip().upper()[:12]
    current = None if "\x00" in code else await submission_store.landscape_record(session, code)
    if current is None:
        raise NotFound("This area has no local landscape record")
    rows = (await session.execute(_LANDSCAPE_HISTORY_SQL, {"a": code})).all()
    return current, _history_entries(rows)


async def revert_landscape(
    session: AsyncSession,
    moderator: ModeratorIdentity,
    area_code: str,
    to_version: int,
    expected_version: int,
    note: str | None = None,
) -> Applied:
    """Restore an earlier revision of an area's landscape, as a new revision; ``Conflict`` if stale."""
    reason = _clean_note(note, "a reason", required=False)
    code = area_code.strip().upper()[:12]
    try:
        current = None if "\x00" in code else await submission_store.landscape_record(session, code)
        if current is None:
            raise NotFound("This area has no local landscape record")
        snapshot = (
            await session.execute(
                text(
                    "SELECT snapshot FROM revision"
                    " WHERE area_code = :a AND partnership_id IS NULL AND version = :v"
                ),
                {"a": code, "v": to_version},
            )
        ).scalar_one_or_none()
        if snapshot is None:
            raise NotFound(f"This area's landscape has no version {to_version}")
        if to_version == current["version"]:
            raise InvalidInput("That is already the current version")
        record = {k: v for k, v in dict(snapshot).items() if k not in ("area_code", "area_name")}
        version = await _apply_landscape(session, code, expected_version, record)
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


async def confirm_running(
    session: AsyncSession,
    moderator: ModeratorIdentity,
    slug: str,
    expected_version: int,
    note: str | None,
) -> Applied:
    """Record a moderator's check that a partnership is still running, with a note saying how.

    The record's checked and verified dates become today and the moderator is named as the
    verifier; its content is unchanged. A new revision records the check, so history shows it and
    a re-import leaves the record alone. ``Conflict`` if the record moved on or has ended.
    """
    how = _clean_note(note, "how you confirmed it (a page, a call…)", required=True)
    try:
        found = (
            None
            if "\x00" in slug
            else (
                await session.execute(
                    text("SELECT id, version, status FROM partnership WHERE slug = :s"),
                    {"s": slug},
                )
            ).one_or_none()
        )
        if found is None:
            raise NotFound("No partnership has this address")
        if found.status == "ended":
            raise Conflict(
                "This partnership is recorded as ended; correct its status through a suggestion"
            )
        row = (
            await session.execute(
                text(
                    "UPDATE partnership SET version = version + 1, checked_on = current_date,"
                    " last_verified = current_date, verified_by_id = :m, verification_note = :n,"
                    " moderated_at = now(), updated_at = now()"
                    " WHERE id = :id AND version = :base RETURNING version"
                ),
                {"m": moderator.id, "n": how, "id": found.id, "base": expected_version},
            )
        ).one_or_none()
        if row is None:
            raise StaleRecord(
                "The partnership has changed since you opened it. Reload the page and check again."
            )
        version = int(row.version)
        await _write_revision(
            session,
            partnership_id=found.id,
            area_code=None,
            version=version,
            change=f"{CONFIRMED_CHANGE}: {how}",
            moderator_id=moderator.id,
            submission_id=None,
        )
        await audit(
            session,
            "confirmed running",
            moderator_id=moderator.id,
            partnership=slug,
            new_version=version,
            note=how,
        )
        await bump_data_version(session, f"confirmed {slug} still running")
        await session.commit()
    except BaseException:
        await session.rollback()
        raise
    return Applied("confirm", slug, None, version)
