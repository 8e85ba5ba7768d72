"""Suggestions from the public: validation, likely duplicates, storing, status links, resubmission.

A submission holds a whole proposed record (not a patch), the version it was based on, who sent
it and their evidence. Nothing here touches the public tables: a suggestion changes the map only
when a moderator approves it (``app.services.moderation``). The HTML form and the JSON API share
``validate``, so both give the same field-level messages.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hmac
import json
import logging
import re
import secrets
import smtplib
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email
from pydantic import ValidationError
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.codes import GSS_CODE
from app.errors import Conflict, InvalidInput, NotFound
from app.models import COLLABORATION_FORMS, COUNCIL_ROLES, MEMBER_TYPES, PARTNERSHIP_STATUSES
from app.queries.vocab import load_vocabulary
from app.schemas import (
    MEMBER_ROLE_LABELS,
    SUBMISSION_STATUS_LABELS,
    MemberIn,
    ProposedIn,
    SubmissionIn,
    SubmitterIn,
    whole_number,
)
from app.services import snapshots
from app.services.hashing import hash_token
from app.settings import Settings
from app.text import one_line

log = logging.getLogger(__name__)
SQL_DIR = Path(__file__).resolve().parent.parent / "queries" / "sql"

# Size caps: whole requests, fields, lists, and web links in free text.
MAX_JSON_BYTES = 64 * 1024
MAX_FORM_BYTES = 192 * 1024
MAX_NAME = 200
MAX_SUMMARY = 2000
MAX_EVIDENCE = 2000
MAX_LANDSCAPE = 4000
MAX_URL = 500
MAX_EMAIL = 254
MAX_AREAS = 60
MAX_MEMBERS = 150
MAX_LINKS_SUMMARY = 2
MAX_LINKS_EVIDENCE = 5
MAX_LINKS_LANDSCAPE = 3
LANDSCAPE_LEVELS = ("local_authority", "district", "combined_authority")
SERVED_LEVELS = ("country", "region", "combined_authority", "local_authority", "district")
REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O or U

_LINK = re.compile(r"(?i)\b(?:https?://|www\.)[^\s<>\"']+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_GSS = GSS_CODE

RECORD_FIELDS = (
    "name",
    "kind",
    "summary",
    "lead_organisation",
    "website",
    "contact_email",
    "founded_year",
    "status",
)


# --- vocabularies -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AreaRef:
    """An area that may be picked on the form."""

    code: str
    name: str
    level: str
    parent_code: str | None
    region_code: str | None


@dataclass(frozen=True)
class Vocab:
    """What the form offers: kinds, themes and areas, each by code."""

    kinds: dict[str, str]
    themes: dict[str, str]
    areas: dict[str, AreaRef]


async def load_vocab(session: AsyncSession) -> Vocab:
    """The kinds, themes and areas from the database (they are data, not code)."""
    known = await load_vocabulary(session)
    areas = (
        await session.execute(
            text("SELECT code, name, level, parent_code, region_code FROM area ORDER BY name, code")
        )
    ).all()
    return Vocab(
        kinds={k.code: k.label for k in sorted(known.kinds, key=lambda k: k.label)},
        themes=known.theme_labels,
        areas={
            a.code: AreaRef(a.code, a.name, a.level, a.parent_code, a.region_code) for a in areas
        },
    )


# --- cleaning and checking ----------------------------------------------------------------------


class Errors:
    """Field errors collected in order, each with the path of the field (``proposed.name``)."""

    def __init__(self) -> None:
        self.items: list[dict[str, str]] = []

    def add(self, path: str, message: str) -> None:
        """Record one message for one field (the first message for a field wins)."""
        if not any(e["field"] == path for e in self.items):
            self.items.append({"field": path, "message": message})

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        """``InvalidInput`` with every message, when there are any."""
        if self.items:
            raise InvalidInput("There is a problem with your answers", self.items)


def clean(value: str | None, single_line: bool = False) -> str:
    """Text without control characters, with tidy line ends and spaces, trimmed."""
    if value is None:
        return ""
    text_ = _CONTROL.sub("", str(value)).replace("\r\n", "\n").replace("\r", "\n")
    if single_line:
        text_ = one_line(text_)
    return text_.strip()


def count_links(value: str) -> int:
    """How many web links a piece of text holds."""
    return len(_LINK.findall(value))


def _text(
    errors: Errors,
    path: str,
    value: str | None,
    label: str,
    *,
    max_len: int,
    required: str | None = None,
    max_links: int = 0,
    single_line: bool = True,
) -> str | None:
    result = clean(value, single_line=single_line)
    if not result:
        if required:
            errors.add(path, required)
        return None
    if len(result) > max_len:
        errors.add(
            path, f"{label} must be {max_len:,} characters or fewer (you gave {len(result):,})"
        )
    links = count_links(result)
    if links > max_links:
        if max_links == 0:
            errors.add(path, f"{label} must not contain web links")
        else:
            errors.add(
                path, f"{label} can contain at most {max_links} web links (you gave {links})"
            )
    return result


def check_url(errors: Errors, path: str, value: str | None) -> str | None:
    """A web address starting ``http(s)://`` (``https://`` is added to a bare domain)."""
    url = clean(value, single_line=True)
    if not url:
        return None
    if "://" not in url and " " not in url and "." in url:
        url = f"https://{url}"
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:  # e.g. an unclosed IPv6 bracket, "https://[::1/"
        host = ""
        parts = urlsplit("")
    if parts.scheme not in ("http", "https") or "." not in host or " " in url or len(url) > MAX_URL:
        errors.add(path, "Enter a web address in the right format, like https://example.org.uk")
        return None
    return url


