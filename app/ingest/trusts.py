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

import csv
import datetime as dt
import gzip
import io
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.ingest.base import Context, Importer, ImportFailed, copy_rows
from app.ingest.placing import Placed, locate
from app.postcodes import normalise_postcode
from app.text import one_line

GROUPS_FILE = "sap_sector/EstablishmentGroupLinks.json"
REQUIRED_KEYS = frozenset(
    {
        "group_uid",
        "group_id",
        "group_name",
        "group_type",
        "group_status",
        "companies_house_number",
        "ukprn",
        "open_date",
        "closed_date",
        "group_town",
        "group_postcode",
    }
)
REPAIRED_NAMES = "names repaired (characters lost to a wrong decoding)"
HIDDEN_PLACEHOLDER_DATES = "placeholder opening dates (1 January 1902) hidden"
TITLE_CASED = "all-capitals names title-cased"
ACADEMY_TRUST_TYPES = (
    "Multi-academy trust",
    "Single-academy trust",
    "Secure single-academy trust",
)
_DATE = re.compile(r"(\d{2})[/-](\d{2})[/-](\d{4})")
CENSUS_FILE = "dfe_spc_2022_23/spc_school_level_underlying_data_2022_23.csv.gz"
# GIAS writes this for a group whose opening date it does not know.
PLACEHOLDER_OPEN_DATE = dt.date(1902, 1, 1)
LOST = "\ufffd"
# Words kept as written when an all-capitals name is title-cased.
KEEP_UPPER = frozenset(
    {
        "CE",
        "C",
        "RC",
        "MAT",
        "SAT",
        "UTC",
        "CIC",
        "UK",
        "NHS",
        "SEN",
        "SEND",
        "PRU",
        "AP",
        "ACE",
        "STEM",
        "II",
        "III",
        "IV",
        "VC",
        "VA",
        "CofE",
        "(CE)",
        "(RC)",
    }
)
# Abbreviations without vowels that are words in title case, not acronyms.
TITLED = {"ST": "St", "LTD": "Ltd", "MR": "Mr", "MRS": "Mrs", "DR": "Dr"}
KEEP_LOWER = frozenset({"of", "and", "the", "for", "in", "on", "at", "by", "with", "de", "a"})


@dataclass(frozen=True)
class Group:
    """One GIAS group as stored in ``trust`` (postcode in canonical form, or None)."""

    uid: int
    group_id: str | None
    name: str
    group_type: str
    status: str
    companies_house_number: str | None
    ukprn: str | None
    open_date: dt.date | None
    closed_date: dt.date | None
    town: str | None
    postcode: str | None
    postcode_as_given: str | None


def clean_text(value: object) -> str | None:
    """A source value with runs of whitespace made one space and trimmed; None when empty."""
    return one_line(value) or None


def parse_gias_date(value: object) -> dt.date | None:
    """A GIAS date, 'dd/mm/yyyy' (groups) or 'dd-mm-yyyy' (establishments); None when empty.

    Raises ValueError for anything else, so a changed date format fails the import.
    """
    text = clean_text(value)
    if text is None:
        return None
    match = _DATE.fullmatch(text)
    if match is None:
        raise ValueError(f"not a dd/mm/yyyy date: {text!r}")
    day, month, year = (int(part) for part in match.groups())
    return dt.date(year, month, day)


def title_case(name: str) -> str:
    """An all-capitals name in title case, keeping abbreviations; other names as written.

    'STEP ACADEMY TRUST' -> 'Step Academy Trust'; 'ST JOHN'S CE PRIMARY' -> 'St John's CE
    Primary'; a single word ('E-ACT', 'SENDAT') may be a brand or an acronym and is kept.
    """
    if not name.isupper() or " " not in name.strip():
        return name
    words = []
    for index, word in enumerate(name.split(" ")):
        bare = word.strip("().,")
        if bare in TITLED:
            words.append(word.replace(bare, TITLED[bare]))
        elif bare in KEEP_UPPER or (not any(c in "AEIOUY" for c in bare) and bare.isalpha()):
            words.append(word)
        elif index > 0 and word.lower() in KEEP_LOWER:
            words.append(word.lower())
        elif word.upper() == "C OF E":
            words.append("C of E")
        else:
            words.append(
                re.sub(r"[^\W\d_]+(?:['’][^\W\d_]+)?", lambda m: m.group(0).capitalize(), word)
            )
    return re.sub(r"\bC Of E\b", "C of E", " ".join(words))


