"""IoD 2019 IDACI figures as indicator series, recoded from 2019 counties to current LAs.

Cumbria and Northamptonshire (2019) cannot be split into their successors and are reported
as missing. What each indicator is (label, description, unit, polarity, source) is in the
catalogue, ``geodata/indicators.json``; which column of the workbook holds it is here.
"""

from __future__ import annotations

import pandas as pd

from app.ingest.base import Context, ImportFailed
from app.ingest.statistics_areas import Areas
from app.ingest.statistics_catalogue import INDICATORS_PATH, IOD_INDICATORS
from app.ingest.statistics_parsing import Series, parse_value

IOD_FILE = "iod2019/File_11_-_IoD2019_Local_Authority_District_Summaries__upper-tier__.xlsx"

# 2019 counties split between successors: their values cannot be divided without LSOA data.
UNSPLITTABLE: dict[str, tuple[str, ...]] = {
    "E10000006": ("E06000063", "E06000064"),  # Cumbria -> Cumberland, Westmorland and Furness
    "E10000021": ("E06000061", "E06000062"),  # Northamptonshire -> North, West Northamptonshire
}


def _headers(frame: pd.DataFrame) -> pd.DataFrame:
    """Column names with whitespace collapsed (the IoD workbooks pad them)."""
    return frame.rename(columns=lambda c: " ".join(str(c).split()))


def iod_series(ctx: Context, areas: Areas) -> tuple[list[Series], list[str]]:
    """IDACI 2019 average score, rank and share of most-deprived LSOAs, recoded to current LAs."""
    try:
        frame = _headers(pd.read_excel(ctx.path(IOD_FILE), sheet_name="IDACI"))
    except ValueError as exc:
        raise ImportFailed(f"{IOD_FILE}: no IDACI sheet ({exc})") from exc
    code_col = "Upper Tier Local Authority District code (2019)"
    name_col = "Upper Tier Local Authority District name (2019)"
    columns = {
        "idaci_score": ("IDACI - Average score", 1.0),
        "idaci_rank": ("IDACI - Rank of average score", 1.0),
        "idaci_most_deprived_10pct_lsoas_pct": (
            "IDACI - Proportion of LSOAs in most deprived 10% nationally",
            100.0,
        ),
    }
    needed = {code_col, name_col} | {c for c, _ in columns.values()}
    if not needed <= set(frame.columns):
        raise ImportFailed(f"{IOD_FILE} sheet IDACI: expected columns {sorted(needed)}")

    recoded: dict[str, pd.Series] = {}
    unsplit: list[str] = []
    unknown: list[str] = []
    for _, row in frame.iterrows():
        source_code = str(row[code_col]).strip()
        if source_code in UNSPLITTABLE:
            successors = ", ".join(areas.la_label(c) for c in UNSPLITTABLE[source_code])
            unsplit.append(f"{source_code} {row[name_col]} -> {successors}")
            continue
        code = areas.resolve(source_code)
        if code is None or code not in areas.la_names:
            unknown.append(f"{source_code} {row[name_col]}")
            continue
        if code in recoded:
            raise ImportFailed(f"{IOD_FILE} sheet IDACI: two rows for {code}")
        recoded[code] = row
    if unknown:
        raise ImportFailed(f"{IOD_FILE} sheet IDACI: codes with no current LA: {unknown}")

    if set(IOD_INDICATORS) != set(columns):
        raise ImportFailed(
            f"{INDICATORS_PATH.name}: iod_indicators must describe exactly {sorted(columns)}"
        )
    result = []
    for code, (column, scale) in columns.items():
        spec = IOD_INDICATORS[code]
        values = {}
        for la, row in recoded.items():
            try:
                value = parse_value(row[column])
            except ValueError:
                raise ImportFailed(
                    f"{IOD_FILE} sheet IDACI: {la} {column}: {row[column]!r}"
                ) from None
            if value is not None:
                values[(la, spec.period)] = round(value * scale, 10)
        result.append(Series(spec, values))
    return result, unsplit
