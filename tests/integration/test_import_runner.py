"""The import runner: a failed import leaves earlier data untouched; re-importing changes nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
from rich.console import Console

from app.ingest import get_importer
from app.ingest.base import Outcome, run_importer

CTYUA = "fingertipsnext/Counties_and_Unitary_Authorities_December_2023_Boundaries_UK_BSC_4952317392296043005.geo.json"


def _fingerprint(database: str) -> dict[str, str]:
    """A content hash of each table the boundaries import writes (surrogate ids left out)."""
    queries = {
        "area": "SELECT md5(string_agg(concat_ws('|', code, name, level, la_number, parent_code,"
        " combined_authority_code, region_code, is_mayoral, is_district, ST_AsEWKB(geom)::text,"
        " dataset_id), ',' ORDER BY code)) FROM area",
        "area_generalised": "SELECT md5(string_agg(area_code || zoom_band || ST_AsEWKB(geom)::text, ','"
        " ORDER BY area_code, zoom_band)) FROM area_generalised",
        "area_subdivided": "SELECT md5(string_agg(area_code || level || ST_AsEWKB(geom)::text, ','"
        " ORDER BY area_code, level, ST_AsEWKB(geom)::text)) FROM area_subdivided",
        "dataset": "SELECT count(*)::text FROM dataset",
    }
    with psycopg.connect(database) as conn:
        return {name: conn.execute(sql).fetchone()[0] for name, sql in queries.items()}


def _mirror(source: Path, target: Path) -> None:
    """A copy of the source folder made of symlinks, so one file can be replaced cheaply."""
    for path in source.rglob("*"):
        if path.is_file():
            link = target / path.relative_to(source)
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(path)


def _import(name: str, database: str, source_dir: Path, force: bool = False) -> Outcome:
    """One importer run as the command line runs it, quietly."""
    return run_importer(
        get_importer(name), database, source_dir, Console(quiet=True), force=force, quiet=True
    )


def test_truncated_source_fails_clearly_and_changes_nothing(
    database: str, geodata_dir: Path, tmp_path: Path
) -> None:
    _mirror(geodata_dir, tmp_path)
    broken = tmp_path / CTYUA
    broken.unlink()
    broken.write_bytes((geodata_dir / CTYUA).read_bytes()[:200_000])
    before = _fingerprint(database)

    outcome = _import("boundaries", database, tmp_path)

    assert outcome.status == "failed"
    assert "Counties_and_Unitary_Authorities" in (outcome.error or "")
    assert _fingerprint(database) == before


def test_missing_source_file_is_named(database: str, geodata_dir: Path, tmp_path: Path) -> None:
    _mirror(geodata_dir, tmp_path)
    (tmp_path / CTYUA).unlink()
    outcome = _import("boundaries", database, tmp_path)
    assert outcome.status == "failed"
    assert "Counties_and_Unitary_Authorities" in (outcome.error or "")


def test_unchanged_sources_are_skipped(database: str, geodata_dir: Path) -> None:
    outcome = _import("boundaries", database, geodata_dir)
    assert outcome.status == "unchanged"


def test_forced_reimport_changes_nothing(database: str, geodata_dir: Path) -> None:
    before = _fingerprint(database)
    outcome = _import("boundaries", database, geodata_dir, force=True)
    assert outcome.status == "imported", outcome.error
    assert _fingerprint(database) == before


def test_dataset_rows_record_provenance(conn: psycopg.Connection[Any]) -> None:
    rows = conn.execute(
        "SELECT name, source, vintage, licence, checksum, row_count FROM dataset"
        " WHERE name <> 'moderation'"
    ).fetchall()
    names = {r[0] for r in rows}
    assert {
        "boundaries",
        "postcodes",
        "trusts",
        "schools",
        "neighbours",
        "statistics",
        "partnerships",
    } <= names
    for name, source, vintage, licence, checksum, row_count in rows:
        assert source and vintage and licence, name
        assert len(checksum) == 64 and row_count > 0, name


def test_an_import_leaves_planner_statistics_for_the_views_its_commit_refreshed(
    database: str, geodata_dir: Path
) -> None:
    """Statistics are gathered once the import has committed, so the stored views it changed
    are counted as refreshed, not as they were before (as autovacuum would, eventually)."""
    with psycopg.connect(database, autocommit=True) as conn:
        row = conn.execute(
            "SELECT m.id FROM partnership_member m JOIN member_school_point p ON p.member_id = m.id"
            " WHERE m.origin = 'membership register' ORDER BY m.id LIMIT 1"
        ).fetchone()
        assert row is not None
        member = int(row[0])
        placed = conn.execute("SELECT count(*) FROM member_school_point").fetchone()
        assert placed is not None
        try:
            # One member leaves (committed, so the stored points drop it), and the statistics
            # are taken then: they now say one point fewer than the register holds.
            conn.execute(
                "UPDATE partnership_member SET left_on = current_date WHERE id = %s", (member,)
            )
            conn.execute("ANALYZE member_school_point")
            outcome = _import("membership", database, geodata_dir, force=True)
            assert outcome.status == "imported", outcome.error
            stats = conn.execute(
                "SELECT reltuples FROM pg_class WHERE relname = 'member_school_point'"
            ).fetchone()
            now = conn.execute("SELECT count(*) FROM member_school_point").fetchone()
        finally:
            conn.execute("UPDATE partnership_member SET left_on = NULL WHERE id = %s", (member,))
    assert now == placed  # the register's member is back
    assert stats is not None and stats[0] == placed[0]
