"""The stored coverage follows every committed change to the areas partnerships serve."""

from __future__ import annotations

from typing import Any

import psycopg


def served(conn: psycopg.Connection[Any], partnership_id: int) -> set[str]:
    """Area codes the stored coverage lists for a partnership."""
    rows = conn.execute(
        "SELECT area_code FROM partnership_served_area WHERE partnership_id = %s",
        (partnership_id,),
    ).fetchall()
    return {r[0] for r in rows}


def test_a_committed_change_refreshes_the_stored_coverage(database: str) -> None:
    with psycopg.connect(database, autocommit=True) as conn:
        row = conn.execute(
            "SELECT p.id FROM partnership p JOIN partnership_area pa ON pa.partnership_id = p.id"
            " WHERE pa.area_code = 'E08000019' ORDER BY p.id LIMIT 1"
        ).fetchone()
        assert row is not None, "Sheffield has a partnership in the register"
        pid = int(row[0])
        assert "E08000019" in served(conn, pid)
        assert "E06000036" not in served(conn, pid)  # Bracknell Forest
        try:
            with conn.transaction():
                conn.execute(
                    "INSERT INTO partnership_area (partnership_id, area_code, position)"
                    " VALUES (%s, 'E06000036', 99)",
                    (pid,),
                )
                # Inside the transaction the stored rows are still the committed ones.
                assert "E06000036" not in served(conn, pid)
            assert "E06000036" in served(conn, pid)
            # Bracknell Forest lies in the South East: the roll-up comes with it.
            assert "E12000008" in served(conn, pid)
        finally:
            conn.execute(
                "DELETE FROM partnership_area WHERE partnership_id = %s AND area_code = 'E06000036'",
                (pid,),
            )
        assert "E06000036" not in served(conn, pid)
        stale = conn.execute("SELECT count(*) FROM partnership_served_area_stale").fetchone()
        assert stale == (0,)


def test_a_rolled_back_change_leaves_it_as_it_was(database: str) -> None:
    with psycopg.connect(database) as conn:
        before = conn.execute("SELECT count(*) FROM partnership_served_area").fetchone()
        conn.execute("DELETE FROM partnership_area")
        conn.rollback()
        after = conn.execute("SELECT count(*) FROM partnership_served_area").fetchone()
        assert before == after
        assert before is not None and before[0] > 0
