"""Import LA statistics: DfE LAIT measures, IoD 2019 IDACI, and mySociety population and rurality.

Values go to ``area_indicator`` in long format for the 153 LAs and, where a source has them, the
nine regions and England. Each source is read by its own module (``statistics_lait``,
``statistics_iod``, ``statistics_mysociety``); what each indicator is comes from the project's
catalogue, ``geodata/indicators.json``, which the import checksum covers. This module writes
the series and reports what joined and what did not.
"""

from __future__ import annotations

from collections.abc import Iterable

from app.ingest.base import Context, Importer, ImportFailed, copy_rows
from app.ingest.common import statement
from app.ingest.statistics_areas import Areas, read_areas
from app.ingest.statistics_catalogue import INDICATORS_PATH, LAIT_MEASURES
from app.ingest.statistics_iod import IOD_FILE, iod_series
from app.ingest.statistics_lait import (
    DICTIONARY_FILE,
    LAIT_FILE,
    lait_series,
    read_dictionary,
    read_lait,
)
from app.ingest.statistics_mysociety import LA_FILE, RUC_FILE, mysociety_series
from app.ingest.statistics_parsing import Series
from app.models import POLARITIES
from app.settings import PROJECT_ROOT

# Writing ------------------------------------------------------------------------------------


def _write(ctx: Context, series: Iterable[Series]) -> int:
    """Replace this importer's indicators (cascading to their values) with the given series."""
    series = list(series)
    codes = [s.spec.code for s in series]
    bad = [s.spec.code for s in series if s.spec.polarity not in POLARITIES]
    if bad:
        raise ImportFailed(f"unknown polarity for {bad}")
    conn = ctx.conn
    conn.execute(statement("statistics_delete_indicators"), (codes,))
    with conn.cursor() as cur:
        cur.executemany(
            statement("statistics_insert_indicator"),
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
    extra_files=(INDICATORS_PATH.relative_to(PROJECT_ROOT),),
    depends=("boundaries",),
)