def check_email(errors: Errors, path: str, value: str | None, required: str | None) -> str | None:
    """An email address in the right format."""
    address = clean(value, single_line=True)
    if not address:
        if required:
            errors.add(path, required)
        return None
    if len(address) > MAX_EMAIL:
        errors.add(path, f"Email address must be {MAX_EMAIL} characters or fewer")
        return None
    try:
        return str(validate_email(address, check_deliverability=False).normalized)
    except EmailNotValidError:
        errors.add(path, "Enter an email address in the right format, like name@example.org")
        return None


def check_year(errors: Errors, path: str, value: int | str | None) -> int | None:
    """A year between 1800 and next year."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    latest = dt.date.today().year + 1
    text_ = str(value).strip()
    year = whole_number(text_, 4) if len(text_) == 4 else None
    if year is None:
        errors.add(path, "Enter the year as 4 digits, like 2016")
        return None
    if not 1800 <= year <= latest:
        errors.add(path, f"The year must be between 1800 and {latest}")
        return None
    return year


def check_date(errors: Errors, path: str, value: str | None, label: str) -> str | None:
    """A date as YYYY-MM-DD (or DD/MM/YYYY), returned as YYYY-MM-DD."""
    text_ = clean(value, single_line=True)
    if not text_:
        return None
    day: dt.date | None = None
    try:
        day = dt.date.fromisoformat(text_)
    except ValueError:
        try:
            day = dt.datetime.strptime(text_, "%d/%m/%Y").date()
        except ValueError:
            day = None
    if day is None or not 1900 <= day.year <= 2100:
        errors.add(path, f"{label} must be a real date, like 2024-09-01")
        return None
    return day.isoformat()


def _int_ref(value: str | int | None) -> int | None:
    if value is None:
        return None
    number = whole_number(str(value))
    return -1 if number is None else number


def member_key(member: dict[str, Any]) -> str:
    """What identifies a member within one partnership: its URN, UID, LA code or name."""
    kind = member.get("member_type")
    if kind == "school" and member.get("urn"):
        return f"school:{member['urn']}"
    if kind == "trust" and member.get("trust_uid"):
        return f"trust:{member['trust_uid']}"
    if kind == "local_authority" and member.get("area_code"):
        return f"local_authority:{member['area_code']}"
    return f"{kind}:{clean(member.get('name'), single_line=True).casefold()}"


@dataclass
class _Lookup:
    index: int
    kind: str  # school or trust
    number: int
    path: str


def check_members(
    errors: Errors, members: list[Any], vocab: Vocab
) -> tuple[list[dict[str, Any]], list[_Lookup]]:
    """Members checked for type, reference, role and dates; schools and trusts to look up."""
    if len(members) > MAX_MEMBERS:
        errors.add("proposed.members", f"List at most {MAX_MEMBERS} members")
        members = members[:MAX_MEMBERS]
    result: list[dict[str, Any]] = []
    lookups: list[_Lookup] = []
    for i, m in enumerate(members):
        p = f"proposed.members.{i}"
        kind = clean(m.member_type, single_line=True)
        member: dict[str, Any] = {
            "member_type": kind,
            "name": None,
            "urn": None,
            "trust_uid": None,
            "area_code": None,
            "role": None,
            "joined_on": None,
            "left_on": None,
        }
        if kind not in MEMBER_TYPES:
            errors.add(f"{p}.member_type", "Select the type of member")
        ref_path = f"{p}.ref"
        ref: str | int | None = m.ref
        if kind == "school":
            if m.urn is not None:
                ref, ref_path = m.urn, f"{p}.urn"
            urn = _int_ref(ref)
            if urn is None:
                errors.add(ref_path, "Enter the school's URN (6 digits)")
            elif not 100000 <= urn <= 999999:
                errors.add(ref_path, "A URN is 6 digits, like 100869")
            else:
                member["urn"] = urn
                lookups.append(_Lookup(i, "school", urn, ref_path))
        elif kind == "trust":
            if m.trust_uid is not None:
                ref, ref_path = m.trust_uid, f"{p}.trust_uid"
            uid = _int_ref(ref)
            if uid is None:
                errors.add(
                    ref_path, "Enter the trust's group UID from Get Information about Schools"
                )
            elif uid <= 0:
                errors.add(ref_path, "A trust UID is a number, like 2044")
            else:
                member["trust_uid"] = uid
                lookups.append(_Lookup(i, "trust", uid, ref_path))
        elif kind == "local_authority":
            if m.area_code is not None:
                ref, ref_path = m.area_code, f"{p}.area_code"
            code = clean(str(ref) if ref is not None else "", single_line=True).upper()
            area = vocab.areas.get(code)
            if not code:
                errors.add(ref_path, "Enter the local authority's GSS code, like E09000030")
            elif area is None or area.level not in ("local_authority", "district"):
                errors.add(ref_path, f"No local authority has the code {code[:12]}")
            else:
                member["area_code"] = code
                member["name"] = area.name
        elif kind in MEMBER_TYPES:
            if ref not in (None, "") or m.urn or m.trust_uid or m.area_code:
                errors.add(
                    ref_path,
                    "Only schools (URN), trusts (UID) and local authorities (GSS code) take a "
                    "reference: leave it blank for this type",
                )
            member["name"] = _text(
                errors,
                f"{p}.name",
                m.name,
                "The member's name",
                max_len=MAX_NAME,
                required="Enter the member's name",
            )
        if kind in ("school", "trust"):
            # The register's name wins; the typed one is kept if the lookup is not possible.
            member["name"] = _text(
                errors, f"{p}.name", m.name, "The member's name", max_len=MAX_NAME
            )
        role = clean(m.role, single_line=True)
        if role and role not in MEMBER_ROLE_LABELS:
            errors.add(f"{p}.role", "Select the member's role from the list")
        member["role"] = role or None
        member["joined_on"] = check_date(
            errors, f"{p}.joined_on", m.joined_on, "The date it joined"
        )
        member["left_on"] = check_date(errors, f"{p}.left_on", m.left_on, "The date it left")
        if member["joined_on"] and member["left_on"] and member["left_on"] < member["joined_on"]:
            errors.add(
                f"{p}.left_on", "The date it left must be the same as or after the date it joined"
            )
        result.append(member)
    seen: dict[str, int] = {}
    for i, member in enumerate(result):
        key = member_key(member)
        if key in seen and not key.endswith(":"):
            errors.add(
                f"proposed.members.{i}.member_type",
                f"This member is already listed (row {seen[key] + 1})",
            )
        seen.setdefault(key, i)
    return result, lookups


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


def check_record_fields(
    errors: Errors, proposed: ProposedIn, vocab: Vocab, current: dict[str, Any] | None
) -> tuple[dict[str, Any], list[_Lookup]]:
    """The proposed partnership record, checked field by field (members still to be looked up)."""
    p = "proposed"
    record: dict[str, Any] = {
        "name": _text(
            errors,
            f"{p}.name",
            proposed.name,
            "The name",
            max_len=MAX_NAME,
            required="Enter the partnership's name",
        ),
    }
    kind = clean(proposed.kind, single_line=True)
    if not kind:
        errors.add(f"{p}.kind", "Select the kind of partnership")
    elif kind not in vocab.kinds:
        errors.add(f"{p}.kind", "Select a kind of partnership from the list")
    record["kind"] = kind or None
    themes: list[str] = []
    for i, code in enumerate(proposed.themes):
        code = clean(code, single_line=True)
        if code not in vocab.themes:
            errors.add(f"{p}.themes", f"Select themes from the list ({code[:40]!r} is not one)")
            if i > 50:
                break
        elif code not in themes:
            themes.append(code)
    record["themes"] = sorted(themes)
    record["summary"] = (
        _text(
            errors,
            f"{p}.summary",
            proposed.summary,
            "The summary",
            max_len=MAX_SUMMARY,
            max_links=MAX_LINKS_SUMMARY,
            single_line=False,
        )
        or ""
    )
    record["lead_organisation"] = _text(
        errors,
        f"{p}.lead_organisation",
        proposed.lead_organisation,
        "The lead organisation",
        max_len=MAX_NAME,
    )
    record["website"] = check_url(errors, f"{p}.website", proposed.website)
    record["contact_email"] = check_email(
        errors, f"{p}.contact_email", proposed.contact_email, None
    )
    record["founded_year"] = check_year(errors, f"{p}.founded_year", proposed.founded_year)
    status = clean(proposed.status, single_line=True) or "active"
    if status not in PARTNERSHIP_STATUSES:
        errors.add(f"{p}.status", "Select the partnership's status")
    record["status"] = status
    notes = {a["code"]: a.get("note") for a in (current or {}).get("areas") or []}
    # Whole or part of each area is kept from the record; an area newly named is served whole.
    wholes = {
        a["code"]: bool(a.get("whole", not a.get("note")))
        for a in (current or {}).get("areas") or []
    }
    areas: list[dict[str, Any]] = []
    if not proposed.areas_served:
        errors.add(f"{p}.areas_served", "Select at least one area the partnership serves")
    if len(proposed.areas_served) > MAX_AREAS:
        errors.add(f"{p}.areas_served", f"Select at most {MAX_AREAS} areas")
    for code in proposed.areas_served[:MAX_AREAS]:
        code = clean(code, single_line=True).upper()
        area = vocab.areas.get(code)
        if area is None or area.level not in SERVED_LEVELS or not _GSS.match(code):
            errors.add(
                f"{p}.areas_served", f"Select areas from the list ({code[:12]!r} is not one)"
            )
        elif all(a["code"] != code for a in areas):
            areas.append(
                {
                    "code": code,
                    "name": area.name,
                    "note": notes.get(code),
                    "whole": wholes.get(code, True),
                }
            )
    record["areas"] = areas
    members, lookups = check_members(errors, proposed.members, vocab)
    record["members"] = members
    return record, lookups


def comparable(record: dict[str, Any]) -> dict[str, Any]:
    """The parts of a record a suggestion can change, in a form that compares equal when alike."""
    return {
        **{f: record.get(f) for f in RECORD_FIELDS},
        "summary": record.get("summary") or "",
        "themes": sorted(record.get("themes") or []),
        "areas": [a["code"] for a in record.get("areas") or []],
        "members": sorted(
            json.dumps({k: m.get(k) for k in MEMBER_COMPARED}, sort_keys=True)
            for m in record.get("members") or []
        ),
    }


MEMBER_COMPARED = (
    "member_type",
    "name",
    "urn",
    "trust_uid",
    "area_code",
    "role",
    "joined_on",
    "left_on",
)


def check_landscape(errors: Errors, proposed: ProposedIn) -> dict[str, Any]:
    """A landscape note: its text and what the council does."""
    body = _text(
        errors,
        "proposed.body",
        proposed.body,
        "The description",
        max_len=MAX_LANDSCAPE,
        required="Describe how schools in the area work together",
        max_links=MAX_LINKS_LANDSCAPE,
        single_line=False,
    )
    role = clean(proposed.council_role, single_line=True) or None
    if role and role not in COUNCIL_ROLES:
        errors.add("proposed.council_role", "Select what the council does from the list")
    record: dict[str, Any] = {"body": body, "council_role": role}
    # Provider and forms are optional in a suggestion: left out, they stay as they are.
    if proposed.provider_name is not None or proposed.provider_url is not None:
        record["provider_name"] = (
            _text(
                errors,
                "proposed.provider_name",
                proposed.provider_name,
                "The provider's name",
                max_len=MAX_NAME,
            )
            or None
        )
        record["provider_url"] = check_url(errors, "proposed.provider_url", proposed.provider_url)
    if proposed.collaboration_forms is not None:
        forms = [clean(f, single_line=True) for f in proposed.collaboration_forms]
        if any(f not in COLLABORATION_FORMS for f in forms):
            errors.add(
                "proposed.collaboration_forms", "Select the forms of collaboration from the list"
            )
        known = {f for f in forms if f in COLLABORATION_FORMS}
        record["collaboration_forms"] = sorted(known, key=COLLABORATION_FORMS.index)
    return record


def check_submitter(errors: Errors, submitter: SubmitterIn) -> dict[str, Any]:
    """The submitter's name, email, organisation and role."""
    return {
        "name": _text(
            errors,
            "submitter.name",
            submitter.name,
            "Your name",
            max_len=MAX_NAME,
            required="Enter your name",
        ),
        "email": check_email(
            errors, "submitter.email", submitter.email, "Enter your email address"
        ),
        "organisation": _text(
            errors,
            "submitter.organisation",
            submitter.organisation,
            "Your organisation",
            max_len=MAX_NAME,
        ),
        "role": _text(errors, "submitter.role", submitter.role, "Your role", max_len=MAX_NAME),
    }


