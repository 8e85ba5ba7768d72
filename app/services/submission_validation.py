"""Pure validation of a suggestion's parts: the partnership record, its members, a landscape note, the submitter.

Nothing here reads the database; names of schools and trusts are filled in by ``submission_store``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from app.codes import GSS_CODE
from app.models import COLLABORATION_FORMS, COUNCIL_ROLES, MEMBER_TYPES, PARTNERSHIP_STATUSES
from app.schemas import (
    MEMBER_ROLE_LABELS,
    MemberIn,
    ProposedIn,
    SubmitterIn,
    whole_number,
)
from app.services.records import (
    MAX_AREAS,
    MAX_LANDSCAPE,
    MAX_LINKS_LANDSCAPE,
    MAX_LINKS_SUMMARY,
    MAX_MEMBERS,
    MAX_NAME,
    MAX_SUMMARY,
    MEMBER_COMPARED,
    RECORD_FIELDS,
    SERVED_LEVELS,
    Submitter,
    Vocab,
)
from app.services.submission_fields import (
    Errors,
    check_date,
    check_email,
    check_url,
    check_year,
    checked_text,
    clean,
)


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
class MemberLookup:
    """A member whose name is to be looked up: its row, school or trust, URN or UID, form path."""

    index: int
    kind: str  # school or trust
    number: int
    path: str


def check_members(
    errors: Errors, members: list[Any], vocab: Vocab
) -> tuple[list[dict[str, Any]], list[MemberLookup]]:
    """Members checked for type, reference, role and dates; schools and trusts to look up."""
    if len(members) > MAX_MEMBERS:
        errors.add("proposed.members", f"List at most {MAX_MEMBERS} members")
        members = members[:MAX_MEMBERS]
    result: list[dict[str, Any]] = []
    lookups: list[MemberLookup] = []
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
                lookups.append(MemberLookup(i, "school", urn, ref_path))
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
                lookups.append(MemberLookup(i, "trust", uid, ref_path))
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
            member["name"] = checked_text(
                errors,
                f"{p}.name",
                m.name,
                "The member's name",
                max_len=MAX_NAME,
                required="Enter the member's name",
            )
        if kind in ("school", "trust"):
            # The register's name wins; the typed one is kept if the lookup is not possible.
            member["name"] = checked_text(
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


def check_record_fields(
    errors: Errors, proposed: ProposedIn, vocab: Vocab, current: dict[str, Any] | None
) -> tuple[dict[str, Any], list[MemberLookup]]:
    """The proposed partnership record, checked field by field (members still to be looked up)."""
    p = "proposed"
    record: dict[str, Any] = {
        "name": checked_text(
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
        checked_text(
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
    record["lead_organisation"] = checked_text(
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
        if area is None or area.level not in SERVED_LEVELS or not GSS_CODE.match(code):
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


def check_landscape(errors: Errors, proposed: ProposedIn) -> dict[str, Any]:
    """A landscape note: its text and what the council does."""
    body = checked_text(
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
            checked_text(
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


def check_submitter(errors: Errors, submitter: SubmitterIn) -> Submitter:
    """The submitter's name, email, organisation and role (problems are added to ``errors``)."""
    return Submitter(
        name=checked_text(
            errors,
            "submitter.name",
            submitter.name,
            "Your name",
            max_len=MAX_NAME,
            required="Enter your name",
        )
        or "",
        email=check_email(errors, "submitter.email", submitter.email, "Enter your email address")
        or "",
        organisation=checked_text(
            errors,
            "submitter.organisation",
            submitter.organisation,
            "Your organisation",
            max_len=MAX_NAME,
        ),
        role=checked_text(errors, "submitter.role", submitter.role, "Your role", max_len=MAX_NAME),
    )


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


def check_base_version(errors: Errors, given: int | None, latest: int, lowest: int = 1) -> int:
    """The version a change is based on: ``latest`` when not given; an error unless it is in range."""
    if given is None:
        return latest
    if not lowest <= given <= latest:
        errors.add("base_version", f"The version must be between {lowest} and {latest}")
    return given