def repair_name(name: str, reference: Iterable[str]) -> str | None:
    """A name with characters lost to a wrong decoding (U+FFFD), repaired; None if it cannot be.

    ``reference`` holds correctly decoded names (the census trust names, in capitals): if
    exactly one fits the damaged name letter for letter, the lost characters are taken from it,
    in the damaged name's case. Otherwise a lost character touching an 's' is an apostrophe.
    """
    if LOST not in name:
        return name
    pattern = re.compile(
        "".join("(.)" if ch == LOST else re.escape(ch.upper()) for ch in name), re.DOTALL
    )
    fits = {ref for ref in reference if pattern.fullmatch(ref.upper())}
    if len(fits) == 1:
        found = pattern.fullmatch(next(iter(fits)).upper())
        assert found is not None
        lost = iter(found.groups())
        repaired = []
        for i, ch in enumerate(name):
            if ch != LOST:
                repaired.append(ch)
                continue
            char = next(lost)
            before = name[i - 1] if i else ""
            repaired.append(char.lower() if before.islower() else char)
        return "".join(repaired)
    guessed = re.sub(rf"(?<=[sS]){LOST}|{LOST}(?=[sS]\b)", "’", name)
    return None if LOST in guessed else guessed


def read_census_trust_names(path: Path) -> set[str]:
    """The trust names of the January 2023 school census (UTF-8), for repairing group names."""
    if not path.exists():
        return set()
    text = gzip.decompress(path.read_bytes()).decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    return {row["trust"].strip() for row in reader if (row.get("trust") or "").strip()}


@dataclass(frozen=True)
class Cleaning:
    """What cleaning the names and dates of the extract did, for the summary."""

    repaired: tuple[str, ...] = ()  # 'damaged -> repaired'
    unrepaired: tuple[str, ...] = ()
    placeholder_dates: int = 0
    title_cased: int = 0


def clean_groups(groups: list[Group], reference: Iterable[str]) -> tuple[list[Group], Cleaning]:
    """Repair damaged names, hide placeholder opening dates and title-case all-capitals names."""
    names = list(reference)
    cleaned, repaired, unrepaired = [], [], []
    placeholders = title_cased = 0
    for g in groups:
        name = g.name
        if LOST in name:
            fixed = repair_name(name, names)
            if fixed is None:
                unrepaired.append(f"{g.uid} {name}")
            else:
                repaired.append(f"{g.uid} {name} -> {fixed}")
                name = fixed
        display = title_case(name)
        title_cased += display != name
        open_date = g.open_date
        if open_date == PLACEHOLDER_OPEN_DATE:
            placeholders += 1
            open_date = None
        cleaned.append(
            Group(
                g.uid,
                g.group_id,
                display,
                g.group_type,
                g.status,
                g.companies_house_number,
                g.ukprn,
                open_date,
                g.closed_date,
                g.town,
                g.postcode,
                g.postcode_as_given,
            )
        )
    return cleaned, Cleaning(tuple(repaired), tuple(unrepaired), placeholders, title_cased)


def parse_group(record: dict[str, Any]) -> Group:
    """One record of the extract as a :class:`Group`; ValueError names what is wrong."""
    uid_text = clean_text(record.get("group_uid"))
    if uid_text is None or not uid_text.isdigit():
        raise ValueError(f"group_uid is not a number: {record.get('group_uid')!r}")
    name = clean_text(record.get("group_name"))
    group_type = clean_text(record.get("group_type"))
    status = clean_text(record.get("group_status"))
    if name is None or group_type is None or status is None:
        raise ValueError(f"group {uid_text} lacks a name, type or status")
    postcode_as_given = clean_text(record.get("group_postcode"))
    return Group(
        uid=int(uid_text),
        group_id=clean_text(record.get("group_id")),
        name=name,
        group_type=group_type,
        status=status,
        companies_house_number=clean_text(record.get("companies_house_number")),
        ukprn=clean_text(record.get("ukprn")),
        open_date=parse_gias_date(record.get("open_date")),
        closed_date=parse_gias_date(record.get("closed_date")),
        town=clean_text(record.get("group_town")),
        postcode=normalise_postcode(postcode_as_given) if postcode_as_given else None,
        postcode_as_given=postcode_as_given,
    )


def read_groups(path: Path) -> list[Group]:
    """Every group in the extract, checked: the expected keys, numeric and unique UIDs."""
    try:
        records = json.loads(path.read_text(encoding="utf-8-sig"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ImportFailed(f"{path.name}: not readable JSON ({exc})") from exc
    if not isinstance(records, list) or not records:
        raise ImportFailed(f"{path.name}: expected a non-empty JSON array of groups")
    groups = []
    for index, record in enumerate(records):
        if not isinstance(record, dict) or not record.keys() >= REQUIRED_KEYS:
            missing = sorted(REQUIRED_KEYS - set(record)) if isinstance(record, dict) else "all"
            raise ImportFailed(f"{path.name}: record {index} lacks keys {missing}")
        try:
            groups.append(parse_group(record))
        except ValueError as exc:
            raise ImportFailed(f"{path.name}: record {index}: {exc}") from exc
    duplicates = [uid for uid, n in Counter(g.uid for g in groups).items() if n > 1]
    if duplicates:
        raise ImportFailed(f"{path.name}: repeated group_uid {sorted(duplicates)[:10]}")
    return groups


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
