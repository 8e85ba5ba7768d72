"""Data access for the public pages and API: runs SQL, returns rows or finished bytes.

Hot read paths live in ``app/queries/sql/*.sql`` (each with a header saying what it does and which index
it relies on); short lookups are written in one module per aggregate (``areas``, ``indicators``,
``partnerships``, ``schools``, ``places``, ``provenance``, ``landscapes``, ``vocab``, ``tiles``,
``basemap``), and so are the write paths (``submissions``, ``moderation``, ``record_writes``,
``accounts``, ``ratelimit``, ``audit``, ``datasets``). This package keeps only the shared helpers.
No FastAPI here, and no policy: services decide.
"""

from __future__ import annotations

from dataclasses import Field, fields
from functools import cache
from pathlib import Path
from typing import Any, ClassVar, Protocol, TypeVar

from sqlalchemy import RowMapping, TextClause, text
from sqlalchemy.ext.asyncio import AsyncSession


class DataclassInstance(Protocol):
    """Any dataclass instance: what a typed row class is."""

    __dataclass_fields__: ClassVar[dict[str, Field[Any]]]


R = TypeVar("R", bound=DataclassInstance)

SQL_DIR = Path(__file__).parent / "sql"


@cache
def sql(name: str) -> TextClause:
    """The named query from ``app/queries/sql/<name>.sql``, parsed once."""
    return text((SQL_DIR / f"{name}.sql").read_text())


async def rows(session: AsyncSession, query: TextClause | str, **params: Any) -> list[RowMapping]:
    """Every row as a mapping."""
    stmt = text(query) if isinstance(query, str) else query
    return list((await session.execute(stmt, params)).mappings().all())


async def one(session: AsyncSession, query: TextClause | str, **params: Any) -> RowMapping | None:
    """The first row, or None."""
    stmt = text(query) if isinstance(query, str) else query
    return (await session.execute(stmt, params)).mappings().first()


def typed(cls: type[R], row: RowMapping) -> R:
    """A result row as the frozen dataclass ``cls``; its fields name the row's columns exactly,
    so a column added to or dropped from the SELECT without the class fails loudly."""
    return cls(**row)


def record(row: DataclassInstance) -> dict[str, Any]:
    """A row's fields as a plain dict in column order; shallow (values are shared, not copied),
    unlike ``dataclasses.asdict``, which matters for long lists."""
    return {f.name: getattr(row, f.name) for f in fields(row)}


async def typed_rows(
    session: AsyncSession, cls: type[R], query: TextClause | str, **params: Any
) -> list[R]:
    """Every row as a ``cls``."""
    return [typed(cls, r) for r in await rows(session, query, **params)]


async def typed_one(
    session: AsyncSession, cls: type[R], query: TextClause | str, **params: Any
) -> R | None:
    """The first row as a ``cls``, or None."""
    row = await one(session, query, **params)
    return None if row is None else typed(cls, row)


async def scalar(session: AsyncSession, query: TextClause | str, **params: Any) -> Any:
    """The first column of the first row."""
    stmt = text(query) if isinstance(query, str) else query
    return (await session.execute(stmt, params)).scalar()


async def feature_collection(session: AsyncSession, features: str, **params: Any) -> bytes:
    """A GeoJSON FeatureCollection of the rows of ``features`` (a SELECT with a ``geom`` column)."""
    body = await scalar(
        session,
        """
        SELECT '{"type":"FeatureCollection","features":['
               || coalesce(string_agg(ST_AsGeoJSON(f.*, 'geom', 5), ','), '') || ']}'
        FROM ("""
        + features
        + """) f
        """,
        **params,
    )
    return str(body).encode()
