"""The postcodes import against the real Code-Point Open files, checked by reading them afresh."""

from __future__ import annotations

import csv
import gzip
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest
from rich.console import Console

from app.ingest.base import Context, ImportFailed
from app.ingest.postcodes import IMPORTER
from app.postcodes import OUTCODE_PATTERN, POSTCODE_PATTERN

CODEPOINT_CSV = "codepoint_open/Data/CSV"
DISTRICTS_CSV = "doogal_postcode_districts/Postcode districts.csv"

# Landmarks as WGS84 (longitude, latitude), to judge points and centroids on the ground.
BUCKINGHAM_PALACE = (-0.14189, 51.50136)
ST_BARTHOLOMEWS_HOSPITAL = (-0.10020, 51.51740)
HAMILTON_SQUARE_BIRKENHEAD = (-3.01390, 53.39350)


@dataclass
class SourceFacts:
    """What the Code-Point Open files say, counted here without the importer's code."""

    rows: int = 0
    english_rows: int = 0
    located: int = 0
    located_md5: str = ""
    without_coordinates: list[str] = field(default_factory=list)
    without_district: int = 0
    # outcode -> [postcodes, sum of eastings, sum of northings]
    outcodes: dict[str, list[int]] = field(default_factory=dict)
    cross_border: list[str] = field(default_factory=list)


def _canonical(postcode: str) -> str:
    compact = postcode.replace(" ", "").upper()
    return f"{compact[:-3]} {compact[-3:]}"


@pytest.fixture(scope="module")
def source(geodata_dir: Path) -> SourceFacts:
    """Every row of the 120 gzipped CSVs, read with the standard library."""
    facts = SourceFacts()
    located: list[str] = []
    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    countries: dict[str, set[str]] = defaultdict(set)
    files = sorted((geodata_dir / CODEPOINT_CSV).glob("*.csv.gz"))
    assert len(files) == 120
    for path in files:
        with gzip.open(path, "rt", newline="", encoding="ascii") as handle:
            for row in csv.reader(handle):
                facts.rows += 1
                postcode = _canonical(row[0])
                eastings, northings = int(row[2]), int(row[3])
                if (eastings, northings) != (0, 0):
                    countries[postcode.split(" ")[0]].add(row[4])
                if row[4] != "E92000001":
                    continue
                facts.english_rows += 1
                if (eastings, northings) == (0, 0):
                    facts.without_coordinates.append(postcode)
                    continue
                located.append(postcode)
                facts.without_district += row[8] == ""
                entry = sums[postcode.split(" ")[0]]
                entry[0] += 1
                entry[1] += eastings
                entry[2] += northings
    located.sort()
    facts.located = len(located)
    facts.located_md5 = hashlib.md5("\n".join(located).encode()).hexdigest()
    facts.without_coordinates.sort()
    facts.outcodes = dict(sums)
    facts.cross_border = sorted(o for o, c in countries.items() if "E92000001" in c and len(c) > 1)
    return facts


def _dataset_summary(conn: psycopg.Connection[Any]) -> dict[str, Any]:
    row = conn.execute(
        "SELECT summary FROM dataset WHERE name = 'postcodes' ORDER BY id DESC LIMIT 1"
    ).fetchone()
    assert row is not None, "the postcodes dataset has not been imported"
    summary: dict[str, Any] = row[0]
    return summary


def _distance_m(
    conn: psycopg.Connection[Any], geom_sql: str, lon_lat: tuple[float, float]
) -> float:
    """Metres between a BNG point expression and a WGS84 landmark."""
    value = conn.execute(
        f"SELECT ST_Distance(({geom_sql}),"
        " ST_Transform(ST_SetSRID(ST_MakePoint(%s, %s), 4326), 27700))",
        lon_lat,
    ).fetchone()
    assert value is not None and value[0] is not None
    return float(value[0])


