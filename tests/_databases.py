"""The test session's own databases: a uniquely named scratch copy, and stale copies cleared.

Each pytest session copies the imported database to ``<base>_scratch_<pid>_<random>``, so two
sessions on one cluster (two terminals, CI jobs sharing a server) never drop each other's copy.
The copy's comment records who made it (host, process id and start time, creation time); a copy
left by a killed session is dropped by the next session once its process is gone, or once it is a
day old. A copy whose owner cannot be told is dropped only if nobody is connected to it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

MAX_NAME = 63  # PostgreSQL truncates identifiers longer than this
STALE_AFTER = timedelta(days=1)
IN_USE_WAIT_S = 15.0


class DatabaseInUse(RuntimeError):
    """The imported database has other connections, so PostgreSQL will not copy it."""


def scratch_prefix(base: str) -> str:
    """The start every scratch copy of ``base`` has (``base`` shortened to leave room)."""
    return f"{base[: MAX_NAME - 30]}_scratch_"


def scratch_name(base: str, pid: int | None = None) -> str:
    """A scratch database name of at most 63 characters that no other session uses."""
    name = f"{scratch_prefix(base)}{pid or os.getpid()}_{secrets.token_hex(3)}"
    assert len(name) <= MAX_NAME, name
    return name


def _process_start(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (tells a reused pid apart), or None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return fields[19]


def owner_note(base: str, now: datetime | None = None) -> str:
    """The comment a scratch copy carries: who made it, from what and when (JSON)."""
    pid = os.getpid()
    return json.dumps(
        {
            "made_by": "pytest",
            "base": base,
            "host": socket.gethostname(),
            "pid": pid,
            "pid_start": _process_start(pid),
            "created": (now or datetime.now(UTC)).isoformat(timespec="seconds"),
        }
    )


def _alive(pid: int, started: str | None) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # another user's process: it exists
    return started is None or _process_start(pid) in (None, started)


def is_stale(note: str | None, now: datetime | None = None) -> bool | None:
    """Whether a scratch copy with this comment is abandoned; None when its owner is unknown.

    Abandoned: older than a day, or made on this host by a process that has ended.
    """
    try:
        owner: dict[str, Any] = json.loads(note or "")
        created = datetime.fromisoformat(owner["created"])
        pid = int(owner["pid"])
    except (ValueError, KeyError, TypeError):
        return None
    if (now or datetime.now(UTC)) - created > STALE_AFTER:
        return True
    if owner.get("host") != socket.gethostname():
        return False  # another machine's session: only age tells
    return not _alive(pid, owner.get("pid_start"))


def drop_stale(admin: psycopg.Connection[Any], base: str, keep: str = "") -> list[str]:
    """Drop the scratch copies of ``base`` that killed sessions left behind; return their names."""
    prefix = scratch_prefix(base)
    found = admin.execute(
        "SELECT datname, shobj_description(oid, 'pg_database') FROM pg_database"
        " WHERE left(datname, %s) = %s OR datname = %s",
        (len(prefix), prefix, f"{base}_scratch"),
    ).fetchall()
    dropped = []
    for name, note in found:
        if name == keep:
            continue
        stale = is_stale(note)
        if stale is False:
            continue
        if stale is None:
            # Owner unknown (a copy made before copies were signed): only if nobody uses it.
            statement = sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name))
        else:
            statement = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)
            )
        try:
            admin.execute(statement)
        except psycopg.errors.ObjectInUse:
            continue
        dropped.append(str(name))
    return dropped


@contextlib.contextmanager
def exclusive(admin: psycopg.Connection[Any], base: str) -> Iterator[None]:
    """One session at a time imports into, copies or counts ``base`` (an advisory lock).

    PostgreSQL copies a database only while nobody else is connected to it, so sessions starting
    together take turns; the lock lives in the ``postgres`` database, not in ``base``.
    """
    key = int.from_bytes(hashlib.sha256(f"pytest:{base}".encode()).digest()[:8], "big", signed=True)
    admin.execute("SELECT pg_advisory_lock(%s)", (key,))
    try:
        yield
    finally:
        admin.execute("SELECT pg_advisory_unlock(%s)", (key,))


def _users(admin: psycopg.Connection[Any], base: str) -> list[str]:
    rows = admin.execute(
        "SELECT coalesce(nullif(application_name, ''), 'unnamed client'),"
        " coalesce(host(client_addr), 'local socket'), pid"
        " FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
        (base,),
    ).fetchall()
    return [f"{app} from {addr} (server pid {pid})" for app, addr, pid in rows]


def copy_database(admin: psycopg.Connection[Any], base: str, scratch: str) -> None:
    """Make ``scratch`` a copy of ``base``, signed with its owner; wait briefly while in use."""
    deadline = time.monotonic() + IN_USE_WAIT_S
    while True:
        try:
            admin.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {} STRATEGY FILE_COPY").format(
                    sql.Identifier(scratch), sql.Identifier(base)
                )
            )
            break
        except psycopg.errors.ObjectInUse:
            if time.monotonic() > deadline:
                users = _users(admin, base)
                raise DatabaseInUse(
                    f"Database {base} is in use by {len(users)} other connection(s): "
                    + "; ".join(users or ["(gone now)"])
                    + ". The tests copy it, which PostgreSQL allows only while nobody is connected"
                    " to it. Stop the server or shell using it (for example a `partnerships-map"
                    " serve` started with this APP_DB_NAME), or run the tests on a database of"
                    " their own: `make test` uses partnerships_map_test."
                ) from None
            time.sleep(0.5)
    admin.execute(
        sql.SQL("COMMENT ON DATABASE {} IS {}").format(
            sql.Identifier(scratch), sql.Literal(owner_note(base))
        )
    )


def drop_database(admin: psycopg.Connection[Any], name: str) -> None:
    """Drop a database, closing whatever connections are still open to it."""
    admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
