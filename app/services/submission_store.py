"""Suggestions in the database: current records, member look-ups, likely duplicates, storing and reading back.

Reads go through the app's async session; writes happen inside the caller's transaction.
"""

from __future__ import annotations

import hmac
import json
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import NotFound
from app.schemas import (
    SUBMISSION_STATUS_LABELS,
)
from app.services import snapshots
from app.services.hashing import hash_token
from app.services.records import (
    MAX_NAME,
    RECORD_FIELDS,
    REFERENCE_ALPHABET,
    SQL_DIR,
    ValidSubmission,
)
from app.services.submission_fields import Errors, clean
from app.services.submission_validation import _Lookup, member_key
from app.settings import Settings

_SNAPSHOT_SQL = text(snapshots.SNAPSHOT_QUERY)


async def partnership_snapshot(session: AsyncSession, partnership_id: int) -> dict[str, Any] | None:
    """The current record of a partnership, in the shape stored in ``revision.snapshot``."""
    row = (await session.execute(_SNAPSHOT_SQL, {"ids": [partnership_id]})).one_or_none()
    return dict(row[1]) if row else None


async def partnership_by_slug(session: AsyncSession, slug: str) -> dict[str, Any]:
    """The current record of the partnership with this slug; ``NotFound`` if none."""
    # PostgreSQL text cannot hold NUL, so such a slug names nothing (rather than failing).
    pid = (
        None
        if "\x00" in slug
        else (
            await session.execute(
                text("SELECT id FROM partnership WHERE slug = :s"), {"s": slug[:200]}
            )
        ).scalar_one_or_none()
    )
    snapshot = await partnership_snapshot(session, pid) if pid is not None else None
    if snapshot is None:
        raise NotFound(f"No partnership is called {slug[:80]!r}")
    return snapshot


_LANDSCAPE_SNAPSHOT = text(
    (
        Path(__file__).resolve().parent.parent / "queries" / "sql" / "landscape_snapshot.sql"
    ).read_text()
)


async def landscape_record(session: AsyncSession, area_code: str) -> dict[str, Any] | None:
    """An area's current landscape record (the snapshot revisions hold), if it has one."""
    row = (await session.execute(_LANDSCAPE_SNAPSHOT, {"codes": [area_code]})).one_or_none()
    return dict(row.snapshot) if row else None


async def resolve_members(
    session: AsyncSession,
    errors: Errors,
    members: list[dict[str, Any]],
    lookups: list[_Lookup],
    current: dict[str, Any] | None,
) -> None:
    """Fill in school and trust names from GIAS; keep a known member's snapshot if it has gone."""
    urns = [lk.number for lk in lookups if lk.kind == "school"]
    uids = [lk.number for lk in lookups if lk.kind == "trust"]
    schools: dict[int, str] = {}
    trusts: dict[int, str] = {}
    if urns:
        rows = await session.execute(
            text("SELECT urn, name FROM school WHERE urn = ANY(:u)"), {"u": urns}
        )
        schools = {r.urn: r.name for r in rows}
    if uids:
        rows = await session.execute(
            text("SELECT uid, name FROM trust WHERE uid = ANY(:u)"), {"u": uids}
        )
        trusts = {r.uid: r.name for r in rows}
    known = {member_key(m): m for m in (current or {}).get("members") or []}
    for lk in lookups:
        member = members[lk.index]
        found = (schools if lk.kind == "school" else trusts).get(lk.number)
        if found:
            member["name"] = found
            continue
        previous = known.get(member_key(member))
        if previous is not None:
            # A closed school has left the register; the record keeps the name it had.
            member["name"] = previous.get("name") or member["name"]
            continue
        if lk.kind == "school":
            errors.add(
                lk.path,
                f"No open school has the URN {lk.number}. Check it on Get Information about Schools",
            )
        else:
            errors.add(
                lk.path,
                f"No academy trust has the UID {lk.number}. Check it on Get Information about Schools",
            )