# --- snapshots, read through the app's async session ---------------------------------------------

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


# --- validating a whole submission --------------------------------------------------------------


@dataclass
class ValidSubmission:
    """A checked suggestion, ready to store."""

    kind: str
    record: dict[str, Any]
    submitter: dict[str, Any]
    evidence: str | None
    partnership_id: int | None = None
    partnership_slug: str | None = None
    area_code: str | None = None
    base_version: int | None = None
    current: dict[str, Any] | None = field(default=None, repr=False)


def payload_errors(exc: ValidationError, prefix: str = "") -> list[dict[str, str]]:
    """Pydantic's complaints about a request's shape, as field messages."""
    messages = {
        "missing": "This is required",
        "extra_forbidden": "This field is not recognised",
        "string_type": "Enter text",
        "int_parsing": "Enter a whole number",
        "int_type": "Enter a whole number",
        "list_type": "Give a list",
        "model_type": "Give an object",
        "json_invalid": "The request body is not valid JSON",
    }
    result = []
    for e in exc.errors():
        path = ".".join(str(p) for p in e["loc"] if not str(p).startswith("function-"))
        # Union members add their type name to the path; drop it.
        path = re.sub(r"\.(int|str|list\[.*?\])$", "", path)
        result.append({"field": f"{prefix}{path}", "message": messages.get(e["type"], e["msg"])})
    return result


