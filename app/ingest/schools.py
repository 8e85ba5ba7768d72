"""Import England's state-funded schools: placed from their postcodes, with phase, type and trust.

The base list is GIAS's state-funded schools of July 2025 (URN, name, opening date, town,
postcode). Each school is placed at its postcode's Code-Point Open point and given its
upper-tier LA and its district by point-in-polygon; a school just outside the generalised
coastline takes the nearest area within 2 km, and the postcode's own district (Code-Point
``Admin_district_code``) is kept as an independent check.

The other facts are older, and each school's ``provenance`` says which source and vintage
each of its facts came from:

* the DfE school census of January 2023 (SPC 2022/23): phase, type, academy flag, LAESTAB,
  pupils, free school meals and the trust's name;
* GIAS of June 2024: phase and status of schools the census does not know;
* GIAS establishment links of July 2025: a school that opened under a new URN after the
  census (an academy conversion, a transfer to another trust, an amalgamation) reaches its
  predecessor's census facts, and a linked school is an academy exactly when it is in the
  academies-and-free-schools links extract.

The census names trusts in upper case; a name is matched to a GIAS group after upper-casing
and collapsing spaces, preferring academy trusts (or foundation trusts for maintained
schools) that were not already closed on census day, and open ones among those. Names that
match nothing, or more than one group equally well, are listed, never guessed. A trust is
not carried across a plain predecessor link: for an academy a new URN means a new trust, and
a maintained predecessor had none. It is carried across an amalgamation or a split when every
predecessor names the same trust.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.codes import RECODED_2025
from app.ingest.base import Context, Importer, ImportFailed, copy_rows
from app.ingest.placing import NEAREST_WITHIN_M, Placed, locate
from app.ingest.trusts import ACADEMY_TRUST_TYPES, clean_text, parse_gias_date
from app.postcodes import normalise_postcode

SCHOOLS_FILE = "register_trainee_teachers/schools_gias.csv"
CENSUS_FILE = "dfe_spc_2022_23/spc_school_level_underlying_data_2022_23.csv.gz"
GIAS_2024_FILE = "dfe_gias_data_json_2024/gias_data_schools_20240617.jsonl.gz"
LINKS_ALL_FILE = "gias_links_2025/links_edubasealldata_20250727.csv"
LINKS_ACADEMIES_FILE = "gias_links_2025/links_edubaseallacademiesandfree_20250727.csv"

CENSUS_DAY = dt.date(2023, 1, 19)
CENSUS_PUPILS = "headcount of pupils"
CENSUS_FSM = "% of pupils known to be eligible for free school meals"
CENSUS_COLUMNS = (
    "urn",
    "laestab",
    "new_la_code",
    "district_administrative_code",
    "phase_type_grouping",
    "middle_school",
    "all_through_school",
    "typeofestablishment_name",
    "academy_flag",
    "trust",
    CENSUS_PUPILS,
    CENSUS_FSM,
)
# Codes the census and GIAS write in place of a suppressed or inapplicable figure.
SUPPRESSED = frozenset({"", "z", "c", "x", "u", "low", "..", ":", "NA", "N/A"})

# The school phases stored, in the order a list or legend shows them.
PHASES = (
    "Nursery",
    "Primary",
    "Middle",
    "Secondary",
    "All-through",
    "16 plus",
    "Special",
    "Alternative provision",
)
_CENSUS_GROUPING_PHASE = {
    "State-funded nursery": "Nursery",
    "State-funded primary": "Primary",
    "State-funded secondary": "Secondary",
    "State-funded special school": "Special",
    "Non-maintained special school": "Special",
    "State-funded AP school": "Alternative provision",
    "Independent school": None,
}
_SIXTEEN_TO_NINETEEN_TYPES = frozenset(
    {"Free schools 16 to 19", "Academy 16-19 converter", "Academy 16 to 19 sponsor led"}
)
_GIAS_PHASE = {
    "Nursery": "Nursery",
    "Primary": "Primary",
    "Middle deemed primary": "Middle",
    "Middle deemed secondary": "Middle",
    "Secondary": "Secondary",
    "All-through": "All-through",
    "16 plus": "16 plus",
    "Not applicable": None,
}
_ACADEMY_FLAG = {"Academy": True, "LA Maintained": False, "Independent": False}

# What each fact's provenance says. Pages show these, so they name source and vintage.
SOURCE_CODEPOINT = "OS Code-Point Open 2025.4 (Oct 2025)"
SOURCE_AREAS = "ONS boundaries (LAD May 2024, CTYUA Dec 2023)"
INSIDE = ", school point in boundary"
NEAREST = f", nearest boundary within {NEAREST_WITHIN_M / 1000:g} km of the school point"
SOURCE_CENSUS = "DfE SPC 2022/23 (Jan 2023)"
SOURCE_GIAS_2024 = "GIAS establishments (Jun 2024)"
SOURCE_LINKS = "GIAS establishment links (Jul 2025)"
SOURCE_TRUST = "DfE SPC 2022/23 trust name (Jan 2023) matched to GIAS groups (2025)"
VIA_PREDECESSOR = ", predecessor URN "
# Why an academy's trust is not recorded (provenance key ``trust_unknown``): pages say so
# rather than count the academy as outside a trust.
TRUST_UNKNOWN_OPENED_AFTER = (
    "trust not recorded: opened after January 2023 (the trust list is the January 2023 census)"
)
TRUST_UNKNOWN_UNMATCHED = (
    "trust not recorded: the January 2023 census names a trust that matches no single GIAS group"
)
TRUST_UNKNOWN_UNNAMED = "trust not recorded: the January 2023 census names no trust"
TRUST_UNKNOWN_NOT_IN_CENSUS = "trust not recorded: the school is not in the January 2023 census"
TRUST_UNKNOWN_REASONS = (
    TRUST_UNKNOWN_OPENED_AFTER,
    TRUST_UNKNOWN_UNMATCHED,
    TRUST_UNKNOWN_UNNAMED,
    TRUST_UNKNOWN_NOT_IN_CENSUS,
)


def phase_from_census(
    grouping: str, middle_school: str, all_through: str, establishment_type: str
) -> str | None:
    """The phase of a census row from its grouping, middle/all-through flags and type.

    Raises ValueError for a grouping not seen before, so the vocabulary never grows silently.
    """
    if grouping not in _CENSUS_GROUPING_PHASE:
        raise ValueError(f"unknown phase_type_grouping {grouping!r}")
    phase = _CENSUS_GROUPING_PHASE[grouping]
    if phase in ("Primary", "Secondary"):
        if middle_school.strip().startswith("Middle"):
            return "Middle"
        if all_through.strip().lower() == "yes":
            return "All-through"
        if establishment_type in _SIXTEEN_TO_NINETEEN_TYPES:
            return "16 plus"
    return phase


def phase_from_gias(phase_of_education: str | None) -> str | None:
    """The phase of a GIAS establishment; None for 'Not applicable' (special schools, PRUs).

    Raises ValueError for a phase not seen before.
    """
    text = clean_text(phase_of_education)
    if text is None:
        return None
    if text not in _GIAS_PHASE:
        raise ValueError(f"unknown phase_of_education {text!r}")
    return _GIAS_PHASE[text]


def parse_share(value: str | None) -> float | None:
    """A percentage from the census; None when suppressed. ValueError outside 0..100."""
    text = (value or "").strip()
    if text in SUPPRESSED:
        return None
    share = float(text)
    if not 0.0 <= share <= 100.0:
        raise ValueError(f"percentage out of range: {text!r}")
    return share


def parse_count(value: str | None) -> int | None:
    """A head count from the census ('271', '271.0'); None when suppressed."""
    text = (value or "").strip()
    if text in SUPPRESSED:
        return None
    count = float(text)
    if count < 0 or count != int(count):
        raise ValueError(f"not a count: {text!r}")
    return int(count)


def parse_urn(value: object) -> int:
    """A six-digit URN, given as text or a number; ValueError otherwise."""
    text = "" if value is None else str(value).strip()
    if not (text.isdigit() and len(text) == 6):
        raise ValueError(f"not a URN: {value!r}")
    return int(text)


def read_text(path: Path) -> str:
    """A text file as UTF-8 (a BOM dropped), or as Latin-1 when it is not UTF-8.

    GIAS CSV downloads have been published in either encoding over the years.
    """
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _csv_rows(path: Path, required: Sequence[str]) -> Iterator[dict[str, str]]:
    """The rows of a CSV file as dicts of the required columns; ImportFailed if one is missing."""
    reader = csv.reader(io.StringIO(read_text(path), newline=""))
    header = [h.strip() for h in next(reader, [])]
    missing = [c for c in required if c not in header]
    if missing:
        raise ImportFailed(f"{path.name}: missing columns {missing}")
    index = {c: header.index(c) for c in required}
    for line, row in enumerate(reader, start=2):
        if not row:
            continue
        if len(row) != len(header):
            raise ImportFailed(f"{path.name}: line {line} has {len(row)} fields, not {len(header)}")
        yield {c: row[i] for c, i in index.items()}


@dataclass(frozen=True)
class ListedSchool:
    """A school of the July 2025 list."""

    urn: int
    name: str
    open_date: dt.date | None
    town: str | None
    postcode: str | None
    postcode_as_given: str | None


@dataclass(frozen=True)
class CensusSchool:
    """The facts the January 2023 census gives about one school."""

    urn: int
    laestab: int | None
    la_code: str | None
    district_code: str | None
    phase: str | None
    school_type: str | None
    is_academy: bool | None
    trust_name: str | None
    pupils: int | None
    fsm_pct: float | None


def read_school_list(path: Path) -> list[ListedSchool]:
    """The July 2025 list of state-funded schools, checked for repeated URNs."""
    schools = []
    try:
        for row in _csv_rows(path, ("urn", "name", "open_date", "town", "postcode")):
            name = clean_text(row["name"])
            if name is None:
                raise ValueError(f"URN {row['urn']} has no name")
            given = clean_text(row["postcode"])
            schools.append(
                ListedSchool(
                    urn=parse_urn(row["urn"]),
                    name=name,
                    open_date=parse_gias_date(row["open_date"]),
                    town=clean_text(row["town"]),
                    postcode=normalise_postcode(given) if given else None,
                    postcode_as_given=given,
                )
            )
    except ValueError as exc:
        raise ImportFailed(f"{path.name}: {exc}") from exc
    if len({s.urn for s in schools}) != len(schools):
        raise ImportFailed(f"{path.name}: a URN appears more than once")
    return schools


def read_census(path: Path) -> list[CensusSchool]:
    """The school-level census rows, one per URN, with phase normalised and figures parsed."""
    schools = []
    try:
        for row in _csv_rows(path, CENSUS_COLUMNS):
            laestab = row["laestab"].strip()
            schools.append(
                CensusSchool(
                    urn=parse_urn(row["urn"]),
                    laestab=int(laestab) if laestab.isdigit() else None,
                    la_code=clean_text(row["new_la_code"]),
                    district_code=clean_text(row["district_administrative_code"]),
                    phase=phase_from_census(
                        row["phase_type_grouping"].strip(),
                        row["middle_school"],
                        row["all_through_school"],
                        row["typeofestablishment_name"].strip(),
                    ),
                    school_type=clean_text(row["typeofestablishment_name"]),
                    is_academy=_ACADEMY_FLAG.get(row["academy_flag"].strip()),
                    trust_name=clean_text(row["trust"]),
                    pupils=parse_count(row[CENSUS_PUPILS]),
                    fsm_pct=parse_share(row[CENSUS_FSM]),
                )
            )
    except ValueError as exc:
        raise ImportFailed(f"{path.name}: {exc}") from exc
    if len({s.urn for s in schools}) != len(schools):
        raise ImportFailed(f"{path.name}: a URN appears more than once")
    return schools


def read_gias_2024(path: Path) -> list[tuple[int, str | None, str | None]]:
    """(URN, phase, status) of every establishment in the June 2024 GIAS list."""
    rows = []
    for number, line in enumerate(read_text(path).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            rows.append(
                (
                    parse_urn(record["urn"]),
                    phase_from_gias(record.get("phase_of_education")),
                    clean_text(record.get("status")),
                )
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ImportFailed(f"{path.name}: line {number}: {exc}") from exc
    if len({r[0] for r in rows}) != len(rows):
        raise ImportFailed(f"{path.name}: a URN appears more than once")
    return rows


def read_links(path: Path, source: str) -> list[tuple[int, int, str, str]]:
    """(URN, linked URN, link type, source) for every row of a GIAS links file."""
    rows = set()
    try:
        for row in _csv_rows(path, ("URN", "LinkURN", "LinkType")):
            link_type = clean_text(row["LinkType"])
            if link_type is None:
                raise ValueError(f"URN {row['URN']} has a link without a type")
            rows.add((parse_urn(row["URN"]), parse_urn(row["LinkURN"]), link_type, source))
    except ValueError as exc:
        raise ImportFailed(f"{path.name}: {exc}") from exc
    return sorted(rows)


STAGING_DDL = """
DROP TABLE IF EXISTS pg_temp.school_in, pg_temp.census_in, pg_temp.gias_in, pg_temp.link_in,
    pg_temp.school_point, pg_temp.trust_match, pg_temp.predecessor, pg_temp.school_out;
