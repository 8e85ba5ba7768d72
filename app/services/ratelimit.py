"""Per-client rate limits, counted in PostgreSQL (``rate_limit``) so every app process shares them.

Fixed windows: one row per (key, window start) whose ``hits`` goes up by one per request in one
``INSERT … ON CONFLICT DO UPDATE``, which is atomic under concurrency. Keys are an action and a
keyed hash of the client IP, never the address itself. Each hit commits on its own, so a request
that later fails still counts.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import RateLimited
from app.queries import ratelimit as rate_q
from app.settings import Settings


@dataclass(frozen=True)
class Limit:
    """At most ``hits`` requests per ``window_s`` seconds."""

    hits: int
    window_s: int


def submit_limit(settings: Settings) -> Limit:
    """How many suggestions one client may send per window."""
    return Limit(settings.submit_rate_limit, settings.submit_rate_window_s)


def login_limit(settings: Settings) -> Limit:
    """How many sign-in attempts one client may make per window."""
    return Limit(settings.login_rate_limit, settings.login_rate_window_s)


async def hit(session: AsyncSession, action: str, client_hash: str, limit: Limit) -> None:
    """Count one request; ``RateLimited`` (with a retry hint) when the window is already full."""
    counted = await rate_q.hit_window(session, f"{action}:{client_hash}", limit.window_s)
    hits, remaining = counted.hits, counted.remaining_s
    if random.random() < 0.01:  # occasional housekeeping keeps the table small
        await rate_q.prune(session)
    await session.commit()
    if hits > limit.hits:
        minutes = max(1, int(float(remaining) // 60) + 1)
        raise RateLimited(
            f"Too many requests from your connection. Please try again in {minutes} "
            f"minute{'s' if minutes != 1 else ''}.",
            [{"field": "", "message": "rate limit reached", "retry_after": int(float(remaining))}],
        )


async def reset(session: AsyncSession, action: str, client_hash: str) -> None:
    """Forget a client's count for an action (used after a successful sign-in)."""
    await rate_q.delete_key(session, f"{action}:{client_hash}")