_DUPLICATES_SQL = text((SQL_DIR / "submission_duplicates.sql").read_text())


MAX_DUPLICATES = 6


async def likely_duplicates(
    session: AsyncSession,
    name: str,
    area: str | None,
    theme: str | None,
    website: str | None = None,
) -> list[dict[str, Any]]:
    """The few partnerships most like a new one: by name, area (and theme) and website, best first."""
    name = clean(name, single_line=True)[:MAX_NAME]
    area = clean(area, single_line=True).upper()[:12] if area else ""
    theme = clean(theme, single_line=True)[:60] if theme else ""
    website = clean(website, single_line=True)[:500] if website else ""
    if not name and not area and not website:
        return []
    params = {
        "name": name,
        "area": area,
        "theme": theme,
        "website": website,
        "limit": MAX_DUPLICATES,
    }
    rows = await session.execute(_DUPLICATES_SQL, params)
    return [dict(r._mapping) for r in rows]


@dataclass(frozen=True)
class Created:
    """A stored suggestion: its reference and the private token of its status link."""

    reference: str
    token: str
    status: str


def new_reference() -> str:
    """A short, unguessable reference such as ``PM-7KQ2-M9XD``."""
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"PM-{chars[:4]}-{chars[4:]}"


def normalise_reference(reference: str) -> str:
    """A reference as typed (any case, spaces, O for 0…) in its canonical form, or '' if malformed."""
    ref = re.sub(r"[\s-]", "", reference.upper())
    if len(ref) == 10 and ref.startswith("PM"):
        ref = ref[2:]
    ref = ref.translate(str.maketrans("OIL", "011"))
    if len(ref) != 8 or any(c not in REFERENCE_ALPHABET for c in ref):
        return ""
    return f"PM-{ref[:4]}-{ref[4:]}"


def status_path(reference: str, token: str) -> str:
    """The private status page of a suggestion (relative URL)."""
    return f"/submissions/{reference}?token={token}"


def status_url(settings: Settings, reference: str, token: str) -> str:
    """The private status page of a suggestion (absolute URL)."""
    return settings.public_base_url.rstrip("/") + status_path(reference, token)


def _stored_proposal(valid: ValidSubmission) -> dict[str, Any]:
    record = dict(valid.record)
    if valid.kind == "landscape":
        return record
    return {k: record.get(k) for k in (*RECORD_FIELDS, "themes", "areas", "members")}


async def audit(
    session: AsyncSession,
    action: str,
    *,
    submission_id: int | None = None,
    moderator_id: int | None = None,
    **detail: Any,
) -> None:
    """Write one audit row (inside the caller's transaction)."""
    await session.execute(
        text(
            "INSERT INTO audit_log (submission_id, moderator_id, action, detail)"
            " VALUES (:s, :m, :a, CAST(:d AS jsonb))"
        ),
        {"s": submission_id, "m": moderator_id, "a": action, "d": json.dumps(detail, default=str)},
    )


_STATUS_SQL = text((SQL_DIR / "submission_status.sql").read_text())


async def load_by_reference(session: AsyncSession, reference: str) -> dict[str, Any]:
    """A submission by its reference, with its partnership and area names; ``NotFound`` if none."""
    ref = normalise_reference(reference)
    row = (await session.execute(_STATUS_SQL, {"ref": ref})).one_or_none() if ref else None
    if row is None:
        raise NotFound("No suggestion has this reference")
    return dict(row._mapping)


async def load_with_token(
    session: AsyncSession, reference: str, token: str | None
) -> dict[str, Any]:
    """A submission, when the token of its private link is right; ``NotFound`` otherwise."""
    if not token or len(token) > 100:
        raise NotFound("No suggestion has this reference, or the link is incomplete")
    row = await load_by_reference(session, reference)
    if not hmac.compare_digest(row["token_hash"], hash_token(token)):
        raise NotFound("No suggestion has this reference, or the link is incomplete")
    row["status_label"] = SUBMISSION_STATUS_LABELS.get(row["status"], row["status"])
    return row
