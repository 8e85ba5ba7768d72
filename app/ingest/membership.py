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

from collections import Counter

from app.ingest.base import Context, Importer
from app.ingest.membership_leads import LeadReport, match_lead, print_lead_report
from app.ingest.membership_store import (
    MEMBER_SCHOOLS_FILE,
    MEMBERSHIP_FILE,
    REGISTER_ORIGIN,
    Outcome,
    read_sources,
    store,
)
from app.ingest.membership_world import load_world


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