CREATE TEMP TABLE school_in (urn integer PRIMARY KEY, name text, open_date date, town text,
    postcode text, postcode_as_given text) ON COMMIT DROP;
CREATE TEMP TABLE census_in (urn integer PRIMARY KEY, laestab integer, la_code text,
    district_code text, phase text, school_type text, is_academy boolean, trust_name text,
    pupils integer, fsm_pct double precision, trust_key text, school_kind text) ON COMMIT DROP;
CREATE TEMP TABLE gias_in (urn integer PRIMARY KEY, phase text, status text) ON COMMIT DROP;
CREATE TEMP TABLE link_in (urn integer, link_urn integer, link_type text, source text)
    ON COMMIT DROP;
"""

# One spelling of a trust name for matching: upper case, single spaces, trimmed. The same
# expression is applied to both sides, so the census and GIAS spellings meet exactly.
NAME_KEY = "upper(btrim(regexp_replace({}, '\\s+', ' ', 'g')))"

PREPARE_SQL = f"""
UPDATE census_in SET
    trust_key = {NAME_KEY.format("trust_name")},
    school_kind = CASE WHEN is_academy THEN 'academy' ELSE 'maintained' END
WHERE trust_name IS NOT NULL;
CREATE INDEX ON link_in (urn);
ANALYZE school_in; ANALYZE census_in; ANALYZE gias_in; ANALYZE link_in;
"""

# The postcode's own district, with the 2025 recodes undone, is kept as a check.
PLACE_SQL = """
CREATE TEMP TABLE school_point ON COMMIT DROP AS
SELECT s.urn AS key, p.geom_bng, ST_Transform(p.geom_bng, 4326) AS geom,
       coalesce(%(recode)s::jsonb ->> p.district_code, p.district_code) AS codepoint_district
