"""Each test session's copy of the database has a name of its own; killed sessions' copies go.

Runs on the session's cluster with databases named after a base no real database has, so the
copies of running sessions are never in play.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest
from _databases import MAX_NAME, drop_stale, is_stale, owner_note, scratch_name
from psycopg import sql

BASE = f"pm_stale_check_{os.getpid()}"


def _ended_pid() -> int:
    """The id of a process that has just ended."""
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


@pytest.fixture()
def admin(database: str) -> Iterator[psycopg.Connection[Any]]:
    """An autocommit connection to the cluster's ``postgres`` database; test databases dropped."""
    with psycopg.connect(database.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        yield conn
        for (name,) in conn.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s", (f"{BASE}%",)
        ).fetchall():
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


def _make(conn: psycopg.Connection[Any], name: str, note: str | None) -> None:
    conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(name)))
    if note is not None:
        conn.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(sql.Identifier(name), sql.Literal(note))
        )


def _names(conn: psycopg.Connection[Any]) -> set[str]:
    rows = conn.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", (f"{BASE}%",))
    return {str(row[0]) for row in rows}


def test_scratch_names_are_unique_and_fit_postgresql() -> None:
    names = {scratch_name("partnerships_map_test") for _ in range(50)}
    assert len(names) == 50
    long = scratch_name("x" * MAX_NAME, pid=4_194_304)
    assert len(long) <= MAX_NAME and "_scratch_4194304_" in long


def test_a_copy_is_stale_when_its_process_ended_or_it_is_a_day_old() -> None:
    mine = owner_note(BASE)
    assert is_stale(mine) is False  # this very process is running
    ended = json.loads(mine) | {"pid": _ended_pid(), "pid_start": None}
    assert is_stale(json.dumps(ended)) is True
    old = datetime.now(UTC) - timedelta(days=1, minutes=1)
    assert is_stale(owner_note(BASE, now=old)) is True
    elsewhere = json.loads(mine) | {"host": "another-machine", "pid": _ended_pid()}
    assert is_stale(json.dumps(elsewhere)) is False  # its process cannot be looked at from here
    assert is_stale("made by hand") is None and is_stale(None) is None


def test_only_abandoned_copies_are_dropped(admin: psycopg.Connection[Any], database: str) -> None:
    running = scratch_name(BASE)
    ended = scratch_name(BASE, pid=_ended_pid())
    unsigned = f"{BASE}_scratch_1_unsigned"
    busy_unsigned = f"{BASE}_scratch_2_unsigned"
    _make(admin, running, owner_note(BASE))
    _make(admin, ended, json.dumps(json.loads(owner_note(BASE)) | {"pid": _ended_pid()}))
    _make(admin, unsigned, None)
    _make(admin, busy_unsigned, None)
    with psycopg.connect(database.rsplit("/", 1)[0] + f"/{busy_unsigned}"):
        dropped = drop_stale(admin, BASE)
    assert sorted(dropped) == sorted([ended, unsigned])
    assert _names(admin) == {running, busy_unsigned}
