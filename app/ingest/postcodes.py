"""Import England's live postcodes from OS Code-Point Open, and outcode centroids built from them.

The 120 gzipped Code-Point Open CSVs (no header row) are streamed into a temporary table with
COPY; one INSERT ... SELECT then keeps the English rows and builds their points in PostGIS,
which is far faster than making geometries in Python. Rows without coordinates (eastings and
northings of 0) are skipped and listed in the summary. Each outcode's centroid is the mean
easting/northing of its postcodes, named with the 'Town/Area' of doogal.co.uk's postcode
districts list where the outcode appears there.
"""

from __future__ import annotations

import csv
import gzip
import re
from pathlib import Path
from typing import Any

import psycopg

from app.codes import ENGLAND
from app.ingest.base import Context, Importer, ImportFailed, copy_rows
from app.ingest.common import statement
from app.postcodes import POSTCODE_PATTERN, normalise_outcode
from app.text import one_line

CSV_GLOB = "codepoint_open/Data/CSV/*.csv.gz"
METADATA_FILE = "codepoint_open/Doc/metadata.txt"
DISTRICTS_FILE = "doogal_postcode_districts/Postcode districts.csv"
CHUNK_BYTES = 1 << 20
IN_ENGLAND = {"england": ENGLAND}

NO_DISTRICT_SQL = "SELECT count(*) FROM postcode WHERE district_code IS NULL"
BY_QUALITY_SQL = "SELECT quality, count(*) FROM postcode GROUP BY quality ORDER BY quality"


def _source_files(ctx: Context) -> list[Path]:
    files = sorted(ctx.source_dir.glob(CSV_GLOB))
    if not files:
        raise ImportFailed(f"no Code-Point Open files match {ctx.source_dir / CSV_GLOB}")
    return files


def _copy_file(conn: psycopg.Connection[Any], path: Path) -> None:
    """Stream one gzipped CSV into the staging table."""
    with (
        gzip.open(path, "rb") as source,
        conn.cursor() as cursor,
        cursor.copy("COPY codepoint_raw FROM STDIN WITH (FORMAT csv, HEADER false)") as copy,
    ):
        for chunk in iter(lambda: source.read(CHUNK_BYTES), b""):
            copy.write(chunk)


def _load_codepoint(ctx: Context) -> None:
    conn = ctx.conn
    conn.execute(statement("postcodes_stage"))
    files = _source_files(ctx)
    for path in ctx.track(files, "Code-Point Open files", total=len(files)):
        try:
            _copy_file(conn, path)
        except psycopg.errors.DataError as exc:
            where = (exc.diag.context or "").strip()
            raise ImportFailed(f"{path.name}: {exc.diag.message_primary} ({where})") from exc

    total, england = conn.execute(statement("postcodes_source_counts"), IN_ENGLAND).fetchone() or (
        0,
        0,
    )
    cross_border = [r[0] for r in conn.execute(statement("postcodes_cross_border"), IN_ENGLAND)]
    no_coordinates = [
        r[0] for r in conn.execute(statement("postcodes_without_coordinates"), IN_ENGLAND)
    ]
    with_pattern = {**IN_ENGLAND, "pattern": POSTCODE_PATTERN}
    inserted = conn.execute(statement("postcodes_insert"), with_pattern).rowcount
    malformed: list[str] = []
    if inserted != england - len(no_coordinates):
        # Listed only when some row was refused: matching the pattern over every row is costly.
        malformed = [r[0] for r in conn.execute(statement("postcodes_malformed"), with_pattern)]
    conn.execute("DROP VIEW codepoint")
    conn.execute("DROP TABLE codepoint_raw")

    facts = ctx.summary.fact
    facts("source_files", len(files))
    facts("source_rows", total)
    facts("rows_outside_england", total - england)
    facts("english_rows", england)
    facts("skipped_no_coordinates", len(no_coordinates))
    facts("skipped_malformed_postcode", len(malformed))
    facts("postcodes_without_district", ctx.scalar(NO_DISTRICT_SQL))
    facts("postcodes_by_quality", {str(q): n for q, n in conn.execute(BY_QUALITY_SQL)})
    # Their outcode rows hold the English part only: its postcode count and its centroid.
    facts("cross_border_outcodes", cross_border)
    ctx.summary.miss("postcode without coordinates", no_coordinates)
    if malformed:
        ctx.summary.miss("malformed postcode", malformed)


def _read_district_towns(path: Path) -> dict[str, str]:
    """Outcode -> 'Town/Area' from doogal's postcode districts list (all UK outcodes)."""
    towns: dict[str, str] = {}
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = {"Postcode", "Town/Area"} - set(reader.fieldnames or ())
        if missing:
            raise ImportFailed(f"{path.name}: missing columns {', '.join(sorted(missing))}")
        for row in reader:
            outcode = normalise_outcode(row["Postcode"] or "")
            town = one_line(row["Town/Area"])
            if outcode and town:
                towns[outcode] = town
    return towns


def _load_outcodes(ctx: Context) -> None:
    conn = ctx.conn
    towns = _read_district_towns(ctx.path(DISTRICTS_FILE))
    conn.execute("DROP TABLE IF EXISTS pg_temp.district_town")
    conn.execute("CREATE TEMP TABLE district_town (outcode text PRIMARY KEY, town text)")
    copy_rows(conn, "district_town", ["outcode", "town"], sorted(towns.items()))
    conn.execute(statement("postcodes_outcodes_insert"))
    conn.execute("DROP TABLE district_town")

    without_town = [r[0] for r in conn.execute("SELECT outcode FROM outcode WHERE town IS NULL")]
    ctx.summary.fact("outcodes_without_town", len(without_town))
    if without_town:
        ctx.summary.miss("outcode without a town", without_town)


def _read_version(ctx: Context) -> str | None:
    """The dataset version stated in Code-Point Open's metadata file, e.g. '2025.4.0'."""
    path = ctx.source_dir / METADATA_FILE
    if not path.exists():
        return None
    match = re.search(r"DATASET VERSION NUMBER:\s*(\S+)", path.read_text(errors="replace"))
    return match.group(1) if match else None


def load(ctx: Context) -> None:
    """Replace every postcode and outcode with those in the source files, in one transaction."""
    ctx.conn.execute("TRUNCATE postcode, outcode")
    _load_codepoint(ctx)
    _load_outcodes(ctx)
    ctx.conn.execute("ANALYZE postcode")
    ctx.conn.execute("ANALYZE outcode")
    ctx.count_rows("postcode")
    ctx.count_rows("outcode")
    ctx.summary.fact("codepoint_open_version", _read_version(ctx))


IMPORTER = Importer(
    name="postcodes",
    title="OS Code-Point Open: English postcodes, with outcode centroids",
    vintage="Code-Point Open 2025.4.0 (October 2025); doogal postcode districts (2023)",
    licence=(
        "OS OpenData licence. Contains OS data © Crown copyright and database right 2025; "
        "contains Royal Mail data © Royal Mail copyright and database right 2025; contains "
        "National Statistics data © Crown copyright and database right 2025. Outcode town "
        "names from doogal.co.uk's postcode districts list (OGL-derived; attribution required)."
    ),
    files=(CSV_GLOB, DISTRICTS_FILE),
    load=load,
    version=2,
)
