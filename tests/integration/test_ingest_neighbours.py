"""The imported statistical neighbours against the May 2025 workbook, read here independently."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import psycopg
import pytest
from rich.console import Console

from app.ingest import neighbours
from app.ingest.base import Context, ImportFailed, run_importer
from app.ingest.neighbours import IMPORTER
from app.models import CLOSENESS_BANDS

WORKBOOK = "lait/sn_may_2025.xlsx"
LEGACY_NUMBERS = {835, 836, 837, 909, 928}  # pre-reorganisation rows kept at the foot of the sheet


def expected_band(text: str) -> str:
    band = text.strip().lower().replace(" ", "_")
    if band == "extremely_close" and band not in CLOSENESS_BANDS:
        return "very_close"
    return band


@pytest.fixture(scope="module")
def workbook(geodata_dir: Path) -> dict[int, list[tuple[int, int, str]]]:
    """LA number -> [(rank, neighbour number, stored band)] for the current LAs in the workbook."""
    frame = pd.read_excel(geodata_dir / WORKBOOK, sheet_name="LA SN Groups", header=2)
    frame = frame[frame["LA num"].notna() & ~frame["LA num"].isin(LEGACY_NUMBERS)]
    closeness = [c for c in frame.columns if str(c).startswith("SNP")]
    groups = {}
    for _, row in frame.iterrows():
        groups[int(row["LA num"])] = [
            (k, int(row[f"SN{k}"]), expected_band(row[closeness[k - 1]])) for k in range(1, 11)
        ]
    return groups


def stored(conn: psycopg.Connection[Any]) -> dict[int, list[tuple[int, int, str]]]:
    rows = conn.execute(
        "SELECT a.la_number, s.rank, n.la_number, s.closeness FROM statistical_neighbour s"
        " JOIN area a ON a.code = s.area_code JOIN area n ON n.code = s.neighbour_code"
        " ORDER BY a.la_number, s.rank"
    ).fetchall()
    groups: dict[int, list[tuple[int, int, str]]] = {}
    for la, rank, neighbour, band in rows:
        groups.setdefault(la, []).append((rank, neighbour, band))
    return groups


def test_workbook_has_the_153_current_las(
    workbook: dict[int, list[tuple[int, int, str]]], la_count: int
) -> None:
    assert len(workbook) == la_count


def test_known_la_neighbours_match_the_workbook(
    conn: psycopg.Connection[Any], workbook: dict[int, list[tuple[int, int, str]]]
) -> None:
    # Barnsley (370, recoded in 2025 but E08000016 in our areas), Bexley (303, whose first
    # neighbour is "Extremely close") and Cumberland (942, created in 2023).
    groups = stored(conn)
    for la in (370, 303, 942):
        assert groups[la] == workbook[la], la


def test_every_la_matches_the_workbook(
    conn: psycopg.Connection[Any], workbook: dict[int, list[tuple[int, int, str]]]
) -> None:
    assert stored(conn) == workbook


def test_every_la_has_ten_ranked_neighbours(conn: psycopg.Connection[Any], la_count: int) -> None:
    rows = conn.execute(
        "SELECT a.code, count(s.rank), array_agg(s.rank ORDER BY s.rank)"
        " FROM area a LEFT JOIN statistical_neighbour s ON s.area_code = a.code"
        " WHERE a.level = 'local_authority' GROUP BY a.code"
    ).fetchall()
    assert len(rows) == la_count
    assert [r for r in rows if r[1] != 10 or r[2] != list(range(1, 11))] == []
    outside = conn.execute(
        "SELECT count(*) FROM statistical_neighbour s JOIN area n ON n.code = s.neighbour_code"
        " WHERE n.level <> 'local_authority'"
    ).fetchone()
    assert outside == (0,)


def test_closeness_is_normalised(conn: psycopg.Connection[Any]) -> None:
    bands = dict(
        conn.execute("SELECT closeness, count(*) FROM statistical_neighbour GROUP BY 1").fetchall()
    )
    assert set(bands) <= set(CLOSENESS_BANDS)
    assert {"very_close", "close", "somewhat_close", "not_close"} <= set(bands)


def test_legacy_rows_are_reported_not_stored(conn: psycopg.Connection[Any]) -> None:
    row = conn.execute(
        "SELECT summary, id FROM dataset WHERE name = 'neighbours' ORDER BY id DESC LIMIT 1"
    ).fetchone()
    assert row is not None
    summary, dataset_id = row
    reported = summary["unmatched"]["legacy pre-reorganisation rows (not stored)"]
    assert {int(item.split()[0]) for item in reported} == LEGACY_NUMBERS
    assert conn.execute(
        "SELECT count(*) FROM area WHERE la_number = ANY(%s)", (list(LEGACY_NUMBERS),)
    ).fetchone() == (0,)
    assert conn.execute(
        "SELECT count(*) FROM statistical_neighbour WHERE dataset_id <> %s", (dataset_id,)
    ).fetchone() == (0,)


def test_legacy_neighbour_fails_naming_file_and_row(
    conn: psycopg.Connection[Any], geodata_dir: Path, tmp_path: Path
) -> None:
    book = openpyxl.load_workbook(geodata_dir / WORKBOOK)
    sheet = book["LA SN Groups"]
    row = next(r for r in sheet.iter_rows(min_row=4) if r[0].value == 370)  # Barnsley
    row[5].value = 909  # SN1 becomes Cumbria, abolished in 2023
    (tmp_path / "lait").mkdir()
    book.save(tmp_path / WORKBOOK)
    dataset_id = conn.execute("SELECT max(id) FROM dataset WHERE name = 'neighbours'").fetchone()
    assert dataset_id is not None
    ctx = Context(tmp_path, conn, dataset_id[0], Console(stderr=True), quiet=True)
    pattern = rf"sn_may_2025\.xlsx row {row[0].row} \(Barnsley\): neighbour SN1 = 909"
    with pytest.raises(ImportFailed, match=pattern):
        neighbours.load(ctx)


def snapshot(conn: psycopg.Connection[Any]) -> tuple[int, str]:
    row = conn.execute(
        "SELECT count(*), md5(string_agg(s::text, '|' ORDER BY s.area_code, s.rank))"
        " FROM statistical_neighbour s"
    ).fetchone()
    assert row is not None
    return row[0], row[1]


def test_reimport_changes_nothing(
    conn: psycopg.Connection[Any], database: str, geodata_dir: Path, la_count: int
) -> None:
    before = snapshot(conn)
    conn.rollback()
    outcome = run_importer(
        IMPORTER, database, geodata_dir, Console(stderr=True), force=True, quiet=True
    )
    assert outcome.status == "imported", outcome.error
    assert snapshot(conn) == before
    assert before[0] == la_count * 10
