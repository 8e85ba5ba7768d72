"""Membership: how schools belong to local partnerships, named member schools, and the leads of
every partnership matched to GIAS schools and trusts.

Three sources of ``partnership_member`` rows and one of ``partnership_membership``:

- ``membership/membership.csv``: per researched partnership (joined by its exact register name),
  how schools join, a stated member count with its year, the council's part, funding model,
  legal form and contact page, each with its source; stored in ``partnership_membership``. Its
  ``member_trusts`` are matched to GIAS trusts by normalised name and stored as trust members.
- ``membership/member_schools.csv``: named member schools with URNs, stored as school members.
- every partnership's ``lead_organisation`` (read from ``partnership``): "(URN n)" links it to
  that school; otherwise the name, normalised, is compared with the open schools and the trusts
  in the partnership's areas. Only an exact match with exactly one candidate is stored (role
  ``lead``); several candidates are "ambiguous", none "unmatched", and nothing is guessed. The
  match report (per kind) is printed and kept in the import summary, every unmatched name listed.

Rows this importer writes carry ``origin`` ('membership register' or 'lead match') and are
replaced on every run, so the import is idempotent. A partnership that moderation has touched
keeps its members as moderators left them, and a membership row written by moderation
(``seed_ref`` NULL) is never overwritten: a moderated change always wins over a register row.
A partnership absent from ``membership.csv`` has not been researched; that is not "no members".
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.ingest.base import Context, Importer, ImportFailed
from app.models import COUNCIL_PARTS, FUNDING_MODELS, LEGAL_FORMS, MEMBERSHIP_BASES

MEMBERSHIP_FILE = "membership/membership.csv"
MEMBER_SCHOOLS_FILE = "membership/member_schools.csv"
REGISTER_ORIGIN = "membership register"
LEAD_ORIGIN = "lead match"
ACADEMY_TRUST_TYPES = ("Multi-academy trust", "Single-academy trust", "Secure single-academy trust")
_URN = re.compile(r"\(\s*URN\s*(\d{6})\s*\)", re.IGNORECASE)
_TRAILING_NOTE = re.compile(r"\s*\([^()]*\)\s*$")
# Words that only say what sort of body it is, dropped so 'X Ltd' and 'X Limited' compare equal.
_LEGAL_SUFFIX = re.compile(r"\b(limited|ltd|plc|cic)\b")


def normalise_name(name: str) -> str:
    """A name reduced for comparison: case, accents, '&', punctuation, 'the', 'Ltd' and any
    trailing parenthetical note ignored ('The X Trust (charity)' equals 'X TRUST')."""
    text = name
    while _TRAILING_NOTE.search(text):
        text = _TRAILING_NOTE.sub("", text)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    text = text.replace("&", " and ").replace("'", "").replace("\u2019", "")
    text = re.sub(r"[^a-z0-9]+", " ", text)
    text = _LEGAL_SUFFIX.sub(" ", text)
    text = re.sub(r"^the\s+", "", text.strip())
    return re.sub(r"\s+", " ", text).strip()


def lead_urn(lead: str | None) -> int | None:
    """The URN a lead organisation names as '(URN n)', if any."""
    found = _URN.search(lead or "")
    return int(found.group(1)) if found else None


def _optional(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _read(path: Path, columns: tuple[str, ...]) -> Iterator[tuple[str, dict[str, str]]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in columns if c not in (reader.fieldnames or [])]
            if missing:
                raise ImportFailed(f"{path.name}: missing columns {', '.join(missing)}")
            start = reader.line_num + 1
            for row in reader:
                yield f"{path.name}:{start}", row
                start = reader.line_num + 1
    except UnicodeDecodeError as exc:
        raise ImportFailed(f"{path.name}: not UTF-8: {exc}") from exc
    except csv.Error as exc:
        raise ImportFailed(f"{path.name}: unreadable CSV: {exc}") from exc


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
    checked = _optional(row.get("checked_on"))
    checked_on = None
    if checked:
        try:
            checked_on = dt.date.fromisoformat(checked)
        except ValueError:
            reasons.append(f"checked_on {checked!r} is not a date")
    record = Membership(
        seed_ref=seed_ref,
        name=name,
        basis=_choice(reasons, "basis", _optional(row.get("membership_basis")), MEMBERSHIP_BASES),
        count=_whole(reasons, "member count", _optional(row.get("member_count_stated"))),
        count_year=_whole(
            reasons, "member count year", _optional(row.get("member_count_source_year"))
        ),
        member_trusts=tuple(
            t.strip() for t in (row.get("member_trusts") or "").split(";") if t.strip()
        ),
        council_part=_choice(
            reasons,
            "council role",
            _optional(row.get("council_role_in_partnership")),
            COUNCIL_PARTS,
        ),
        funding_model=_choice(
            reasons, "funding model", _optional(row.get("funding_model")), FUNDING_MODELS
        ),
        legal_form=_choice(reasons, "legal form", _optional(row.get("legal_form")), LEGAL_FORMS),
        contact_url=_optional(row.get("contact_url")),
        source_url=_optional(row.get("source_url")),
        source_title=_optional(row.get("source_title")),
        source_date=_optional(row.get("source_date")),
        checked_on=checked_on,
        notes=_optional(row.get("notes")),
    )
    if reasons:
        raise ValueError("; ".join(reasons))
    return record


# --- what the database holds ------------------------------------------------------------------


@dataclass(frozen=True)
class PartnershipRef:
    """A partnership as matching needs it."""

    id: int
    name: str
    kind: str
    lead: str | None
    areas: tuple[str, ...]
    moderated: bool


@dataclass(frozen=True)
class SchoolRef:
    """An open school as matching needs it."""

    urn: int
    name: str
    la_code: str | None
    district_code: str | None
    trust_uid: int | None


@dataclass(frozen=True)
class TrustRef:
    """A GIAS group as matching needs it."""

    uid: int
    name: str
    group_type: str


# A partnership counts as moderated exactly as the partnership importer decides it.
PARTNERSHIPS_SQL = """
SELECT p.id, p.name, p.kind, p.lead_organisation,
       COALESCE((SELECT array_agg(a.area_code ORDER BY a.position)
                   FROM partnership_area a WHERE a.partnership_id = p.id), '{}') AS areas,
       EXISTS (SELECT 1 FROM revision r
                WHERE r.partnership_id = p.id
                  AND (r.moderator_id IS NOT NULL OR r.submission_id IS NOT NULL))
       OR p.version > COALESCE((SELECT max(r.version) FROM revision r
                                 WHERE r.partnership_id = p.id), 1) AS moderated
  FROM partnership p
 ORDER BY p.id
