"""What the importers share: their SQL statements, cleaning source text, GIAS dates.

Each importer's longer statements live in ``app/ingest/sql/<name>.sql``, named for the importer
and what the statement does, each with a header comment (what it does, its parameters, which
importer runs it); :func:`statement` loads them, the one way importers read SQL files. Both the
trusts and the schools importers read GIAS files and the January 2023 school census, so the
census file they both use is named here once.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from pathlib import Path

from app.text import one_line

_DATE = re.compile(r"(\d{2})[/-](\d{2})[/-](\d{4})")
CENSUS_FILE = "dfe_spc_2022_23/spc_school_level_underlying_data_2022_23.csv.gz"
SQL_DIR = Path(__file__).parent / "sql"


@cache
def statement(name: str) -> str:
    """The statement in ``app/ingest/sql/<name>.sql``, read once, without its header comment.

    The header (the leading ``--`` lines) is for the reader; dropping it sends the server the
    statement alone and leaves the header free to mention percent signs, which psycopg would
    otherwise read as placeholders. Placeholders are psycopg's: ``%(name)s`` or ``%s``.
    """
    lines = (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8").splitlines()
    start = 0
    while start < len(lines) and lines[start].startswith("--"):
        start += 1
    if start == 0:
        raise ValueError(f"{name}.sql has no header comment")
    return "\n".join(lines[start:]).strip("\n") + "\n"


def clean_text(value: object) -> str | None:
    """A source value with runs of whitespace made one space and trimmed; None when empty."""
    return one_line(value) or None


def parse_gias_date(value: object) -> dt.date | None:
    """A GIAS date, 'dd/mm/yyyy' (groups) or 'dd-mm-yyyy' (establishments); None when empty.

    Raises ValueError for anything else, so a changed date format fails the import.
    """
    text = clean_text(value)
    if text is None:
        return None
    match = _DATE.fullmatch(text)
    if match is None:
        raise ValueError(f"not a dd/mm/yyyy date: {text!r}")
    day, month, year = (int(part) for part in match.groups())
    return dt.date(year, month, day)
