"""The partnership kind and theme vocabulary: ``geodata/vocabulary.json`` (written by the project)
read and checked, then upserted into ``partnership_kind`` and ``theme``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from app.ingest.base import ImportFailed
from app.ingest.common import statement
from app.settings import PROJECT_ROOT

VOCABULARY_PATH = PROJECT_ROOT / "geodata" / "vocabulary.json"
_VOCAB_CODE = re.compile(r"^[a-z0-9_]+$")


@dataclass(frozen=True)
class Term:
    """One kind or theme of the vocabulary."""

    code: str
    label: str
    description: str
    is_national: bool = False
    network_size: int | None = None
    network_size_approx: bool = False
    network_size_source: str | None = None


@dataclass(frozen=True)
class Vocabulary:
    """The partnership kinds and themes, by code."""

    kinds: dict[str, Term]
    themes: dict[str, Term]


def read_vocabulary(path: Path = VOCABULARY_PATH) -> Vocabulary:
    """Read and check ``vocabulary.json``; ImportFailed says what is wrong with it."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ImportFailed(f"missing vocabulary file: {path}") from exc
    except json.JSONDecodeError as exc:
        raise ImportFailed(f"{path.name}: not valid JSON: {exc}") from exc

    def terms(section: str, with_flag: bool) -> dict[str, Term]:
        entries = data.get(section) if isinstance(data, dict) else None
        if not isinstance(entries, list) or not entries:
            raise ImportFailed(f"{path.name}: '{section}' must be a non-empty list")
        found: dict[str, Term] = {}
        for entry in entries:
            code = entry.get("code") if isinstance(entry, dict) else None
            label = entry.get("label") if isinstance(entry, dict) else None
            description = entry.get("description", "") if isinstance(entry, dict) else None
            flag = entry.get("is_national") if isinstance(entry, dict) else None
            if not isinstance(code, str) or not _VOCAB_CODE.fullmatch(code):
                raise ImportFailed(f"{path.name}: {section}: bad code in {entry!r}")
            if not isinstance(label, str) or not label.strip() or not isinstance(description, str):
                raise ImportFailed(f"{path.name}: {section}: {code} needs a label and description")
            if with_flag and not isinstance(flag, bool):
                raise ImportFailed(
                    f"{path.name}: {section}: {code}: is_national must be true/false"
                )
            if code in found:
                raise ImportFailed(f"{path.name}: {section}: {code} appears twice")
            size = entry.get("network_size")
            size_source = entry.get("network_size_source")
            if size is not None and (
                not isinstance(size, int) or size <= 0 or not isinstance(size_source, str)
            ):
                raise ImportFailed(
                    f"{path.name}: {section}: {code}: network_size must be a positive whole"
                    " number with a network_size_source"
                )
            found[code] = Term(
                code,
                label.strip(),
                description.strip(),
                bool(flag) and with_flag,
                size,
                bool(entry.get("network_size_approx", False)),
                size_source.strip() if isinstance(size_source, str) else None,
            )
        return found

    return Vocabulary(kinds=terms("kinds", True), themes=terms("themes", False))


def upsert_vocabulary(conn: psycopg.Connection[Any], vocabulary: Vocabulary) -> None:
    """Insert or update every kind and theme; rows already equal are not rewritten."""
    with conn.cursor() as cur:
        cur.executemany(
            statement("partnerships_upsert_kinds"),
            [
                (
                    t.code,
                    t.label,
                    t.description,
                    t.is_national,
                    t.network_size,
                    t.network_size_approx,
                    t.network_size_source,
                )
                for t in vocabulary.kinds.values()
            ],
        )
        cur.executemany(
            statement("partnerships_upsert_themes"),
            [(t.code, t.label, t.description) for t in vocabulary.themes.values()],
        )
