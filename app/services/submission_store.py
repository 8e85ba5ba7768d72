"""Suggestions in the database: current records, member look-ups, likely duplicates, storing and reading back.

Reads go through the app's async session; writes happen inside the caller's transaction.
"""

from __future__ import annotations

import hmac
import re
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import NotFound
from app.queries import areas as area_q
from app.queries import audit as audit_q
from app.queries import submissions as submission_q
from app.queries.submissions import Duplicate as Duplicate
from app.queries.submissions import SubmissionRow as SubmissionRow
from app.services.hashing import hash_token
from app.services.records import (
    LANDSCAPE_LEVELS,
    MAX_NAME,
    RECORD_FIELDS,
    REFERENCE_ALPHABET,
    ValidSubmission,
)
from app.services.submission_fields import Errors, clean
from app.services.submission_validation import MemberLookup, member_key
from app.settings import Settings


async def partnership_snapshot(session: AsyncSession, partnership_id: int) -> dict[str, Any] | None:
    """The current record of a partnership, in the shape stored in ``revision.snapshot``."""
    return await submission_q.partnership_snapshot(session, partnership_id)


async def partnership_by_slug(session: AsyncSession, slug: str) -> dict[str, Any]:
    """The current record of the partnership with this slug; ``NotFound`` if none."""
    # PostgreSQL text cannot hold NUL, so such a slug names nothing (rather than failing).
    pid = None if "\x00" in slug else await submission_q.partnership_id(session, slug[:200])
    snapshot = await partnership_snapshot(session, pid) if pid is not None else None
    if snapshot is None:
        raise NotFound(f"No partnership is called {slug[:80]!r}")
    return snapshot


async def landscape_record(session: AsyncSession, area_code: str) -> dict[str, Any] | None:
    """An area's current landscape record (the snapshot revisions hold), if it has one."""
    return await submission_q.landscape_snapshot(session, area_code)


@dataclass(frozen=True)
class LandscapeTarget:
    """An area whose local landscape a suggestion may describe, with its current record."""

    code: str
    name: str
    current: dict[str, Any] | None


async def landscape_target(session: AsyncSession, code: str) -> LandscapeTarget:
    """The LA or combined authority with this code and its landscape record; ``NotFound`` for
    any other code."""
    ref = await area_q.area(session, code.strip().upper())
    if ref is None or ref.level not in LANDSCAPE_LEVELS:
        raise NotFound("Choose a local authority or combined authority from its area page")
    return LandscapeTarget(ref.code, ref.name, await landscape_record(session, ref.code))


async def resolve_members(
    session: AsyncSession,
    errors: Errors,
    members: list[dict[str, Any]],
    lookups: list[MemberLookup],
    current: dict[str, Any] | None,
) -> None:
    """Fill in school and trust names from GIAS; keep a known member's snapshot if it has gone."""
    urns = [lk.number for lk in lookups if lk.kind == "school"]
    uids = [lk.number for lk in lookups if lk.kind == "trust"]
    schools = await submission_q.school_names(session, urns) if urns else {}
    trusts = await submission_q.trust_names(session, uids) if uids else {}
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


MAX_DUPLICATES = 6


async def likely_duplicates(
    session: AsyncSession,
    name: str,
    area: str | None,
    theme: str | None,
    website: str | None = None,
) -> list[Duplicate]:
    """The few partnerships most like a new one: by name, area (and theme) and website, best first."""
    name = clean(name, single_line=True)[:MAX_NAME]
    area = clean(area, single_line=True).upper()[:12] if area else ""
    theme = clean(theme, single_line=True)[:60] if theme else ""
    website = clean(website, single_line=True)[:500] if website else ""
    if not name and not area and not website:
        return []
    return await submission_q.likely_duplicates(session, name, area, theme, website, MAX_DUPLICATES)


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


def stored_proposal(valid: ValidSubmission) -> dict[str, Any]:
    """The proposal a submission stores: a landscape note whole, a partnership's record fields and lists."""
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
    **detail: object,
) -> None:
    """Write one audit row (inside the caller's transaction)."""
    await audit_q.audit(
        session, action, detail, moderator_id=moderator_id, submission_id=submission_id
    )


async def load_by_reference(session: AsyncSession, reference: str) -> SubmissionRow:
    """A submission by its reference, with its partnership and area names; ``NotFound`` if none."""
    ref = normalise_reference(reference)
    row = await submission_q.by_reference(session, ref) if ref else None
    if row is None:
        raise NotFound("No suggestion has this reference")
    return row


async def load_with_token(
    session: AsyncSession, reference: str, token: str | None
) -> SubmissionRow:
    """A submission, when the token of its private link is right; ``NotFound`` otherwise."""
    if not token or len(token) > 100:
        raise NotFound("No suggestion has this reference, or the link is incomplete")
    row = await load_by_reference(session, reference)
    if not hmac.compare_digest(row.token_hash, hash_token(token)):
        raise NotFound("No suggestion has this reference, or the link is incomplete")
    return row
