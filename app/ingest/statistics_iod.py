"""IoD 2019 IDACI figures as indicator series, recoded from 2019 counties to current LAs.

Cumbria and Northamptonshire (2019) cannot be split into their successors and are reported
as missing.
"""

from __future__ import annotations

import pandas as pd

from app.ingest.base import Context, ImportFailed
from app.ingest.statistics_areas import Areas
from app.ingest.statistics_parsing import IndicatorSpec, Series, parse_value

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

    base = (
        "English Indices of Deprivation 2019, upper-tier local authority summaries (File 11),"
        " IDACI domain: the Income Deprivation Affecting Children Index, the proportion of"
        " children aged 0-15 living in income-deprived families (data mostly from 2015/16)."
        " 2019 county codes are mapped to their unitary successors where the area is the same;"
        " Cumbria and Northamptonshire cannot be split, so their successors have no value."
        " No regional or England figures are published in this file."
    )
    details = {
        "idaci_score": (
            "IDACI: average score",
            "score",
            "lower_is_better",
            True,
            " Average of the LSOA scores weighted by population (0 to 1).",
        ),
        "idaci_rank": (
            "IDACI: rank of average score",
            "rank",
            "higher_is_better",
            False,
            " Rank among the 151 upper-tier LAs of 2019; 1 is the most deprived.",
        ),
        "idaci_most_deprived_10pct_lsoas_pct": (
            "IDACI: neighbourhoods (LSOAs) among England's most deprived 10%",
            "%",
            "lower_is_better",
            False,
            " Share of the LA's LSOAs in the most deprived 10% nationally.",
        ),
    }
    result = []
    for code, (column, scale) in columns.items():
        label, unit, polarity, similarity, extra = details[code]
        spec = IndicatorSpec(
            code=code,
            label=label,
            description=base + extra,
            unit=unit,
            polarity=polarity,
            topic="Deprivation",
            source="MHCLG, English Indices of Deprivation 2019, File 11 (upper-tier LA summaries)",
            period="2019",
            in_default_similarity=similarity,
        )
        values = {}
        for la, row in recoded.items():
            try:
                value = parse_value(row[column])
            except ValueError:
                raise ImportFailed(
                    f"{IOD_FILE} sheet IDACI: {la} {column}: {row[column]!r}"
                ) from None
            if value is not None:
                values[(la, "2019")] = round(value * scale, 10)
        result.append(Series(spec, values))
    return result, unsplit
