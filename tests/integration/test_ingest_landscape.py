"""The landscape import against the real register and boundaries: every LA, identity, moderation."""

from __future__ import annotations

import csv
import io
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import psycopg
import pytest
from rich.console import Console

from app.ingest import landscape
from app.ingest.base import Context, Summary

REGISTER = Path("landscape") / "council_landscape.csv"
MIDDLESBROUGH = "E06000002"


def register_rows(folder: Path) -> list[dict[str, str]]:
    """The register's rows, read here on their own."""
    with (folder / REGISTER).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def run_load(conn: psycopg.Connection[Any], source_dir: Path) -> Summary:
    """Run the landscape load on the test's own connection (rolled back after the test)."""
    found = conn.execute("SELECT max(id) FROM dataset WHERE name = 'landscape'").fetchone()
    assert found is not None and found[0] is not None, "the landscape import has not run"
    ctx = Context(source_dir, conn, found[0], Console(file=io.StringIO()), quiet=True)
    landscape.load(ctx)
    return ctx.summary


def checksums(conn: psycopg.Connection[Any]) -> tuple[str, str]:
    """md5 over every landscape row and every landscape revision."""
    return tuple(  # type: ignore[return-value]
        conn.execute(
            f"SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY {order}), '')) FROM {table} t"
            f" {where}"
        ).fetchone()[0]  # type: ignore[index]
        for table, order, where in (
            ("area_landscape", "area_code", ""),
            ("revision", "id", "WHERE partnership_id IS NULL"),
        )
    )


def copy_register(source: Path, target: Path, changes: dict[str, dict[str, str]]) -> Path:
    """A copy of the register with some fields of some LAs' rows changed."""
    rows = register_rows(source)
    (target / REGISTER).parent.mkdir(parents=True)
    with (target / REGISTER).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow(row | changes.get(row["area_code"], {}))
    return target


def moderated_areas(conn: psycopg.Connection[Any]) -> set[str]:
    """LAs whose landscape a moderator or a submission changed (earlier tests in this run may)."""
    return {
        r[0]
        for r in conn.execute(
            "SELECT DISTINCT area_code FROM revision WHERE partnership_id IS NULL"
            " AND (moderator_id IS NOT NULL OR submission_id IS NOT NULL)"
        )
    }


def test_every_la_has_its_register_row(conn: psycopg.Connection[Any], geodata_dir: Path) -> None:
    rows = register_rows(geodata_dir)
    stored = dict(conn.execute("SELECT area_code, council_role FROM area_landscape").fetchall())
    las = {r[0] for r in conn.execute("SELECT code FROM area WHERE level = 'local_authority'")}
    assert set(stored) == las
    assert len(rows) == len(las)
    moderated = moderated_areas(conn)
    assert MIDDLESBROUGH not in moderated, "no test moderates the record these tests check"
    assert Counter(role for code, role in stored.items() if code not in moderated) == Counter(
        r["council_role"] for r in rows if r["area_code"] not in moderated
    )
    summary = run_load(conn, geodata_dir)
    assert summary.facts["rows joined to an LA"] == len(rows)
    assert summary.unmatched[landscape.INVALID_ROWS] == []
    assert summary.unmatched[landscape.NO_ROW] == []


def test_a_chosen_record_with_its_provenance(
    conn: psycopg.Connection[Any], geodata_dir: Path
) -> None:
    source = next(r for r in register_rows(geodata_dir) if r["area_code"] == MIDDLESBROUGH)
    row = conn.execute(
        "SELECT body, council_role, provider_name, provider_url, collaboration_forms,"
        " source_url, source_date, confidence, checked_on::text, seed_ref"
        " FROM area_landscape WHERE area_code = %s",
        (MIDDLESBROUGH,),
    ).fetchone()
    assert row is not None
    assert row[:8] == (
        source["summary"],
        "in_house_team",
        source["provider_name"],
        "https://www.learningmiddlesbrough.co.uk",
        source["collaboration_forms"].split(";"),
        source["source_url"],
        None,  # the page is undated: nothing is made up
        "medium",
    )
    assert row[8] == source["checked_on"] and row[9] == "council_landscape.csv:3"
    first = conn.execute(
        "SELECT version, change, snapshot->>'provider_name' FROM revision"
        " WHERE area_code = %s AND partnership_id IS NULL ORDER BY version LIMIT 1",
        (MIDDLESBROUGH,),
    ).fetchone()
    assert first == (1, "seed import", source["provider_name"])


def test_reimport_changes_nothing(conn: psycopg.Connection[Any], geodata_dir: Path) -> None:
    before = checksums(conn)
    summary = run_load(conn, geodata_dir)
    assert checksums(conn) == before
    assert summary.facts["created"] == summary.facts["updated"] == 0
    assert (
        summary.facts["unchanged"] + summary.facts["kept moderated records"]
        == summary.facts["rows joined to an LA"]
    )


