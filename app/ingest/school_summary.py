"""The schools import's summary: placing, coverage, trusts, predecessors and what was missed."""

from __future__ import annotations

from app.ingest.base import Context
from app.ingest.common import ACADEMY_TRUST_TYPES, statement
from app.ingest.placing import Placed
from app.ingest.school_facts import VIA_PREDECESSOR
from app.ingest.school_trusts import (
    ACADEMIES_IN_A_TRUST,
    ACADEMIES_TRUST_UNKNOWN,
    ACADEMIES_TRUST_UNKNOWN_WHY,
    ACADEMIES_WITH_TRUST_BEFORE,
)


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


# Figures for the summary, each one count over the finished load.
PLACING_FACTS = {
    "LA from the census (school not placed)": (
        "SELECT count(*) FROM school_out WHERE census_la IS NOT NULL"
    ),
    "district disagrees with the postcode's Code-Point district": (
        "SELECT count(*) FROM school_out WHERE pip_district <> codepoint_district"
    ),
    "LA disagrees with the LA of the postcode's Code-Point district": (
        "SELECT count(*) FROM school s JOIN school_out o USING (urn)"
        " JOIN area a ON a.code = o.codepoint_district"
        " WHERE s.la_code <> CASE WHEN a.level = 'district' THEN a.parent_code ELSE a.code END"
    ),
    "LA point-in-polygon disagrees with the LA of the district point-in-polygon": (
        "SELECT count(*) FROM school_out WHERE pip_la <> district_la"
    ),
    "schools in the census (own URN)": "SELECT count(*) FROM school_out WHERE in_census",
}
TRUST_FACTS = {
    "schools with a trust": "SELECT count(*) FROM school WHERE trust_uid IS NOT NULL",
    "academies": "SELECT count(*) FROM school WHERE is_academy",
    "academies with a trust": (
        "SELECT count(*) FROM school WHERE is_academy AND trust_uid IS NOT NULL"
    ),
    ACADEMIES_IN_A_TRUST: (
        "SELECT count(*) FROM school s JOIN trust t ON t.uid = s.trust_uid"
        " WHERE s.is_academy AND t.group_type = ANY(%(academy_types)s)"
    ),
    "academies linked to a sponsor group of their census trust's name (not counted in a trust)": (
        "SELECT count(*) FROM school s JOIN trust t ON t.uid = s.trust_uid"
        " WHERE s.is_academy AND t.group_type = 'School sponsor'"
    ),
    "maintained schools linked to a foundation trust (not counted in a trust)": (
        "SELECT count(*) FROM school s JOIN trust t ON t.uid = s.trust_uid"
        " WHERE NOT s.is_academy AND t.group_type = 'Trust'"
    ),
    ACADEMIES_TRUST_UNKNOWN: ("SELECT count(*) FROM school WHERE is_academy AND trust_uid IS NULL"),
    "schools whose trust has since closed": (
        "SELECT count(*) FROM school s JOIN trust t ON t.uid = s.trust_uid"
        " WHERE t.status = 'Closed'"
    ),
    "schools whose census trust name is not matched": (
        "SELECT count(*) FROM school_out WHERE trust_name IS NOT NULL AND own_trust_uid IS NULL"
    ),
}
PREDECESSOR_FACTS = {
    "schools with facts through a predecessor": (
        "SELECT count(*) FROM school WHERE predecessor_urn IS NOT NULL"
    ),
    "phase through a predecessor": (
        "SELECT count(*) FROM school WHERE strpos(provenance->>'phase', %(via)s) > 0"
    ),
    "pupils and FSM through a predecessor": (
        "SELECT count(*) FROM school WHERE strpos(provenance->>'pupils', %(via)s) > 0"
    ),
    "trust through a predecessor": (
        "SELECT count(*) FROM school WHERE strpos(provenance->>'trust', %(via)s) > 0"
    ),
    "academy predecessor's trust not carried (new URN, new trust)": (
        "SELECT count(*) FROM predecessor p JOIN census_in c ON c.urn = p.predecessor_urn"
        " WHERE p.link_type = 'Predecessor' AND p.n = 1 AND c.trust_key IS NOT NULL"
    ),
}


