"""What the GIAS importers share: cleaning source text, GIAS dates, academy trust types.

Both the trusts and the schools importers read GIAS files and the January 2023 school census,
so the census file they both use is named here once.
"""

from __future__ import annotations

import datetime as dt
import re

from app.codes import ACADEMY_TRUST_TYPES as ACADEMY_TRUST_TYPES
from app.text import one_line

_DATE = re.compile(r"(\d{2})[/-](\d{2})[/-](\d{4})")
CENSUS_FILE = "dfe_spc_2022_23/spc_school_level_underlying_data_2022_23.csv.gz"


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
