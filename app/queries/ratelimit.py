"""Data access for per-client counters in ``rate_limit``: request windows, sign-in failures and
used form tokens. Every statement is one atomic ``INSERT … ON CONFLICT`` or a delete by key."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

_HIT = text(
    """
    INSERT INTO rate_limit (key, window_start, hits)
    VALUES (:key, to_timestamp(floor(extract(epoch FROM now()) / :w) * :w), 1)
    ON CONFLICT (key, window_start) DO UPDATE SET hits = rate_limit.hits + 1
    RETURNING hits, extract(epoch FROM (window_start + make_interval(secs => :w) - now()))
    """
)
_PRUNE = text("DELETE FROM rate_limit WHERE window_start < now() - interval '2 days'")
_DELETE_KEY = text("DELETE FROM rate_limit WHERE key = :key")
_RECENT = text(
    "SELECT coalesce(sum(hits), 0) FROM rate_limit"
    " WHERE key = :k AND window_start > now() - make_interval(mins => :mins)"
)
_COUNT_NOW = text(
    "INSERT INTO rate_limit (key, window_start, hits) VALUES (:k, now(), 1)"
    " ON CONFLICT (key, window_start) DO UPDATE SET hits = rate_limit.hits + 1"
    " RETURNING hits"
)
_CONSUME_ONCE = text(
    "INSERT INTO rate_limit (key, window_start, hits) VALUES (:k, to_timestamp(:issued), 1)"
    " ON CONFLICT (key, window_start) DO NOTHING RETURNING hits"
)


@dataclass(frozen=True)
class WindowHit:
    """A window's count after one more request, and the seconds left in the window."""

    hits: int
    remaining_s: float


async def hit_window(session: AsyncSession, key: str, window_s: int) -> WindowHit:
    """Count one request in the fixed window of ``window_s`` seconds that holds now."""
    hits, remaining = (await session.execute(_HIT, {"key": key, "w": window_s})).one()
    return WindowHit(int(hits), float(remaining))


async def prune(session: AsyncSession) -> None:
    """Drop counters more than two days old."""
    await session.execute(_PRUNE)


async def delete_key(session: AsyncSession, key: str) -> None:
    """Forget every window of one key."""
    await session.execute(_DELETE_KEY, {"key": key})


async def recent_hits(session: AsyncSession, key: str, minutes: int) -> int:
    """The hits counted for ``key`` in windows that started in the last ``minutes``."""
    return int((await session.execute(_RECENT, {"k": key, "mins": minutes})).scalar_one())


async def count_now(session: AsyncSession, key: str) -> int:
    """Count one event for ``key`` in a window starting at this transaction's time."""
    return int((await session.execute(_COUNT_NOW, {"k": key})).scalar_one())


async def consume_once(session: AsyncSession, key: str, issued: int) -> bool:
    """Record ``key`` as used (its window is the issue time); False when it was already used."""
    result = await session.execute(_CONSUME_ONCE, {"k": key, "issued": issued})
    return result.scalar_one_or_none() is not None