"""


@dataclass
class World:
    """Partnerships, schools and trusts, indexed for matching."""

    partnerships: dict[int, PartnershipRef]
    by_name: dict[str, PartnershipRef]
    schools: dict[int, SchoolRef]
    trusts: dict[int, TrustRef]
    # area code (LA or district) -> normalised name -> candidates
    school_names: dict[str, dict[str, set[int]]] = field(default_factory=dict)
    trust_names: dict[str, dict[str, set[int]]] = field(default_factory=dict)
    district_la: dict[str, str] = field(default_factory=dict)

    def areas_for(self, codes: tuple[str, ...]) -> set[str]:
        """The codes themselves and, for a district, its LA (a trust's footprint is by LA)."""
        found = set(codes)
        found |= {self.district_la[c] for c in codes if c in self.district_la}
        return found

    def school_candidates(self, name: str, codes: tuple[str, ...]) -> set[int]:
        """Open schools in these areas whose normalised name is ``name``."""
        return {u for c in codes for u in self.school_names.get(c, {}).get(name, set())}

    def trust_candidates(self, name: str, codes: tuple[str, ...]) -> set[int]:
        """Trusts with a school or their head office in these areas, named ``name``."""
        return {
            u for c in self.areas_for(codes) for u in self.trust_names.get(c, {}).get(name, set())
        }


def load_world(ctx: Context) -> World:
    """Read what matching needs from the database; ImportFailed when an input is missing."""
    conn = ctx.conn
    partnerships = {
        row[0]: PartnershipRef(row[0], row[1], row[2], row[3], tuple(row[4]), bool(row[5]))
        for row in conn.execute(PARTNERSHIPS_SQL)
    }
    if not partnerships:
        raise ImportFailed("membership: no partnerships; import partnerships first")
    schools = {
        urn: SchoolRef(urn, name, la, district, trust)
        for urn, name, la, district, trust in conn.execute(
            "SELECT urn, name, la_code, district_code, trust_uid FROM school"
        )
    }
    if not schools:
        raise ImportFailed("membership: no schools; import schools first")
    trusts = {
        uid: TrustRef(uid, name, group_type)
        for uid, name, group_type in conn.execute("SELECT uid, name, group_type FROM trust")
    }
    world = World(partnerships, {p.name: p for p in partnerships.values()}, schools, trusts)
    for school in schools.values():
        key = normalise_name(school.name)
        for code in (school.la_code, school.district_code):
            if code:
                world.school_names.setdefault(code, {}).setdefault(key, set()).add(school.urn)
    # A trust belongs to each LA where it has a school, and to its head office's LA.
    for uid, la_code in conn.execute(
        "SELECT DISTINCT trust_uid, la_code FROM school"
        " WHERE trust_uid IS NOT NULL AND la_code IS NOT NULL"
        " UNION SELECT uid, la_code FROM trust WHERE la_code IS NOT NULL"
    ):
        if uid in trusts:
            key = normalise_name(trusts[uid].name)
            world.trust_names.setdefault(la_code, {}).setdefault(key, set()).add(uid)
    world.district_la = dict(
        conn.execute(
            "SELECT code, parent_code FROM area WHERE level = 'district' AND parent_code IS NOT NULL"
        ).fetchall()
    )
    return world


# --- lead matching ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    """A member row to write."""

    partnership_id: int
    member_type: str
    name: str
    urn: int | None
    trust_uid: int | None
    area_code: str | None
    role: str
    origin: str


@dataclass
class LeadReport:
    """Outcome of lead matching, per partnership kind."""

    counts: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    unmatched: list[str] = field(default_factory=list)
    ambiguous: list[str] = field(default_factory=list)
    unknown_urns: list[str] = field(default_factory=list)

    def as_fact(self) -> dict[str, dict[str, int]]:
        """Per kind: matched (by URN, school name, trust name), unmatched, ambiguous, no lead."""
        return {k: dict(sorted(c.items())) for k, c in sorted(self.counts.items())}


def _name_forms(part: str) -> list[str]:
    """The normalised forms of one named lead to look up, most specific first: the whole name,
    then the name before a comma ('Carmel College, Darlington (Carmel Education Trust)')."""
    forms = [normalise_name(part)]
    head = _TRAILING_NOTE.sub("", part).split(",")[0]
    if "," in _TRAILING_NOTE.sub("", part):
        forms.append(normalise_name(head))
    return [f for i, f in enumerate(forms) if f and f not in forms[:i]]


def _match_part(world: World, p: PartnershipRef, part: str) -> tuple[str, Member | None, str]:
    """('school' | 'trust' | 'ambiguous' | 'unmatched', member, detail) for one named lead."""
    for key in _name_forms(part):
        schools = world.school_candidates(key, p.areas)
        trusts = world.trust_candidates(key, p.areas)
        if len(schools) == 1:
            school = world.schools[next(iter(schools))]
            # A single-academy trust named after its only school is the same body: the school.
            trusts = {t for t in trusts if t != school.trust_uid}
        if len(trusts) > 1:
            # GIAS keeps an academy trust's sponsor record as a second group of the same name.
            academy = {t for t in trusts if world.trusts[t].group_type in ACADEMY_TRUST_TYPES}
            others = trusts - academy
            if len(academy) == 1 and all(
                world.trusts[t].group_type == "School sponsor" for t in others
            ):
                trusts = academy
        if len(schools) + len(trusts) > 1:
            detail = f"{part!r} ({len(schools)} schools, {len(trusts)} trusts of that name)"
            return "ambiguous", None, detail
        if schools:
            school = world.schools[next(iter(schools))]
            member = Member(
                p.id, "school", school.name, school.urn, None, school.la_code, "lead", LEAD_ORIGIN
            )
            return "school", member, ""
        if trusts:
            trust = world.trusts[next(iter(trusts))]
            return (
                "trust",
                Member(p.id, "trust", trust.name, None, trust.uid, None, "lead", LEAD_ORIGIN),
                "",
            )
    return "unmatched", None, part


def match_lead(world: World, p: PartnershipRef, report: LeadReport) -> list[Member]:
    """The lead(s) of one partnership as member rows (counted in ``report``); never a guess.

    "(URN n)" names the school outright. Otherwise each ';'-separated name is compared, exactly
    after normalising, with the open schools and trusts of the partnership's areas; a name with
    one candidate is a match, with several it is ambiguous, with none unmatched.
    """
    counts = report.counts[p.kind]
    lead = (p.lead or "").strip()
    if not lead:
        counts["no lead named"] += 1
        return []
    urn = lead_urn(lead)
    if urn is not None:
        school = world.schools.get(urn)
        if school is None:
            counts["unmatched"] += 1
            report.unknown_urns.append(f"{p.name} [{p.kind}]: URN {urn} is not an open school")
            return []
        counts["matched by URN"] += 1
        return [Member(p.id, "school", school.name, urn, None, school.la_code, "lead", LEAD_ORIGIN)]
    outcomes = [_match_part(world, p, part.strip()) for part in lead.split(";") if part.strip()]
    members = [m for _, m, _ in outcomes if m is not None]
    kinds = {k for k, _, _ in outcomes}
    if members:
        counts["matched school by name" if "school" in kinds else "matched trust by name"] += 1
    elif "ambiguous" in kinds:
        counts["ambiguous"] += 1
        report.ambiguous.extend(
            f"{p.name} [{p.kind}]: {d}" for k, _, d in outcomes if k == "ambiguous"
        )
    else:
        counts["unmatched"] += 1
        report.unmatched.append(f"{p.name} [{p.kind}]: {lead}")
    return members


# --- the importer -----------------------------------------------------------------------------


@dataclass
class Outcome:
    """What the membership files joined and what they did not."""

    memberships: list[Membership] = field(default_factory=list)
    members: list[Member] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)
    unknown_partnerships: list[str] = field(default_factory=list)
    unknown_schools: list[str] = field(default_factory=list)
    trusts_matched: list[str] = field(default_factory=list)
    trusts_unmatched: list[str] = field(default_factory=list)
    kept_moderated: set[str] = field(default_factory=set)


