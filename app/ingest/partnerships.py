"""Partnerships: the kind and theme vocabulary, then the hand-compiled seed register of partnerships.

The vocabulary (``geodata/vocabulary.json``, written by the project) is upserted into
``partnership_kind`` and ``theme`` first. Then every CSV in ``partnerships/`` is read and each
row validated: kind and themes in the vocabulary, every area code an upper-tier LA or district
in ``area``, status known, founded year plausible, name and source URL present. A row that fails
is skipped and reported as ``file:line: reason`` under "invalid rows"; every row of the register
is either imported or reported.

Identity: a seed record's ``seed_key`` is the slug of its name, so a row keeps its record when it
moves to another file or its kind is corrected; ``seed_ref`` says where the row is now
(``local_partnerships.csv:12``). A re-import updates seed records in place (same id and slug)
and writes nothing when nothing changed. A record that moderation has touched is never
overwritten: the register row is reported and the record, its themes, areas and members stay as
moderators left them. Every change the register makes to a record gets a ``revision`` row (the
first one says 'seed import'), so history shows where each version came from. Seed records whose
row has gone from the register are reported, never deleted (their revisions refer to them).

Provenance is kept as the register states it: ``source_date`` (the page's own date, as text),
``checked_on`` (when the row was compiled) and, where a later page showed the partnership still
running or ended, ``status_evidence_url/_title/_date``. An import never sets ``last_verified``:
only a moderator verifies. The database derives each record's currency from these (current,
unconfirmed since the evidence's year, or ended; see ``app.models.CURRENCY_SQL``), and the
summary counts records in each state and how many of each national network of known size the
register holds (sizes come from the vocabulary).

Areas are stored as the register gives them (an LA or a district, with a "(part)"-style note
that also marks the link as covering only part of the area: ``partnership_area.whole``);
rolling a district up to its LA, and an LA up to its combined authority and region, is done by
queries through the ``partnership_coverage`` view. The summary gives those roll-ups and names
the LAs with no local partnership.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from app.codes import GSS_CODE, RECODED_2025_EITHER_WAY
from app.ingest.base import Context, Importer, ImportFailed, Summary
from app.services.snapshots import partnership_snapshots
from app.settings import PROJECT_ROOT
from app.slugs import slugify, unique_slug

REGISTER_GLOB = "partnerships/*.csv"
VOCABULARY_PATH = PROJECT_ROOT / "geodata" / "vocabulary.json"
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
# Barnsley and Sheffield were recoded in 2025; the boundaries use one vintage, a row may use the other.
AREA_RECODES = RECODED_2025_EITHER_WAY
FIRST_CHANGE = "seed import"
LATER_CHANGE = "seed register update"
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
NETWORK_SQL = """
SELECT k.label, count(p.id), k.network_size, k.network_size_approx
  FROM partnership_kind k LEFT JOIN partnership p ON p.kind = k.code
 WHERE k.network_size IS NOT NULL
 GROUP BY k.code ORDER BY k.label
"""

_GSS_CODE = GSS_CODE
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_PARTIAL_DATE = re.compile(r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$")
_QUALIFIER = re.compile(r"^(?P<name>.*?)\s*\((?P<note>[^()]*)\)\s*$")
_VOCAB_CODE = re.compile(r"^[a-z0-9_]+$")


# --- vocabulary -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """One kind or theme of the vocabulary."""

    code: str
    label: str
    description: str
    is_national: bool = False
    network_size: int | None = None
    network_size_approx: bool = False
    network_size_source: str | None = None


@dataclass(frozen=True)
class Vocabulary:
    """The partnership kinds and themes, by code."""

    kinds: dict[str, Term]
    themes: dict[str, Term]


def read_vocabulary(path: Path = VOCABULARY_PATH) -> Vocabulary:
    """Read and check ``vocabulary.json``; ImportFailed says what is wrong with it."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ImportFailed(f"missing vocabulary file: {path}") from exc
    except json.JSONDecodeError as exc:
        raise ImportFailed(f"{path.name}: not valid JSON: {exc}") from exc

    def terms(section: str, with_flag: bool) -> dict[str, Term]:
        entries = data.get(section) if isinstance(data, dict) else None
        if not isinstance(entries, list) or not entries:
            raise ImportFailed(f"{path.name}: '{section}' must be a non-empty list")
        found: dict[str, Term] = {}
        for entry in entries:
            code = entry.get("code") if isinstance(entry, dict) else None
            label = entry.get("label") if isinstance(entry, dict) else None
            description = entry.get("description", "") if isinstance(entry, dict) else None
            flag = entry.get("is_national") if isinstance(entry, dict) else None
            if not isinstance(code, str) or not _VOCAB_CODE.fullmatch(code):
                raise ImportFailed(f"{path.name}: {section}: bad code in {entry!r}")
            if not isinstance(label, str) or not label.strip() or not isinstance(description, str):
                raise ImportFailed(f"{path.name}: {section}: {code} needs a label and description")
            if with_flag and not isinstance(flag, bool):
                raise ImportFailed(
                    f"{path.name}: {section}: {code}: is_national must be true/false"
                )
            if code in found:
                raise ImportFailed(f"{path.name}: {section}: {code} appears twice")
            size = entry.get("network_size")
            size_source = entry.get("network_size_source")
            if size is not None and (
                not isinstance(size, int) or size <= 0 or not isinstance(size_source, str)
            ):
                raise ImportFailed(
                    f"{path.name}: {section}: {code}: network_size must be a positive whole"
                    " number with a network_size_source"
                )
            found[code] = Term(
                code,
                label.strip(),
                description.strip(),
                bool(flag) and with_flag,
                size,
                bool(entry.get("network_size_approx", False)),
                size_source.strip() if isinstance(size_source, str) else None,
            )
        return found

    return Vocabulary(kinds=terms("kinds", True), themes=terms("themes", False))