async def validate_record(
    session: AsyncSession,
    kind: str,
    proposed: ProposedIn,
    current: dict[str, Any] | None,
    errors: Errors | None = None,
) -> dict[str, Any]:
    """Check a proposed record (partnership or landscape note); ``InvalidInput`` when wrong."""
    own = errors is None
    errors = errors if errors is not None else Errors()
    if kind == "landscape":
        record = check_landscape(errors, proposed)
    else:
        vocab = await load_vocab(session)
        record, lookups = check_record_fields(errors, proposed, vocab, current)
        await resolve_members(session, errors, record["members"], lookups, current)
    if own:
        errors.raise_if_any()
    return record


async def validate(session: AsyncSession, payload: SubmissionIn) -> ValidSubmission:
    """Check every part of a suggestion against the rules and the database."""
    errors = Errors()
    kind = payload.kind
    current: dict[str, Any] | None = None
    valid = ValidSubmission(kind=kind, record={}, submitter={}, evidence=None)
    if kind not in ("new", "amend", "close", "landscape"):
        errors.add("kind", "Choose new, amend, close or landscape")
        errors.raise_if_any()
    if kind in ("amend", "close"):
        slug = clean(payload.partnership, single_line=True)
        if not slug:
            errors.add("partnership", "Give the slug of the partnership to change")
        else:
            try:
                current = await partnership_by_slug(session, slug)
            except NotFound:
                errors.add("partnership", f"No partnership has the slug {slug[:80]!r}")
        if current is not None:
            valid.partnership_id = current["id"]
            valid.partnership_slug = current["slug"]
            valid.base_version = _base_version(errors, payload.base_version, current["version"])
    elif kind == "landscape":
        code = clean(payload.area, single_line=True).upper()
        vocab_area = (
            await session.execute(text("SELECT level FROM area WHERE code = :c"), {"c": code[:12]})
        ).scalar_one_or_none()
        if not code:
            errors.add("area", "Give the GSS code of the area")
        elif vocab_area not in LANDSCAPE_LEVELS:
            errors.add(
                "area", f"No local authority or combined authority has the code {code[:12]!r}"
            )
        else:
            valid.area_code = code
            current = await landscape_record(session, code)
            latest = current["version"] if current else 0
            valid.base_version = (
                latest
                if payload.base_version is None
                else _base_version(errors, payload.base_version, latest, 0)
            )
    valid.current = current
    if kind == "close":
        if current is not None:
            valid.record = {k: v for k, v in current.items() if k not in ("id", "slug", "version")}
            valid.record["status"] = "ended"
            if current.get("status") == "ended":
                errors.add("kind", "This partnership is already shown as ended")
    else:
        proposed = payload.proposed
        if kind == "amend" and current is not None:
            proposed = fill_from_current(proposed, current)
        valid.record = await validate_record(session, kind, proposed, current, errors)
        if (
            kind == "amend"
            and current is not None
            and comparable(valid.record) == comparable(current)
        ):
            errors.add(
                "proposed",
                "You have not changed anything. Change at least one answer, or tell us the "
                "partnership has ended",
            )
        if (
            kind == "landscape"
            and current
            and all(current.get(k) == v for k, v in valid.record.items())
        ):
            errors.add("proposed.body", "You have not changed the description")
    valid.submitter = check_submitter(errors, payload.submitter)
    valid.evidence = _text(
        errors,
        "evidence",
        payload.evidence,
        "The evidence",
        max_len=MAX_EVIDENCE,
        required="Tell us how you know: give a link or a short note",
        max_links=MAX_LINKS_EVIDENCE,
        single_line=False,
    )
    errors.raise_if_any()
    return valid