def _fingerprint(conn: psycopg.Connection[Any]) -> tuple[str, str]:
    """A digest of every row of both tables, in key order."""
    row = conn.execute(
        """
        SELECT (SELECT md5(string_agg(concat_ws('|', postcode, outcode, quality, district_code,
                                                 geom_bng::text), E'\\n' ORDER BY postcode))
                FROM postcode),
               (SELECT md5(string_agg(concat_ws('|', outcode, postcode_count, town, geom::text,
                                                 geom_bng::text), E'\\n' ORDER BY outcode))
                FROM outcode)
        """
    ).fetchone()
    assert row is not None
    return row[0], row[1]


def test_every_located_english_postcode_is_imported(
    conn: psycopg.Connection[Any], source: SourceFacts
) -> None:
    # SOURCES.md: 1,745,849 GB postcodes of which 1,492,125 English; a band guards the reader.
    assert source.rows == 1_745_849
    assert source.english_rows == 1_492_125
    assert 1_480_000 < source.located <= source.english_rows
    count, digest = conn.execute(
        "SELECT count(*), md5(string_agg(postcode, E'\\n' ORDER BY postcode)) FROM postcode"
    ).fetchone() or (0, "")
    assert count == source.located
    assert digest == source.located_md5


def test_postcodes_without_coordinates_are_skipped_and_reported(
    conn: psycopg.Connection[Any], source: SourceFacts
) -> None:
    assert source.without_coordinates, "expected some English rows without coordinates"
    present = conn.execute(
        "SELECT count(*) FROM postcode WHERE postcode = ANY(%s)", (source.without_coordinates,)
    ).fetchone()
    assert present == (0,)
    summary = _dataset_summary(conn)
    assert summary["facts"]["skipped_no_coordinates"] == len(source.without_coordinates)
    assert summary["unmatched"]["postcode without coordinates"] == source.without_coordinates
    assert summary["facts"]["english_rows"] == source.english_rows
    assert summary["facts"]["rows_outside_england"] == source.rows - source.english_rows
    assert summary["rows"]["postcode"] == source.located
    assert summary["rows"]["outcode"] == len(source.outcodes)
    assert sum(summary["facts"]["postcodes_by_quality"].values()) == source.located


def test_rows_are_canonical_and_consistent(
    conn: psycopg.Connection[Any], source: SourceFacts
) -> None:
    bad = conn.execute(
        """
        SELECT count(*) FILTER (WHERE postcode !~ %(postcode)s),
               count(*) FILTER (WHERE outcode !~ %(outcode)s),
               count(*) FILTER (WHERE outcode <> split_part(postcode, ' ', 1)),
               count(*) FILTER (WHERE ST_SRID(geom_bng) <> 27700),
               count(*) FILTER (WHERE district_code !~ '^E0[6-9][0-9]{6}$'),
               count(*) FILTER (WHERE district_code IS NULL)
        FROM postcode
        """,
        {"postcode": POSTCODE_PATTERN, "outcode": OUTCODE_PATTERN},
    ).fetchone()
    assert bad == (0, 0, 0, 0, 0, source.without_district)


def test_buckingham_palace_postcode(conn: psycopg.Connection[Any]) -> None:
    row = conn.execute(
        "SELECT outcode, quality, district_code, ST_X(geom_bng), ST_Y(geom_bng)"
        " FROM postcode WHERE postcode = 'SW1A 1AA'"
    ).fetchone()
    assert row == ("SW1A", 10, "E09000033", 529090.0, 179645.0)  # Westminster
    distance = _distance_m(
        conn, "SELECT geom_bng FROM postcode WHERE postcode = 'SW1A 1AA'", BUCKINGHAM_PALACE
    )
    assert distance < 100


def test_outcode_centroids_are_the_mean_of_their_postcodes(
    conn: psycopg.Connection[Any], source: SourceFacts
) -> None:
    rows = {
        r[0]: r[1:]
        for r in conn.execute(
            "SELECT outcode, postcode_count, ST_X(geom_bng), ST_Y(geom_bng) FROM outcode"
        )
    }
    assert rows.keys() == source.outcodes.keys()
    for outcode, (n, sum_e, sum_n) in source.outcodes.items():
        count, x, y = rows[outcode]
        assert count == n, outcode
        assert abs(x - sum_e / n) <= 0.5 and abs(y - sum_n / n) <= 0.5, outcode