# The parameters the figures above may use.
FACT_PARAMS = {"via": VIA_PREDECESSOR, "academy_types": list(ACADEMY_TRUST_TYPES)}


def _facts(ctx: Context, queries: dict[str, str]) -> dict[str, int]:
    counts = {}
    for name, sql in queries.items():
        counts[name] = int(ctx.scalar(sql, FACT_PARAMS))
        ctx.summary.fact(name, counts[name])
    return counts


def summarise(ctx: Context, placed: list[Placed]) -> None:
    """Put placing, coverage, trust and predecessor figures, and what was missed, in the summary."""
    s = ctx.summary
    total = ctx.count_rows("school")
    located = int(ctx.scalar("SELECT count(*) FROM school WHERE geom IS NOT NULL"))
    s.fact("schools placed", located)
    s.fact("schools placed, share", _share(located, total))
    for p in placed:
        s.fact(f"{p.level}: placed by the nearest boundary within 2 km", p.nearest)
        s.fact(f"{p.level}: placed points outside every boundary", p.outside)
    _facts(ctx, PLACING_FACTS)
    for column in ("phase", "school_type", "status", "is_academy", "pupils", "fsm_pct"):
        n = int(ctx.scalar(f"SELECT count(*) FROM school WHERE {column} IS NOT NULL"))
        s.fact(f"share with {column}", _share(n, total))
    trusts = _facts(ctx, TRUST_FACTS)
    s.fact("share with a trust", _share(trusts["schools with a trust"], total))
    s.fact(
        "academies with a trust, share",
        _share(trusts["academies with a trust"], trusts["academies"]),
    )
    s.fact(
        ACADEMIES_TRUST_UNKNOWN_WHY,
        dict(ctx.conn.execute(statement("schools_trust_unknown_reasons")).fetchall()),
    )
    before = ctx.scalar(statement("schools_previous_academies_with_trust"), {"id": ctx.dataset_id})
    s.fact(ACADEMIES_WITH_TRUST_BEFORE, int(before) if before is not None else None)
    _summarise_trust_names(ctx)
    _facts(ctx, PREDECESSOR_FACTS)
    rows = ctx.conn.execute
    s.miss(
        "school postcode not an English Code-Point Open postcode (URN postcode)",
        [
            f"{urn} {given or '(none)'}"
            for urn, given in rows(
                "SELECT s.urn, s.postcode_as_given FROM school_in s"
                " WHERE NOT EXISTS (SELECT 1 FROM school_point p WHERE p.key = s.urn)"
            )
        ],
    )
    s.miss(
        "district disagrees with Code-Point (URN point-in-polygon/Code-Point)",
        [
            f"{urn} {pip}/{codepoint}"
            for urn, pip, codepoint in rows(
                "SELECT urn, pip_district, codepoint_district FROM school_out"
                " WHERE pip_district <> codepoint_district"
            )
        ],
    )
    s.miss(
        "school with no phase (URN)",
        [str(r[0]) for r in rows("SELECT urn FROM school WHERE phase IS NULL")],
    )


def _summarise_trust_names(ctx: Context) -> None:
    """Trust names of the whole census file: matched, ambiguous, closed too early, unknown."""
    s = ctx.summary
    rows = ctx.conn.execute(statement("schools_trust_names")).fetchall()
    matched = [r for r in rows if r[2]]
    s.fact("census trust names", len(rows))
    s.fact("census trust names matched to a GIAS group", len(matched))
    s.fact("census trust names matched, share", _share(len(matched), len(rows)))
    s.fact("census trust names matched only to a sponsor group", sum(bool(r[4]) for r in matched))
    unmatched = [r for r in rows if not r[2]]
    s.fact("census trust names not matched", len(unmatched))
    s.miss(
        "census trust name with no GIAS group of that name", [r[1] for r in unmatched if not r[5]]
    )
    s.miss(
        "census trust name whose GIAS groups had all closed before census day",
        [r[1] for r in unmatched if r[5] and not r[3]],
    )
    s.miss(
        "census trust name matching several GIAS groups equally", [r[1] for r in unmatched if r[3]]
    )