def fill_from_current(proposed: ProposedIn, current: dict[str, Any]) -> ProposedIn:
    """A correction with the fields it leaves out taken from the current record (null clears)."""
    given = proposed.model_fields_set
    fill: dict[str, Any] = {f: current.get(f) for f in RECORD_FIELDS if f not in given}
    if "themes" not in given:
        fill["themes"] = list(current.get("themes") or [])
    if "areas_served" not in given:
        fill["areas_served"] = [a["code"] for a in current.get("areas") or []]
    if "members" not in given:
        fill["members"] = [
            MemberIn.model_validate({k: m.get(k) for k in MEMBER_COMPARED})
            for m in current.get("members") or []
        ]
    return proposed.model_copy(update=fill)


def _base_version(errors: Errors, given: int | None, latest: int, lowest: int = 1) -> int:
    if given is None:
        return latest
    if not lowest <= given <= latest:
        errors.add("base_version", f"The version must be between {lowest} and {latest}")
    return given


# --- duplicates ---------------------------------------------------------------------------------

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


# --- storing and reading back -------------------------------------------------------------------


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


async def create(
    session: AsyncSession, settings: Settings, valid: ValidSubmission, client_hash: str
) -> Created:
    """Store a checked suggestion as pending, with an audit row; the public map is untouched."""
    token = secrets.token_urlsafe(24)
    for _attempt in range(5):
        reference = new_reference()
        try:
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
                    "th": hash_token(token),
                    "kind": valid.kind,
                    "pid": valid.partnership_id,
                    "area": valid.area_code,
                    "base": valid.base_version,
                    "proposed": json.dumps(_stored_proposal(valid)),
                    "sn": valid.submitter["name"],
                    "se": valid.submitter["email"],
                    "so": valid.submitter["organisation"],
                    "sr": valid.submitter["role"],
                    "ev": valid.evidence,
                    "ip": client_hash,
                },
            )
        except IntegrityError:
            await session.rollback()
            continue
        submission_id = int(result.scalar_one())
        await audit(
            session,
            "submitted",
            submission_id=submission_id,
            to_status="pending",
            kind=valid.kind,
            client=client_hash,
        )
        await session.commit()
        await notify_received(session, settings, submission_id, reference, token, valid)
        return Created(reference, token, "pending")
    raise Conflict("Could not store the suggestion just now; please try again")


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