def test_outcode_rows_agree_with_postcode_rows(conn: psycopg.Connection[Any]) -> None:
    row = conn.execute(
        """
        SELECT (SELECT sum(postcode_count) FROM outcode) = (SELECT count(*) FROM postcode),
               NOT EXISTS (SELECT FROM postcode p
                           WHERE NOT EXISTS (SELECT FROM outcode o WHERE o.outcode = p.outcode)),
               (SELECT count(*) FROM outcode
                WHERE ST_SRID(geom) <> 4326
                   OR ST_Distance(geom, ST_Transform(geom_bng, 4326)) > 1e-7
                   OR NOT ST_Intersects(geom, ST_MakeEnvelope(-6.5, 49.8, 2.0, 55.9, 4326)))
        """
    ).fetchone()
    assert row == (True, True, 0)


@pytest.mark.parametrize(
    ("outcode", "landmark", "within_m", "town_has"),
    [
        ("EC1A", ST_BARTHOLOMEWS_HOSPITAL, 1_000, "St Bartholomew"),
        ("CH41", HAMILTON_SQUARE_BIRKENHEAD, 3_000, "Birkenhead"),
        ("SW1A", BUCKINGHAM_PALACE, 1_500, "Buckingham Palace"),
    ],
)
def test_known_outcodes(
    conn: psycopg.Connection[Any],
    outcode: str,
    landmark: tuple[float, float],
    within_m: float,
    town_has: str,
) -> None:
    row = conn.execute(
        "SELECT postcode_count, town FROM outcode WHERE outcode = %s", (outcode,)
    ).fetchone()
    assert row is not None, outcode
    count, town = row
    assert count > 50
    assert town_has in town
    geom_sql = f"SELECT geom_bng FROM outcode WHERE outcode = '{outcode}'"
    assert _distance_m(conn, geom_sql, landmark) < within_m


def test_outcode_towns_come_from_the_districts_list(
    conn: psycopg.Connection[Any], geodata_dir: Path
) -> None:
    with (geodata_dir / DISTRICTS_CSV).open(newline="", encoding="utf-8-sig") as handle:
        towns = {r["Postcode"].strip(): r["Town/Area"].strip() for r in csv.DictReader(handle)}
    rows = conn.execute("SELECT outcode, town FROM outcode").fetchall()
    for outcode, town in rows:
        assert town == (towns.get(outcode) or None), outcode
    summary = _dataset_summary(conn)
    without = [o for o, t in rows if t is None]
    assert summary["facts"]["outcodes_without_town"] == len(without)


def test_cross_border_outcodes_are_reported(
    conn: psycopg.Connection[Any], source: SourceFacts
) -> None:
    facts = _dataset_summary(conn)["facts"]
    assert facts["cross_border_outcodes"] == source.cross_border
    assert "TD15" in source.cross_border  # Berwick-upon-Tweed: English postcodes, Scottish area


@pytest.mark.slow
def test_reimport_changes_nothing(conn: psycopg.Connection[Any], geodata_dir: Path) -> None:
    before = _fingerprint(conn)
    stored = _dataset_summary(conn)
    with conn.transaction(force_rollback=True):
        ctx = Context(geodata_dir, conn, 0, Console(stderr=True), quiet=True)
        IMPORTER.load(ctx)
        assert _fingerprint(conn) == before
        # A difference here with unchanged files means the importer changed without a version bump.
        assert ctx.summary.as_json() == stored


def _write_source(root: Path, rows: list[str], towns: list[str]) -> Path:
    """A tiny made-up source folder in Code-Point Open's layout."""
    folder = root / CODEPOINT_CSV
    folder.mkdir(parents=True)
    with gzip.open(folder / "zz.csv.gz", "wt", newline="") as handle:
        handle.write("".join(f"{r}\n" for r in rows))
    districts = root / DISTRICTS_CSV
    districts.parent.mkdir(parents=True)
    districts.write_text("Postcode,Latitude,Town/Area\n" + "".join(f"{t}\n" for t in towns))
    return root


