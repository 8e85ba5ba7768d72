"""The imported trusts against the GIAS groups extract and Code-Point Open, read here independently."""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path
from typing import Any

import psycopg
import pytest
from rich.console import Console

from app.ingest import trust_cleaning as trusts
from app.ingest.base import Context, run_importer
from app.ingest.trusts import IMPORTER

GROUPS = "sap_sector/EstablishmentGroupLinks.json"
HARRIS_FEDERATION = 3320


@pytest.fixture(scope="module")
def groups(geodata_dir: Path) -> dict[int, dict[str, Any]]:
    records = json.loads((geodata_dir / GROUPS).read_text(encoding="utf-8"))
    return {int(r["group_uid"]): r for r in records}


def codepoint_row(geodata_dir: Path, postcode: str) -> list[str]:
    """The Code-Point Open row of a postcode, found by scanning its postcode area's file."""
    area = "".join(ch for ch in postcode.split()[0] if ch.isalpha()).lower()
    path = geodata_dir / "codepoint_open" / "Data" / "CSV" / f"{area}.csv.gz"
    compact = postcode.replace(" ", "")
    with gzip.open(path, "rt", newline="") as handle:
        for row in csv.reader(handle):
            if row[0].replace(" ", "") == compact:
                return row
    raise AssertionError(f"{postcode} not in {path.name}")


def fingerprint(conn: psycopg.Connection[Any]) -> str:
    return str(
        conn.execute("SELECT md5(string_agg(t::text, '|' ORDER BY t.uid)) FROM trust t").fetchone()[
            0
        ]  # type: ignore[index]
    )


def test_every_group_of_the_extract_is_a_trust(
    conn: psycopg.Connection[Any], groups: dict[int, dict[str, Any]]
) -> None:
    stored = {r[0] for r in conn.execute("SELECT uid FROM trust")}
    assert len(groups) == 7176
    assert set(groups) <= stored


def test_names_types_and_statuses_match_the_extract(
    conn: psycopg.Connection[Any], groups: dict[int, dict[str, Any]]
) -> None:
    rows = conn.execute("SELECT uid, name, group_type, status FROM trust").fetchall()
    for uid, name, group_type, status in rows:
        source = groups[uid]
        given = " ".join(source["group_name"].split())
        if "\ufffd" in given:
            assert "\ufffd" not in name, uid  # repaired (see the test below)
        elif given.isupper() and " " in given:
            assert name.upper() == given, uid  # title-cased for display
        else:
            assert name == given, uid
        assert (group_type, status) == (source["group_type"], source["group_status"]), uid


def test_damaged_names_are_repaired_from_the_census(
    conn: psycopg.Connection[Any], groups: dict[int, dict[str, Any]]
) -> None:
    damaged = {uid for uid, g in groups.items() if "\ufffd" in g["group_name"]}
    assert damaged
    names = dict(conn.execute("SELECT uid, name FROM trust WHERE uid = ANY(%s)", (list(damaged),)))
    assert all("\ufffd" not in name for name in names.values())
    assert "Areté Learning Trust" in names.values()
    assert "Fierté Multi-Academy Trust" in names.values()
    summary = conn.execute(
        "SELECT summary FROM dataset WHERE name = 'trusts' ORDER BY id DESC LIMIT 1"
    ).fetchone()[0]  # type: ignore[index]
    assert summary["facts"][trusts.REPAIRED_NAMES] == len(damaged)


def test_placeholder_opening_dates_are_hidden(
    conn: psycopg.Connection[Any], groups: dict[int, dict[str, Any]]
) -> None:
    placeholder = [uid for uid, g in groups.items() if g["open_date"] == "01/01/1902"]
    assert placeholder
    assert conn.execute("SELECT count(*) FROM trust WHERE open_date = '1902-01-01'").fetchone() == (
        0,
    )
    summary = conn.execute(
        "SELECT summary FROM dataset WHERE name = 'trusts' ORDER BY id DESC LIMIT 1"
    ).fetchone()[0]  # type: ignore[index]
    assert summary["facts"][trusts.HIDDEN_PLACEHOLDER_DATES] == len(placeholder)


def test_all_capitals_names_are_title_cased_with_their_abbreviations() -> None:
    assert trusts.title_case("STEP ACADEMY TRUST") == "Step Academy Trust"
    assert trusts.title_case("ST JOHN'S CE PRIMARY SCHOOL") == "St John's CE Primary School"
    assert (
        trusts.title_case("THE DIOCESE OF LEEDS C OF E TRUST")
        == "The Diocese of Leeds C of E Trust"
    )
    assert trusts.title_case("E-ACT") == "E-ACT"
    assert trusts.title_case("Mixed Case Trust") == "Mixed Case Trust"
    assert trusts.title_case("FIERTÉ MULTI-ACADEMY TRUST") == "Fierté Multi-Academy Trust"


