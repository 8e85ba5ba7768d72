"""The stored coverage and member points follow every committed change to what they store."""

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


def member_points(conn: psycopg.Connection[Any], partnership_id: int) -> set[int]:
    """URNs the stored member points list for a partnership."""
    rows = conn.execute(
        "SELECT urn FROM member_school_point WHERE partnership_id = %s", (partnership_id,)
    ).fetchall()
    return {r[0] for r in rows}


def test_the_stored_member_points_are_the_current_placed_member_schools(database: str) -> None:
    with psycopg.connect(database) as conn:
        expected = conn.execute(
            "SELECT m.id, m.partnership_id, s.urn, s.name, s.geom_bng::text"
            " FROM partnership_member m JOIN school s ON s.urn = m.urn"
            " WHERE m.member_type = 'school' AND m.left_on IS NULL AND s.geom_bng IS NOT NULL"
            " ORDER BY m.id"
        ).fetchall()
        stored = conn.execute(
            "SELECT member_id, partnership_id, urn, name, geom_bng::text"
            " FROM member_school_point ORDER BY member_id"
        ).fetchall()
    assert len(expected) > 50
    assert stored == expected


def test_a_committed_membership_change_refreshes_the_member_points(database: str) -> None:
    with psycopg.connect(database, autocommit=True) as conn:
        row = conn.execute(
            "SELECT p.id, s.urn, s.name FROM partnership p CROSS JOIN school s"
            " WHERE s.geom_bng IS NOT NULL AND NOT EXISTS (SELECT 1 FROM partnership_member m"
            "   WHERE m.partnership_id = p.id AND m.urn = s.urn)"
            " ORDER BY p.id, s.urn LIMIT 1"
        ).fetchone()
        assert row is not None
        pid, urn, name = int(row[0]), int(row[1]), str(row[2])
        try:
            with conn.transaction():
                conn.execute(
                    "INSERT INTO partnership_member (partnership_id, member_type, name, urn)"
                    " VALUES (%s, 'school', %s, %s)",
                    (pid, name, urn),
                )
                assert urn not in member_points(conn, pid)  # the committed rows until commit
            assert urn in member_points(conn, pid)
            # A member who has left is no longer a point near anyone.
            conn.execute(
                "UPDATE partnership_member SET left_on = current_date"
                " WHERE partnership_id = %s AND urn = %s",
                (pid, urn),
            )
            assert urn not in member_points(conn, pid)
        finally:
            conn.execute(
                "DELETE FROM partnership_member WHERE partnership_id = %s AND urn = %s",
                (pid, urn),
            )
        assert urn not in member_points(conn, pid)
        stale = conn.execute("SELECT count(*) FROM member_school_point_stale").fetchone()
        assert stale == (0,)