def test_load_rules_on_made_up_rows(conn: psycopg.Connection[Any], tmp_path: Path) -> None:
    tail = '"E19000003","E18000007","","{}","E05000001"'
    root = _write_source(
        tmp_path,
        [
            '"ZZ1 1AA",10,400000,300000,"E92000001",' + tail.format("E06000001"),
            '"ZZ1  1AB",10,400011,300021,"E92000001",' + tail.format("E06000001"),
            '"zz1 1ad",90,0,0,"E92000001",' + tail.format(""),
            '"ZZ2 1AA",60,500000,200000,"E92000001",' + tail.format(""),
            '"ZZ2 9ZZ",10,300000,200000,"W92000004",' + tail.format("W06000001"),
            '"ZZ3 1AA",10,100000,100000,"S92000003",' + tail.format("S12000001"),
            '"Z 1AA",10,400000,300000,"E92000001",' + tail.format("E06000001"),
        ],
        ["ZZ1,0,Testville", "ZZ3,0,Elsewhere"],
    )
    with conn.transaction(force_rollback=True):
        ctx = Context(root, conn, 0, Console(stderr=True), quiet=True)
        IMPORTER.load(ctx)
        postcodes = conn.execute(
            "SELECT postcode, outcode, quality, district_code, ST_AsText(geom_bng)"
            " FROM postcode ORDER BY postcode"
        ).fetchall()
        outcodes = conn.execute(
            "SELECT outcode, postcode_count, town, ST_AsText(geom_bng) FROM outcode ORDER BY 1"
        ).fetchall()
    assert postcodes == [
        ("ZZ1 1AA", "ZZ1", 10, "E06000001", "POINT(400000 300000)"),
        ("ZZ1 1AB", "ZZ1", 10, "E06000001", "POINT(400011 300021)"),
        ("ZZ2 1AA", "ZZ2", 60, None, "POINT(500000 200000)"),
    ]
    # Means rounded to the metre: 400005.5 -> 400006 (half to even), 300010.5 -> 300010.
    assert outcodes == [
        ("ZZ1", 2, "Testville", "POINT(400006 300010)"),
        ("ZZ2", 1, None, "POINT(500000 200000)"),
    ]
    assert ctx.summary.rows == {"postcode": 3, "outcode": 2}
    facts = ctx.summary.facts
    assert facts["source_rows"] == 7
    assert facts["rows_outside_england"] == 2
    assert facts["skipped_no_coordinates"] == 1
    assert facts["skipped_malformed_postcode"] == 1
    assert facts["postcodes_without_district"] == 1
    assert facts["postcodes_by_quality"] == {"10": 2, "60": 1}
    assert facts["cross_border_outcodes"] == ["ZZ2"]
    assert ctx.summary.unmatched["postcode without coordinates"] == ["ZZ1 1AD"]
    assert ctx.summary.unmatched["malformed postcode"] == ["Z 1AA"]
    assert ctx.summary.unmatched["outcode without a town"] == ["ZZ2"]


def test_a_bad_file_fails_and_keeps_the_previous_data(
    conn: psycopg.Connection[Any], tmp_path: Path
) -> None:
    before = conn.execute("SELECT count(*) FROM postcode").fetchone()
    root = _write_source(
        tmp_path,
        ['"ZZ1 1AA",10,4000x0,300000,"E92000001","","","","E06000001",""'],
        ["ZZ1,0,Testville"],
    )
    ctx = Context(root, conn, 0, Console(stderr=True), quiet=True)
    with pytest.raises(ImportFailed, match=r"zz\.csv\.gz.*eastings"), conn.transaction():
        IMPORTER.load(ctx)
    assert conn.execute("SELECT count(*) FROM postcode").fetchone() == before
