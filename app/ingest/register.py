"""Shared by the hand-compiled registers (partnerships, membership, landscape): reading a register
CSV row by row with each row's ``file:line`` reference, the field checks they have in common, and
writing the revisions of seed records.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Literal, TypeVar

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from app.ingest.base import ImportFailed
from app.ingest.common import statement

FIRST_CHANGE = "seed import"
LATER_CHANGE = "seed register update"

K = TypeVar("K", int, str)
_HTTP_URL = re.compile(r"https?://[^\s/]+\.[^\s]*")


def optional_text(value: str | None) -> str | None:
    """A register field trimmed; None when empty."""
    value = (value or "").strip()
    return value or None


def is_http_url(value: str) -> bool:
    """Whether a register field is an http(s) URL with a dotted host."""
    return bool(_HTTP_URL.fullmatch(value))


def checked_on_date(reasons: list[str], text: str | None) -> dt.date | None:
    """A register's ``checked_on`` field as a date; None when empty or, with a reason, not a date."""
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        reasons.append(f"checked_on {text!r} is not a date")
        return None


def read_csv_rows(path: Path, columns: tuple[str, ...]) -> Iterator[tuple[str, dict[str, str]]]:
    """The rows of a register CSV with their ``file:line`` reference; ImportFailed on a bad file."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in columns if c not in (reader.fieldnames or [])]
            if missing:
                raise ImportFailed(f"{path.name}: missing columns {', '.join(missing)}")
            start = reader.line_num + 1
            for row in reader:
                yield f"{path.name}:{start}", row
                start = reader.line_num + 1
    except UnicodeDecodeError as exc:
        raise ImportFailed(f"{path.name}: not UTF-8: {exc}") from exc
    except csv.Error as exc:
        raise ImportFailed(f"{path.name}: unreadable CSV: {exc}") from exc


def write_seed_revisions(
    cur: psycopg.Cursor[Any],
    key_column: Literal["partnership_id", "area_code"],
    snapshots: Mapping[K, dict[str, Any]],
    created: set[K],
) -> None:
    """One ``revision`` per snapshot, keyed by ``key_column``: the first says 'seed import'."""
    cur.executemany(
        sql.SQL(statement("register_insert_revision")).format(
            key_column=sql.Identifier(key_column)
        ),
        [
            (
                key,
                snap["version"],
                Jsonb(snap),
                FIRST_CHANGE if key in created else LATER_CHANGE,
            )
            for key, snap in sorted(snapshots.items())
        ],
    )
