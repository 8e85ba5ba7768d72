"""Which database errors mean "not now" (a 503 with Retry-After) rather than a fault."""

from __future__ import annotations

import asyncpg
import pytest

from app.db import is_unavailable


@pytest.mark.parametrize(
    "error",
    [
        asyncpg.exceptions.LockNotAvailableError("lock timeout"),  # 55P03: queued behind a writer
        asyncpg.exceptions.QueryCanceledError("statement timeout"),  # 57014
        asyncpg.exceptions.CannotConnectNowError("starting up"),  # 57P03
        asyncpg.exceptions.TooManyConnectionsError("too many"),  # 53300
    ],
)
def test_waiting_and_outages_are_unavailable(error: Exception) -> None:
    assert is_unavailable(error)


@pytest.mark.parametrize(
    "error",
    [
        asyncpg.exceptions.UniqueViolationError("duplicate"),  # 23505
        asyncpg.exceptions.ObjectInUseError("in use"),  # 55006: same class, not a wait
        asyncpg.exceptions.UndefinedTableError("no table"),  # 42P01
    ],
)
def test_faults_and_conflicts_are_not(error: Exception) -> None:
    assert not is_unavailable(error)
