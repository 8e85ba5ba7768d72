"""CSV downloads never hand a spreadsheet a formula to run."""

from __future__ import annotations

import csv
import io

import pytest

from app.csvsafe import safe_cell
from app.services.partnerships import as_csv

HOSTILE = [
    '=HYPERLINK("https://evil.example","Click")',
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "\t=1+1",
    "\uff1d1+1",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_formula_text_is_made_inert(value: str) -> None:
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["Tower Hamlets Education Partnership", "", 12, -3.5, None])
def test_ordinary_values_are_unchanged(value: object) -> None:
    assert safe_cell(value) == value


def test_the_partnership_download_neutralises_every_text_column() -> None:
    item = {
        "slug": "hostile",
        "name": HOSTILE[0],
        "lead_organisation": HOSTILE[1],
        "summary": HOSTILE[2],
        "website": "https://example.org",
        "themes": ["=cmd"],
        "area_codes": ["E09000030"],
        "area_names": ["Tower Hamlets"],
    }
    rows = list(csv.DictReader(io.StringIO(as_csv([item], "https://x.example").decode())))
    assert rows[0]["name"] == "'" + HOSTILE[0]
    assert rows[0]["lead_organisation"] == "'" + HOSTILE[1]
    assert rows[0]["summary"] == "'" + HOSTILE[2]
    assert rows[0]["themes"] == "'=cmd"
    assert rows[0]["website"] == "https://example.org"
    cells = [v for row in rows for v in row.values()]
    assert not any(v and v[0] in "=+-@" for v in cells)
