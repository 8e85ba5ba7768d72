"""Import LA statistics: DfE LAIT measures, IoD 2019 IDACI, and mySociety population and rurality.

Values go to ``area_indicator`` in long format for the 153 LAs and, where a source has them, the
nine regions and England. LAIT rows are keyed by DfE 3-digit LA numbers and joined through
``area.la_number``; its aggregates (970 England, 980-990 regions) map to GSS codes below, and
Inner/Outer London (987/988) have no area of ours. Each LAIT measure keeps every period up to
the newest one at least ``COVERAGE_THRESHOLD`` of LAs report; that period is the indicator's.
Old codes are reconciled here, never in queries: 2019 counties (IoD) to their unitary
successors, Barnsley/Sheffield's 2025 codes to the boundary files' ones. Cumbria and
Northamptonshire (2019) cannot be split into their successors and are reported as missing.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pandas as pd

from app.codes import ENGLAND, RECODED_2025_EITHER_WAY
from app.ingest.base import Context, Importer, ImportFailed, copy_rows
from app.models import POLARITIES
from app.text import paragraphs

LAIT_FILE = "lait/bds_long_0.parquet"
DICTIONARY_FILE = "lait/lait_data_dictionary.csv"
IOD_FILE = "iod2019/File_11_-_IoD2019_Local_Authority_District_Summaries__upper-tier__.xlsx"
LA_FILE = "mysociety/uk_local_authorities_future.csv"
RUC_FILE = "mysociety/la_ruc.csv"

COVERAGE_THRESHOLD = 0.9

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

# Codes a source may use for an area that ``area`` holds under another code.
CODE_ALIASES: dict[str, str] = {
    **RECODED_2025_EITHER_WAY,  # Barnsley and Sheffield, recoded 2025
    "E10000002": "E06000060",  # Buckinghamshire county (2019) -> unitary (2020), same area
    "E10000023": "E06000065",  # North Yorkshire county (2019) -> unitary (2023), same area
    "E10000027": "E06000066",  # Somerset county (2019) -> unitary (2023), same area
}
# 2019 counties split between successors: their values cannot be divided without LSOA data.
UNSPLITTABLE: dict[str, tuple[str, ...]] = {
    "E10000006": ("E06000063", "E06000064"),  # Cumbria -> Cumberland, Westmorland and Furness
    "E10000021": ("E06000061", "E06000062"),  # Northamptonshire -> North, West Northamptonshire
}

# Cell texts that mean "no value" in DfE/ONS tables (suppressed, not applicable, not available).
SUPPRESSION_MARKS = frozenset(
    {"", "-", "c", "x", "z", "u", "..", ".", ":", "~", "low", "n/a", "na", "nan", "supp"}
)
DICTIONARY_POLARITY = {"high": "higher_is_better", "low": "lower_is_better"}

LAIT_VIA = "DfE Local Authority Interactive Tool (LAIT)"
SPC = "DfE, Schools, pupils and their characteristics"
SEN = "DfE, Special educational needs in England"
KS2 = "DfE, Key stage 2 attainment"
KS4 = "DfE, Key stage 4 performance"
ABSENCE = "DfE, Pupil absence in schools in England"
NEET = "DfE, NEET and participation: local authority figures"
CILIF = "DWP, Children in low income families: local area statistics"


@dataclass(frozen=True)
class LaitMeasure:
    """A LAIT measure we publish: our slug and unit; label and polarity default to LAIT's."""

    code: str
    short_desc: str
    unit: str
    topic: str
    publication: str
    in_default_similarity: bool = False
    label: str | None = None
    polarity: str | None = None