def upsert_vocabulary(conn: psycopg.Connection[Any], vocabulary: Vocabulary) -> None:
    """Insert or update every kind and theme; rows already equal are not rewritten."""
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO partnership_kind (code, label, description, is_national, network_size,"
            " network_size_approx, network_size_source)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s)"
            " ON CONFLICT (code) DO UPDATE SET label = EXCLUDED.label,"
            " description = EXCLUDED.description, is_national = EXCLUDED.is_national,"
            " network_size = EXCLUDED.network_size,"
            " network_size_approx = EXCLUDED.network_size_approx,"
            " network_size_source = EXCLUDED.network_size_source"
            " WHERE (partnership_kind.label, partnership_kind.description,"
            " partnership_kind.is_national, partnership_kind.network_size,"
            " partnership_kind.network_size_approx, partnership_kind.network_size_source)"
            " IS DISTINCT FROM (EXCLUDED.label, EXCLUDED.description, EXCLUDED.is_national,"
            " EXCLUDED.network_size, EXCLUDED.network_size_approx, EXCLUDED.network_size_source)",
            [
                (
                    t.code,
                    t.label,
                    t.description,
                    t.is_national,
                    t.network_size,
                    t.network_size_approx,
                    t.network_size_source,
                )
                for t in vocabulary.kinds.values()
            ],
        )
        cur.executemany(
            "INSERT INTO theme (code, label, description) VALUES (%s, %s, %s)"
            " ON CONFLICT (code) DO UPDATE SET label = EXCLUDED.label,"
            " description = EXCLUDED.description"
            " WHERE (theme.label, theme.description)"
            " IS DISTINCT FROM (EXCLUDED.label, EXCLUDED.description)",
            [(t.code, t.label, t.description) for t in vocabulary.themes.values()],
        )


