"""Pydantic models for the suggestion forms and the submissions JSON API.

The JSON models fix the *shape* of a request (which keys, which JSON types); what the values must
be (known kinds and areas, real URNs, lengths, links) is checked by
``app.services.submissions``, so the HTML form and the JSON API give the same field messages.
``PartnershipForm`` holds a form exactly as typed (strings), so nothing is lost when a form is
shown again with errors, and turns it into the JSON shape.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    from app.queries.submissions import SubmissionRow

MEMBER_TYPE_LABELS = {
    "school": "School (URN)",
    "trust": "Academy trust (GIAS UID)",
    "local_authority": "Local authority (GSS code)",
    "charity": "Charity or voluntary organisation",
    "employer": "Employer or business",
    "college": "College",
    "university": "University",
    "other": "Other organisation",
}
MEMBER_ROLE_LABELS = {
    "lead": "Lead or host",
    "member": "Member",
    "associate": "Associate",
    "funder": "Funder",
    "delivery_partner": "Delivery partner",
    "commissioner": "Commissions the partnership",
}
PARTNERSHIP_STATUS_LABELS = {
    "active": "Active",
    "ended": "Ended",
    "unknown": "Not known",
}
COUNCIL_ROLE_LABELS = {
    "in_house_team": "The council has its own school improvement team",
    "traded_company": "The council's service is a traded company",
    "commissioned_partnership": "The council commissions a partnership",
    "little_or_none": "The council does little or none",
    "unknown": "Not known",
}
SUBMISSION_STATUS_LABELS = {
    "pending": "Waiting for a moderator",
    "approved": "Approved",
    "rejected": "Not accepted",
    "needs_info": "More information needed",
    "superseded": "Replaced by a later change",
}
SUBMISSION_KIND_LABELS = {
    "new": "New partnership",
    "amend": "Correction",
    "close": "Closure",
    "landscape": "Local landscape note",
}


def whole_number(value: str, max_digits: int = 9) -> int | None:
    """The non-negative integer ``value`` spells in ASCII digits, or None.

    ``str.isdigit`` also accepts characters such as "²" that ``int`` refuses, and an unbounded
    length lets a number overflow the database's integer columns, so neither is enough alone.
    """
    text_ = value.strip()
    if not (0 < len(text_) <= max_digits and text_.isascii() and text_.isdigit()):
        return None
    return int(text_)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class MemberIn(_Strict):
    """A member as sent: typed, with a reference (URN, trust UID or LA code) or a name."""

    member_type: str = Field(description="; ".join(MEMBER_TYPE_LABELS))
    ref: str | int | None = Field(
        None, description="URN (school), GIAS UID (trust) or GSS code (local authority)"
    )
    urn: int | None = None
    trust_uid: int | None = None
    area_code: str | None = None
    name: str | None = Field(None, description="Looked up for schools, trusts and LAs")
    role: str | None = Field(None, description="; ".join(MEMBER_ROLE_LABELS))
    joined_on: str | None = Field(None, description="YYYY-MM-DD")
    left_on: str | None = Field(None, description="YYYY-MM-DD")


class ProposedIn(_Strict):
    """The proposed record: a whole partnership (new, amend, close) or a landscape note."""

    name: str | None = None
    kind: str | None = None
    themes: list[str] = Field(default_factory=list)
    summary: str | None = None
    lead_organisation: str | None = None
    website: str | None = None
    contact_email: str | None = None
    founded_year: int | str | None = None
    status: str | None = None
    areas_served: list[str] = Field(default_factory=list, description="GSS codes")
    members: list[MemberIn] = Field(default_factory=list)
    body: str | None = Field(None, description="Landscape note text (kind 'landscape')")
    council_role: str | None = Field(None, description="; ".join(COUNCIL_ROLE_LABELS))
    provider_name: str | None = Field(
        None, description="Who delivers the council's school improvement (kind 'landscape')"
    )
    provider_url: str | None = Field(None, description="The provider's web page")
    collaboration_forms: list[str] | None = Field(
        None, description="Forms of collaboration among the area's schools (kind 'landscape')"
    )


class SubmitterIn(_Strict):
    """Who is making the suggestion."""

    name: str | None = None
    email: str | None = None
    organisation: str | None = None
    role: str | None = None


class SubmissionIn(_Strict):
    """A suggestion as sent to ``POST /api/v1/submissions``."""

    kind: str = Field(description="new, amend, close or landscape")
    partnership: str | None = Field(None, description="The partnership's slug, for amend/close")
    area: str | None = Field(None, description="GSS code, for a landscape note")
    base_version: int | None = Field(
        None, description="The version the suggestion was based on; default the current one"
    )
    proposed: ProposedIn = Field(default_factory=ProposedIn)
    submitter: SubmitterIn = Field(default_factory=SubmitterIn)
    evidence: str | None = Field(None, description="A link or a note saying how you know")


class SubmissionCreated(BaseModel):
    """The answer to a new suggestion: keep ``status_url``, it is the only way back to it."""

    reference: str
    status: str
    status_url: str


class SubmissionStatus(BaseModel):
    """Where a suggestion has got to."""

    reference: str
    kind: str
    status: str
    status_label: str
    partnership: str | None = None
    area: str | None = None
    moderator_note: str | None = None
    created_at: dt.datetime
    updated_at: dt.datetime
    decided_at: dt.datetime | None = None


# --- the HTML form ------------------------------------------------------------------------------

MEMBER_FIELDS = ("member_type", "ref", "name", "role", "joined_on", "left_on")
BLANK_MEMBER_ROWS = 2


class MemberRow(BaseModel):
    """One member row of the form, as typed."""

    member_type: str = ""
    ref: str = ""
    name: str = ""
    role: str = ""
    joined_on: str = ""
    left_on: str = ""
    remove: bool = False

    def is_blank(self) -> bool:
        """Whether nothing was typed in this row."""
        return not any(getattr(self, f).strip() for f in MEMBER_FIELDS)


class PartnershipForm(BaseModel):
    """The suggestion form exactly as typed, for showing again and for turning into JSON."""

    submission_kind: str = "new"
    base_version: str = ""
    name: str = ""
    kind: str = ""
    themes: list[str] = Field(default_factory=list)
    summary: str = ""
    lead_organisation: str = ""
    website: str = ""
    contact_email: str = ""
    founded_year: str = ""
    status: str = "active"
    areas_served: list[str] = Field(default_factory=list)
    members: list[MemberRow] = Field(default_factory=list)
    body: str = ""
    council_role: str = ""
    provider_name: str = ""
    provider_url: str = ""
    collaboration_forms: list[str] = Field(default_factory=list)
    submitter_name: str = ""
    submitter_email: str = ""
    submitter_organisation: str = ""
    submitter_role: str = ""
    evidence: str = ""

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[str, str]]) -> PartnershipForm:
        """Read a posted form (name/value pairs, repeated names for checkboxes)."""
        single: dict[str, str] = {}
        lists: dict[str, list[str]] = {"themes": [], "areas_served": [], "collaboration_forms": []}
        rows: dict[int, dict[str, Any]] = {}
        for key, value in pairs:
            if key in lists:
                if value and value not in lists[key]:
                    lists[key].append(value)
            elif key.startswith("members-"):
                parts = key.split("-", 2)
                index = whole_number(parts[1], 3) if len(parts) == 3 else None
                if index is not None:
                    field = parts[2]
                    row = rows.setdefault(index, {})
                    if field == "remove":
                        row["remove"] = True
                    elif field in MEMBER_FIELDS:
                        row[field] = value
            elif key in cls.model_fields and key not in ("members",):
                single[key] = value
        members = [MemberRow(**rows[i]) for i in sorted(rows)]
        return cls(**single, **lists, members=members)

    @classmethod
    def from_record(cls, record: dict[str, Any], submission_kind: str = "amend") -> PartnershipForm:
        """A form filled in from a partnership snapshot or a stored proposal."""
        members = []
        for m in record.get("members") or []:
            ref = m.get("urn") or m.get("trust_uid") or m.get("area_code") or ""
            members.append(
                MemberRow(
                    member_type=m.get("member_type") or "",
                    ref=str(ref),
                    name=m.get("name") or "",
                    role=m.get("role") or "",
                    joined_on=m.get("joined_on") or "",
                    left_on=m.get("left_on") or "",
                )
            )
        year = record.get("founded_year")
        return cls(
            submission_kind=submission_kind,
            base_version=str(record.get("version") or ""),
            name=record.get("name") or "",
            kind=record.get("kind") or "",
            themes=list(record.get("themes") or []),
            summary=record.get("summary") or "",
            lead_organisation=record.get("lead_organisation") or "",
            website=record.get("website") or "",
            contact_email=record.get("contact_email") or "",
            founded_year="" if year is None else str(year),
            status=record.get("status") or "active",
            areas_served=[a["code"] for a in record.get("areas") or []],
            members=members,
            body=record.get("body") or "",
            council_role=record.get("council_role") or "",
            provider_name=record.get("provider_name") or "",
            provider_url=record.get("provider_url") or "",
            collaboration_forms=list(record.get("collaboration_forms") or []),
        )

    def with_submission(self, submission: SubmissionRow) -> PartnershipForm:
        """The same form with the submitter's details and evidence from a stored submission."""
        return self.model_copy(
            update={
                "submitter_name": submission.submitter_name or "",
                "submitter_email": submission.submitter_email or "",
                "submitter_organisation": submission.submitter_organisation or "",
                "submitter_role": submission.submitter_role or "",
                "evidence": submission.evidence or "",
            }
        )

    def member_rows(self, blank: int = BLANK_MEMBER_ROWS) -> list[MemberRow]:
        """The rows to show: every typed row, then some blank ones to fill in."""
        return [*self.members, *(MemberRow() for _ in range(blank))]

    def proposed(self) -> dict[str, Any]:
        """The proposal in the JSON API's shape (blank and removed member rows left out)."""
        members: list[dict[str, Any]] = []
        for row in self.members:
            if row.remove or row.is_blank():
                continue
            members.append(
                {
                    "member_type": row.member_type,
                    "ref": row.ref or None,
                    "name": row.name or None,
                    "role": row.role or None,
                    "joined_on": row.joined_on or None,
                    "left_on": row.left_on or None,
                }
            )
        return {
            "name": self.name,
            "kind": self.kind,
            "themes": self.themes,
            "summary": self.summary,
            "lead_organisation": self.lead_organisation,
            "website": self.website,
            "contact_email": self.contact_email,
            "founded_year": self.founded_year or None,
            "status": self.status,
            "areas_served": self.areas_served,
            "members": members,
        }

    def member_index(self, position: int) -> int:
        """The form row of the ``position``-th member sent (blank and removed rows are skipped)."""
        kept = [i for i, row in enumerate(self.members) if not (row.remove or row.is_blank())]
        return kept[position] if position < len(kept) else position

    def to_submission(self, kind: str, partnership: str | None = None) -> SubmissionIn:
        """The form as a JSON submission, so both go through one validation."""
        base = whole_number(self.base_version)
        proposed: dict[str, Any]
        if kind == "landscape":
            proposed = {
                "body": self.body,
                "council_role": self.council_role or None,
                "provider_name": self.provider_name or None,
                "provider_url": self.provider_url or None,
                "collaboration_forms": self.collaboration_forms,
            }
        else:
            proposed = self.proposed()
        return SubmissionIn.model_validate(
            {
                "kind": kind,
                "partnership": partnership,
                "base_version": base,
                "proposed": proposed,
                "submitter": {
                    "name": self.submitter_name,
                    "email": self.submitter_email,
                    "organisation": self.submitter_organisation,
                    "role": self.submitter_role,
                },
                "evidence": self.evidence,
            }
        )


def form_field_id(path: str, form: PartnershipForm | None = None) -> str:
    """The id of the form control for an error path such as ``proposed.members.2.urn``."""
    parts = path.split(".")
    if parts[0] == "proposed" and len(parts) > 1:
        if parts[1] == "members" and len(parts) > 2 and parts[2].isdigit():
            row = form.member_index(int(parts[2])) if form else int(parts[2])
            field = parts[3] if len(parts) > 3 else "member_type"
            if field in ("urn", "trust_uid", "area_code"):
                field = "ref"
            return f"members-{row}-{field}"
        return parts[1]
    if parts[0] == "submitter" and len(parts) > 1:
        return f"submitter_{parts[1]}"
    if parts[0] in ("kind", "partnership"):
        return "submission_kind"
    return parts[0] or "main"
