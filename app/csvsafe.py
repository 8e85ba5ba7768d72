"""Neutralising spreadsheet formulas in CSV downloads (CSV or "formula" injection).

Spreadsheet programs run a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or
carriage return followed by one) as a formula, so a partnership named
``=HYPERLINK("https://evil.example","Click")`` would become a live link or worse on a
downloader's machine. Such text cells get a leading apostrophe, which spreadsheets show as text
and hide; numbers are written as they are.
"""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def safe_cell(value: Any) -> Any:
    """The value to write in a CSV cell: text that a spreadsheet would run gets a leading ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
