"""The partnership register's rows: every CSV in ``partnerships/`` read and each row validated into a
seed record (kind and themes in the vocabulary, areas known LAs or districts, status, founded year,
URLs and dates well formed), or refused with every reason found.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from app.codes import GSS_CODE, stored_code
from app.ingest.base import ImportFailed
from app.ingest.partnerships_vocabulary import Vocabulary
from app.ingest.register import is_http_url
from app.slugs import slugify
from app.text import one_line

COLUMNS = (
    "name",
    "kind",
    "lead_organisation",
    "areas_served",
    "area_names",
    "themes",
    "website",
    "summary",
    "founded_year",
    "status",
    "source_url",
    "source_title",
    "source_date",
    "checked_on",
    "status_evidence_url",
    "status_evidence_title",
    "status_evidence_date",
)
LIST_SEPARATOR = ";"
STATUSES = ("active", "ended", "unknown")
SERVED_LEVELS = ("local_authority", "district")
MIN_FOUNDED_YEAR = 1800
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_PARTIAL_DATE = re.compile(r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$")
_QUALIFIER = re.compile(r"^(?P<name>.*?)\s*\((?P<note>[^()]*)\)\s*$")


@dataclass(frozen=True)
class AreaRef:
    """What validation needs to know about an area."""

    code: str
    name: str
    level: str


@dataclass(frozen=True)
class ServedArea:
    """An area a partnership serves, with the qualifier of its name ('part', 'north'…).

    Every qualifier the register uses ('part', 'north', 'most', 'part: former Scarborough
    borough', 'former Selby and Harrogate districts'…) narrows the footprint: a link with a note
    covers only part of the area.
    """

    code: str
    note: str | None
    whole: bool = True


class PartnershipContent(NamedTuple):
    """The fields of a seed record a re-import compares with the stored one (provenance excluded)."""

    name: str
    kind: str
    summary: str
    lead_organisation: str | None
    website: str | None
    founded_year: int | None
    status: str
    source_url: str
    source_title: str | None
    source_date: str | None
    checked_on: dt.date | None
    status_evidence_url: str | None
    status_evidence_title: str | None
    status_evidence_date: str | None
    themes: tuple[str, ...]
    areas: tuple[ServedArea, ...]


@dataclass(frozen=True)
class SeedRecord:
    """A valid row of the register, ready to store."""

    seed_key: str
    seed_ref: str
    name: str
    kind: str
    summary: str
    lead_organisation: str | None
    website: str | None
    founded_year: int | None
    status: str
    source_url: str
    source_title: str | None
    source_date: str | None
    checked_on: dt.date | None
    status_evidence_url: str | None
    status_evidence_title: str | None
    status_evidence_date: str | None
    themes: tuple[str, ...]
    areas: tuple[ServedArea, ...]
    recoded: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    def content(self) -> PartnershipContent:
        """The fields a re-import compares with the stored record (provenance excluded)."""
        return PartnershipContent(
            self.name,
            self.kind,
            self.summary,
            self.lead_organisation,
            self.website,
            self.founded_year,
            self.status,
            self.source_url,
            self.source_title,
            self.source_date,
            self.checked_on,
            self.status_evidence_url,
            self.status_evidence_title,
            self.status_evidence_date,
            tuple(sorted(self.themes)),
            self.areas,
        )


class RowError(ValueError):
    """A register row that cannot be imported, with every reason found."""

    def __init__(self, reasons: Sequence[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = list(reasons)


def seed_key(name: str) -> str:
    """The identity of a register row: its name, normalised as a slug (case and punctuation ignored)."""
    return slugify(name, max_length=1000)


def _split(value: str) -> list[str]:
    return [item.strip() for item in value.split(LIST_SEPARATOR) if item.strip()]


def comparable_name(name: str) -> str:
    """An area name reduced for comparison: 'Bristol, City of' and 'bristol' compare equal."""
    text = name.lower().replace("&", " and ")
    text = re.sub(r",\s*(city|county) of$", "", text.strip())
    text = re.sub(r"^(city|county) of ", "", text)
    return re.sub(r"[^a-z0-9]+", "", text)


def parse_row(
    fields: Mapping[str, str],
    seed_ref: str,
    vocabulary: Vocabulary,
    areas: Mapping[str, AreaRef],
    this_year: int,
) -> SeedRecord:
    """Validate one register row; RowError lists every problem found."""
    value = {column: (fields.get(column) or "").strip() for column in COLUMNS}
    reasons: list[str] = []

    name = one_line(value["name"])
    if not name:
        reasons.append("name is empty")

    kind = value["kind"]
    if not kind:
        reasons.append("kind is empty")
    elif kind not in vocabulary.kinds:
        reasons.append(f"unknown kind {kind!r}")

    themes: list[str] = []
    for theme in _split(value["themes"]):
        if theme not in vocabulary.themes:
            reasons.append(f"unknown theme {theme!r}")
        elif theme not in themes:
            themes.append(theme)

    codes = _split(value["areas_served"])
    names = _split(value["area_names"])
    served: list[ServedArea] = []
    recoded: list[str] = []
    warnings: list[str] = []
    if not codes:
        reasons.append("areas_served is empty")
    if names and len(names) != len(codes):
        reasons.append(f"{len(codes)} area codes but {len(names)} area_names")
    for position, given in enumerate(codes):
        code = stored_code(given, areas)
        if code != given:
            recoded.append(f"{given}->{code}")
        if not GSS_CODE.fullmatch(given):
            reasons.append(f"area code {given!r} is not a GSS code")
        elif code not in areas:
            reasons.append(f"unknown area code {given!r}")
        elif areas[code].level not in SERVED_LEVELS:
            area = areas[code]
            reasons.append(
                f"area code {given!r} ({area.name}) is a {area.level}, not a local authority or district"
            )
        elif any(s.code == code for s in served):
            reasons.append(f"area code {given!r} listed twice")
        else:
            note = None
            if len(names) == len(codes):
                match = _QUALIFIER.match(names[position])
                note = (match.group("note").strip() or None) if match else None
                given_name = match.group("name") if match else names[position]
                # A code that exists but names another place is more likely a typo than a rename.
                if comparable_name(given_name) != comparable_name(areas[code].name):
                    warnings.append(
                        f"{seed_ref}: area_names says {names[position]!r} for {code}"
                        f" ({areas[code].name})"
                    )
            served.append(ServedArea(code, note, note is None))

    status = value["status"]
    if not status:
        reasons.append("status is empty")
    elif status not in STATUSES:
        reasons.append(f"unknown status {status!r}")

    founded_year: int | None = None
    if value["founded_year"]:
        try:
            founded_year = int(value["founded_year"])
        except ValueError:
            reasons.append(f"founded_year {value['founded_year']!r} is not a whole number")
        else:
            if not MIN_FOUNDED_YEAR <= founded_year <= this_year:
                reasons.append(
                    f"founded_year {founded_year} is out of range {MIN_FOUNDED_YEAR}-{this_year}"
                )

    source_url = value["source_url"]
    if not source_url:
        reasons.append("source_url is empty")
    elif not is_http_url(source_url):
        reasons.append(f"source_url {source_url!r} is not an http(s) URL")
    website = value["website"] or None
    if website and not is_http_url(website):
        reasons.append(f"website {website!r} is not an http(s) URL")

    checked_on = None
    if value["checked_on"]:
        checked_on = parse_day(value["checked_on"])
        if checked_on is None:
            reasons.append(f"checked_on {value['checked_on']!r} is not a date (YYYY-MM-DD)")
    evidence_url = value["status_evidence_url"] or None
    if evidence_url and not is_http_url(evidence_url):
        reasons.append(f"status_evidence_url {evidence_url!r} is not an http(s) URL")
    evidence_date = value["status_evidence_date"] or None
    if evidence_date and not _PARTIAL_DATE.fullmatch(evidence_date):
        reasons.append(f"status_evidence_date {evidence_date!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    if (evidence_date or value["status_evidence_title"]) and not evidence_url:
        reasons.append("status evidence has a date or title but no status_evidence_url")

    if reasons:
        raise RowError(reasons)
    return SeedRecord(
        seed_key=seed_key(name),
        seed_ref=seed_ref,
        name=name,
        kind=kind,
        summary=value["summary"],
        lead_organisation=value["lead_organisation"] or None,
        website=website,
        founded_year=founded_year,
        status=status,
        source_url=source_url,
        source_title=value["source_title"] or None,
        source_date=value["source_date"] or None,
        checked_on=checked_on,
        status_evidence_url=evidence_url,
        status_evidence_title=value["status_evidence_title"] or None,
        status_evidence_date=evidence_date,
        themes=tuple(themes),
        areas=tuple(served),
        recoded=tuple(recoded),
        warnings=tuple(warnings),
    )


def parse_day(text: str | None) -> dt.date | None:
    """The date a register date names when it is a whole day (YYYY-MM-DD), else None."""
    if not text or not _ISO_DATE.fullmatch(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


@dataclass(frozen=True)
class RawRow:
    """One record of a register file as read, before validation."""

    seed_ref: str
    fields: dict[str, str]
    error: str | None = None


def read_register_file(path: Path) -> Iterator[RawRow]:
    """The records of one register CSV, each with the line it starts on; ImportFailed on a bad header."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            header = [column.strip() for column in next(reader, [])]
            missing = [column for column in COLUMNS if column not in header]
            if missing:
                raise ImportFailed(f"{path.name}: missing columns {', '.join(missing)}")
            previous_end = reader.line_num
            for values in reader:
                start, previous_end = previous_end + 1, reader.line_num
                if not values:
                    continue  # a blank line is not a record
                ref = f"{path.name}:{start}"
                error = None
                if len(values) != len(header):
                    error = f"has {len(values)} fields, expected {len(header)}"
                yield RawRow(ref, dict(zip(header, values, strict=False)), error)
    except UnicodeDecodeError as exc:
        raise ImportFailed(f"{path.name}: not UTF-8: {exc}") from exc
    except csv.Error as exc:
        raise ImportFailed(f"{path.name}: unreadable CSV: {exc}") from exc


@dataclass
class Register:
    """The register as read: valid records, invalid rows with reasons, every key that appeared."""

    records: list[SeedRecord] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)
    keys_seen: set[str] = field(default_factory=set)
    rows: int = 0
    rows_per_file: dict[str, int] = field(default_factory=dict)


def read_register(
    paths: Sequence[Path], vocabulary: Vocabulary, areas: Mapping[str, AreaRef], this_year: int
) -> Register:
    """Read and validate every register file; a repeated name is reported against its first row."""
    register = Register()
    first_ref: dict[str, str] = {}
    for path in paths:
        count = 0
        for raw in read_register_file(path):
            count += 1
            name = (raw.fields.get("name") or "").strip()
            if name:
                register.keys_seen.add(seed_key(name))
            try:
                if raw.error:
                    raise RowError([raw.error])
                record = parse_row(raw.fields, raw.seed_ref, vocabulary, areas, this_year)
                if record.seed_key in first_ref:
                    raise RowError([f"same name as {first_ref[record.seed_key]}"])
            except RowError as exc:
                register.invalid.append(f"{raw.seed_ref}: {exc}")
                continue
            first_ref[record.seed_key] = record.seed_ref
            register.records.append(record)
        register.rows_per_file[path.name] = count
        register.rows += count
    return register
