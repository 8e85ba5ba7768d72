"""``partnerships-map backup`` and ``restore``: a round trip gives back every row of every table."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psycopg
import pytest
from typer.testing import CliRunner

from app import backup
from app.cli import cli

FINGERPRINT = "SELECT count(*), coalesce(sum(hashtextextended(t::text, 0)), 0)::text FROM {table} t"


if TYPE_CHECKING:
    from conftest import Scratch

figures = logging.getLogger("reliability.figures")
figures.setLevel(logging.INFO)  # shown with -o log_cli=true; alembic sets the root to WARNING


def fingerprints(conn: psycopg.Connection[Any]) -> dict[str, tuple[int, str]]:
    """Row count and an order-independent hash of every row, for each table."""
    tables = [
        r[0]
        for r in conn.execute(
            "SELECT format('%I.%I', schemaname, tablename) FROM pg_tables"
            " WHERE schemaname = 'public' ORDER BY 1"
        )
    ]
    result = {}
    for table in tables:
        row = conn.execute(FINGERPRINT.format(table=table)).fetchone()  # type: ignore[arg-type]
        assert row is not None
        result[table] = (int(row[0]), str(row[1]))
    return result


def test_backup_and_restore_round_trip_is_identical(database: str, scratch: Scratch) -> None:
    """The throwaway cluster was loaded with ``restore`` from a ``backup`` of the test database."""
    with psycopg.connect(database) as source, scratch.connect() as copy:
        before, after = fingerprints(source), fingerprints(copy)
    figures.info(
        f"backup round trip: {sum(a == before.get(t) for t, a in after.items())}/"
        f"{len(before)} tables identical"
    )
    assert len(before) >= 20 and before["public.area"][0] > 0
    assert after == before


def test_restore_refuses_without_confirmation_and_a_bad_file_changes_nothing(
    scratch: Scratch, tmp_path: Path
) -> None:
    refused = CliRunner().invoke(cli, ["restore", str(scratch.dump)])
    assert refused.exit_code == 1 and "--yes" in refused.output
    junk = tmp_path / "junk.dump"
    junk.write_bytes(b"not a dump at all")
    scratch.start()
    with scratch.connect() as conn:
        before = fingerprints(conn)
    with pytest.raises(backup.BackupError, match="pg_restore failed"):
        backup.restore(scratch.settings, junk)
    with scratch.connect() as conn:
        assert fingerprints(conn) == before