FROM school_in s JOIN postcode p ON p.postcode = s.postcode
"""

# Each census trust name (per kind of school) against the GIAS groups of the same name.
# Tier 0: an academy trust for an academy, a foundation trust for a maintained school.
# Tier 1: failing that, a school sponsor of exactly that name (the same body, recorded by
# GIAS under its sponsor role). Groups closed before census day cannot be the census's trust.
# Among the best tier, open groups win over closed ones; a tie leaves the name unmatched.
TRUST_MATCH_SQL = f"""
CREATE TEMP TABLE trust_match ON COMMIT DROP AS
WITH names AS (
    SELECT DISTINCT trust_key, school_kind FROM census_in WHERE trust_key IS NOT NULL
), candidate AS (
    SELECT n.trust_key, n.school_kind, t.uid,
           CASE WHEN (n.school_kind = 'academy' AND t.group_type = ANY(%(academy_types)s))
                  OR (n.school_kind = 'maintained' AND t.group_type = 'Trust') THEN 0
                ELSE 1 END AS tier,
           CASE t.status WHEN 'Open' THEN 0 WHEN 'Proposed to open' THEN 1 ELSE 2 END AS state
    FROM names n
    JOIN trust t ON {NAME_KEY.format("t.name")} = n.trust_key
    WHERE (t.closed_date IS NULL OR t.closed_date >= %(census_day)s)
      AND (t.group_type = ANY(%(academy_types)s) OR t.group_type IN ('Trust', 'School sponsor'))
), ranked AS (
    SELECT *, rank() OVER (PARTITION BY trust_key, school_kind ORDER BY tier, state) AS r
    FROM candidate
)
SELECT trust_key, school_kind, min(uid) AS uid, count(*) AS candidates, min(tier) AS tier
FROM ranked WHERE r = 1
GROUP BY trust_key, school_kind
"""

# For a school the census does not know: its predecessors that the census does know. The
# chosen one (largest, then lowest URN) gives the phase; head counts only come across a
# plain 'Predecessor' link from a single school (the same pupils under a new URN); the trust
# only across amalgamations and splits whose predecessors all name the same matched trust.
PREDECESSOR_SQL = """
CREATE TEMP TABLE predecessor ON COMMIT DROP AS
WITH candidate AS (
    SELECT l.urn, l.link_urn, min(l.link_type) AS link_type
    FROM link_in l
    JOIN school_in s ON s.urn = l.urn
    JOIN census_in c ON c.urn = l.link_urn
    WHERE l.link_type LIKE 'Predecessor%'
      AND NOT EXISTS (SELECT 1 FROM census_in o WHERE o.urn = l.urn)
    GROUP BY l.urn, l.link_urn
), summary AS (
    SELECT d.urn, count(*) AS n,
           bool_and(d.link_type = 'Predecessor') AS plain,
           bool_or(d.link_type = 'Predecessor') AS any_plain,
           count(m.uid) AS with_trust, count(DISTINCT m.uid) AS trusts, min(m.uid) AS trust_uid
    FROM candidate d
    JOIN census_in c ON c.urn = d.link_urn
    LEFT JOIN trust_match m
           ON m.trust_key = c.trust_key AND m.school_kind = c.school_kind AND m.candidates = 1
    GROUP BY d.urn
)
SELECT DISTINCT ON (d.urn) d.urn, d.link_urn AS predecessor_urn, d.link_type, s.n,
       (s.n = 1 AND s.plain) AS same_pupils,
       CASE WHEN NOT s.any_plain AND s.with_trust = s.n AND s.trusts = 1 THEN s.trust_uid END
           AS trust_uid