# --- rows of the register ---------------------------------------------------------------------


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

    def content(self) -> tuple[Any, ...]:
        """The fields a re-import compares with the stored record (provenance excluded)."""
        return (
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


def _is_http_url(value: str) -> bool:
    return bool(re.fullmatch(r"https?://[^\s/]+\.[^\s]*", value))


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

    name = re.sub(r"\s+", " ", value["name"])
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
        code = given
        if code not in areas and AREA_RECODES.get(code) in areas:
            code = AREA_RECODES[code]
            recoded.append(f"{given}->{code}")
        if not _GSS_CODE.fullmatch(given):
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
    elif not _is_http_url(source_url):
        reasons.append(f"source_url {source_url!r} is not an http(s) URL")
    website = value["website"] or None
    if website and not _is_http_url(website):
        reasons.append(f"website {website!r} is not an http(s) URL")

    checked_on = None
    if value["checked_on"]:
        checked_on = parse_day(value["checked_on"])
        if checked_on is None:
            reasons.append(f"checked_on {value['checked_on']!r} is not a date (YYYY-MM-DD)")
    evidence_url = value["status_evidence_url"] or None
    if evidence_url and not _is_http_url(evidence_url):
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


# --- storing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredSeed:
    """A seed record as it is in the database."""

    id: int
    slug: str
    seed_ref: str | None
    moderated: bool
    content: tuple[Any, ...]


# A record counts as moderated when a moderator or a submission wrote one of its revisions, or
# its version is ahead of its newest revision (someone changed it without the importer).
STORED_SEEDS_SQL = """
SELECT p.id, p.seed_key, p.slug, p.seed_ref,
       EXISTS (SELECT 1 FROM revision r
                WHERE r.partnership_id = p.id
                  AND (r.moderator_id IS NOT NULL OR r.submission_id IS NOT NULL))
       OR p.version > COALESCE((SELECT max(r.version) FROM revision r
                                 WHERE r.partnership_id = p.id), 1) AS moderated,
       p.name, p.kind, p.summary, p.lead_organisation, p.website, p.founded_year, p.status,
       p.source_url, p.source_title, p.source_date, p.checked_on, p.status_evidence_url,
       p.status_evidence_title, p.status_evidence_date,
       COALESCE((SELECT array_agg(t.theme_code ORDER BY t.theme_code)
                   FROM partnership_theme t WHERE t.partnership_id = p.id), '{}') AS themes,
       COALESCE((SELECT array_agg(a.area_code ORDER BY a.position, a.area_code)
                   FROM partnership_area a WHERE a.partnership_id = p.id), '{}') AS area_codes,
       COALESCE((SELECT array_agg(a.note ORDER BY a.position, a.area_code)
                   FROM partnership_area a WHERE a.partnership_id = p.id), '{}') AS area_notes,
       COALESCE((SELECT array_agg(a.whole ORDER BY a.position, a.area_code)
                   FROM partnership_area a WHERE a.partnership_id = p.id), '{}') AS area_whole
  FROM partnership p
 WHERE p.seed_key IS NOT NULL
"""


def stored_seeds(conn: psycopg.Connection[Any]) -> dict[str, StoredSeed]:
    """Every seed record in the database, by seed key."""
    found: dict[str, StoredSeed] = {}
    for row in conn.execute(STORED_SEEDS_SQL):
        (pid, key, slug, ref, moderated, *columns, themes, codes, notes, whole) = row
        areas = tuple(ServedArea(c, n, w) for c, n, w in zip(codes, notes, whole, strict=True))
        content = (*columns, tuple(themes), areas)
        found[key] = StoredSeed(pid, slug, ref, bool(moderated), content)
    return found


def _partnership_values(record: SeedRecord) -> tuple[Any, ...]:
    return (
        record.name,
        record.kind,
        record.summary,
        record.lead_organisation,
        record.website,
        record.founded_year,
        record.status,
        record.source_url,
        record.source_title,
        record.source_date,
        record.checked_on,
        record.status_evidence_url,
        record.status_evidence_title,
        record.status_evidence_date,
        record.seed_ref,
    )


def _write_links(cur: psycopg.Cursor[Any], partnership_id: int, record: SeedRecord) -> None:
    cur.executemany(
        "INSERT INTO partnership_theme (partnership_id, theme_code) VALUES (%s, %s)",
        [(partnership_id, theme) for theme in record.themes],
    )
    cur.executemany(
        "INSERT INTO partnership_area (partnership_id, area_code, position, note, whole)"
        " VALUES (%s, %s, %s, %s, %s)",
        [(partnership_id, a.code, i, a.note, a.whole) for i, a in enumerate(record.areas)],
    )


@dataclass
class Applied:
    """What storing the register did."""

    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    moved: int = 0
    unchanged: int = 0
    kept_moderated: list[str] = field(default_factory=list)


def apply_register(
    ctx: Context, records: Sequence[SeedRecord], stored: Mapping[str, StoredSeed]
) -> Applied:
    """Create, update or leave each seed record, then write a revision for each one changed."""
    conn = ctx.conn
    applied = Applied()
    taken = {row[0] for row in conn.execute("SELECT slug FROM partnership")}
    with conn.cursor() as cur:
        for record in ctx.track(records, "partnerships", total=len(records)):
            current = stored.get(record.seed_key)
            if current is None:
                slug = unique_slug(record.name, taken)
                taken.add(slug)
                cur.execute(
                    "INSERT INTO partnership (name, kind, summary, lead_organisation, website,"
                    " founded_year, status, source_url, source_title, source_date, checked_on,"
                    " status_evidence_url, status_evidence_title, status_evidence_date,"
                    " seed_ref, slug, seed_key, version, dataset_id)"
                    " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s,"
                    " %s, %s, 1, %s)"
                    " RETURNING id",
                    (*_partnership_values(record), slug, record.seed_key, ctx.dataset_id),
                )
                partnership_id = int(cur.fetchone()[0])  # type: ignore[index]
                _write_links(cur, partnership_id, record)
                applied.created.append(partnership_id)
            elif current.moderated:
                applied.kept_moderated.append(f"{record.seed_ref}: {current.slug}")
            elif current.content != record.content():
                cur.execute(
                    "UPDATE partnership SET name = %s, kind = %s, summary = %s,"
                    " lead_organisation = %s, website = %s, founded_year = %s, status = %s,"
                    " source_url = %s, source_title = %s, source_date = %s, checked_on = %s,"
                    " status_evidence_url = %s, status_evidence_title = %s,"
                    " status_evidence_date = %s, seed_ref = %s, version = version + 1, updated_at = now(), dataset_id = %s"
                    " WHERE id = %s",
                    (*_partnership_values(record), ctx.dataset_id, current.id),
                )
                cur.execute(
                    "DELETE FROM partnership_theme WHERE partnership_id = %s", (current.id,)
                )
                cur.execute("DELETE FROM partnership_area WHERE partnership_id = %s", (current.id,))
                _write_links(cur, current.id, record)
                applied.updated.append(current.id)
            elif current.seed_ref != record.seed_ref:
                # Only the row's place in the register moved: provenance, not a new version.
                cur.execute(
                    "UPDATE partnership SET seed_ref = %s, dataset_id = %s WHERE id = %s",
                    (record.seed_ref, ctx.dataset_id, current.id),
                )
                applied.moved += 1
            else:
                applied.unchanged += 1
        created = set(applied.created)
        snapshots = partnership_snapshots(conn, [*applied.created, *applied.updated])
        cur.executemany(
            "INSERT INTO revision (partnership_id, version, snapshot, change)"
            " VALUES (%s, %s, %s, %s)",
            [
                (
                    pid,
                    snap["version"],
                    Jsonb(snap),
                    FIRST_CHANGE if pid in created else LATER_CHANGE,
                )
                for pid, snap in sorted(snapshots.items())
            ],
        )
    return applied


# --- reporting --------------------------------------------------------------------------------

# Roll-ups go through the project's one definition of coverage (the partnership_coverage view):
# a district counts for its LA, and both for their combined authority and region.
ROLLUP_SQL = """
SELECT a.level, a.code, a.name,
       count(DISTINCT c.partnership_id) AS partnerships,
       count(DISTINCT c.partnership_id) FILTER (WHERE NOT k.is_national) AS local_partnerships
  FROM area a
  LEFT JOIN partnership_coverage c ON c.area_code = a.code
  LEFT JOIN partnership p ON p.id = c.partnership_id
  LEFT JOIN partnership_kind k ON k.code = p.kind
 WHERE a.level IN ('region', 'combined_authority', 'local_authority')
 GROUP BY a.level, a.code, a.name
 ORDER BY a.level, a.code
"""


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
        dict(
            ctx.conn.execute(
                "SELECT currency, count(*) FROM partnership WHERE seed_key IS NOT NULL"
                " GROUP BY currency ORDER BY currency"
            ).fetchall()
        ),
    )
    summary.fact(
        NETWORK_COMPLETENESS,
        {
            label: f"{n} of {'about ' if approx else ''}{size}"
            for label, n, size, approx in ctx.conn.execute(NETWORK_SQL)
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
        "SELECT seed_ref, slug FROM partnership WHERE seed_key = ANY(%s) ORDER BY seed_ref",
        (sorted(stored_before - register.keys_seen),),
    ).fetchall()
    _miss_if_any(summary, GONE_FROM_REGISTER, [f"{ref}: {slug}" for ref, slug in gone])

    per_level: dict[str, dict[str, list[int]]] = {}
    without_local: list[str] = []
    for level, code, name, total, local in ctx.conn.execute(ROLLUP_SQL):
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


# --- the importer -----------------------------------------------------------------------------


def fetch_areas(conn: psycopg.Connection[Any]) -> dict[str, AreaRef]:
    """Every area by code, as validation needs it."""
    return {
        code: AreaRef(code, name, level)
        for code, name, level in conn.execute("SELECT code, name, level FROM area")
    }


def load_partnerships(ctx: Context, vocabulary_path: Path = VOCABULARY_PATH) -> None:
    """Upsert the vocabulary, then validate the register and store its seed records."""
    vocabulary = read_vocabulary(vocabulary_path)
    upsert_vocabulary(ctx.conn, vocabulary)
    areas = fetch_areas(ctx.conn)
    if not any(a.level in SERVED_LEVELS for a in areas.values()):
        raise ImportFailed("partnerships: no local authorities in `area`; import boundaries first")
    paths = sorted(ctx.path("partnerships").glob("*.csv"))
    if not paths:
        raise ImportFailed(f"no register files match {ctx.source_dir / REGISTER_GLOB}")
    register = read_register(paths, vocabulary, areas, dt.date.today().year)
    stored = stored_seeds(ctx.conn)
    applied = apply_register(ctx, register.records, stored)
    report(ctx, register, applied, set(stored))


def load(ctx: Context) -> None:
    """The importer's entry point."""
    load_partnerships(ctx)


IMPORTER = Importer(
    name="partnerships",
    title="Seed register of education partnerships (hand-compiled from public pages) and vocabulary",
    vintage="seed register (sources dated 2011-2025; Teaching School Hubs September 2025)",
    licence="Compiled by the project from public web pages (one source URL per row)",
    files=(REGISTER_GLOB,),
    load=load,
    depends=("boundaries",),
    extra_files=(VOCABULARY_PATH.relative_to(PROJECT_ROOT),),
)
