"""Put back the tables the app writes, exactly as they were, after tests that must really commit.

Most tests run in a transaction rolled back at their end. Some cannot: two requests racing for one
record need two connections and real row locks, the command line and e-mail delivery run in their
own transactions, a browser drives a server in another thread. Such a test module takes a
:class:`TableSnapshot` before its first test and restores it after its last: the written tables
are copied aside, then emptied and refilled from the copy, so whatever names or keys the tests
used, no row they made remains. The session's row-count check (tests/conftest.py) proves it.

Refilling fires the ordinary triggers (the stored coverage is refreshed at commit); the revision
table is emptied with ``TRUNCATE``, which its immutability trigger, a row trigger, rightly lets
be. ``dataset`` rows are referenced by the imported tables, so only the rows added are deleted;
after that, the running apps' data version listeners reconnect and read the versions again.
"""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy import text

from app.services.versions import APPLICATION_NAME

# What the app, the command line and the tests write at run time, parents before children.
WRITTEN_TABLES = (
    "moderator",
    "partnership",
    "partnership_theme",
    "partnership_area",
    "partnership_member",
    "partnership_membership",
    "submission",
    "revision",
    "audit_log",
    "moderator_session",
    "rate_limit",
    "area_landscape",
)
# Referenced by the imported tables: rows are added by approvals, never removed or changed.
APPENDED_TABLES = ("dataset",)


class TableSnapshot:
    """A copy of the written tables in a schema of its own, and the means to put them back."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.schema = f"test_snapshot_{secrets.token_hex(4)}"

    def _tables(self) -> tuple[str, ...]:
        return WRITTEN_TABLES + APPENDED_TABLES

    def take(self) -> None:
        """Copy every written table aside."""
        with psycopg.connect(self.url, autocommit=True) as conn, conn.transaction():
            conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(self.schema)))
            for table in self._tables():
                conn.execute(
                    sql.SQL("CREATE UNLOGGED TABLE {} AS TABLE {}").format(
                        sql.Identifier(self.schema, table), sql.Identifier("public", table)
                    )
                )

    def restore(self) -> None:
        """Put every written table back as it was when taken; drop the copy."""
        with psycopg.connect(self.url, autocommit=True) as conn:
            with conn.transaction():
                conn.execute("SET LOCAL lock_timeout = '60s'")
                conn.execute(
                    sql.SQL("TRUNCATE {}").format(
                        sql.SQL(", ").join(
                            sql.Identifier("public", table) for table in WRITTEN_TABLES
                        )
                    )
                )
                for table in WRITTEN_TABLES:
                    columns = sql.SQL(", ").join(map(sql.Identifier, _stored_columns(conn, table)))
                    conn.execute(
                        sql.SQL(
                            "INSERT INTO {table} ({columns}) OVERRIDING SYSTEM VALUE"
                            " SELECT {columns} FROM {copy}"
                        ).format(
                            table=sql.Identifier("public", table),
                            columns=columns,
                            copy=sql.Identifier(self.schema, table),
                        )
                    )
                added = 0
                for table in APPENDED_TABLES:
                    cursor = conn.execute(
                        sql.SQL(
                            "DELETE FROM {table} t WHERE NOT EXISTS"
                            " (SELECT FROM {copy} c WHERE c.id = t.id)"
                        ).format(
                            table=sql.Identifier("public", table),
                            copy=sql.Identifier(self.schema, table),
                        )
                    )
                    added += cursor.rowcount
                conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(self.schema)))
            if added:
                forget_data_versions(conn)


def _stored_columns(conn: psycopg.Connection[Any], table: str) -> list[str]:
    """The table's columns that hold values (generated ones are computed again)."""
    return [
        str(row[0])
        for row in conn.execute(
            "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0"
            " AND NOT attisdropped AND attgenerated = '' ORDER BY attnum",
            (f"public.{table}",),
        )
    ]


def forget_data_versions(conn: psycopg.Connection[Any]) -> int:
    """Make every app on this database read its data versions again (they only move forward
    while listening): their listening connections are closed and they reconnect at once."""
    row = conn.execute(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
        " WHERE application_name = %s AND datname = current_database()",
        (APPLICATION_NAME,),
    ).fetchone()
    return int(row[0]) if row else 0


async def forget_rolled_back_versions(state: Any) -> None:
    """An approval inside the rolled-back transaction told the app of a data version that never
    committed; make the app read its versions from the database again, so no later test is served
    payloads cached for that version."""
    versions = state.data_versions
    if versions is None or not versions.live:
        return
    async with state.engine.connect() as connection:
        stored = (
            await connection.execute(text("SELECT coalesce(max(id), 0) FROM dataset"))
        ).scalar_one()
        if versions.current() == stored:
            return
        await connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE application_name = :name AND datname = current_database()"
            ),
            {"name": APPLICATION_NAME},
        )
    for _ in range(200):  # the listener reconnects within seconds and reads the versions again
        await asyncio.sleep(0.05)
        if versions.live and versions.current() == stored:
            return
    raise AssertionError("the data version listener did not come back after a rolled-back test")
