"""DfE LAIT measures as indicator series: the long-format extract and its data dictionary.

LAIT rows are keyed by DfE 3-digit LA numbers and joined through ``area.la_number``; its
aggregates (970 England, 980-990 regions) map to GSS codes below, and Inner/Outer London
(987/988) have no area of ours. Each measure keeps every period up to the newest one at least
``COVERAGE_THRESHOLD`` of LAs report; that period is the indicator's.
"""

from __future__ import annotations

from collections import Counter

import pandas as pd

from app.codes import ENGLAND
from app.ingest.base import Context, ImportFailed
from app.ingest.statistics_areas import Areas
from app.ingest.statistics_catalogue import LAIT_MEASURES, LaitMeasure
from app.ingest.statistics_parsing import (
    IndicatorSpec,
    Series,
    choose_period,
    excel_date,
    label_from_title,
    parse_value,
    period_key,
    polarity_from_dictionary,
)
from app.text import paragraphs

LAIT_FILE = "lait/bds_long_0.parquet"
DICTIONARY_FILE = "lait/lait_data_dictionary.csv"
LAIT_VIA = "DfE Local Authority Interactive Tool (LAIT)"

# DfE aggregate "LA numbers" in LAIT -> GSS codes. 987/988 (Inner/Outer London) have no area.
AGGREGATES: dict[int, str] = {
    970: ENGLAND,
    980: "E12000001",  # North East
    981: "E12000002",  # North West
    982: "E12000003",  # Yorkshire and The Humber
    983: "E12000004",  # East Midlands
    984: "E12000005",  # West Midlands
    985: "E12000006",  # East of England
    986: "E12000007",  # London
    989: "E12000008",  # South East
    990: "E12000009",  # South West
}
FIRST_AGGREGATE_NUMBER = 970


def read_dictionary(ctx: Context) -> pd.DataFrame:
    """LAIT's data dictionary, one row per measure short code."""
    frame = pd.read_csv(ctx.path(DICTIONARY_FILE), dtype=str)
    needed = {"Measure_short", "Chart_title", "Polarity", "Description", "Year_Type", "Last Update"}
    if not needed <= set(frame.columns):
        raise ImportFailed(f"{DICTIONARY_FILE}: expected columns {sorted(needed)}")
    frame["Measure_short"] = frame["Measure_short"].str.strip()
    return frame.drop_duplicates("Measure_short").set_index("Measure_short")


def read_lait(ctx: Context) -> pd.DataFrame:
    """The chosen LAIT measures in long format: measure, period, LA number, place name, raw value."""
    columns = ["Short Desc", "Years", "LA and Regions", "Values", "LA Number"]
    wanted = [m.short_desc for m in LAIT_MEASURES]
    try:
        frame = pd.read_parquet(
            ctx.path(LAIT_FILE), columns=columns, filters=[("Short Desc", "in", wanted)]
        )
    except (KeyError, ValueError) as exc:
        raise ImportFailed(f"{LAIT_FILE}: expected columns {columns} ({exc})") from exc
    absent = sorted(set(wanted) - set(frame["Short Desc"]))
    if absent:
        raise ImportFailed(f"{LAIT_FILE}: measures not found: {absent}")
    return frame


def lait_series(
    measure: LaitMeasure, rows: pd.DataFrame, dictionary: pd.DataFrame, areas: Areas
) -> tuple[Series, set[str], set[str]]:
    """One LAIT measure as a series; also the LA numbers and aggregates that have no area."""
    if measure.short_desc not in dictionary.index:
        raise ImportFailed(f"{DICTIONARY_FILE}: no entry for {measure.short_desc!r}")
    meta = dictionary.loc[measure.short_desc]
    unknown_las: set[str] = set()
    unknown_aggregates: set[str] = set()
    values: dict[tuple[str, str], float] = {}
    for period, number, place, raw in rows[
        ["Years", "LA Number", "LA and Regions", "Values"]
    ].itertuples(index=False):
        if number is None or pd.isna(number):
            raise ImportFailed(
                f"{LAIT_FILE}: {measure.short_desc} {period}: {place!r} has no LA Number"
            )
        number = int(number)
        try:
            value = parse_value(raw)
        except ValueError:
            raise ImportFailed(
                f"{LAIT_FILE}: {measure.short_desc} {period} LA {number} ({place}):"
                f" unreadable value {raw!r}"
            ) from None
        if number >= FIRST_AGGREGATE_NUMBER:
            code = AGGREGATES.get(number)
            if code is None or code not in areas.names:
                unknown_aggregates.add(f"{number} {place}")
                continue
            if areas.names[code].casefold() != str(place).strip().casefold():
                raise ImportFailed(
                    f"{LAIT_FILE}: aggregate {number} is {place!r} but {code} is {areas.names[code]!r}"
                )
        else:
            found = areas.la_by_number.get(number)
            if found is None:
                unknown_las.add(f"{number} {place}")
                continue
            code = found
        if value is None:
            continue
        if measure.unit == "%" and not 0.0 <= value <= 100.0:
            raise ImportFailed(
                f"{LAIT_FILE}: {measure.short_desc} {period} LA {number}: {value} is not a percentage"
            )
        values[(code, str(period))] = value

    la_codes = set(areas.la_names)
    coverage = Counter(p for (c, p) in values if c in la_codes)
    if not coverage:
        raise ImportFailed(f"{LAIT_FILE}: {measure.short_desc} has no LA values")
    period = choose_period(coverage, len(la_codes))
    latest = period_key(period)
    values = {k: v for k, v in values.items() if period_key(k[1]) <= latest}

    updated = excel_date(meta.get("Last Update"))
    year_type = paragraphs(meta.get("Year_Type"))
    description = paragraphs(meta.get("Description"))
    if year_type:
        description += f"\n\nLAIT period type: {year_type}."
    spec = IndicatorSpec(
        code=measure.code,
        label=measure.label or label_from_title(meta.get("Chart_title")),
        description=description,
        unit=measure.unit,
        polarity=measure.polarity or polarity_from_dictionary(meta.get("Polarity")),
        topic=measure.topic,
        source=f"{measure.publication}, {period}; via {LAIT_VIA}"
        + (f", updated {updated:%d %B %Y}" if updated else ""),
        period=period,
        in_default_similarity=measure.in_default_similarity,
    )
    return Series(spec, values), unknown_las, unknown_aggregates
