"""The membership register's rows: ``membership/membership.csv`` validated, one partnership's way
of membership per row (basis, stated count, council's part, funding, legal form, sources).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from app.ingest.register import checked_on_date, optional_text
from app.models import COUNCIL_PARTS, FUNDING_MODELS, LEGAL_FORMS, MEMBERSHIP_BASES

MEMBERSHIP_COLUMNS = (
    "name",
    "membership_basis",
    "member_count_stated",
    "member_count_source_year",
    "member_trusts",
    "council_role_in_partnership",
    "funding_model",
    "legal_form",
    "contact_url",
    "source_url",
    "source_title",
    "source_date",
    "checked_on",
    "notes",
)
MEMBER_SCHOOL_COLUMNS = ("name", "urn", "school_name", "source_url")


@dataclass(frozen=True)
class Membership:
    """One valid row of ``membership.csv``."""

    seed_ref: str
    name: str
    basis: str | None
    count: int | None
    count_year: int | None
    member_trusts: tuple[str, ...]
    council_part: str | None
    funding_model: str | None
    legal_form: str | None
    contact_url: str | None
    source_url: str | None
    source_title: str | None
    source_date: str | None
    checked_on: dt.date | None
    notes: str | None


def _choice(
    reasons: list[str], label: str, value: str | None, allowed: tuple[str, ...]
) -> str | None:
    if value is not None and value not in allowed:
        reasons.append(f"unknown {label} {value!r}")
    return value


def _whole(reasons: list[str], label: str, value: str | None) -> int | None:
    if value is None:
        return None
    if not value.isdigit():
        reasons.append(f"{label} {value!r} is not a whole number")
        return None
    return int(value)


def parse_membership(seed_ref: str, row: Mapping[str, str]) -> Membership:
    """Validate one row of ``membership.csv``; ValueError naming every reason it is refused."""
    reasons: list[str] = []
    name = (row.get("name") or "").strip()
    if not name:
        reasons.append("no name")
    checked_on = checked_on_date(reasons, optional_text(row.get("checked_on")))
    record = Membership(
        seed_ref=seed_ref,
        name=name,
        basis=_choice(
            reasons, "basis", optional_text(row.get("membership_basis")), MEMBERSHIP_BASES
        ),
        count=_whole(reasons, "member count", optional_text(row.get("member_count_stated"))),
        count_year=_whole(
            reasons, "member count year", optional_text(row.get("member_count_source_year"))
        ),
        member_trusts=tuple(
            t.strip() for t in (row.get("member_trusts") or "").split(";") if t.strip()
        ),
        council_part=_choice(
            reasons,
            "council role",
            optional_text(row.get("council_role_in_partnership")),
            COUNCIL_PARTS,
        ),
        funding_model=_choice(
            reasons, "funding model", optional_text(row.get("funding_model")), FUNDING_MODELS
        ),
        legal_form=_choice(
            reasons, "legal form", optional_text(row.get("legal_form")), LEGAL_FORMS
        ),
        contact_url=optional_text(row.get("contact_url")),
        source_url=optional_text(row.get("source_url")),
        source_title=optional_text(row.get("source_title")),
        source_date=optional_text(row.get("source_date")),
        checked_on=checked_on,
        notes=optional_text(row.get("notes")),
    )
    if reasons:
        raise ValueError("; ".join(reasons))
    return record