async def resubmit(
    session: AsyncSession,
    settings: Settings,
    reference: str,
    token: str | None,
    payload: SubmissionIn,
    client_hash: str,
) -> dict[str, Any]:
    """Send back a suggestion that was returned for more information; it is pending again."""
    row = await load_with_token(session, reference, token)
    if row["status"] != "needs_info":
        raise Conflict("This suggestion is not waiting for more information")
    payload = payload.model_copy(
        update={
            "kind": row["kind"],
            "partnership": row["partnership_slug"],
            "area": row["area_code"],
            "base_version": row["base_version"],
        }
    )
    valid = await validate(session, payload)
    result = await session.execute(
        text(
            "UPDATE submission SET proposed = CAST(:proposed AS jsonb), submitter_name = :sn,"
            " submitter_email = :se, submitter_organisation = :so, submitter_role = :sr,"
            " evidence = :ev, status = 'pending', updated_at = now()"
            " WHERE id = :id AND status = 'needs_info'"
        ),
        {
            "id": row["id"],
            "proposed": json.dumps(_stored_proposal(valid)),
            "sn": valid.submitter["name"],
            "se": valid.submitter["email"],
            "so": valid.submitter["organisation"],
            "sr": valid.submitter["role"],
            "ev": valid.evidence,
        },
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        await session.rollback()
        raise Conflict("This suggestion is not waiting for more information")
    await audit(
        session,
        "resubmitted",
        submission_id=row["id"],
        from_status="needs_info",
        to_status="pending",
        client=client_hash,
    )
    await session.commit()
    if mail_enabled(settings) and settings.moderator_notify_email:
        await send_mail(
            session,
            settings,
            row["id"],
            settings.moderator_notify_email,
            f"Suggestion {row['reference']} sent again with more information",
            f"{settings.public_base_url.rstrip('/')}/moderate/submissions/{row['reference']}\n",
            reply_to=valid.submitter["email"],
        )
    return await load_with_token(session, reference, token)


# --- email (optional) ---------------------------------------------------------------------------


def mail_enabled(settings: Settings) -> bool:
    """Whether the SMTP settings are filled in; email is off by default."""
    return bool(settings.smtp_host and settings.mail_from)


def _send(settings: Settings, to: str, subject: str, body: str, reply_to: str | None) -> None:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = subject
    if reply_to:
        message["Reply-To"] = reply_to
    message.set_content(body)
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10) as smtp:
        smtp.ehlo()
        secure = smtp.has_extn("starttls")
        if secure:
            smtp.starttls()
            smtp.ehlo()
        if settings.smtp_user:
            if not secure:
                raise smtplib.SMTPException(
                    "the server offers no STARTTLS; not sending the password"
                )
            smtp.login(settings.smtp_user, settings.smtp_password)
        smtp.send_message(message)