FROM candidate d
JOIN summary s ON s.urn = d.urn
JOIN census_in c ON c.urn = d.link_urn
ORDER BY d.urn, c.pupils DESC NULLS LAST, d.link_urn;
ALTER TABLE predecessor ADD PRIMARY KEY (urn);
"""

# Every fact with where it came from. A school's LA is the LA of the district its point lies
# in (districts nest in LAs; the two generalised layers do not quite), else the LA its point
# lies in; a school without a point keeps the census's LA and district if they still exist.
SCHOOL_OUT_SQL = """
CREATE TEMP TABLE school_out ON COMMIT DROP AS
SELECT s.urn, s.name, s.open_date, s.town, s.postcode,
       p.geom, p.geom_bng, p.codepoint_district,
       la.area_code AS pip_la,
       di.area_code AS pip_district,
       CASE WHEN d.level = 'district' THEN d.parent_code ELSE d.code END AS district_la,
       coalesce(di.metres, la.metres) AS area_metres,
       CASE WHEN p.key IS NULL THEN cl.code END AS census_la,
       CASE WHEN p.key IS NULL THEN cd.code END AS census_district,
       c.laestab, c.school_type, g.status,
       c.urn IS NOT NULL AS in_census,
       coalesce(c.phase, g.phase) AS own_phase,
       CASE WHEN c.phase IS NOT NULL THEN 'census' WHEN g.phase IS NOT NULL THEN 'gias' END
           AS own_phase_from,
       pr.predecessor_urn, pc.phase AS predecessor_phase,
       c.urn IS NULL AND coalesce(pr.same_pupils, false) AS counts_via,
       CASE WHEN c.urn IS NOT NULL THEN c.pupils WHEN pr.same_pupils THEN pc.pupils END AS pupils,
       CASE WHEN c.urn IS NOT NULL THEN c.fsm_pct WHEN pr.same_pupils THEN pc.fsm_pct END
           AS fsm_pct,
       CASE WHEN EXISTS (SELECT 1 FROM link_in l WHERE l.urn = s.urn AND l.source = 'academies')
                THEN true
            WHEN EXISTS (SELECT 1 FROM link_in l WHERE l.urn = s.urn AND l.source = 'all')
                THEN false
       END AS linked_academy,
       c.is_academy AS census_academy,
       c.trust_name, m.uid AS own_trust_uid, pr.trust_uid AS predecessor_trust_uid