def read_sources(ctx: Context, world: World, outcome: Outcome) -> None:
    """Read both membership files into ``outcome``, matching names to the database."""
    for ref, row in _read(ctx.path(MEMBERSHIP_FILE), MEMBERSHIP_COLUMNS):
        try:
            record = parse_membership(ref, row)
        except ValueError as exc:
            outcome.invalid.append(f"{ref}: {exc}")
            continue
        p = world.by_name.get(record.name)
        if p is None:
            outcome.unknown_partnerships.append(f"{ref}: {record.name}")
            continue
        outcome.memberships.append(record)
        for trust_name in record.member_trusts:
            found = world.trust_candidates(normalise_name(trust_name), p.areas)
            if len(found) == 1:
                trust = world.trusts[next(iter(found))]
                outcome.trusts_matched.append(f"{p.name}: {trust_name} -> {trust.uid}")
                outcome.members.append(
                    Member(
                        p.id, "trust", trust.name, None, trust.uid, None, "member", REGISTER_ORIGIN
                    )
                )
            else:
                outcome.trusts_unmatched.append(
                    f"{p.name}: {trust_name} ({len(found)} trusts of that name in its areas)"
                )
    for ref, row in _read(ctx.path(MEMBER_SCHOOLS_FILE), MEMBER_SCHOOL_COLUMNS):
        name = (row.get("name") or "").strip()
        p = world.by_name.get(name)
        if p is None:
            outcome.unknown_partnerships.append(f"{ref}: {name}")
            continue
        urn_text = (row.get("urn") or "").strip()
        if not re.fullmatch(r"\d{6}", urn_text):
            outcome.invalid.append(f"{ref}: URN {urn_text or '(empty)'} is not six digits")
            continue
        school = world.schools.get(int(urn_text))
        if school is None:
            # Not a state-funded school in the schools list (an independent school, say): kept
            # under the source's name, so the partnership still lists it.
            outcome.unknown_schools.append(f"{ref}: URN {urn_text} ({row.get('school_name')})")
        name_ = (
            school.name if school else (row.get("school_name") or "").strip() or f"URN {urn_text}"
        )
        outcome.members.append(
            Member(
                p.id,
                "school",
                name_,
                int(urn_text),
                None,
                school.la_code if school else None,
                "member",
                REGISTER_ORIGIN,
            )
        )


