"""Form protection: CSRF tokens and the minimum time to fill a form (hashes: ``hashing``).

Public forms have no session, so they use a signed double-submit token: the browser holds a
random cookie and each form carries ``<issued-at>.<HMAC(secret, cookie, purpose, issued-at)>``.
A cross-site page can neither read the cookie nor forge the HMAC. The issue time in the token
also gives the minimum time to fill the form (bots post at once) and a maximum age.
Moderator forms use the random CSRF token stored with the moderator's session instead.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time

from app.errors import Forbidden

COOKIE_NAME = "pm_csrf"
MAX_FORM_AGE_SECONDS = 24 * 3600
_ISSUED = re.compile(r"[0-9]{1,12}")


class FormTooFast(Forbidden):
    """The form came back sooner than a person could have filled it in."""


class FormExpired(Forbidden):
    """The form's token is missing, forged, or too old."""


def new_cookie_value() -> str:
    """A fresh random value for the CSRF cookie."""
    return secrets.token_urlsafe(24)


def _mac(secret: str, cookie: str, purpose: str, issued: int) -> str:
    message = f"{cookie}|{purpose}|{issued}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:40]


def issue_form_token(secret: str, cookie: str, purpose: str, now: float | None = None) -> str:
    """A token for one form (``purpose``) bound to the browser's CSRF cookie."""
    issued = int(now if now is not None else time.time())
    return f"{issued}.{_mac(secret, cookie, purpose, issued)}"


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
    if not cookie or not token or "." not in token:
        raise FormExpired("Your form session has expired. Check your answers and send them again.")
    issued_text, mac = token.split(".", 1)
    # ASCII digits only: int() refuses some characters isdigit() accepts ("²").
    if not _ISSUED.fullmatch(issued_text) or not hmac.compare_digest(
        mac, _mac(secret, cookie, purpose, int(issued_text))
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