FROM school_in s
LEFT JOIN school_point p ON p.key = s.urn
LEFT JOIN area_hit la ON la.key = s.urn AND la.level = 'local_authority'
LEFT JOIN area_hit di ON di.key = s.urn AND di.level = 'district'
LEFT JOIN area d ON d.code = di.area_code
LEFT JOIN census_in c ON c.urn = s.urn
LEFT JOIN gias_in g ON g.urn = s.urn
LEFT JOIN trust_match m
       ON m.trust_key = c.trust_key AND m.school_kind = c.school_kind AND m.candidates = 1
LEFT JOIN predecessor pr ON pr.urn = s.urn
LEFT JOIN census_in pc ON pc.urn = pr.predecessor_urn
LEFT JOIN area cl ON cl.code = c.la_code AND cl.level = 'local_authority'
LEFT JOIN area cd ON cd.code = c.district_code AND (cd.level = 'district' OR cd.is_district);
ALTER TABLE school_out ADD PRIMARY KEY (urn);
"""

INSERT_SQL = """
WITH label AS (
    SELECT %(codepoint)s::text AS codepoint, %(areas)s::text AS areas,
           %(inside)s::text AS inside, %(nearest)s::text AS nearest, %(census)s::text AS census,
           %(gias)s::text AS gias, %(links)s::text AS links, %(trust)s::text AS trust,
           %(via)s::text AS via, %(after)s::text AS after, %(unmatched)s::text AS unmatched,
           %(unnamed)s::text AS unnamed, %(not_in_census)s::text AS not_in_census
), fact AS (
    SELECT o.*,
           coalesce(o.district_la, o.pip_la, o.census_la) AS la_code,
           coalesce(o.pip_district, o.census_district) AS district_code,
           coalesce(o.own_phase, o.predecessor_phase) AS phase,
           coalesce(o.own_trust_uid, o.predecessor_trust_uid) AS trust_uid,
           o.own_phase IS NULL AND o.predecessor_phase IS NOT NULL AS phase_via,
           o.own_trust_uid IS NULL AND o.predecessor_trust_uid IS NOT NULL AS trust_via,
           CASE WHEN o.counts_via THEN l.via || o.predecessor_urn ELSE '' END AS via,
           CASE WHEN o.area_metres > 0 THEN l.nearest ELSE l.inside END AS how_placed
    FROM school_out o CROSS JOIN label l
)
INSERT INTO school (urn, name, laestab, town, postcode, open_date, phase, school_type, status,
                    is_academy, fsm_pct, pupils, predecessor_urn, la_code, district_code,
                    trust_uid, provenance, geom, geom_bng, dataset_id)
