"""Moderator accounts and sign-in: argon2 password hashes, lockout, and server-side sessions.

Accounts are made from the command line (``partnerships-map moderator create``). A session is a
random token in an HttpOnly cookie; the database keeps only its SHA-256, with the session's CSRF
token and expiry. Repeated failed sign-ins for one address from one client lock that client out
of that address for a while, and every client IP is rate limited, so passwords cannot be guessed
quickly. The lock is per client on purpose: failures from strangers' addresses never lock the
moderator out from their own (a lock shared by everyone would let anyone deny them the site).
An account can still be locked as a whole by setting ``moderator.locked_until``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import secrets
from dataclasses import dataclass

import psycopg
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import RateLimited, Unauthorised
from app.queries import accounts as account_q
from app.queries import audit as audit_q
from app.queries import ratelimit as rate_q
from app.services import ratelimit
from app.services.hashing import hash_ip, hash_token
from app.settings import Settings

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
SESSION_COOKIE = "pm_moderator"

_hasher = PasswordHasher()
# Verified when the email is unknown, so a wrong email takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class AccountError(ValueError):
    """The email or password given for a new account is not acceptable."""


@dataclass(frozen=True)
class ModeratorIdentity:
    """The signed-in moderator of a request, with the CSRF token of their session."""

    id: int
    email: str
    csrf_token: str


@dataclass(frozen=True)
class NewSession:
    """A session just started: the cookie value (shown once, never stored) and its CSRF token."""

    token: str
    csrf_token: str
    moderator: ModeratorIdentity


def normalise_email(email: str) -> str:
    """The canonical form of an account email; ``AccountError`` when it is not an email address."""
    try:
        checked = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise AccountError(f"not a valid email address: {email!r}") from exc
    return checked.normalized.lower()


def hash_password(password: str) -> str:
    """The argon2id hash of a password, after checking its length."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must be at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError(f"the password must be at most {MAX_PASSWORD_LENGTH} characters")
    return _hasher.hash(password)


def create_moderator(settings: Settings, email: str, password: str) -> bool:
    """Create a moderator (True), or reset an existing one's password and unlock it (False)."""
    address = normalise_email(email)
    password_hash = hash_password(password)
    with psycopg.connect(settings.libpq_url) as conn:
        created = account_q.save_moderator(conn, address, password_hash, _fail_prefix(address))
    return created


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


async def _audit(
    session: AsyncSession, moderator_id: int | None, action: str, **detail: object
) -> None:
    await audit_q.audit(session, action, detail, moderator_id=moderator_id)


def locked_message(settings: Settings) -> str:
    """What a locked-out client is told."""
    return (
        f"Too many failed sign-in attempts. Try again in {settings.login_lockout_minutes} "
        "minutes, or ask another moderator to reset your password."
    )


async def sign_in(
    session: AsyncSession, settings: Settings, email: str, password: str, client_ip: str | None
) -> NewSession:
    """Check the credentials and start a session; ``Unauthorised`` or ``RateLimited`` otherwise."""
    client = hash_ip(settings.secret_key, client_ip)
    await ratelimit.hit(session, "login", client, ratelimit.login_limit(settings))
    address = email.strip().lower()
    password = password[:MAX_PASSWORD_LENGTH]
    # PostgreSQL text cannot hold NUL, so no account has such an address.
    row = None if "\x00" in address else await account_q.login_row(session, address)
    fail_key = f"{_fail_prefix(address)}{client}"
    lock_minutes = settings.login_lockout_minutes
    locked = await _failures(session, fail_key, lock_minutes) >= settings.login_lockout_failures
    # Every answer costs one password check, so timing cannot tell a locked or disabled
    # account from an unknown address or a wrong password. Unknown addresses lock too, so a
    # lock says nothing about whether an account exists.
    if locked or (row is not None and row.locked):
        await asyncio.to_thread(_verify, _DUMMY_HASH, password)
        if row is not None:
            await _audit(session, row.id, "login_refused_locked", client=client)
        await session.commit()
        raise RateLimited(locked_message(settings))
    verified = await asyncio.to_thread(
        _verify, row.password_hash if row is not None else _DUMMY_HASH, password
    )
    if row is None or not (row.is_active and verified):
        failures = await _count_failure(session, fail_key, lock_minutes)
        if row is not None:
            await _audit(
                session,
                row.id,
                "login_failed",
                client=client,
                locked=failures >= settings.login_lockout_failures,
            )
        await session.commit()
        raise Unauthorised("The email address or password is not right.")
    if _hasher.check_needs_rehash(row.password_hash):
        await account_q.set_password_hash(session, row.id, _hasher.hash(password))
    await account_q.clear_lock(session, row.id)
    token = secrets.token_urlsafe(32)
    csrf_token = secrets.token_urlsafe(32)
    await account_q.start_session(
        session, hash_token(token), row.id, csrf_token, settings.moderator_session_hours
    )
    await ratelimit.reset(session, "login", client)
    await rate_q.delete_key(session, fail_key)
    await _audit(session, row.id, "login", client=client)
    await session.commit()
    return NewSession(token, csrf_token, ModeratorIdentity(row.id, row.email, csrf_token))


def _fail_prefix(address: str) -> str:
    """The start of the rate-limit keys counting failed sign-ins for one address."""
    return f"login-fail:{hash_token(address)[:32]}:"


async def _failures(session: AsyncSession, key: str, minutes: int) -> int:
    return await rate_q.recent_hits(session, key, minutes)


async def _count_failure(session: AsyncSession, key: str, minutes: int) -> int:
    """Count one failed sign-in; the count lives for ``minutes`` from the first failure."""
    await rate_q.count_now(session, key)
    return await _failures(session, key, minutes)


async def current_moderator(session: AsyncSession, token: str | None) -> ModeratorIdentity | None:
    """The moderator whose unexpired session the cookie names, if any."""
    if not token or len(token) > 200:
        return None
    row = await account_q.session_moderator(session, hash_token(token))
    return ModeratorIdentity(row.id, row.email, row.csrf_token) if row else None


async def sign_out(session: AsyncSession, token: str | None) -> None:
    """End the session the cookie names (if it exists)."""
    if not token:
        return
    moderator_id = await account_q.end_session(session, hash_token(token))
    if moderator_id is not None:
        await _audit(session, moderator_id, "logout")
    await session.commit()


def session_lifetime(settings: Settings) -> dt.timedelta:
    """How long a moderator session lasts."""
    return dt.timedelta(hours=settings.moderator_session_hours)
