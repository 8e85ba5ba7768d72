"""The shared area codes and text clean-up that importers, services and forms all use."""

from __future__ import annotations

import math

from app.codes import ENGLAND, GSS_CODE, RECODED_2025, RECODED_2025_EITHER_WAY
from app.text import one_line, paragraphs


def test_gss_codes_are_english_with_ascii_digits() -> None:
    assert GSS_CODE.match("E08000019") and GSS_CODE.match(ENGLAND)
    for bad in ("W06000001", "E0800001", "E080000190", "e08000019", "E0800001٩"):
        assert not GSS_CODE.match(bad), bad


def test_the_2025_recodes_go_both_ways() -> None:
    # Barnsley and Sheffield: the 2025 codes map to the boundaries' older ones, and back.
    assert RECODED_2025 == {"E08000038": "E08000016", "E08000039": "E08000019"}
    assert RECODED_2025_EITHER_WAY["E08000016"] == "E08000038"
    assert RECODED_2025_EITHER_WAY["E08000039"] == "E08000019"
    assert all(RECODED_2025_EITHER_WAY[v] == k for k, v in RECODED_2025_EITHER_WAY.items())


def test_one_line_collapses_every_kind_of_space() -> None:
    assert one_line("  St\u00a0Mary's \t C of E\nPrimary  ") == "St Mary's C of E Primary"
    assert one_line(None) == "" and one_line(math.nan) == "" and one_line(12) == "12"


def test_paragraphs_keep_lines_and_at_most_one_blank_line() -> None:
    assert paragraphs("  a   b \r\n\n\n\n c  ") == "a b\n\nc"
    assert paragraphs(None) == "" and paragraphs(float("nan")) == ""