async def send_mail(
    session: AsyncSession,
    settings: Settings,
    submission_id: int | None,
    to: str,
    subject: str,
    body: str,
    reply_to: str | None = None,
) -> bool:
    """Send one email if mail is configured; a failure is logged and audited, never raised."""
    if not mail_enabled(settings) or not to:
        return False
    try:
        await asyncio.to_thread(_send, settings, to, subject, body, reply_to)
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("email to submitter or moderators failed: %s", exc)
        await audit(
            session,
            "email_failed",
            submission_id=submission_id,
            subject=subject,
            error=str(exc)[:200],
        )
        await session.commit()
        return False
    return True


async def notify_received(
    session: AsyncSession,
    settings: Settings,
    submission_id: int,
    reference: str,
    token: str,
    valid: ValidSubmission,
) -> None:
    """Tell the submitter their suggestion arrived, and the moderators that one is waiting."""
    if not mail_enabled(settings):
        return
    link = status_url(settings, reference, token)
    await send_mail(
        session,
        settings,
        submission_id,
        valid.submitter["email"],
        f"Your suggestion {reference} has been received",
        "Thank you. A moderator will look at your suggestion; nothing changes on the map until "
        f"they approve it.\n\nYour reference: {reference}\nFollow its progress (keep this link "
        f"private): {link}\n",
    )
    if settings.moderator_notify_email:
        await send_mail(
            session,
            settings,
            submission_id,
            settings.moderator_notify_email,
            f"New suggestion {reference} waiting",
            f"A suggestion is waiting: {settings.public_base_url.rstrip('/')}/moderate/submissions/{reference}\n",
            reply_to=valid.submitter["email"],
        )
