"""Data access for the audit log: one row per sign-in, suggestion, decision and revert."""

from __future__ import annotations

import json

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


async def audit(
    session: AsyncSession,
    action: str,
    detail: dict[str, object],
    *,
    moderator_id: int | None = None,
    submission_id: int | None = None,
) -> None:
    """Write one audit row (JSON ``detail``, values shown as text when not JSON types)."""
    await session.execute(
        text(
            "INSERT INTO audit_log (submission_id, moderator_id, action, detail)"
            " VALUES (:s, :m, :a, CAST(:d AS jsonb))"
        ),
        {
            "s": submission_id,
            "m": moderator_id,
            "a": action,
            "d": json.dumps(detail, default=str),
        },
    )
