"""Pure parts of the statistics importer: values, periods, metadata, code reconciliation."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from app.codes import ENGLAND
from app.ingest.base import ImportFailed
from app.ingest.statistics_areas import Areas
from app.ingest.statistics_catalogue import LAIT_MEASURES, LaitMeasure
from app.ingest.statistics_lait import AGGREGATES, lait_series
from app.ingest.statistics_parsing import (
    choose_period,
    excel_date,
    label_from_title,
    parse_value,
    period_key,
    polarity_from_dictionary,
)
from app.models import POLARITIES
from app.text import paragraphs


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12.5", 12.5),
        (" 7 ", 7.0),
        ("6.368E-2", 0.06368),
        ("1,234", 1234.0),
        ("-0.27", -0.27),
        (3, 3.0),
        ("-", None),
        ("c", None),
        ("x", None),
        ("", None),
        (None, None),
        (float("nan"), None),
    ],
)
def test_parse_value(raw: object, expected: float | None) -> None:
    value = parse_value(raw)
    if expected is None:
        assert value is None
    else:
        assert value == pytest.approx(expected)


def test_parse_value_refuses_unknown_text() -> None:
    with pytest.raises(ValueError, match="could not convert string to float: 'about 12'"):
        parse_value("about 12")


def test_period_key_orders_lait_labels() -> None:
    assert sorted(["2025", "2016", "2024", "2020"], key=period_key) == [
        "2016",
        "2020",
        "2024",
        "2025",
    ]
    assert period_key("2021/22") < period_key("2022/23") < period_key("2023-24")
    assert period_key("2019/20-21/22") < period_key("2020/21-22/23")
    assert period_key("2024 (Rev)") < period_key("2025 (prov)")


def test_choose_period_takes_newest_well_covered_period() -> None:
    coverage = {"2023": 150, "2024": 152, "2025": 40}
    assert choose_period(coverage, 153) == "2024"
    assert choose_period({"2024": 152, "2025": 153}, 153) == "2025"


def test_choose_period_falls_back_to_best_covered() -> None:
    assert choose_period({"2023": 60, "2024": 90, "2025": 90}, 153) == "2025"
    assert choose_period({"2023": 100, "2024": 90}, 153) == "2023"
    with pytest.raises(ValueError, match="no periods to choose from"):
        choose_period({}, 153)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("High", "higher_is_better"),
        ("Low", "lower_is_better"),
        (" low ", "lower_is_better"),
        ("-", "neutral"),
        (None, "neutral"),
        (float("nan"), "neutral"),
    ],
)
def test_polarity_from_dictionary(raw: object, expected: str) -> None:
    assert polarity_from_dictionary(raw) == expected


def test_labels_and_text() -> None:
    assert label_from_title("Primary pupils eligible for free school meals (%)") == (
        "Primary pupils eligible for free school meals"
    )
    assert label_from_title("Total  pupils (num) ") == "Total pupils"
    assert paragraphs("a  b\r\n- one\n- two\n\n\n\nc ") == "a b\n- one\n- two\n\nc"
    assert paragraphs(float("nan")) == ""


def test_excel_date() -> None:
    assert excel_date("45658") == dt.date(2025, 1, 1)
    assert excel_date("not a date") is None
    assert excel_date("12") is None


def test_measure_catalogue_is_well_formed() -> None:
    codes = [m.code for m in LAIT_MEASURES]
    assert len(codes) == len(set(codes))
    assert len({m.short_desc for m in LAIT_MEASURES}) == len(LAIT_MEASURES)
    for m in LAIT_MEASURES:
        assert m.code.replace("_", "").isalnum() and m.code == m.code.lower()
        assert m.polarity is None or m.polarity in POLARITIES
        assert m.unit and m.topic and m.publication


def test_aggregate_numbers_map_to_england_and_nine_regions() -> None:
    assert AGGREGATES[970] == ENGLAND
    regions = {code for number, code in AGGREGATES.items() if number != 970}
    assert regions == {f"E1200000{i}" for i in range(1, 10)}


AREAS = Areas(
    la_by_number={370: "E08000016", 371: "E08000017"},
    la_names={"E08000016": "Barnsley", "E08000017": "Doncaster"},
    la_region={"E08000016": "E12000003", "E08000017": "E12000003"},
    names={
        "E08000016": "Barnsley",
        "E08000017": "Doncaster",
        "E12000003": "Yorkshire and The Humber",
        ENGLAND: "England",
    },
)
DICTIONARY = pd.DataFrame(
    {
        "Chart_title": ["Widgets per pupil (%)"],
        "Polarity": ["High"],
        "Description": ["Widgets  counted\nin January."],
        "Year_Type": ["Academic Year"],
        "Last Update": ["45658"],
    },
    index=pd.Index(["Widgets"], name="Measure_short"),
)
MEASURE = LaitMeasure("widgets_pct", "Widgets", "%", "Testing", "DfE, Widget statistics")


def lait_rows(rows: list[tuple[str, float, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["Years", "LA Number", "LA and Regions", "Values"])


def test_lait_series_joins_numbers_aggregates_and_picks_the_period() -> None:
    rows = lait_rows(
        [
            ("2024", 370.0, "Barnsley", "10.5"),
            ("2024", 371.0, "Doncaster", "-"),
            ("2025", 370.0, "Barnsley", "11"),
            ("2025", 371.0, "Doncaster", "12"),
            ("2025", 970.0, "England", "13"),
            ("2025", 982.0, "Yorkshire and the Humber", "14"),
            ("2025", 987.0, "London (Inner)", "15"),
            ("2025", 909.0, "Cumbria", "16"),
            ("2026", 370.0, "Barnsley", "17"),  # newer but half the LAs: not the period
        ]
    )
    series, unknown_las, unknown_aggregates = lait_series(MEASURE, rows, DICTIONARY, AREAS)
    assert series.spec.period == "2025"
    assert series.values == {
        ("E08000016", "2024"): 10.5,
        ("E08000016", "2025"): 11.0,
        ("E08000017", "2025"): 12.0,
        (ENGLAND, "2025"): 13.0,
        ("E12000003", "2025"): 14.0,
    }
    assert unknown_las == {"909 Cumbria"}
    assert unknown_aggregates == {"987 London (Inner)"}
    spec = series.spec
    assert spec.label == "Widgets per pupil"
    assert spec.polarity == "higher_is_better"
    assert spec.description.startswith("Widgets counted\nin January.")
    assert "Academic Year" in spec.description
    assert spec.source == (
        "DfE, Widget statistics, 2025; via DfE Local Authority Interactive Tool (LAIT),"
        " updated 01 January 2025"
    )


def test_lait_series_refuses_a_renamed_aggregate() -> None:
    rows = lait_rows([("2025", 370.0, "Barnsley", "1"), ("2025", 982.0, "London", "2")])
    with pytest.raises(ImportFailed, match="aggregate 982 is 'London'"):
        lait_series(MEASURE, rows, DICTIONARY, AREAS)


def test_lait_series_refuses_unreadable_or_impossible_values() -> None:
    with pytest.raises(ImportFailed, match=r"LA 370 \(Barnsley\): unreadable value 'n\.k\.'"):
        lait_series(MEASURE, lait_rows([("2025", 370.0, "Barnsley", "n.k.")]), DICTIONARY, AREAS)
    with pytest.raises(ImportFailed, match="is not a percentage"):
        lait_series(MEASURE, lait_rows([("2025", 370.0, "Barnsley", "140")]), DICTIONARY, AREAS)


def test_lait_series_needs_a_dictionary_entry() -> None:
    other = LaitMeasure("other_pct", "Other", "%", "Testing", "DfE")
    with pytest.raises(ImportFailed, match="no entry for 'Other'"):
        lait_series(other, lait_rows([("2025", 370.0, "Barnsley", "1")]), DICTIONARY, AREAS)


def test_areas_resolve_old_and_recoded_codes() -> None:
    areas = Areas(
        la_by_number={},
        la_names={"E06000060": "Buckinghamshire", "E08000016": "Barnsley"},
        la_region={},
        names={"E06000060": "Buckinghamshire", "E08000016": "Barnsley"},
    )
    assert areas.resolve("E10000002") == "E06000060"
    assert areas.resolve("E08000038") == "E08000016"
    assert areas.resolve("E08000016") == "E08000016"
    assert areas.resolve("E10000006") is None  # Cumbria: split, never guessed
