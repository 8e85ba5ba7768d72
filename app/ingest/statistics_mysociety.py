"""mySociety population, density and rurality per LA as indicator series, summed up to regions/England.

What each indicator is (label, description, unit, polarity, source) is in the catalogue,
``geodata/indicators.json``; how its values are read and summed is here.
"""

from __future__ import annotations

import pandas as pd

from app.codes import ENGLAND
from app.ingest.base import Context, ImportFailed
from app.ingest.statistics_areas import Areas
from app.ingest.statistics_catalogue import MYSOCIETY_INDICATORS
from app.ingest.statistics_parsing import Series, parse_value

LA_FILE = "mysociety/uk_local_authorities_future.csv"
RUC_FILE = "mysociety/la_ruc.csv"


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

    specs = [
        (MYSOCIETY_INDICATORS["population"], population, pop_agg),
        (MYSOCIETY_INDICATORS["population_density"], density, density_agg),
        (MYSOCIETY_INDICATORS["rural_population_pct"], rural, rural_agg),
    ]
    result = []
    for spec, by_la, by_aggregate in specs:
        values = {(code, spec.period): v for code, v in {**by_la, **by_aggregate}.items()}
        result.append(Series(spec, values))
    return result