SELECT f.urn, f.name, f.laestab, f.town, f.postcode, f.open_date, f.phase, f.school_type,
       f.status, coalesce(f.linked_academy, f.census_academy), f.fsm_pct, f.pupils,
       CASE WHEN f.phase_via OR f.counts_via OR f.trust_via THEN f.predecessor_urn END,
       f.la_code, f.district_code, f.trust_uid,
       jsonb_strip_nulls(jsonb_build_object(
           'location', CASE WHEN f.geom IS NOT NULL THEN l.codepoint END,
           'local_authority', CASE WHEN f.la_code IS NULL THEN NULL WHEN f.geom IS NULL THEN l.census
                                    ELSE l.areas || f.how_placed END,
           'district', CASE WHEN f.district_code IS NULL THEN NULL WHEN f.geom IS NULL THEN l.census
                             ELSE l.areas || f.how_placed END,
           'phase', CASE WHEN f.own_phase_from = 'census' THEN l.census
                         WHEN f.own_phase_from = 'gias' THEN l.gias
                         WHEN f.phase_via THEN l.census || l.via || f.predecessor_urn END,
           'school_type', CASE WHEN f.school_type IS NOT NULL THEN l.census END,
           'laestab', CASE WHEN f.laestab IS NOT NULL THEN l.census END,
           'status', CASE WHEN f.status IS NOT NULL THEN l.gias END,
           'academy', CASE WHEN f.linked_academy IS NOT NULL THEN l.links
                           WHEN f.census_academy IS NOT NULL THEN l.census END,
           'pupils', CASE WHEN f.pupils IS NOT NULL THEN l.census || f.via END,
           'free_school_meals', CASE WHEN f.fsm_pct IS NOT NULL THEN l.census || f.via END,
           'trust', CASE WHEN f.own_trust_uid IS NOT NULL THEN l.trust
                         WHEN f.trust_via THEN l.trust || l.via || f.predecessor_urn END,
           'trust_unknown', CASE
               WHEN f.trust_uid IS NOT NULL
                    OR NOT coalesce(f.linked_academy, f.census_academy, false) THEN NULL
               WHEN f.trust_name IS NOT NULL THEN l.unmatched
               WHEN f.in_census THEN l.unnamed
               WHEN f.open_date >= %(census_day)s OR f.predecessor_urn IS NOT NULL THEN l.after
               ELSE l.not_in_census END
       )),
       f.geom, f.geom_bng, %(dataset)s