LAIT_MEASURES: tuple[LaitMeasure, ...] = (
    LaitMeasure("fsm_primary_pct", "PriFSM", "%", "Disadvantage", SPC, in_default_similarity=True),
    LaitMeasure("fsm_secondary_pct", "SecFSM", "%", "Disadvantage", SPC),
    LaitMeasure(
        "children_low_income_pct",
        "ChildPov",
        "%",
        "Disadvantage",
        CILIF,
        in_default_similarity=True,
    ),
    LaitMeasure(
        "ks2_reading_expected_pct",
        "KS2R_Expected_STD",
        "%",
        "Attainment",
        KS2,
        label="KS2: pupils meeting the expected standard in reading",
    ),
    LaitMeasure(
        "ks2_writing_expected_pct",
        "KS2W_Teacher_Assess",
        "%",
        "Attainment",
        KS2,
        label="KS2: pupils meeting the expected standard in writing (teacher assessment)",
    ),
    LaitMeasure(
        "ks2_maths_expected_pct",
        "KS2M_Expected_STD",
        "%",
        "Attainment",
        KS2,
        label="KS2: pupils meeting the expected standard in maths",
    ),
    LaitMeasure(
        "ks2_rwm_expected_pct",
        "KS2RWM_Expected_STD",
        "%",
        "Attainment",
        KS2,
        label="KS2: pupils meeting the expected standard in reading, writing and maths",
    ),
    LaitMeasure(
        "ks2_rwm_expected_disadvantaged_pct",
        "DAP_NEW_KS2_RWM",
        "%",
        "Attainment",
        KS2,
        in_default_similarity=True,
        label="KS2: disadvantaged pupils meeting the expected standard in reading, writing"
        " and maths",
    ),
    LaitMeasure(
        "ks2_rwm_expected_fsm_pct",
        "FSM_NEW_KS2_RWM",
        "%",
        "Attainment",
        KS2,
        label="KS2: pupils eligible for free school meals meeting the expected standard in"
        " reading, writing and maths",
    ),
    LaitMeasure("attainment8", "AVG_Attain8_Score", "score", "Attainment", KS4),
    LaitMeasure("attainment8_disadvantaged", "DAP_KS4_ATT8", "score", "Attainment", KS4),
    LaitMeasure(
        "persistent_absence_pct",
        "TotPerAbNew",
        "%",
        "Attendance",
        ABSENCE,
        label="Pupils persistently absent (missing 10% or more of sessions)",
    ),
    # SEN and EHCP shares describe need (and local identification practice), not performance.
    LaitMeasure(
        "sen_support_pct",
        "SEN_TotSENSuP",
        "%",
        "SEND",
        SEN,
        in_default_similarity=True,
        label="Pupils with special educational needs (SEN) support",
        polarity="neutral",
    ),
    LaitMeasure(
        "ehcp_pct",
        "SEN_TotStat",
        "%",
        "SEND",
        SEN,
        in_default_similarity=True,
        label="Pupils with an education, health and care (EHC) plan",
        polarity="neutral",
    ),
    LaitMeasure("neet_16_17_pct", "16-17 NEET", "%", "Post-16", NEET),
    LaitMeasure("neet_or_not_known_16_17_pct", "16-17_not known_NEET", "%", "Post-16", NEET),
    LaitMeasure(
        "eal_primary_pct",
        "EALPri",
        "%",
        "Pupil characteristics",
        SPC,
        in_default_similarity=True,
    ),
    LaitMeasure("eal_secondary_pct", "EALSec", "%", "Pupil characteristics", SPC),
)


@dataclass(frozen=True)
class IndicatorSpec:
    """An ``indicator`` row: what is measured, in which unit, which way is better, from where."""

    code: str
    label: str
    description: str
    unit: str
    polarity: str
    topic: str
    source: str
    period: str
    in_default_similarity: bool


@dataclass
class Series:
    """An indicator with its values by (area code, period)."""

    spec: IndicatorSpec
    values: dict[tuple[str, str], float] = field(default_factory=dict)


@dataclass(frozen=True)
class Areas:
    """The areas statistics attach to, as the boundaries importer left them."""

    la_by_number: dict[int, str]
    la_names: dict[str, str]
    la_region: dict[str, str | None]
    names: dict[str, str]

    def resolve(self, code: str) -> str | None:
        """The ``area`` code a source's code stands for (itself or a known alias), else None."""
        if code in self.names:
            return code
        alias = CODE_ALIASES.get(code)
        return alias if alias in self.names else None

    def la_label(self, code: str) -> str:
        """'E09000001 City of London', for summaries."""
        return f"{code} {self.la_names.get(code, '?')}"