def test_a_known_trust_head_office_is_at_its_postcode(
    conn: psycopg.Connection[Any], groups: dict[int, dict[str, Any]], geodata_dir: Path
) -> None:
    source = groups[HARRIS_FEDERATION]
    assert source["group_name"] == "HARRIS FEDERATION"
    row = codepoint_row(geodata_dir, source["group_postcode"])
    easting, northing, district = int(row[2]), int(row[3]), row[8]
    stored = conn.execute(
        "SELECT t.postcode, ST_X(t.geom_bng), ST_Y(t.geom_bng), t.la_code, a.name,"
        " ST_Distance(ST_Transform(t.geom, 27700), t.geom_bng)"
        " FROM trust t JOIN area a ON a.code = t.la_code WHERE t.uid = %s",
        (HARRIS_FEDERATION,),
    ).fetchone()
    assert stored is not None
    assert stored[0] == source["group_postcode"]
    assert (stored[1], stored[2]) == (easting, northing)
    assert stored[3] == district == "E09000008"
    assert stored[4] == "Croydon"
    assert stored[5] < 1.0


def test_placed_head_offices_lie_in_or_near_their_la(conn: psycopg.Connection[Any]) -> None:
    far = conn.execute(
        "SELECT t.uid FROM trust t JOIN area a ON a.code = t.la_code"
        " WHERE ST_Distance(a.geom::geography, t.geom::geography) > 2000"
    ).fetchall()
    assert far == []
    placed, with_la = conn.execute("SELECT count(geom), count(la_code) FROM trust").fetchone()  # type: ignore[misc]
    assert placed >= 3600
    assert with_la == placed


def test_unknown_and_missing_postcodes_are_reported(conn: psycopg.Connection[Any]) -> None:
    summary = conn.execute(
        "SELECT summary FROM dataset WHERE name = 'trusts' ORDER BY id DESC LIMIT 1"
    ).fetchone()[0]  # type: ignore[index]
    unknown = summary["unmatched"]["group postcode not an English Code-Point Open postcode"]
    # A Cardiff head office: Wales is not in the English postcode table.
    assert "2838 CF14 8LH" in unknown
    unplaced = conn.execute(
        "SELECT count(*) FROM trust WHERE postcode IS NOT NULL AND geom IS NULL"
    ).fetchone()[0]  # type: ignore[index]
    assert len(unknown) == unplaced
    assert summary["facts"]["groups in file"] == 7176


def test_a_group_gone_from_the_file_stays_while_a_school_refers_to_it(
    conn: psycopg.Connection[Any], geodata_dir: Path
) -> None:
    conn.execute(
        "INSERT INTO trust (uid, name, group_type, status, dataset_id)"
        " SELECT u, 'Gone trust ' || u, 'Multi-academy trust', 'Closed', max(id)"
        " FROM dataset, (VALUES (999001), (999002)) v(u) GROUP BY u"
    )
    urn = conn.execute(
        "UPDATE school SET trust_uid = 999001"
        " WHERE urn = (SELECT min(urn) FROM school) RETURNING urn"
    ).fetchone()
    assert urn is not None
    dataset = conn.execute(
        "SELECT id FROM dataset WHERE name = 'trusts' ORDER BY id DESC LIMIT 1"
    ).fetchone()[0]  # type: ignore[index]
    ctx = Context(geodata_dir, conn, dataset, Console(quiet=True), quiet=True)
    IMPORTER.load(ctx)
    left = {r[0] for r in conn.execute("SELECT uid FROM trust WHERE uid IN (999001, 999002)")}
    assert left == {999001}
    assert ctx.summary.unmatched[
        "group gone from the file, kept while schools or partnerships refer to it"
    ] == ["999001"]


def test_reimporting_in_place_changes_nothing(
    conn: psycopg.Connection[Any], geodata_dir: Path
) -> None:
    before = fingerprint(conn)
    dataset = conn.execute(
        "SELECT id FROM dataset WHERE name = 'trusts' ORDER BY id DESC LIMIT 1"
    ).fetchone()[0]  # type: ignore[index]
    ctx = Context(geodata_dir, conn, dataset, Console(quiet=True), quiet=True)
    IMPORTER.load(ctx)
    assert fingerprint(conn) == before
    assert ctx.summary.facts["groups inserted"] == 0
    assert ctx.summary.facts["groups updated"] == 0


def test_forced_reimport_through_the_runner_changes_nothing(
    database: str, geodata_dir: Path
) -> None:
    with psycopg.connect(database) as conn:
        before = fingerprint(conn)
    outcome = run_importer(
        IMPORTER, database, geodata_dir, Console(quiet=True), force=True, quiet=True
    )
    assert outcome.status == "imported", outcome.error
    with psycopg.connect(database) as conn:
        assert fingerprint(conn) == before
