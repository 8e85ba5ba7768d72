"""Loading the membership files: ``membership.csv`` rows and ``member_schools.csv`` joined to the
partnerships, schools and trusts, then stored, replacing the importer's own rows and leaving
moderated ones alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.ingest.base import Context
from app.ingest.common import statement
from app.ingest.membership_rows import (
    MEMBER_SCHOOL_COLUMNS,
    MEMBERSHIP_COLUMNS,
    Membership,
    parse_membership,
)
from app.ingest.membership_world import Member, World, normalise_name
from app.ingest.register import read_csv_rows

MEMBERSHIP_FILE = "membership/membership.csv"
MEMBER_SCHOOLS_FILE = "membership/member_schools.csv"
REGISTER_ORIGIN = "membership register"


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
    for ref, row in read_csv_rows(ctx.path(MEMBERSHIP_FILE), MEMBERSHIP_COLUMNS):
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
    for ref, row in read_csv_rows(ctx.path(MEMBER_SCHOOLS_FILE), MEMBER_SCHOOL_COLUMNS):
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
    conn.execute(statement("membership_delete_members"), (sorted(moderated),))
    conn.execute("DELETE FROM partnership_membership WHERE seed_ref IS NOT NULL")
    seen: set[tuple[int, str, int | None, int | None]] = set()
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
        cur.executemany(statement("membership_insert_members"), rows)
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
        cur.executemany(statement("membership_insert_memberships"), records)
