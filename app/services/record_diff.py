"""Record diffs and three-way merges: pure comparisons of partnership and landscape records."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.schemas import (
    COUNCIL_ROLE_LABELS,
    MEMBER_ROLE_LABELS,
    MEMBER_TYPE_LABELS,
    PARTNERSHIP_STATUS_LABELS,
)
from app.services import records
from app.services.records import RECORD_FIELDS
from app.services.submission_validation import member_key

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
