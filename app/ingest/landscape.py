"""Landscape: the hand-compiled register of each council's school-improvement role and its forms of
collaboration (``landscape/council_landscape.csv``, one row per upper-tier LA).

Each row is validated (an LA code in ``area``, a known council role, known forms of collaboration,
a known confidence, a summary and an http(s) source) and stored as the seed record of the area's
landscape in ``area_landscape``. The rules are those of the partnership register: one
transaction; a re-import updates seed records in place and writes nothing when nothing changed;
every change the register makes gets a ``revision`` (area_code set, the first one 'seed import');
a record that moderation has touched is never overwritten, and its register row is reported.
Every row is either imported or reported with its reason.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import psycopg

from app.codes import stored_code
from app.ingest.base import Context, Importer, ImportFailed
from app.ingest.common import statement
from app.ingest.register import (
    checked_on_date,
    is_http_url,
    optional_text,
    read_csv_rows,
    write_seed_revisions,
)
from app.models import COLLABORATION_FORMS, CONFIDENCE_LEVELS, COUNCIL_ROLES
from app.settings import PROJECT_ROOT

REGISTER_FILE = "landscape/council_landscape.csv"
COLUMNS = (
    "area_code",
    "area_name",
    "council_role",
    "provider_name",
    "provider_url",
    "collaboration_forms",
    "summary",
    "source_url",
    "source_title",
    "source_date",
    "confidence",
    "checked_on",
)
INVALID_ROWS = "invalid rows"
KEPT_MODERATED = "register rows not applied: landscape changed by moderation"
NO_ROW = "LAs with no landscape row"
SNAPSHOT_SQL = (
    (PROJECT_ROOT / "app" / "queries" / "sql" / "landscape_snapshot.sql")
    .read_text()
    .replace(":codes", "%(codes)s")
)
_SOURCE_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")


class LandscapeContent(NamedTuple):
    """The public fields of an area's landscape, as a re-import compares them."""

    body: str
    council_role: str
    provider_name: str | None
    provider_url: str | None
    collaboration_forms: tuple[str, ...]
    source_url: str
    source_title: str | None
    source_date: str | None
    confidence: str
    checked_on: dt.date | None


@dataclass(frozen=True)
class LandscapeRecord:
    """One valid register row, ready to store."""

    seed_ref: str
    area_code: str
    body: str
    council_role: str
    provider_name: str | None
    provider_url: str | None
    collaboration_forms: tuple[str, ...]
    source_url: str
    source_title: str | None
    source_date: str | None
    confidence: str
    checked_on: dt.date | None

    def content(self) -> LandscapeContent:
        """The public fields, in the order ``stored_landscapes`` reads them."""
        return LandscapeContent(
            self.body,
            self.council_role,
            self.provider_name,
            self.provider_url,
            self.collaboration_forms,
            self.source_url,
            self.source_title,
            self.source_date,
            self.confidence,
            self.checked_on,
        )


def parse_row(
    seed_ref: str, fields: Mapping[str, str], la_codes: Mapping[str, str]
) -> LandscapeRecord:
    """Validate one row; ValueError naming every reason it cannot be imported."""
    reasons: list[str] = []
    code = (fields.get("area_code") or "").strip().upper()
    code = stored_code(code, la_codes)
    if code not in la_codes:
        reasons.append(f"area code {code or '(empty)'} is not a local authority")
    role = (fields.get("council_role") or "").strip()
    if role not in COUNCIL_ROLES:
        reasons.append(f"unknown council role {role!r}")
    forms = tuple(
        f.strip() for f in (fields.get("collaboration_forms") or "").split(";") if f.strip()
    )
    unknown = [f for f in forms if f not in COLLABORATION_FORMS]
    if unknown:
        reasons.append(f"unknown forms of collaboration {', '.join(unknown)}")
    confidence = (fields.get("confidence") or "").strip()
    if confidence not in CONFIDENCE_LEVELS:
        reasons.append(f"unknown confidence {confidence!r}")
    body = (fields.get("summary") or "").strip()
    if not body:
        reasons.append("no summary")
    source_url = (fields.get("source_url") or "").strip()
    if not is_http_url(source_url):
        reasons.append("no http(s) source URL")
    provider_url = optional_text(fields.get("provider_url"))
    if provider_url and not is_http_url(provider_url):
        reasons.append("provider URL is not http(s)")
    source_date = optional_text(fields.get("source_date"))
    if source_date and not _SOURCE_DATE.fullmatch(source_date):
        reasons.append(f"source date {source_date!r} is not YYYY or YYYY-MM-DD")
    checked_on = checked_on_date(reasons, optional_text(fields.get("checked_on")))
    if reasons:
        raise ValueError("; ".join(reasons))
    return LandscapeRecord(
        seed_ref=seed_ref,
        area_code=code,
        body=body,
        council_role=role,
        provider_name=optional_text(fields.get("provider_name")),
        provider_url=provider_url,
        collaboration_forms=forms,
        source_url=source_url,
        source_title=optional_text(fields.get("source_title")),
        source_date=source_date,
        confidence=confidence,
        checked_on=checked_on,
    )


