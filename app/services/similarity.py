"""Similar local authorities: DfE statistical neighbours and a tunable indicator similarity.

Two ways to find an LA's comparators:

* **DfE statistical neighbours** (May 2025): each LA's ten ranked neighbours with a closeness
  band, as published; with a LAIT-style benchmark (neighbour average, region, England, national
  rank and quartile per indicator).
* **Indicator similarity**: the user picks indicators and optional weights. Each indicator is
  standardised across the 153 LAs (z-score: value minus the mean of the LAs that have a value,
  over their standard deviation). The distance between two LAs is the weighted Euclidean
  distance of their z-scores, with weights scaled to sum to 1, so it reads as a root mean square
  difference in standard deviations. When either LA lacks an indicator it is left out of that
  pair's distance and the remaining weights are scaled back up to 1 (an available-case
  distance), which keeps the distance symmetric; every omission is reported.

These are the service functions (resolving LAs, DfE neighbours, the indicator similarity, the
benchmark, the indicator list, partnership counts). The maths is in ``similarity_maths``, the
cached matrix in ``similarity_data``, the response shapes in ``similarity_shapes`` and the gap
analysis in ``gaps``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
from sqlalchemy.ext.asyncio import AsyncSession

from app.codes import ENGLAND, GSS_CODE
from app.errors import InvalidInput, NotFound
from app.queries import similarity as similarity_q
from app.queries.vocab import load_vocabulary
from app.services.similarity_data import MAX_MATRICES, OVERLAPS, database_key, load_matrix
from app.services.similarity_maths import (
    DEFAULT_K,
    check_k,
    dfe_overlap,
    nearest,
    quartile,
    rank_values,
)
from app.services.similarity_shapes import (
    DFE_SOURCE,
    LEVEL_NAMES,
    Benchmark,
    BenchmarkRow,
    DfeNeighbour,
    DfeNeighbours,
    IndicatorSimilarity,
    LocalAuthority,
    Matrix,
    PartnershipCounts,
    ServedPartnership,
)


async def resolve_la(session: AsyncSession, matrix: Matrix, code: str) -> LocalAuthority:
    """The upper-tier LA with this code; NotFound or InvalidInput saying why it cannot be used."""
    return (await resolve_las(session, matrix, [code]))[0]


async def resolve_las(
    session: AsyncSession, matrix: Matrix, codes: Sequence[str]
) -> list[LocalAuthority]:
    """The upper-tier LAs with these codes, in order; errors name every code that is not one."""
    cleaned = [c.strip().upper() for c in codes]
    malformed = [c for c in cleaned if not GSS_CODE.match(c)]
    if malformed:
        raise InvalidInput(
            f"Not a GSS area code: {', '.join(repr(c) for c in malformed)}"
            " (expected E and eight digits, such as E08000012).",
            [{"field": "code", "message": f"malformed: {c}"} for c in malformed],
        )
    others = [c for c in cleaned if c not in matrix.row]
    if others:
        known = {r.code: r for r in await similarity_q.areas_by_code(session, others)}
        unknown = [c for c in others if c not in known]
        if unknown:
            raise NotFound(
                f"No area with code {', '.join(unknown)}.",
                [{"field": "code", "message": f"unknown: {c}"} for c in unknown],
            )
        reasons = []
        for c in others:
            r = known[c]
            reason = f"{c} ({r.name}) is {LEVEL_NAMES.get(r.level, r.level)}"
            if r.level == "district" and r.parent_code:
                reason += f"; its county is {r.parent_code} ({r.parent_name})"
            reasons.append(reason)
        raise InvalidInput(
            "Only upper-tier local authorities (counties and unitaries) can be compared: "
            + "; ".join(reasons)
            + ".",
            [{"field": "code", "message": reason} for reason in reasons],
        )
    return [matrix.la(c) for c in cleaned]


async def served_partnerships(
    session: AsyncSession, codes: Sequence[str]
) -> dict[str, list[ServedPartnership]]:
    """The current partnerships serving each LA (local first, then national, by name)."""
    served: dict[str, list[ServedPartnership]] = {c: [] for c in codes}
    if not codes:
        return served
    for r in await similarity_q.serving_partnerships(session, codes):
        served.setdefault(r.la_code, []).append(
            ServedPartnership(
                id=r.id,
                slug=r.slug,
                name=r.name,
                kind=r.kind,
                kind_label=r.kind_label,
                is_national=bool(r.is_national),
                status=r.status,
                themes=tuple(r.themes or ()),
                currency=r.currency,
            )
        )
    return served


def count_partnerships(partnerships: Iterable[ServedPartnership]) -> PartnershipCounts:
    """Local and national counts of a list of partnerships."""
    items = list(partnerships)
    national = sum(1 for p in items if p.is_national)
    return PartnershipCounts(local=len(items) - national, national=national)


async def partnership_counts(
    session: AsyncSession, codes: Sequence[str]
) -> dict[str, PartnershipCounts]:
    """Current partnerships serving each LA, local and national apart."""
    served = await served_partnerships(session, codes)
    return {code: count_partnerships(served.get(code, [])) for code in codes}


async def dfe_neighbour_codes(
    session: AsyncSession, codes: Sequence[str] | None = None
) -> dict[str, list[str]]:
    """Each LA's DfE neighbours' codes in rank order (every LA when ``codes`` is None)."""
    result: dict[str, list[str]] = {}
    for r in await similarity_q.neighbour_links(session, codes):
        result.setdefault(r.area_code, []).append(r.neighbour_code)
    return result


# Services -----------------------------------------------------------------------------------


async def dfe_neighbours(
    session: AsyncSession,
    code: str,
    k: int = DEFAULT_K,
    same_region: bool = False,
    matrix: Matrix | None = None,
) -> DfeNeighbours:
    """An LA's DfE statistical neighbours (the first ``k``, optionally in its region only)."""
    check_k(k)
    matrix = matrix or await load_matrix(session)
    area = await resolve_la(session, matrix, code)
    rows = await similarity_q.neighbour_links(session, [area.code])
    picked = [
        r
        for r in rows
        if r.neighbour_code in matrix.row
        and (not same_region or matrix.la(r.neighbour_code).region_code == area.region_code)
    ][:k]
    counts = await partnership_counts(session, [area.code, *(r.neighbour_code for r in picked)])
    return DfeNeighbours(
        area=area,
        counts=counts[area.code],
        neighbours=tuple(
            DfeNeighbour(
                rank=int(r.rank),
                area=matrix.la(r.neighbour_code),
                closeness=r.closeness,
                counts=counts[r.neighbour_code],
            )
            for r in picked
        ),
        source=rows[0].dataset_source if rows else DFE_SOURCE,
        vintage=rows[0].dataset_vintage if rows else "",
        same_region=same_region,
    )


