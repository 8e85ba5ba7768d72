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

import datetime as dt
from pathlib import Path
from typing import Any

import psycopg

from app.ingest.base import Context, Importer, ImportFailed
from app.ingest.partnerships_rows import SERVED_LEVELS, AreaRef, read_register
from app.ingest.partnerships_store import apply_register, stored_seeds
from app.ingest.partnerships_summary import report
from app.ingest.partnerships_vocabulary import VOCABULARY_PATH, read_vocabulary, upsert_vocabulary
from app.settings import PROJECT_ROOT

REGISTER_GLOB = "partnerships/*.csv"


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