# Pure helpers -------------------------------------------------------------------------------


def parse_value(raw: object) -> float | None:
    """A published cell as a number; None for suppression marks; ValueError for other text."""
    if raw is None:
        return None
    if isinstance(raw, int | float):
        value = float(raw)
        return None if math.isnan(value) else value
    text = str(raw).strip().replace(",", "")
    if text.lower() in SUPPRESSION_MARKS:
        return None
    value = float(text)  # ValueError for unknown text
    if not math.isfinite(value):
        return None
    return value


def period_key(label: str) -> tuple[int, ...]:
    """Sort key for period labels: '2025', '2023-24', '2021/22', '2025 (prov)', '2019/20-21/22'."""
    numbers = tuple(int(n) for n in re.findall(r"\d+", label))
    return numbers or (0,)


def choose_period(
    coverage: Mapping[str, int], total: int, threshold: float = COVERAGE_THRESHOLD
) -> str:
    """The newest period whose LA coverage reaches the threshold, else the best-covered one."""
    if not coverage:
        raise ValueError("no periods to choose from")
    ordered = sorted(coverage, key=lambda p: (period_key(p), p), reverse=True)
    for period in ordered:
        if total and coverage[period] >= threshold * total:
            return period
    return max(ordered, key=lambda p: coverage[p])  # ties: newest first in ``ordered``


def polarity_from_dictionary(text: object) -> str:
    """LAIT's 'High'/'Low'/'-'/blank as the schema's polarity."""
    key = "" if text is None or (isinstance(text, float) and math.isnan(text)) else str(text)
    return DICTIONARY_POLARITY.get(key.strip().lower(), "neutral")


clean_text = paragraphs


def label_from_title(title: object) -> str:
    """A LAIT chart title without its trailing unit: '... meals (%)' -> '... meals'."""
    return re.sub(r"\s*\((%|num|number|rate)\)\s*$", "", clean_text(title), flags=re.I)


def excel_date(serial: object) -> dt.date | None:
    """An Excel day serial ('45809') as a date; None when it is not one."""
    try:
        days = float(str(serial).strip())
    except ValueError:
        return None
    if not 20000 < days < 80000:
        return None
    return dt.date(1899, 12, 30) + dt.timedelta(days=int(days))


# Reading the sources ------------------------------------------------------------------------


def read_areas(ctx: Context) -> Areas:
    """Current LAs (with DfE numbers and regions), regions and England from ``area``."""
    rows = ctx.conn.execute(
        "SELECT code, name, level, la_number, region_code FROM area"
        " WHERE level IN ('country', 'region', 'local_authority') ORDER BY code"
    ).fetchall()
    las = [r for r in rows if r[2] == "local_authority"]
    if not las:
        raise ImportFailed("no local authorities in `area`: import boundaries first")
    return Areas(
        la_by_number={r[3]: r[0] for r in las if r[3] is not None},
        la_names={r[0]: r[1] for r in las},
        la_region={r[0]: r[4] for r in las},
        names={r[0]: r[1] for r in rows},
    )


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
    year_type = clean_text(meta.get("Year_Type"))
    description = clean_text(meta.get("Description"))
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