FROM fact f CROSS JOIN label l
ORDER BY f.urn
"""


def _listed_rows(schools: Iterable[ListedSchool]) -> Iterator[tuple[Any, ...]]:
    for s in schools:
        yield (s.urn, s.name, s.open_date, s.town, s.postcode, s.postcode_as_given)


def _census_rows(schools: Iterable[CensusSchool]) -> Iterator[tuple[Any, ...]]:
    for s in schools:
        yield (
            s.urn,
            s.laestab,
            s.la_code,
            s.district_code,
            s.phase,
            s.school_type,
            s.is_academy,
            s.trust_name,
            s.pupils,
            s.fsm_pct,
        )


def _stage(ctx: Context) -> None:
    """Read every source file into temporary tables."""
    conn = ctx.conn
    listed = read_school_list(ctx.path(SCHOOLS_FILE))
    census = read_census(ctx.path(CENSUS_FILE))
    gias = read_gias_2024(ctx.path(GIAS_2024_FILE))
    links = read_links(ctx.path(LINKS_ALL_FILE), "all") + read_links(
        ctx.path(LINKS_ACADEMIES_FILE), "academies"
    )
    conn.execute(STAGING_DDL)
    copy_rows(
        conn,
        "school_in",
        ["urn", "name", "open_date", "town", "postcode", "postcode_as_given"],
        _listed_rows(ctx.track(listed, "schools", total=len(listed))),
    )
    copy_rows(
        conn,
        "census_in",
        [
            "urn",
            "laestab",
            "la_code",
            "district_code",
            "phase",
            "school_type",
            "is_academy",
            "trust_name",
            "pupils",
            "fsm_pct",
        ],
        _census_rows(census),
    )
    copy_rows(conn, "gias_in", ["urn", "phase", "status"], gias)
    copy_rows(conn, "link_in", ["urn", "link_urn", "link_type", "source"], links)
    conn.execute(PREPARE_SQL)
    conn.execute(PLACE_SQL, {"recode": json.dumps(RECODED_2025)})
    conn.execute("ALTER TABLE school_point ADD PRIMARY KEY (key); ANALYZE school_point")


def _check_dependencies(ctx: Context) -> None:
    for table, source in (("area_subdivided", "boundaries"), ("postcode", "postcodes")):
        if not ctx.scalar(f"SELECT EXISTS (SELECT 1 FROM {table})"):
            raise ImportFailed(f"schools: {table} is empty; import {source} first")
    if not ctx.scalar("SELECT EXISTS (SELECT 1 FROM trust)"):
        raise ImportFailed("schools: the trust table is empty; import trusts first")


def load(ctx: Context) -> None:
    """Replace every school with the July 2025 list, placed, joined and with provenance."""
    _check_dependencies(ctx)
    _stage(ctx)
    conn = ctx.conn
    placed = locate(conn, "school_point", ("local_authority", "district"))
    conn.execute(
        TRUST_MATCH_SQL,
        {"academy_types": list(ACADEMY_TRUST_TYPES), "census_day": CENSUS_DAY},
    )
    conn.execute("ALTER TABLE trust_match ADD PRIMARY KEY (trust_key, school_kind)")
    conn.execute(PREDECESSOR_SQL)
    conn.execute(SCHOOL_OUT_SQL)
    conn.execute("DELETE FROM school")
    conn.execute(
        INSERT_SQL,
        {
            "codepoint": SOURCE_CODEPOINT,
            "areas": SOURCE_AREAS,
            "inside": INSIDE,
            "nearest": NEAREST,
            "census": SOURCE_CENSUS,
            "gias": SOURCE_GIAS_2024,
            "links": SOURCE_LINKS,
            "trust": SOURCE_TRUST,
            "via": VIA_PREDECESSOR,
            "after": TRUST_UNKNOWN_OPENED_AFTER,
            "unmatched": TRUST_UNKNOWN_UNMATCHED,
            "unnamed": TRUST_UNKNOWN_UNNAMED,
            "not_in_census": TRUST_UNKNOWN_NOT_IN_CENSUS,
            "census_day": CENSUS_DAY,
            "dataset": ctx.dataset_id,
        },
    )
    conn.execute("ANALYZE school")
    _summarise(ctx, placed)


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
ACADEMIES_IN_A_TRUST = "academies in a multi- or single-academy trust"
ACADEMIES_TRUST_UNKNOWN = "academies whose trust is not recorded"
ACADEMIES_TRUST_UNKNOWN_WHY = "academies whose trust is not recorded, by reason"
ACADEMIES_WITH_TRUST_BEFORE = "academies with a trust, previous import"
TRUST_FACTS = {
    "schools with a trust": "SELECT count(*) FROM school WHERE trust_uid IS NOT NULL",
    "academies": "SELECT count(*) FROM school WHERE is_academy",
    "academies with a trust": (
        "SELECT count(*) FROM school WHERE is_academy AND trust_uid IS NOT NULL"
    ),
    ACADEMIES_IN_A_TRUST: (
        "SELECT count(*) FROM school s JOIN trust t ON t.uid = s.trust_uid"
        " WHERE s.is_academy AND t.group_type IN"
        " ('Multi-academy trust', 'Single-academy trust', 'Secure single-academy trust')"
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


def _facts(ctx: Context, queries: dict[str, str]) -> dict[str, int]:
    counts = {}
    for name, sql in queries.items():
        counts[name] = int(ctx.scalar(sql, {"via": VIA_PREDECESSOR}))
        ctx.summary.fact(name, counts[name])
    return counts


def _summarise(ctx: Context, placed: list[Placed]) -> None:
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
        dict(
            ctx.conn.execute(
                "SELECT provenance->>'trust_unknown', count(*) FROM school"
                " WHERE provenance ? 'trust_unknown' GROUP BY 1 ORDER BY 2 DESC"
            ).fetchall()
        ),
    )
    before = ctx.scalar(
        "SELECT summary->'facts'->>'academies with a trust' FROM dataset"
        " WHERE name = 'schools' AND id < %(id)s AND summary ? 'facts' ORDER BY id DESC LIMIT 1",
        {"id": ctx.dataset_id},
    )
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
    rows = ctx.conn.execute(
        f"""
        SELECT c.trust_key, min(c.trust_name), bool_or(m.candidates = 1),
               bool_or(m.candidates > 1), bool_or(m.candidates = 1 AND m.tier = 1),
               EXISTS (SELECT 1 FROM trust t WHERE {NAME_KEY.format("t.name")} = c.trust_key)
        FROM census_in c
        LEFT JOIN trust_match m ON m.trust_key = c.trust_key AND m.school_kind = c.school_kind
        WHERE c.trust_key IS NOT NULL
        GROUP BY c.trust_key ORDER BY 1
        """
    ).fetchall()
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


IMPORTER = Importer(
    name="schools",
    title="State-funded schools (GIAS Jul 2025) with census, GIAS and trust facts",
    vintage="GIAS list 2025-07; DfE SPC 2022/23 (census 2023-01); GIAS 2024-06; GIAS links 2025-07",
    licence="OGL v3. Contains public sector information from Get Information about Schools "
    "and DfE's Schools, pupils and their characteristics, licensed under the Open Government "
    "Licence v3.0",
    files=(SCHOOLS_FILE, CENSUS_FILE, GIAS_2024_FILE, LINKS_ALL_FILE, LINKS_ACADEMIES_FILE),
    load=load,
    depends=("boundaries", "postcodes", "trusts"),
)