def store(ctx: Context, world: World, outcome: Outcome) -> None:
    """Replace the importer's own member and membership rows; leave moderated ones alone."""
    conn = ctx.conn
    moderated = {p.id for p in world.partnerships.values() if p.moderated}
    by_moderation = {
        row[0]
        for row in conn.execute(
            "SELECT partnership_id FROM partnership_membership WHERE seed_ref IS NULL"
        )
    }
    conn.execute(
        "DELETE FROM partnership_member WHERE origin IS NOT NULL AND NOT (partnership_id = ANY(%s))",
        (sorted(moderated),),
    )
    conn.execute("DELETE FROM partnership_membership WHERE seed_ref IS NOT NULL")
    seen: set[tuple[Any, ...]] = set()
    rows = []
    for m in outcome.members:
        if m.partnership_id in moderated:
            outcome.kept_moderated.add(world.partnerships[m.partnership_id].name)
            continue
        key = (m.partnership_id, m.member_type, m.urn, m.trust_uid)
        if key in seen:
            continue  # a lead named again as a member stays one row, as the lead
        seen.add(key)
        rows.append(
            (
                m.partnership_id,
                m.member_type,
                m.name,
                m.urn,
                m.trust_uid,
                m.area_code,
                m.role,
                m.origin,
            )
        )
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO partnership_member (partnership_id, member_type, name, urn, trust_uid,"
            " area_code, role, origin) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            rows,
        )
        records = []
        for r in outcome.memberships:
            pid = world.by_name[r.name].id
            if pid in by_moderation:
                outcome.kept_moderated.add(r.name)
                continue
            records.append(
                (
                    pid,
                    r.basis,
                    r.count,
                    r.count_year,
                    list(r.member_trusts),
                    r.council_part,
                    r.funding_model,
                    r.legal_form,
                    r.contact_url,
                    r.notes,
                    r.source_url,
                    r.source_title,
                    r.source_date,
                    r.checked_on,
                    r.seed_ref,
                    ctx.dataset_id,
                )
            )
        cur.executemany(
            "INSERT INTO partnership_membership (partnership_id, membership_basis,"
            " member_count_stated, member_count_year, member_trusts, council_part, funding_model,"
            " legal_form, contact_url, notes, source_url, source_title, source_date, checked_on,"
            " seed_ref, dataset_id)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            records,
        )


