"""Lead matching: every partnership's ``lead_organisation`` matched to one GIAS school or trust, by
"(URN n)" or by exact normalised name within its areas; ambiguous and unmatched names reported,
never guessed.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from app.codes import ACADEMY_TRUST_TYPES
from app.ingest.base import Context
from app.ingest.membership_world import (
    TRAILING_NOTE,
    Member,
    PartnershipRef,
    World,
    normalise_name,
)

LEAD_ORIGIN = "lead match"
_URN = re.compile(r"\(\s*URN\s*(\d{6})\s*\)", re.IGNORECASE)


def lead_urn(lead: str | None) -> int | None:
    """The URN a lead organisation names as '(URN n)', if any."""
    found = _URN.search(lead or "")
    return int(found.group(1)) if found else None


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
    head = TRAILING_NOTE.sub("", part).split(",")[0]
    if "," in TRAILING_NOTE.sub("", part):
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