def test_a_changed_row_updates_its_record_with_a_revision(
    conn: psycopg.Connection[Any], geodata_dir: Path, tmp_path: Path
) -> None:
    before = conn.execute(
        "SELECT version FROM area_landscape WHERE area_code = %s", (MIDDLESBROUGH,)
    ).fetchone()
    assert before is not None
    source = copy_register(
        geodata_dir,
        tmp_path,
        {MIDDLESBROUGH: {"council_role": "traded_company", "confidence": "high"}},
    )
    summary = run_load(conn, source)
    assert summary.facts["updated"] == 1
    after = conn.execute(
        "SELECT council_role, confidence, version FROM area_landscape WHERE area_code = %s",
        (MIDDLESBROUGH,),
    ).fetchone()
    assert after == ("traded_company", "high", before[0] + 1)
    change = conn.execute(
        "SELECT change, snapshot->>'council_role' FROM revision"
        " WHERE area_code = %s AND partnership_id IS NULL AND version = %s",
        (MIDDLESBROUGH, before[0] + 1),
    ).fetchone()
    assert change == ("seed register update", "traded_company")


def moderate_by_version_bump(conn: psycopg.Connection[Any]) -> None:
    conn.execute(
        "UPDATE area_landscape SET version = version + 1 WHERE area_code = %s", (MIDDLESBROUGH,)
    )


def moderate_by_approved_revision(conn: psycopg.Connection[Any]) -> None:
    moderator = conn.execute(
        "INSERT INTO moderator (email, password_hash) VALUES ('mod@example.org', 'x') RETURNING id"
    ).fetchone()[0]  # type: ignore[index]
    conn.execute(
        "UPDATE area_landscape SET version = version + 1 WHERE area_code = %s", (MIDDLESBROUGH,)
    )
    conn.execute(
        "INSERT INTO revision (area_code, version, snapshot, change, moderator_id)"
        " SELECT area_code, version, '{}', 'description updated from a suggestion', %s"
        " FROM area_landscape WHERE area_code = %s",
        (moderator, MIDDLESBROUGH),
    )


@pytest.mark.parametrize("moderate", [moderate_by_version_bump, moderate_by_approved_revision])
def test_a_moderated_landscape_wins_over_the_register(
    conn: psycopg.Connection[Any], geodata_dir: Path, tmp_path: Path, moderate: Any
) -> None:
    conn.execute(
        "UPDATE area_landscape SET body = 'Corrected by a moderator', council_role = 'unknown'"
        " WHERE area_code = %s",
        (MIDDLESBROUGH,),
    )
    already = moderated_areas(conn)
    moderate(conn)
    before = checksums(conn)
    # Even a register row that itself changed does not overwrite the moderated record.
    source = copy_register(geodata_dir, tmp_path, {MIDDLESBROUGH: {"confidence": "high"}})
    summary = run_load(conn, source)
    assert checksums(conn) == before
    assert summary.facts["kept moderated records"] == len(already) + 1
    kept = summary.unmatched[landscape.KEPT_MODERATED]
    assert f"council_landscape.csv:3: {MIDDLESBROUGH}" in kept
    assert {entry.rsplit(": ", 1)[1] for entry in kept} == already | {MIDDLESBROUGH}


def test_invalid_rows_are_reported_with_file_and_line(
    conn: psycopg.Connection[Any], geodata_dir: Path, tmp_path: Path
) -> None:
    source = copy_register(
        geodata_dir,
        tmp_path,
        {MIDDLESBROUGH: {"council_role": "abolished", "collaboration_forms": "guesswork"}},
    )
    summary = run_load(conn, source)
    assert summary.unmatched[landscape.INVALID_ROWS] == [
        "council_landscape.csv:3: unknown council role 'abolished';"
        " unknown forms of collaboration guesswork"
    ]
    assert summary.unmatched[landscape.NO_ROW] == [f"{MIDDLESBROUGH} Middlesbrough"]


def test_a_missing_column_fails_the_import(tmp_path: Path, geodata_dir: Path) -> None:
    (tmp_path / "landscape").mkdir()
    shutil.copy(geodata_dir / REGISTER, tmp_path / REGISTER)
    text = (tmp_path / REGISTER).read_text(encoding="utf-8")
    (tmp_path / REGISTER).write_text(text.replace("confidence,", "certainty,", 1), "utf-8")
    with pytest.raises(landscape.ImportFailed, match="missing columns confidence"):
        list(landscape.read_rows(tmp_path / REGISTER))
