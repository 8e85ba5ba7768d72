"""Reading the school sources: the July 2025 GIAS list, the January 2023 census, GIAS of June
2024 and GIAS establishment links, with the phase vocabulary, suppressed figures and URNs.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from app.ingest.base import ImportFailed
from app.ingest.common import clean_text, parse_gias_date
from app.postcodes import normalise_postcode

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


class GiasSchool(NamedTuple):
    """An establishment of the June 2024 GIAS list: its phase and status."""

    urn: int
    phase: str | None
    status: str | None


class Link(NamedTuple):
    """A GIAS establishment link, and which links file (``all`` or ``academies``) gave it."""

    urn: int
    link_urn: int
    link_type: str
    source: str


def _check_unique_urns(
    path: Path, schools: Sequence[ListedSchool | CensusSchool | GiasSchool]
) -> None:
    """ImportFailed when a school list names a URN twice."""
    if len({s.urn for s in schools}) != len(schools):
        raise ImportFailed(f"{path.name}: a URN appears more than once")


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
    _check_unique_urns(path, schools)
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
    _check_unique_urns(path, schools)
    return schools


def read_gias_2024(path: Path) -> list[GiasSchool]:
    """(URN, phase, status) of every establishment in the June 2024 GIAS list."""
    rows = []
    for number, line in enumerate(read_text(path).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            rows.append(
                GiasSchool(
                    parse_urn(record["urn"]),
                    phase_from_gias(record.get("phase_of_education")),
                    clean_text(record.get("status")),
                )
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ImportFailed(f"{path.name}: line {number}: {exc}") from exc
    _check_unique_urns(path, rows)
    return rows


def read_links(path: Path, source: str) -> list[Link]:
    """(URN, linked URN, link type, source) for every row of a GIAS links file."""
    rows = set()
    try:
        for row in _csv_rows(path, ("URN", "LinkURN", "LinkType")):
            link_type = clean_text(row["LinkType"])
            if link_type is None:
                raise ValueError(f"URN {row['URN']} has a link without a type")
            rows.add(Link(parse_urn(row["URN"]), parse_urn(row["LinkURN"]), link_type, source))
    except ValueError as exc:
        raise ImportFailed(f"{path.name}: {exc}") from exc
    return sorted(rows)