async def similar_by_indicators(
    session: AsyncSession,
    code: str,
    indicators: Sequence[str] | None = None,
    weights: Sequence[float] | None = None,
    k: int = DEFAULT_K,
    same_region: bool = False,
    matrix: Matrix | None = None,
) -> IndicatorSimilarity:
    """The ``k`` LAs most similar to ``code`` by the chosen, weighted indicators."""
    matrix = matrix or await load_matrix(session)
    area = await resolve_la(session, matrix, code)
    result = nearest(matrix, area.code, indicators, weights, k, same_region)
    counts = await partnership_counts(session, [n.area.code for n in result.neighbours])
    return replace(
        result,
        neighbours=tuple(replace(n, counts=counts[n.area.code]) for n in result.neighbours),
    )


async def benchmark(session: AsyncSession, code: str, matrix: Matrix | None = None) -> Benchmark:
    """Every indicator for an LA beside its DfE neighbours' mean, its region and England."""
    matrix = matrix or await load_matrix(session)
    area = await resolve_la(session, matrix, code)
    neighbours = (await dfe_neighbour_codes(session, [area.code])).get(area.code, [])
    neighbours = [n for n in neighbours if n in matrix.row]
    aggregates = [c for c in (area.region_code, ENGLAND) if c]
    context: dict[tuple[str, str], float] = {
        (r.area_code, r.indicator_code): float(r.value)
        for r in await similarity_q.indicator_values(session, aggregates)
    }
    rows = []
    for ind in matrix.indicators:
        j = matrix.column[ind.code]
        column = matrix.values[:, j]
        present = {
            la.code: float(column[i])
            for i, la in enumerate(matrix.las)
            if not math.isnan(column[i])
        }
        ranks = rank_values(present, ind.polarity)
        rank = ranks.get(area.code)
        neighbour_values = [present[n] for n in neighbours if n in present]
        rows.append(
            BenchmarkRow(
                indicator=ind,
                value=present.get(area.code),
                neighbour_average=(float(np.mean(neighbour_values)) if neighbour_values else None),
                neighbours_with_value=len(neighbour_values),
                region=context.get((area.region_code, ind.code)) if area.region_code else None,
                england=context.get((ENGLAND, ind.code)),
                rank=rank,
                ranked=len(present),
                quartile=quartile(rank, len(present)) if rank is not None else None,
            )
        )
    return Benchmark(area=area, neighbours=tuple(neighbours), rows=tuple(rows))


async def indicator_list(session: AsyncSession) -> list[dict[str, Any]]:
    """Every indicator with its metadata and how many LAs have a value (for the API)."""
    matrix = await load_matrix(session)
    return [
        {**ind.as_json(), "las_with_value": matrix.las_with_value(ind.code)}
        for ind in matrix.indicators
    ]


async def default_overlap(session: AsyncSession, matrix: Matrix | None = None) -> float:
    """How well the default indicator set reproduces DfE's published neighbours (0-1, cached).

    The mean, over every LA, of the share of its DfE neighbours that are among its nearest LAs
    (as many as DfE lists) by the default indicators.
    """
    matrix = matrix or await load_matrix(session)
    key = (database_key(session), matrix.version)
    if key not in OVERLAPS:
        OVERLAPS[key] = dfe_overlap(matrix, await dfe_neighbour_codes(session))
        while len(OVERLAPS) > MAX_MATRICES:
            OVERLAPS.pop(next(iter(OVERLAPS)))
    return OVERLAPS[key]


async def vocabulary(session: AsyncSession) -> dict[str, dict[str, str]]:
    """Theme labels by code in label order; kind labels by code, local kinds first."""
    known = await load_vocabulary(session)
    return {"theme": known.theme_labels, "kind": known.kind_labels}