def read_rows(path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """The rows of the register file with their ``file:line`` reference; ImportFailed on a bad file."""
    return read_csv_rows(path, COLUMNS)


@dataclass
class Register:
    """The register as read: valid records by area and invalid rows with reasons."""

    records: dict[str, LandscapeRecord] = field(default_factory=dict)
    invalid: list[str] = field(default_factory=list)
    rows: int = 0


def read_register(path: Path, la_codes: Mapping[str, str]) -> Register:
    """Validate every row; a second row for the same LA is invalid."""
    register = Register()
    for ref, fields in read_rows(path):
        register.rows += 1
        try:
            record = parse_row(ref, fields, la_codes)
        except ValueError as exc:
            register.invalid.append(f"{ref}: {exc}")
            continue
        if record.area_code in register.records:
            first = register.records[record.area_code].seed_ref
            register.invalid.append(f"{ref}: same LA as {first}")
            continue
        register.records[record.area_code] = record
    return register


@dataclass(frozen=True)
class StoredLandscape:
    """An area's landscape as it is in the database."""

    seed_ref: str | None
    moderated: bool
    content: LandscapeContent


def stored_landscapes(conn: psycopg.Connection[Any]) -> dict[str, StoredLandscape]:
    """Every stored landscape, by area code."""
    found: dict[str, StoredLandscape] = {}
    stored = conn.execute(statement("landscape_stored"))
    for code, ref, moderated, body, role, pname, purl, forms, *rest in stored:
        content = LandscapeContent(body, role, pname, purl, tuple(forms or ()), *rest)
        found[code] = StoredLandscape(ref, bool(moderated), content)
    return found


@dataclass
class Applied:
    """What storing the register did."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    kept_moderated: list[str] = field(default_factory=list)


def _values(record: LandscapeRecord) -> tuple[Any, ...]:
    """The public fields as statement parameters (the forms as a list, for a text array)."""
    content = record.content()
    return (*content[:4], list(content.collaboration_forms), *content[5:])


def apply_register(
    ctx: Context, register: Register, stored: Mapping[str, StoredLandscape]
) -> Applied:
    """Create, update or leave each area's landscape, then write a revision for each one changed."""
    applied = Applied()
    with ctx.conn.cursor() as cur:
        for code, record in sorted(register.records.items()):
            current = stored.get(code)
            if current is None:
                cur.execute(
                    statement("landscape_insert"),
                    (*_values(record), record.seed_ref, ctx.dataset_id, code),
                )
                applied.created.append(code)
            elif current.moderated:
                applied.kept_moderated.append(f"{record.seed_ref}: {code}")
            elif current.content != record.content():
                cur.execute(
                    statement("landscape_update"),
                    (*_values(record), record.seed_ref, ctx.dataset_id, code),
                )
                applied.updated.append(code)
            else:
                if current.seed_ref != record.seed_ref:
                    cur.execute(statement("landscape_move"), (record.seed_ref, code))
                applied.unchanged += 1
        created = set(applied.created)
        snapshots = landscape_snapshots(ctx.conn, [*applied.created, *applied.updated])
        write_seed_revisions(cur, "area_code", snapshots, created)
    return applied


def landscape_snapshots(
    conn: psycopg.Connection[Any], codes: list[str]
) -> dict[str, dict[str, Any]]:
    """Snapshots of several areas' landscapes by code (the shape moderation writes too)."""
    if not codes:
        return {}
    return {str(r[0]): dict(r[1]) for r in conn.execute(SNAPSHOT_SQL, {"codes": codes})}


def report(ctx: Context, register: Register, applied: Applied, la_names: Mapping[str, str]) -> None:
    """Put counts, what joined and everything not imported into the import summary."""
    summary = ctx.summary
    ctx.count_rows("area_landscape")
    ctx.count_rows("revision", "WHERE partnership_id IS NULL")
    records = list(register.records.values())
    summary.fact("register rows", register.rows)
    summary.fact("rows joined to an LA", len(records))
    summary.fact("invalid rows", len(register.invalid))
    summary.fact("created", len(applied.created))
    summary.fact("updated", len(applied.updated))
    summary.fact("unchanged", applied.unchanged)
    summary.fact("kept moderated records", len(applied.kept_moderated))
    summary.fact("council role", dict(sorted(Counter(r.council_role for r in records).items())))
    summary.fact("confidence", dict(sorted(Counter(r.confidence for r in records).items())))
    summary.fact(
        "forms of collaboration",
        dict(sorted(Counter(f for r in records for f in r.collaboration_forms).items())),
    )
    summary.fact("rows with a source date", sum(r.source_date is not None for r in records))
    summary.miss(INVALID_ROWS, register.invalid)
    if applied.kept_moderated:
        summary.miss(KEPT_MODERATED, applied.kept_moderated)
    summary.miss(
        NO_ROW,
        [f"{code} {name}" for code, name in la_names.items() if code not in register.records],
    )


def load(ctx: Context) -> None:
    """Validate the landscape register and store each LA's seed landscape."""
    la_names = dict(
        ctx.conn.execute(
            "SELECT code, name FROM area WHERE level = 'local_authority' ORDER BY code"
        ).fetchall()
    )
    if not la_names:
        raise ImportFailed("landscape: no local authorities in `area`; import boundaries first")
    register = read_register(ctx.path(REGISTER_FILE), la_names)
    applied = apply_register(ctx, register, stored_landscapes(ctx.conn))
    report(ctx, register, applied, la_names)


IMPORTER = Importer(
    name="landscape",
    title="Local landscape register: each council's school-improvement role and forms of collaboration",
    vintage="landscape register (sources dated 2010-2025; checked 6 December 2026)",
    licence="Compiled by the project from public web pages (one source URL per row)",
    files=(REGISTER_FILE,),
    load=load,
    depends=("boundaries",),
)
