"""Parsing the statistical neighbour workbook: bands, header, legacy rows and row-numbered errors."""

from __future__ import annotations

import pytest

from app.ingest.base import ImportFailed
from app.ingest.neighbours import (
    HEADER_ROW,
    KNOWN_BANDS,
    normalise_band,
    parse_groups,
    stored_band,
)
from app.models import CLOSENESS_BANDS

HEADER = (
    "LA num",
    "LA Name",
    "LA number",
    "GOInd",
    "GOReg",
    *(name for k in range(1, 11) for name in (f"SN{k}", "SNP")),
)


def group_row(
    number: object, name: str, neighbours: list[int], band: str = "Close"
) -> tuple[object, ...]:
    cells: list[object] = [number, name, number, 1.0, "Somewhere"]
    for n in neighbours:
        cells += [float(n), band]
    return tuple(cells)


TEN = list(range(801, 811))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Very Close", "very_close"),
        ("Very close", "very_close"),
        (" Somewhat close ", "somewhat_close"),
        ("Not Close", "not_close"),
        ("Extremely Close", "extremely_close"),
        ("CLOSE", "close"),
        (None, ""),
        (float("nan"), ""),
    ],
)
def test_normalise_band(raw: object, expected: str) -> None:
    assert normalise_band(raw) == expected


def test_every_known_band_is_stored_as_a_schema_band() -> None:
    for band in KNOWN_BANDS:
        assert stored_band(band) in CLOSENESS_BANDS


def test_extremely_close_is_folded_only_when_the_schema_lacks_it() -> None:
    assert stored_band("extremely_close", ("very_close", "close")) == "very_close"
    assert stored_band("extremely_close", ("extremely_close", "very_close")) == "extremely_close"
    with pytest.raises(ValueError, match="'far_away' has no stored equivalent"):
        stored_band("far_away", ("very_close",))


def test_current_and_legacy_rows_are_told_apart_with_sheet_row_numbers() -> None:
    rows = [
        HEADER,
        group_row(901.0, "Alpha", TEN, "Very Close"),
        group_row(902.0, "Beta", [*TEN[1:], 901]),
        (None,) * len(HEADER),
        (None, "Old SNs:") + (None,) * (len(HEADER) - 2),
        (None,) * len(HEADER),
        group_row(903.0, "Gamma (Pre LG)", TEN, "Extremely close"),
    ]
    groups = parse_groups(rows, "sn.xlsx")
    assert [(g.la_number, g.row) for g in groups.current] == [
        (901, HEADER_ROW + 1),
        (902, HEADER_ROW + 2),
    ]
    assert [(g.la_number, g.row) for g in groups.legacy] == [(903, HEADER_ROW + 6)]
    alpha = groups.current[0]
    assert [n.rank for n in alpha.neighbours] == list(range(1, 11))
    assert [n.la_number for n in alpha.neighbours] == TEN
    assert {n.band for n in alpha.neighbours} == {"very_close"}
    assert groups.legacy[0].neighbours[0].band == "extremely_close"


def test_blank_neighbour_names_file_and_row() -> None:
    bad = list(group_row(901.0, "Alpha", TEN))
    bad[5 + 2 * 3] = None  # SN4 blank
    with pytest.raises(ImportFailed, match=r"sn\.xlsx row 5 \(Alpha\): SN4"):
        parse_groups([HEADER, group_row(900.0, "Zero", TEN), tuple(bad)], "sn.xlsx")


def test_unknown_band_is_refused() -> None:
    with pytest.raises(ImportFailed, match=r"row 4 .*unknown closeness 'Nearby'"):
        parse_groups([HEADER, group_row(901.0, "Alpha", TEN, "Nearby")], "sn.xlsx")


def test_self_or_repeated_neighbour_is_refused() -> None:
    with pytest.raises(ImportFailed, match="own neighbour"):
        parse_groups([HEADER, group_row(801.0, "Alpha", TEN)], "sn.xlsx")
    with pytest.raises(ImportFailed, match="listed twice"):
        parse_groups([HEADER, group_row(901.0, "Alpha", [*TEN[:9], 801])], "sn.xlsx")


def test_repeated_la_is_refused() -> None:
    rows = [HEADER, group_row(901.0, "Alpha", TEN), group_row(901.0, "Alpha again", TEN)]
    with pytest.raises(ImportFailed, match=r"more than once: \[901\]"):
        parse_groups(rows, "sn.xlsx")


def test_non_numeric_la_number_names_the_row() -> None:
    with pytest.raises(ImportFailed, match=r"row 4: not a DfE LA number: 'abc'"):
        parse_groups([HEADER, group_row("abc", "Alpha", TEN)], "sn.xlsx")


def test_missing_header_column_is_refused() -> None:
    header = tuple(h if h != "SN7" else "SN 7" for h in HEADER)
    with pytest.raises(ImportFailed, match=f"row {HEADER_ROW}: unexpected header"):
        parse_groups([header, group_row(901.0, "Alpha", TEN)], "sn.xlsx")
