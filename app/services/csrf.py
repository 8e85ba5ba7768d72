"""Form protection: CSRF tokens and the minimum time to fill a form (hashes: ``hashing``).

Public forms have no session, so they use a signed double-submit token: the browser holds a
random cookie and each form carries ``<issued-at>.<HMAC(secret, cookie, purpose, issued-at)>``.
A cross-site page can neither read the cookie nor forge the HMAC. The issue time in the token
also gives the minimum time to fill the form (bots post at once) and a maximum age.
A token is good for one stored suggestion: ``consume_form_token`` records it (keyed by its hash,
in ``rate_limit``, which keeps rows for two days, longer than a token lives) in the same
transaction as the suggestion, so a replayed post is refused. A form shown again with errors
keeps its token, which is only used up when a suggestion is stored.
Moderator forms use the random CSRF token stored with the moderator's session instead.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time

from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import Forbidden
from app.queries import ratelimit as rate_q
from app.services.hashing import hash_token

COOKIE_NAME = "pm_csrf"
MAX_FORM_AGE_SECONDS = 24 * 3600
_ISSUED = re.compile(r"[0-9]{1,12}")
_NONCE = re.compile(r"[0-9a-f]{16}")


class FormTooFast(Forbidden):
    """The form came back sooner than a person could have filled it in."""


class FormExpired(Forbidden):
    """The form's token is missing, forged, or too old."""


def new_cookie_value() -> str:
    """A fresh random value for the CSRF cookie."""
    return secrets.token_urlsafe(24)


def _mac(secret: str, cookie: str, purpose: str, issued: int, nonce: str) -> str:
    message = f"{cookie}|{purpose}|{issued}|{nonce}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:40]


def issue_form_token(secret: str, cookie: str, purpose: str, now: float | None = None) -> str:
    """A token for one form (``purpose``) bound to the browser's CSRF cookie.

    ``<issued-at>.<nonce>.<mac>``: the random nonce makes every token distinct, so using one up
    never spends another issued in the same second.
    """
    issued = int(now if now is not None else time.time())
    nonce = secrets.token_hex(8)
    return f"{issued}.{nonce}.{_mac(secret, cookie, purpose, issued, nonce)}"


def check_form_token(
    secret: str,
    cookie: str | None,
    token: str | None,
    purpose: str,
    *,
    min_seconds: float,
    now: float | None = None,
) -> None:
    """Accept the token or raise ``FormExpired`` (forged, missing, stale) or ``FormTooFast``."""
    parts = (token or "").split(".")
    if not cookie or len(parts) != 3:
        raise FormExpired("Your form session has expired. Check your answers and send them again.")
    issued_text, nonce, mac = parts
    # ASCII digits only: int() refuses some characters isdigit() accepts ("²").
    if (
        not _ISSUED.fullmatch(issued_text)
        or not _NONCE.fullmatch(nonce)
        or not hmac.compare_digest(mac, _mac(secret, cookie, purpose, int(issued_text), nonce))
    ):
        raise FormExpired("Your form session has expired. Check your answers and send them again.")
    age = (now if now is not None else time.time()) - int(issued_text)
    if age > MAX_FORM_AGE_SECONDS or age < -60:
        raise FormExpired(
            "This form is more than a day old. Check your answers and send them again."
        )
    if age < min_seconds:
        raise FormTooFast(
            "That was quicker than we expected. Check your answers and send them again."
        )


def check_session_token(expected: str, given: str | None) -> None:
    """Compare a moderator form's CSRF token with the session's; ``Forbidden`` when they differ."""
    if not given or not hmac.compare_digest(expected.encode(), given.encode()):
        raise Forbidden(
            "The form's security token is missing or wrong. Reload the page and try again."
        )


async def consume_form_token(session: AsyncSession, token: str) -> None:
    """Use up a form token (already checked); ``FormExpired`` when it was used before.

    Runs in the caller's transaction: the token is spent only if what it sent is committed.
    """
    issued = int(token.split(".", 1)[0])
    key = f"form-token:{hash_token(token)[:40]}"
    if not await rate_q.consume_once(session, key, issued):
        raise FormExpired(
            "This form has already been sent. Open the page again to send another suggestion."
        )