def mysociety_series(ctx: Context, areas: Areas) -> list[Series]:
    """Population (ONS mid-2020), density and rural share per LA, summed up to regions/England."""
    las = pd.read_csv(ctx.path(LA_FILE), dtype=str)
    ruc = pd.read_csv(ctx.path(RUC_FILE), dtype=str)
    needed = {"local-authority-code", "gss-code", "end-date", "area", "pop-2020"}
    if not needed <= set(las.columns):
        raise ImportFailed(f"{LA_FILE}: expected columns {sorted(needed)}")
    if not {"local-authority-code", "highly-rural", "rural"} <= set(ruc.columns):
        raise ImportFailed(
            f"{RUC_FILE}: expected columns local-authority-code, highly-rural, rural"
        )
    current = las[las["end-date"].isna() & las["gss-code"].str.startswith("E", na=False)]
    ruc_by_code = ruc.set_index("local-authority-code")

    population: dict[str, float] = {}
    area_km2: dict[str, float] = {}
    rural: dict[str, float] = {}
    columns = ["local-authority-code", "gss-code", "pop-2020", "area"]
    for mysoc, gss, raw_pop, raw_km2 in current[columns].itertuples(index=False, name=None):
        code = areas.resolve(str(gss))
        if code is None or code not in areas.la_names:
            continue  # a district, combined authority or other body
        if code in population:
            raise ImportFailed(f"{LA_FILE}: two current rows for {code}")
        try:
            pop = parse_value(raw_pop)
            km2 = parse_value(raw_km2)
            if mysoc in ruc_by_code.index:
                highly = parse_value(ruc_by_code.at[mysoc, "highly-rural"])
                plain = parse_value(ruc_by_code.at[mysoc, "rural"])
            else:
                highly = plain = None
        except ValueError as exc:
            raise ImportFailed(f"{LA_FILE}/{RUC_FILE}: {mysoc} ({code}): {exc}") from exc
        if pop is not None and pop > 0:
            population[code] = pop
        if km2 is not None and km2 > 0:
            area_km2[code] = km2
        if highly is not None and plain is not None:
            rural[code] = (highly + plain) * 100.0
    density = {c: population[c] / area_km2[c] for c in population if c in area_km2}

    # Regions and England: additive totals over their LAs, only when every LA has a value.
    groups: dict[str, list[str]] = {ENGLAND: sorted(areas.la_names)}
    for la, region in areas.la_region.items():
        if region:
            groups.setdefault(region, []).append(la)
    groups = {k: v for k, v in groups.items() if k in areas.names}
    pop_agg: dict[str, float] = {}
    density_agg: dict[str, float] = {}
    rural_agg: dict[str, float] = {}
    for code, members in groups.items():
        if all(m in population for m in members):
            pop_agg[code] = sum(population[m] for m in members)
            if all(m in area_km2 for m in members):
                density_agg[code] = pop_agg[code] / sum(area_km2[m] for m in members)
            if all(m in rural for m in members):
                rural_agg[code] = sum(rural[m] * population[m] for m in members) / pop_agg[code]

    aggregate_note = (
        " Regions and England are totals over their LAs (population-weighted for shares)."
    )
    specs = [
        (
            IndicatorSpec(
                "population",
                "Population",
                "Resident population, ONS mid-2020 estimate, as compiled by mySociety for"
                " current local authorities." + aggregate_note,
                "people",
                "neutral",
                "Population and place",
                "ONS mid-year population estimates 2020; via mySociety uk_local_authority_names_and_codes",
                "2020",
                False,
            ),
            population,
            pop_agg,
        ),
        (
            IndicatorSpec(
                "population_density",
                "Population density",
                "Residents per square kilometre: ONS mid-2020 population over the LA's area in"
                " km² (mySociety, whole km²)." + aggregate_note,
                "per km²",
                "neutral",
                "Population and place",
                "ONS mid-year population estimates 2020 and LA areas;"
                " via mySociety uk_local_authority_names_and_codes",
                "2020",
                True,
            ),
            density,
            density_agg,
        ),
        (
            IndicatorSpec(
                "rural_population_pct",
                "Population living in rural or highly rural areas",
                "Share of residents in neighbourhoods classed as 'highly rural' or 'rural' by"
                " mySociety's UK-wide composite urban/rural classification, built from the"
                " national 2011-based rural-urban classifications." + aggregate_note,
                "%",
                "neutral",
                "Population and place",
                "mySociety UK rural-urban classification (uk_ruc), based on ONS RUC 2011",
                "2011",
                True,
            ),
            rural,
            rural_agg,
        ),
    ]
    result = []
    for spec, by_la, by_aggregate in specs:
        values = {(code, spec.period): v for code, v in {**by_la, **by_aggregate}.items()}
        result.append(Series(spec, values))
    return result


# Writing ------------------------------------------------------------------------------------