def print_lead_report(ctx: Context, report: LeadReport) -> None:
    """The whole lead-match report on the console: every unmatched and ambiguous name."""
    if ctx.quiet:
        return
    console = ctx.console
    console.print("  lead match report (per kind):")
    for kind, counts in report.as_fact().items():
        console.print(
            f"    {kind}: " + ", ".join(f"{k} {v}" for k, v in counts.items()), markup=False
        )
    for title, items in (
        ("unmatched leads", report.unmatched + report.unknown_urns),
        ("ambiguous leads", report.ambiguous),
    ):
        console.print(f"  {title} ({len(items)}):")
        for item in sorted(items):
            console.print(f"    - {item}", markup=False, highlight=False)


def load(ctx: Context) -> None:
    """Read the membership files, match every lead, and store members and membership attributes."""
    world = load_world(ctx)
    outcome = Outcome()
    read_sources(ctx, world, outcome)
    report = LeadReport()
    for p in world.partnerships.values():
        outcome.members[:0] = match_lead(world, p, report)
    store(ctx, world, outcome)

    summary = ctx.summary
    ctx.count_rows("partnership_membership")
    ctx.count_rows("partnership_member", "WHERE origin IS NOT NULL")
    lead_counts: Counter[str] = Counter()
    for counts in report.counts.values():
        lead_counts.update(counts)
    summary.fact("membership rows joined", len(outcome.memberships))
    summary.fact(
        "member schools joined",
        sum(m.origin == REGISTER_ORIGIN and m.member_type == "school" for m in outcome.members),
    )
    summary.fact("member trusts matched", len(outcome.trusts_matched))
    summary.fact("leads", dict(sorted(lead_counts.items())))
    summary.fact("lead match per kind", report.as_fact())
    summary.miss("invalid rows", outcome.invalid)
    summary.miss("partnership names not in the register", outcome.unknown_partnerships)
    summary.miss("member URNs not in the schools list (kept by name)", outcome.unknown_schools)
    summary.miss("member trusts not matched", outcome.trusts_unmatched)
    summary.miss("unmatched leads", report.unmatched + report.unknown_urns)
    summary.miss("ambiguous leads", report.ambiguous)
    if outcome.kept_moderated:
        summary.miss("partnerships kept as moderated", sorted(outcome.kept_moderated))
    print_lead_report(ctx, report)


IMPORTER = Importer(
    name="membership",
    title="Membership register (how schools belong to local partnerships) and lead matching",
    vintage="membership register (checked 6 December 2026); leads from the partnership register",
    licence="Compiled by the project from public web pages (one source URL per row)",
    files=(MEMBERSHIP_FILE, MEMBER_SCHOOLS_FILE),
    load=load,
    depends=("partnerships", "schools", "trusts"),
)
