"""The schools import's summary: placing, coverage, trusts, predecessors and what was missed."""

from __future__ import annotations

from psycopg.rows import dict_row

from app.codes import ACADEMY_TRUST_TYPES
from app.ingest.base import Context
from app.ingest.common import statement
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


# Figures for the summary, each a column of schools_summary_counts.sql: label -> column.
PLACING_FACTS = {
    "LA from the census (school not placed)": "la_from_census",
    "district disagrees with the postcode's Code-Point district": "district_disagrees",
    "LA disagrees with the LA of the postcode's Code-Point district": "la_disagrees",
    "LA point-in-polygon disagrees with the LA of the district point-in-polygon": (
        "pip_la_disagrees"
    ),
    "schools in the census (own URN)": "in_census",
}
SHARE_FACTS = ("phase", "school_type", "status", "is_academy", "pupils", "fsm_pct")
TRUST_FACTS = {
    "schools with a trust": "with_trust",
    "academies": "academies",
    "academies with a trust": "academies_with_trust",
    ACADEMIES_IN_A_TRUST: "academies_in_a_trust",
    "academies linked to a sponsor group of their census trust's name (not counted in a trust)": (
        "academies_with_sponsor"
    ),
    "maintained schools linked to a foundation trust (not counted in a trust)": (
        "maintained_with_foundation_trust"
    ),
    ACADEMIES_TRUST_UNKNOWN: "academies_trust_unknown",
    "schools whose trust has since closed": "trust_since_closed",
    "schools whose census trust name is not matched": "trust_name_unmatched",
}
PREDECESSOR_FACTS = {
    "schools with facts through a predecessor": "via_predecessor",
    "phase through a predecessor": "phase_via_predecessor",
    "pupils and FSM through a predecessor": "pupils_via_predecessor",
    "trust through a predecessor": "trust_via_predecessor",
    "academy predecessor's trust not carried (new URN, new trust)": (
        "predecessor_trust_not_carried"
    ),
}
COUNT_PARAMS = {"via": VIA_PREDECESSOR, "academy_types": list(ACADEMY_TRUST_TYPES)}


def _counts(ctx: Context) -> dict[str, int]:
    """Every figure of schools_summary_counts.sql, by column name."""
    with ctx.conn.cursor(row_factory=dict_row) as cur:
        row = cur.execute(statement("schools_summary_counts"), COUNT_PARAMS).fetchone()
    assert row is not None  # a SELECT without FROM returns one row
    return {name: int(value) for name, value in row.items()}


def _facts(ctx: Context, counts: dict[str, int], columns: dict[str, str]) -> None:
    for label, column in columns.items():
        ctx.summary.fact(label, counts[column])


def summarise(ctx: Context, placed: list[Placed]) -> None:
    """Put placing, coverage, trust and predecessor figures, and what was missed, in the summary."""
    s = ctx.summary
    total = ctx.count_rows("school")
    counts = _counts(ctx)
    located = counts["placed"]
    s.fact("schools placed", located)
    s.fact("schools placed, share", _share(located, total))
    for p in placed:
        s.fact(f"{p.level}: placed by the nearest boundary within 2 km", p.nearest)
        s.fact(f"{p.level}: placed points outside every boundary", p.outside)
    _facts(ctx, counts, PLACING_FACTS)
    for column in SHARE_FACTS:
        s.fact(f"share with {column}", _share(counts[f"with_{column}"], total))
    _facts(ctx, counts, TRUST_FACTS)
    s.fact("share with a trust", _share(counts["with_trust"], total))
    s.fact(
        "academies with a trust, share",
        _share(counts["academies_with_trust"], counts["academies"]),
    )
    s.fact(
        ACADEMIES_TRUST_UNKNOWN_WHY,
        dict(ctx.conn.execute(statement("schools_trust_unknown_reasons")).fetchall()),
    )
    before = ctx.scalar(statement("schools_previous_academies_with_trust"), {"id": ctx.dataset_id})
    s.fact(ACADEMIES_WITH_TRUST_BEFORE, int(before) if before is not None else None)
    _summarise_trust_names(ctx)
    _facts(ctx, counts, PREDECESSOR_FACTS)
    rows = ctx.conn.execute
    s.miss(
        "school postcode not an English Code-Point Open postcode (URN postcode)",
        [f"{urn} {given or '(none)'}" for urn, given in rows(statement("schools_unplaced"))],
    )
    s.miss(
        "district disagrees with Code-Point (URN point-in-polygon/Code-Point)",
        [
            f"{urn} {pip}/{codepoint}"
            for urn, pip, codepoint in rows(statement("schools_district_disagreements"))
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