def _write(ctx: Context, series: Iterable[Series]) -> int:
    """Replace this importer's indicators (cascading to their values) with the given series."""
    series = list(series)
    codes = [s.spec.code for s in series]
    bad = [s.spec.code for s in series if s.spec.polarity not in POLARITIES]
    if bad:
        raise ImportFailed(f"unknown polarity for {bad}")
    conn = ctx.conn
    conn.execute(
        "DELETE FROM indicator WHERE code = ANY(%s)"
        " OR dataset_id IN (SELECT id FROM dataset WHERE name = 'statistics')",
        (codes,),
    )
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO indicator (code, label, description, unit, polarity, topic, source,"
            " period, in_default_similarity, dataset_id)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [
                (
                    s.spec.code,
                    s.spec.label,
                    s.spec.description,
                    s.spec.unit,
                    s.spec.polarity,
                    s.spec.topic,
                    s.spec.source,
                    s.spec.period,
                    s.spec.in_default_similarity,
                    ctx.dataset_id,
                )
                for s in series
            ],
        )
    rows = [
        (area, s.spec.code, period, value)
        for s in series
        for (area, period), value in sorted(s.values.items())
    ]
    copy_rows(
        conn,
        "area_indicator",
        ["area_code", "indicator_code", "period", "value"],
        ctx.track(rows, "indicator values", total=len(rows)),
    )
    return len(rows)


def _summarise(ctx: Context, series: list[Series], areas: Areas) -> None:
    """Per indicator: its period, how many LAs have a value, which do not, and aggregates."""
    la_codes = sorted(areas.la_names)
    for s in series:
        period = s.spec.period
        have = {c for (c, p) in s.values if p == period}
        missing = [areas.la_label(c) for c in la_codes if c not in have]
        aggregates = len(have - set(la_codes))
        ctx.summary.fact(
            s.spec.code,
            f"{period}: {len(la_codes) - len(missing)}/{len(la_codes)} LAs, {aggregates} region/England",
        )
        if missing:
            ctx.summary.miss(f"{s.spec.code} {period}: LAs without a value", missing)
    ctx.count_rows("indicator")
    ctx.count_rows("area_indicator")


def load(ctx: Context) -> None:
    """Read LAIT, IoD 2019 and mySociety figures, reconcile codes and replace the indicators."""
    areas = read_areas(ctx)
    dictionary = read_dictionary(ctx)
    lait = read_lait(ctx)
    series: list[Series] = []
    unknown_las: set[str] = set()
    unknown_aggregates: set[str] = set()
    by_measure = dict(tuple(lait.groupby("Short Desc", sort=False)))
    for measure in ctx.track(LAIT_MEASURES, "LAIT measures", total=len(LAIT_MEASURES)):
        one, las, aggregates = lait_series(
            measure, by_measure[measure.short_desc], dictionary, areas
        )
        series.append(one)
        unknown_las |= las
        unknown_aggregates |= aggregates
    idaci, unsplit = iod_series(ctx, areas)
    series.extend(idaci)
    series.extend(mysociety_series(ctx, areas))

    _write(ctx, series)
    _summarise(ctx, series, areas)
    ctx.summary.miss("LAIT LA numbers with no current LA (rows skipped)", unknown_las)
    ctx.summary.miss("LAIT aggregates with no area (rows skipped)", unknown_aggregates)
    ctx.summary.miss("IoD 2019 counties that cannot be split", unsplit)
    ctx.summary.fact(
        "default similarity indicators",
        [s.spec.code for s in series if s.spec.in_default_similarity],
    )


IMPORTER = Importer(
    name="statistics",
    title="LA statistics: DfE LAIT, IoD 2019 IDACI, population and rurality",
    vintage="LAIT extract 2026-04; IoD 2019; ONS mid-2020 population; RUC 2011",
    licence="OGL v3 (DfE, DWP, MHCLG, ONS: Contains public sector information licensed under the"
    " Open Government Licence v3.0); mySociety compilations CC BY 4.0 © mySociety",
    files=(LAIT_FILE, DICTIONARY_FILE, IOD_FILE, LA_FILE, RUC_FILE),
    load=load,
    depends=("boundaries",),
)
