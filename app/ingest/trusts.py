"""Import GIAS establishment groups (trusts, federations, sponsors…) with their head offices.

The source is the GIAS "all groups" extract (2025/26): 7,176 groups of every type and status.
Each group's head office is placed at its postcode's Code-Point Open point and given the
upper-tier LA that contains it. Only academy trusts carry a postcode in GIAS; federations,
sponsors and children's centre groups have none, so they have no location.

Trusts are upserted, never deleted and reloaded: ``school.trust_uid`` refers to them, and the
schools importer may not run again when only this file changes. A group that has left the
file is deleted only when no school or partnership member refers to it; the others are kept
(and listed in the summary) until the schools import lets go of them.

Names and dates are cleaned at import, and the summary says what was done:

* 13 names in the extract hold U+FFFD where a character was lost to a wrong decoding upstream
  ('Aret\ufffd Learning Trust'). Each is repaired from the school census of January 2023, read
  as the UTF-8 it is, when exactly one census trust name fits the damaged one ('ARETÉ LEARNING
  TRUST'); otherwise a lost character before or after an 's' is the apostrophe it nearly always
  is ('St Thomas’ Federation'). Names that cannot be repaired are listed.
* 1 January 1902 is a placeholder opening date (hundreds of groups carry it): stored as unknown.
* A name written all in capitals is title-cased for display, keeping the usual abbreviations
  (CE, RC, MAT, UTC…) and single-word brand names ('E-ACT') as they are.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from app.codes import ACADEMY_TRUST_TYPES
from app.ingest.base import Context, Importer, ImportFailed, copy_rows
from app.ingest.common import CENSUS_FILE, statement
from app.ingest.placing import Placed, locate
from app.ingest.trust_cleaning import (
    HIDDEN_PLACEHOLDER_DATES,
    REPAIRED_NAMES,
    TITLE_CASED,
    clean_groups,
    read_census_trust_names,
)
from app.ingest.trust_groups import Group, read_groups

GROUPS_FILE = "sap_sector/EstablishmentGroupLinks.json"

STAGING_COLUMNS = [
    "uid",
    "group_id",
    "name",
    "group_type",
    "status",
    "companies_house_number",
    "ukprn",
    "open_date",
    "closed_date",
    "town",
    "postcode",
    "postcode_as_given",
]


def _rows(groups: Iterable[Group]) -> Iterable[tuple[Any, ...]]:
    for g in groups:
        yield (
            g.uid,
            g.group_id,
            g.name,
            g.group_type,
            g.status,
            g.companies_house_number,
            g.ukprn,
            g.open_date,
            g.closed_date,
            g.town,
            g.postcode,
            g.postcode_as_given,
        )


def load(ctx: Context) -> None:
    """Upsert every group, place head offices from their postcodes and give them an LA."""
    conn = ctx.conn
    if not ctx.scalar("SELECT EXISTS (SELECT 1 FROM postcode)"):
        raise ImportFailed("trusts: the postcode table is empty; import postcodes first")
    groups, cleaning = clean_groups(
        read_groups(ctx.path(GROUPS_FILE)), read_census_trust_names(ctx.path(CENSUS_FILE))
    )

    conn.execute(statement("trusts_stage"))
    copy_rows(
        conn, "trust_in", STAGING_COLUMNS, _rows(ctx.track(groups, "groups", total=len(groups)))
    )
    conn.execute(statement("trusts_place"))
    conn.execute("ALTER TABLE trust_point ADD PRIMARY KEY (key)")
    conn.execute("ANALYZE trust_in; ANALYZE trust_point")
    (placed,) = locate(conn, "trust_point", ("local_authority",))

    outcomes = [r[0] for r in conn.execute(statement("trusts_upsert"), {"dataset": ctx.dataset_id})]
    deleted = conn.execute(statement("trusts_delete_absent")).rowcount
    kept = [str(r[0]) for r in conn.execute(statement("trusts_kept_absent"))]
    _summarise(ctx, groups, placed, sum(outcomes), len(outcomes), deleted, kept)
    s = ctx.summary
    s.fact(REPAIRED_NAMES, len(cleaning.repaired))
    s.fact(HIDDEN_PLACEHOLDER_DATES, cleaning.placeholder_dates)
    s.fact(TITLE_CASED, cleaning.title_cased)
    s.miss("names repaired (damaged -> repaired)", list(cleaning.repaired))
    if cleaning.unrepaired:
        s.miss("names with lost characters that could not be repaired", list(cleaning.unrepaired))


def _summarise(
    ctx: Context,
    groups: list[Group],
    placing: Placed,
    inserted: int,
    written: int,
    deleted: int,
    kept: list[str],
) -> None:
    s = ctx.summary
    ctx.count_rows("trust")
    with_postcode = [g for g in groups if g.postcode_as_given]
    # Every head office with a Code-Point point, whether or not an LA was found for it.
    placed = placing.inside + placing.nearest + placing.outside
    s.fact("groups in file", len(groups))
    s.fact("open groups", sum(g.status == "Open" for g in groups))
    s.fact("groups inserted", inserted)
    s.fact("groups updated", written - inserted)
    s.fact("groups deleted (gone from the file)", deleted)
    s.fact("groups with a postcode", len(with_postcode))
    s.fact("head offices placed", placed)
    s.fact(
        "head offices placed, share of groups with a postcode",
        round(placed / len(with_postcode), 4) if with_postcode else None,
    )
    s.fact(
        "head offices given the nearest LA (outside the generalised boundaries)", placing.nearest
    )
    s.fact(
        "head offices placed but outside every LA",
        int(ctx.scalar("SELECT count(*) FROM trust WHERE geom IS NOT NULL AND la_code IS NULL")),
    )
    unknown = ctx.conn.execute(statement("trusts_unknown_postcode")).fetchall()
    s.miss(
        "group postcode not an English Code-Point Open postcode", [f"{u} {p}" for u, p in unknown]
    )
    s.miss(
        "open academy trust without a postcode",
        [
            f"{g.uid} {g.name}"
            for g in groups
            if g.status == "Open"
            and g.group_type in ACADEMY_TRUST_TYPES
            and not g.postcode_as_given
        ],
    )
    if kept:
        s.miss("group gone from the file, kept while schools or partnerships refer to it", kept)


IMPORTER = Importer(
    name="trusts",
    title="GIAS establishment groups: trusts, federations and sponsors, with head offices",
    vintage="GIAS all groups extract (2025/26)",
    licence="OGL v3. Contains public sector information from Get Information about Schools "
    "(DfE), licensed under the Open Government Licence v3.0",
    files=(GROUPS_FILE, CENSUS_FILE),
    load=load,
    depends=("boundaries", "postcodes"),
)
