"""Keyed and plain hashes, so that client addresses and secret tokens are never stored as given."""

from __future__ import annotations

import hashlib
import hmac


def hash_ip(secret: str, ip: str | None) -> str:
    """A keyed hash of a client IP, so rate limits and audit rows never store the address."""
    return hmac.new(secret.encode(), (ip or "unknown").encode(), hashlib.sha256).hexdigest()[:32]


def hash_token(token: str) -> str:
    """The stored form of a random secret token (status links, session cookies)."""
    return hashlib.sha256(token.encode()).hexdigest()
