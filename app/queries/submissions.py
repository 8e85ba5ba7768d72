"""Data access for suggestions: the records they change, member names, likely duplicates, and the
``submission`` rows themselves (stored, sent again, read back by reference).

Snapshots of partnerships and landscape records are JSON documents (the shape ``revision.snapshot``
holds), returned as parsed JSON objects; every other row is a frozen dataclass.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, TypedDict, cast

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app.queries import rows, sql, typed_one
from app.schemas import SUBMISSION_STATUS_LABELS


@dataclass(frozen=True)
class SubmissionRow:
    """One submission with the names its status and review pages show."""

    id: int
    reference: str
    token_hash: str
    kind: str
    status: str
    partnership_id: int | None
    area_code: str | None
    base_version: int | None
    proposed: dict[str, Any]
    submitter_name: str
    submitter_email: str
    submitter_organisation: str | None
    submitter_role: str | None
    evidence: str | None
    moderator_note: str | None
    private_note: str | None
    moderator_id: int | None
    created_at: dt.datetime
    updated_at: dt.datetime
    decided_at: dt.datetime | None
    partnership_slug: str | None
    partnership_name: str | None
    partnership_version: int | None
    area_name: str | None
    moderator_email: str | None

    @property
    def status_label(self) -> str:
        """The status as the submitter reads it."""
        return SUBMISSION_STATUS_LABELS.get(self.status, self.status)


class Duplicate(TypedDict):
    """A partnership like one about to be added, and why it looks alike."""

    slug: str
    name: str
    kind: str
    status: str
    name_score: float
    same_place: bool
    same_website: bool
    areas: str | None


@dataclass(frozen=True)
class SubmissionValues:
    """What a submission stores of a checked suggestion (the proposal as JSON text)."""

    proposed_json: str
    submitter_name: str
    submitter_email: str
    submitter_organisation: str | None
    submitter_role: str | None
    evidence: str | None


async def partnership_id(session: AsyncSession, slug: str) -> int | None:
    """The id of the partnership with this slug, if any."""
    found = (
        await session.execute(text("SELECT id FROM partnership WHERE slug = :s"), {"s": slug})
    ).scalar_one_or_none()
    return None if found is None else int(found)


async def partnership_snapshot(session: AsyncSession, pid: int) -> dict[str, Any] | None:
    """The current record of a partnership, in the shape stored in ``revision.snapshot``."""
    row = (await session.execute(sql("partnership_snapshot"), {"ids": [pid]})).one_or_none()
    return dict(row[1]) if row else None


async def landscape_snapshot(session: AsyncSession, area_code: str) -> dict[str, Any] | None:
    """An area's current landscape record (the snapshot revisions hold), if it has one."""
    row = (await session.execute(sql("landscape_snapshot"), {"codes": [area_code]})).one_or_none()
    return dict(row.snapshot) if row else None


async def area_level(session: AsyncSession, code: str) -> str | None:
    """The level of the area with this GSS code, if there is one."""
    level = (
        await session.execute(text("SELECT level FROM area WHERE code = :c"), {"c": code})
    ).scalar_one_or_none()
    return None if level is None else str(level)


async def school_names(session: AsyncSession, urns: list[int]) -> dict[int, str]:
    """The names of the schools with these URNs that are on the register."""
    found = await session.execute(
        text("SELECT urn, name FROM school WHERE urn = ANY(:u)"), {"u": urns}
    )
    return {int(r.urn): str(r.name) for r in found}


async def trust_names(session: AsyncSession, uids: list[int]) -> dict[int, str]:
    """The names of the trusts with these GIAS group UIDs that are on the register."""
    found = await session.execute(
        text("SELECT uid, name FROM trust WHERE uid = ANY(:u)"), {"u": uids}
    )
    return {int(r.uid): str(r.name) for r in found}


async def likely_duplicates(
    session: AsyncSession, name: str, area: str, theme: str, website: str, limit: int
) -> list[Duplicate]:
    """Partnerships like the one described, best first (see ``submission_duplicates.sql``)."""
    found = await rows(
        session,
        sql("submission_duplicates"),
        name=name,
        area=area,
        theme=theme,
        website=website,
        limit=limit,
    )
    return [cast(Duplicate, dict(r)) for r in found]  # the SELECT names Duplicate's keys


async def by_reference(session: AsyncSession, reference: str) -> SubmissionRow | None:
    """The submission with this canonical reference, if any."""
    return await typed_one(session, SubmissionRow, sql("submission_status"), ref=reference)


def _value_params(values: SubmissionValues) -> dict[str, str | None]:
    """The bind parameters both writes of a submission's proposal and submitter use."""
    return {
        "proposed": values.proposed_json,
        "sn": values.submitter_name,
        "se": values.submitter_email,
        "so": values.submitter_organisation,
        "sr": values.submitter_role,
        "ev": values.evidence,
    }


async def insert_submission(
    session: AsyncSession,
    *,
    reference: str,
    token_hash: str,
    kind: str,
    partnership_id: int | None,
    area_code: str | None,
    base_version: int | None,
    values: SubmissionValues,
    ip_hash: str,
) -> int:
    """Store a new pending submission; its id (``IntegrityError`` if the reference is taken)."""
    result = await session.execute(
        text(
            "INSERT INTO submission (reference, token_hash, kind, partnership_id,"
            " area_code, base_version, proposed, submitter_name, submitter_email,"
            " submitter_organisation, submitter_role, evidence, ip_hash)"
            " VALUES (:ref, :th, :kind, :pid, :area, :base, CAST(:proposed AS jsonb),"
            " :sn, :se, :so, :sr, :ev, :ip) RETURNING id"
        ),
        {
            "ref": reference,
            "th": token_hash,
            "kind": kind,
            "pid": partnership_id,
            "area": area_code,
            "base": base_version,
            **_value_params(values),
            "ip": ip_hash,
        },
    )
    return int(result.scalar_one())


async def resubmit(session: AsyncSession, submission_id: int, values: SubmissionValues) -> bool:
    """Replace a returned submission's proposal and make it pending; False unless it was
    waiting for more information."""
    result = await session.execute(
        text(
            "UPDATE submission SET proposed = CAST(:proposed AS jsonb), submitter_name = :sn,"
            " submitter_email = :se, submitter_organisation = :so, submitter_role = :sr,"
            " evidence = :ev, status = 'pending', updated_at = now()"
            " WHERE id = :id AND status = 'needs_info'"
        ),
        {
            "id": submission_id,
            **_value_params(values),
        },
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]
