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

from app.ingest.base import Context, Importer, ImportFailed, copy_rows
from app.ingest.common import ACADEMY_TRUST_TYPES, CENSUS_FILE
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

PLACE_SQL = """
CREATE TEMP TABLE trust_point ON COMMIT DROP AS
SELECT t.uid AS key, p.geom_bng, ST_Transform(p.geom_bng, 4326) AS geom
FROM trust_in t JOIN postcode p ON p.postcode = t.postcode
"""

UPSERT_SQL = """
INSERT INTO trust AS t (uid, group_id, name, group_type, status, companies_house_number, ukprn,
                       open_date, closed_date, town, postcode, geom, geom_bng, la_code,
                       dataset_id)
SELECT i.uid, i.group_id, i.name, i.group_type, i.status, i.companies_house_number, i.ukprn,
       i.open_date, i.closed_date, i.town, i.postcode, p.geom, p.geom_bng, h.area_code,
       %(dataset)s
FROM trust_in i
LEFT JOIN trust_point p ON p.key = i.uid
LEFT JOIN area_hit h ON h.key = i.uid AND h.level = 'local_authority'
ORDER BY i.uid
ON CONFLICT (uid) DO UPDATE SET
    group_id = EXCLUDED.group_id, name = EXCLUDED.name, group_type = EXCLUDED.group_type,
    status = EXCLUDED.status, companies_house_number = EXCLUDED.companies_house_number,
    ukprn = EXCLUDED.ukprn, open_date = EXCLUDED.open_date, closed_date = EXCLUDED.closed_date,
    town = EXCLUDED.town, postcode = EXCLUDED.postcode, geom = EXCLUDED.geom,
    geom_bng = EXCLUDED.geom_bng, la_code = EXCLUDED.la_code, dataset_id = EXCLUDED.dataset_id
WHERE (t.group_id, t.name, t.group_type, t.status, t.companies_house_number, t.ukprn,
       t.open_date, t.closed_date, t.town, t.postcode, t.la_code, t.dataset_id,
       ST_AsEWKB(t.geom_bng))
      IS DISTINCT FROM
      (EXCLUDED.group_id, EXCLUDED.name, EXCLUDED.group_type, EXCLUDED.status,
       EXCLUDED.companies_house_number, EXCLUDED.ukprn, EXCLUDED.open_date,
       EXCLUDED.closed_date, EXCLUDED.town, EXCLUDED.postcode, EXCLUDED.la_code,
       EXCLUDED.dataset_id, ST_AsEWKB(EXCLUDED.geom_bng))
RETURNING (xmax = 0) AS inserted
"""

# A group gone from the file survives while anything still points at it.
DELETE_ABSENT_SQL = """
DELETE FROM trust t
WHERE NOT EXISTS (SELECT 1 FROM trust_in i WHERE i.uid = t.uid)
  AND NOT EXISTS (SELECT 1 FROM school s WHERE s.trust_uid = t.uid)
  AND NOT EXISTS (SELECT 1 FROM partnership_member m WHERE m.trust_uid = t.uid)
"""


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

    conn.execute("DROP TABLE IF EXISTS pg_temp.trust_in, pg_temp.trust_point")
    conn.execute(
        "CREATE TEMP TABLE trust_in (uid integer PRIMARY KEY, group_id text, name text,"
        " group_type text, status text, companies_house_number text, ukprn text,"
        " open_date date, closed_date date, town text, postcode text, postcode_as_given text)"
        " ON COMMIT DROP"
    )
    copy_rows(
        conn, "trust_in", STAGING_COLUMNS, _rows(ctx.track(groups, "groups", total=len(groups)))
    )
    conn.execute(PLACE_SQL)
    conn.execute("ALTER TABLE trust_point ADD PRIMARY KEY (key)")
    conn.execute("ANALYZE trust_in; ANALYZE trust_point")
    (placed,) = locate(conn, "trust_point", ("local_authority",))

    outcomes = [r[0] for r in conn.execute(UPSERT_SQL, {"dataset": ctx.dataset_id})]
    deleted = conn.execute(DELETE_ABSENT_SQL).rowcount
    kept = [
        str(r[0])
        for r in conn.execute(
            "SELECT uid FROM trust t WHERE NOT EXISTS (SELECT 1 FROM trust_in i WHERE i.uid = t.uid)"
            " ORDER BY uid"
        )
    ]
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
    unknown = ctx.conn.execute(
        "SELECT i.uid, i.postcode_as_given FROM trust_in i"
        " WHERE i.postcode_as_given IS NOT NULL"
        "   AND NOT EXISTS (SELECT 1 FROM trust_point p WHERE p.key = i.uid) ORDER BY i.uid"
    ).fetchall()
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
