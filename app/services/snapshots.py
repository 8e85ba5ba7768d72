"""JSON snapshots of partnerships, as stored in ``revision.snapshot`` and compared in moderation diffs.

A snapshot is the whole public record at one version: the partnership's own fields, its themes
(sorted codes), the areas it serves (in order, with the area's name at the time and the
"(part)"-style note) and its members. Import bookkeeping (``seed_key``, ``seed_ref``,
``dataset_id``) and timestamps are left out, so two snapshots differ only when the record does.
The JSON is built in PostgreSQL, so dates come out as ISO strings exactly as the database has them.
The query lives in ``app/queries/sql/partnership_snapshot.sql``, shared with moderation's async code, so
every revision has the same shape whichever path wrote it.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import psycopg

# The partnership's own fields a snapshot holds (the shared SQL builds exactly these).
SNAPSHOT_FIELDS = (
    "id",
    "slug",
    "name",
    "kind",
    "summary",
    "lead_organisation",
    "website",
    "contact_email",
    "founded_year",
    "status",
    "source_url",
    "source_title",
    "source_date",
    "checked_on",
    "status_evidence_url",
    "status_evidence_title",
    "status_evidence_date",
    "last_verified",
    "verified_by_id",
    "verification_note",
    "version",
)

SQL_PATH = Path(__file__).resolve().parent.parent / "queries" / "sql" / "partnership_snapshot.sql"
# One query for both drivers: SQLAlchemy's ``:ids`` for the app, psycopg's ``%(ids)s`` here.
SNAPSHOT_QUERY = SQL_PATH.read_text()
SNAPSHOT_SQL = SNAPSHOT_QUERY.replace(":ids", "%(ids)s")


def partnership_snapshots(
    conn: psycopg.Connection[Any], ids: Iterable[int]
) -> dict[int, dict[str, Any]]:
    """Snapshots of several partnerships by id; ids that do not exist are absent from the result."""
    wanted = list(ids)
    if not wanted:
        return {}
    rows = conn.execute(SNAPSHOT_SQL, {"ids": wanted}).fetchall()
    return {int(row[0]): dict(row[1]) for row in rows}


def partnership_snapshot(conn: psycopg.Connection[Any], partnership_id: int) -> dict[str, Any]:
    """The snapshot of one partnership; LookupError when there is no such partnership."""
    snapshot = partnership_snapshots(conn, [partnership_id]).get(partnership_id)
    if snapshot is None:
        raise LookupError(f"no partnership with id {partnership_id}")
    return snapshot
