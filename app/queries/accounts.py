"""Data access for moderator accounts: the account row, sessions and the audit log of sign-ins.

The async statements run in the caller's transaction; ``save_moderator`` is the command line's
(psycopg) path and commits with its connection.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg.types.json import Jsonb
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


@dataclass(frozen=True)
class ModeratorLogin:
    """What sign-in needs of an account: its hash, whether it is active, whether it is locked."""

    id: int
    email: str
    password_hash: str
    is_active: bool
    locked: bool


@dataclass(frozen=True)
class SessionModerator:
    """The moderator behind an unexpired session, with the session's CSRF token."""

    id: int
    email: str
    csrf_token: str


def save_moderator(
    conn: psycopg.Connection[Any], address: str, password_hash: str, fail_prefix: str
) -> bool:
    """Create a moderator (True), or reset an existing one's password and unlock it (False).

    A reset ends every session signed in with the old password and every sign-in lock (the
    ``rate_limit`` keys starting with ``fail_prefix``); both paths write an audit row.
    """
    row = conn.execute(
        "INSERT INTO moderator (email, password_hash) VALUES (%s, %s)"
        " ON CONFLICT (email) DO UPDATE SET password_hash = EXCLUDED.password_hash,"
        " failed_logins = 0, locked_until = NULL, is_active = true"
        " RETURNING id, (xmax = 0) AS inserted",
        (address, password_hash),
    ).fetchone()
    assert row is not None
    moderator_id, created = int(row[0]), bool(row[1])
    if not created:
        conn.execute("DELETE FROM moderator_session WHERE moderator_id = %s", (moderator_id,))
        conn.execute("DELETE FROM rate_limit WHERE key LIKE %s", (f"{fail_prefix}%",))
    conn.execute(
        "INSERT INTO audit_log (moderator_id, action, detail) VALUES (%s, %s, %s)",
        (
            moderator_id,
            "account_created" if created else "password_reset",
            Jsonb({"via": "command line"}),
        ),
    )
    return created


async def login_row(session: AsyncSession, address: str) -> ModeratorLogin | None:
    """The account with this (normalised) email, locked FOR UPDATE, if any."""
    row = (
        await session.execute(
            text(
                "SELECT id, email, password_hash, is_active,"
                " coalesce(locked_until > now(), false) AS locked"
                " FROM moderator WHERE email = :e FOR UPDATE"
            ),
            {"e": address},
        )
    ).one_or_none()
    if row is None:
        return None
    return ModeratorLogin(row.id, row.email, row.password_hash, row.is_active, row.locked)


async def set_password_hash(session: AsyncSession, moderator_id: int, password_hash: str) -> None:
    """Store a new hash of the same password (after a parameter upgrade)."""
    await session.execute(
        text("UPDATE moderator SET password_hash = :h WHERE id = :id"),
        {"h": password_hash, "id": moderator_id},
    )


async def clear_lock(session: AsyncSession, moderator_id: int) -> None:
    """Reset an account's failure count and lock."""
    await session.execute(
        text("UPDATE moderator SET failed_logins = 0, locked_until = NULL WHERE id = :id"),
        {"id": moderator_id},
    )


async def start_session(
    session: AsyncSession, token_hash: str, moderator_id: int, csrf_token: str, hours: int
) -> None:
    """Store a new session (by the hash of its token) lasting ``hours``; drop the account's
    expired ones."""
    await session.execute(
        text(
            "INSERT INTO moderator_session (token_hash, moderator_id, csrf_token, expires_at)"
            " VALUES (:t, :m, :c, now() + make_interval(hours => :h))"
        ),
        {"t": token_hash, "m": moderator_id, "c": csrf_token, "h": hours},
    )
    await session.execute(
        text("DELETE FROM moderator_session WHERE moderator_id = :m AND expires_at < now()"),
        {"m": moderator_id},
    )


async def session_moderator(session: AsyncSession, token_hash: str) -> SessionModerator | None:
    """The active moderator whose unexpired session has this token hash, if any."""
    row = (
        await session.execute(
            text(
                "SELECT m.id, m.email, s.csrf_token FROM moderator_session s"
                " JOIN moderator m ON m.id = s.moderator_id"
                " WHERE s.token_hash = :t AND s.expires_at > now() AND m.is_active"
            ),
            {"t": token_hash},
        )
    ).one_or_none()
    return SessionModerator(row.id, row.email, row.csrf_token) if row else None


async def end_session(session: AsyncSession, token_hash: str) -> int | None:
    """Delete the session with this token hash; its moderator's id, or None if there was none."""
    result = await session.execute(
        text("DELETE FROM moderator_session WHERE token_hash = :t RETURNING moderator_id"),
        {"t": token_hash},
    )
    moderator_id = result.scalar_one_or_none()
    return None if moderator_id is None else int(moderator_id)
