"""The partnership import's summary: counts, currency, national networks, roll-ups by LA, combined
authority and region, and every register row not imported.
"""

from __future__ import annotations

from collections import Counter

from app.ingest.base import Context, Summary
from app.ingest.common import statement
from app.ingest.partnerships_rows import Register
from app.ingest.partnerships_store import Applied

INVALID_ROWS = "invalid rows"
AREA_NAME_MISMATCH = "area names not matching their code (imported by code)"
KEPT_MODERATED = "register rows not applied: record changed by moderation"
GONE_FROM_REGISTER = "seed records no longer in the register (kept)"
NO_LOCAL_PARTNERSHIP = "LAs with no local partnership"
PER_LA = "partnerships per LA, rolled up (all, local)"
PER_CA = "partnerships per combined authority, rolled up (all, local)"
PER_REGION = "partnerships per region, rolled up (all, local)"
CURRENCY_COUNTS = "seed records by currency"
NETWORK_COMPLETENESS = "national networks recorded (of known size)"


def report(ctx: Context, register: Register, applied: Applied, stored_before: set[str]) -> None:
    """Put counts, roll-ups and everything not imported into the import summary."""
    summary = ctx.summary
    for table in (
        "partnership_kind",
        "theme",
        "partnership",
        "partnership_theme",
        "partnership_area",
        "partnership_member",
    ):
        ctx.count_rows(table)
    ctx.count_rows("revision", "WHERE partnership_id IS NOT NULL")

    summary.fact("register rows", register.rows)
    summary.fact("register rows per file", register.rows_per_file)
    summary.fact("valid rows", len(register.records))
    summary.fact("invalid rows", len(register.invalid))
    summary.fact("created", len(applied.created))
    summary.fact("updated", len(applied.updated))
    summary.fact("moved within the register", applied.moved)
    summary.fact("unchanged", applied.unchanged)
    summary.fact("kept moderated records", len(applied.kept_moderated))
    summary.fact(
        "valid rows per kind", dict(sorted(Counter(r.kind for r in register.records).items()))
    )
    summary.fact(
        "rows with a checked date", sum(r.checked_on is not None for r in register.records)
    )
    summary.fact(
        "rows with later status evidence",
        sum(r.status_evidence_url is not None for r in register.records),
    )
    summary.fact(
        "area links covering part of an area",
        sum(not a.whole for r in register.records for a in r.areas),
    )
    summary.fact(
        CURRENCY_COUNTS,
        dict(ctx.conn.execute(statement("partnerships_currency")).fetchall()),
    )
    summary.fact(
        NETWORK_COMPLETENESS,
        {
            label: f"{n} of {'about ' if approx else ''}{size}"
            for label, n, size, approx in ctx.conn.execute(statement("partnerships_networks"))
        },
    )
    recoded = sorted({code for r in register.records for code in r.recoded})
    if recoded:
        summary.fact("area codes recoded", recoded)
    # "invalid rows" is always present, so an empty list says the register was clean.
    summary.miss(INVALID_ROWS, register.invalid)
    _miss_if_any(summary, AREA_NAME_MISMATCH, [w for r in register.records for w in r.warnings])
    _miss_if_any(summary, KEPT_MODERATED, applied.kept_moderated)
    gone = ctx.conn.execute(
        statement("partnerships_gone"), (sorted(stored_before - register.keys_seen),)
    ).fetchall()
    _miss_if_any(summary, GONE_FROM_REGISTER, [f"{ref}: {slug}" for ref, slug in gone])

    per_level: dict[str, dict[str, list[int]]] = {}
    without_local: list[str] = []
    for level, code, name, total, local in ctx.conn.execute(statement("partnerships_rollup")):
        per_level.setdefault(level, {})[code] = [total, local]
        if level == "local_authority" and local == 0:
            without_local.append(f"{code} {name}")
    per_la = per_level.get("local_authority", {})
    summary.fact(
        "partnerships by kind",
        dict(
            ctx.conn.execute(
                "SELECT kind, count(*) FROM partnership GROUP BY kind ORDER BY kind"
            ).fetchall()
        ),
    )
    summary.fact(
        "LAs with a local partnership", f"{len(per_la) - len(without_local)} of {len(per_la)}"
    )
    summary.fact(PER_REGION, per_level.get("region", {}))
    summary.fact(PER_CA, per_level.get("combined_authority", {}))
    summary.fact(PER_LA, per_la)
    summary.miss(NO_LOCAL_PARTNERSHIP, without_local)


def _miss_if_any(summary: Summary, key: str, items: list[str]) -> None:
    if items:
        summary.miss(key, items)
