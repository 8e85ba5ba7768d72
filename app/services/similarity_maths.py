"""Pure similarity maths: z-scores, weighted distances, nearest LAs, ranks and DfE overlap."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from app.errors import InvalidInput
from app.services.similarity_shapes import (
    BoolArray,
    Contribution,
    FloatArray,
    IndicatorSimilarity,
    LocalAuthority,
    Matrix,
    PartnershipCounts,
    SimilarArea,
)

MIN_K = 1
MAX_K = 50
DEFAULT_K = 10

# Pure computation ---------------------------------------------------------------------------


def standardise(values: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Column z-scores over the rows that have a value; NaN stays NaN.

    Returns (z, mean, sd). A column with no spread (or a single value) standardises to 0, so it
    cannot move a distance; a column with no values has NaN mean and sd.
    """
    present = ~np.isnan(values)
    counts = present.sum(axis=0)
    filled = np.where(present, values, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(counts > 0, filled.sum(axis=0) / counts, np.nan)
        deviation = np.where(present, values - mean, 0.0)
        sd = np.where(counts > 0, np.sqrt((deviation**2).sum(axis=0) / counts), np.nan)
        scale = np.where(sd > 0, sd, 1.0)
        z = np.where(present, (values - mean) / scale, np.nan)
    return z.astype(np.float64), mean.astype(np.float64), sd.astype(np.float64)


def weighted_distances(
    z: FloatArray, target: int, weights: Sequence[float]
) -> tuple[FloatArray, FloatArray, BoolArray]:
    """Distances from row ``target`` to every row, with each column's share of the distance.

    ``weights`` are relative (scaled to sum to 1 here). A column missing in either row is left out
    of that pair and the remaining weights are scaled back up, so d(a, b) == d(b, a). Returns
    (distance per row, NaN where the pair shares no weighted column; share of the squared
    distance per row and column, NaN where not shared; shared mask).
    """
    w = np.asarray(weights, dtype=np.float64)
    w = w / w.sum()
    difference = z - z[target]
    shared = ~np.isnan(difference)
    squared = np.where(shared, difference * difference, 0.0) * w
    shared_weight = (shared * w).sum(axis=1)
    total = squared.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        distance = np.where(shared_weight > 0, np.sqrt(total / shared_weight), np.nan)
        share = np.where(
            shared, np.where(total[:, None] > 0, squared / total[:, None], 0.0), np.nan
        )
    return distance.astype(np.float64), share.astype(np.float64), shared


def nearest(
    matrix: Matrix,
    code: str,
    indicators: Sequence[str] | None = None,
    weights: Sequence[float] | None = None,
    k: int = DEFAULT_K,
    same_region: bool = False,
) -> IndicatorSimilarity:
    """The ``k`` LAs nearest ``code`` by the chosen indicators (default set when none given)."""
    area = matrix.la(code)
    chosen, given_weights, is_default = check_choice(matrix, indicators, weights)
    check_k(k)
    columns = [matrix.column[c] for c in chosen]
    z = matrix.z[:, columns]
    target = matrix.row[code]
    positive = [i for i, w in enumerate(given_weights) if w > 0]
    area_missing = tuple(chosen[i] for i in range(len(chosen)) if math.isnan(z[target, i]))
    if all(math.isnan(z[target, i]) for i in positive):
        raise InvalidInput(
            f"{area.name} has no value for any of the chosen indicators"
            f" ({', '.join(chosen[i] for i in positive)}); choose others."
        )
    distance, share, shared = weighted_distances(z, target, given_weights)
    weighted_shared: BoolArray = np.asarray(shared[:, positive].any(axis=1), dtype=np.bool_)

    candidates: list[int] = []
    excluded: list[LocalAuthority] = []
    for i, la in enumerate(matrix.las):
        if i == target or (same_region and la.region_code != area.region_code):
            continue
        if not weighted_shared[i] or math.isnan(distance[i]):
            excluded.append(la)
            continue
        candidates.append(i)
    # Rounded so that floating-point noise cannot decide a tie; the LA code does.
    candidates.sort(key=lambda i: (round(float(distance[i]), 12), matrix.las[i].code))

    neighbours = []
    raw = matrix.values[:, columns]
    for rank, i in enumerate(candidates[:k], start=1):
        contributions = tuple(
            Contribution(
                indicator=chosen[j],
                area_value=_float_or_none(raw[target, j]),
                value=_float_or_none(raw[i, j]),
                z_difference=_float_or_none(z[i, j] - z[target, j]),
                share=_float_or_none(share[i, j]),
            )
            for j in range(len(chosen))
        )
        la = matrix.las[i]
        neighbours.append(
            SimilarArea(
                rank=rank,
                area=la,
                distance=float(distance[i]),
                contributions=contributions,
                missing=tuple(chosen[j] for j in range(len(chosen)) if math.isnan(raw[i, j])),
                counts=PartnershipCounts(),
            )
        )
    total = float(sum(given_weights))
    return IndicatorSimilarity(
        area=area,
        indicators=tuple(matrix.indicator(c) for c in chosen),
        weights=tuple(given_weights),
        normalised_weights=tuple(w / total for w in given_weights),
        means=tuple(float(matrix.mean[c]) for c in columns),
        sds=tuple(float(matrix.sd[c]) for c in columns),
        las_with_value=tuple(matrix.las_with_value(c) for c in chosen),
        k=k,
        same_region=same_region,
        is_default=is_default,
        neighbours=tuple(neighbours),
        area_missing=area_missing,
        excluded=tuple(excluded),
        candidates=len(candidates),
        total_las=len(matrix.las),
    )


def check_k(k: int) -> None:
    """Refuse a number of neighbours outside 1-50."""
    if not MIN_K <= k <= MAX_K:
        raise InvalidInput(
            f"k must be between {MIN_K} and {MAX_K} (got {k}).",
            [{"field": "k", "message": f"between {MIN_K} and {MAX_K}"}],
        )


def check_choice(
    matrix: Matrix, indicators: Sequence[str] | None, weights: Sequence[float] | None
) -> tuple[tuple[str, ...], tuple[float, ...], bool]:
    """Validate chosen indicators and weights; default set and equal weights when not given."""
    is_default = not indicators
    chosen = tuple(indicators) if indicators else matrix.default_indicators
    if not chosen:
        raise InvalidInput("No indicators chosen and no default similarity set is defined.")
    unknown = [c for c in chosen if c not in matrix.column]
    if unknown:
        raise InvalidInput(
            f"Unknown indicator(s): {', '.join(unknown)}. See /api/v1/indicators for the codes.",
            [{"field": "indicators", "message": f"unknown: {c}"} for c in unknown],
        )
    repeated = sorted({c for c in chosen if chosen.count(c) > 1})
    if repeated:
        raise InvalidInput(
            f"Indicator(s) chosen more than once: {', '.join(repeated)}.",
            [{"field": "indicators", "message": f"repeated: {c}"} for c in repeated],
        )
    if weights is None or len(weights) == 0:
        given = tuple(1.0 for _ in chosen)
    else:
        if len(weights) != len(chosen):
            raise InvalidInput(
                f"{len(weights)} weight(s) given for {len(chosen)} indicator(s): give one weight"
                " per indicator, in the same order, or none.",
                [{"field": "weights", "message": "one per indicator"}],
            )
        bad = [w for w in weights if not math.isfinite(w) or w < 0]
        if bad:
            raise InvalidInput(
                "Weights must be finite numbers of zero or more.",
                [{"field": "weights", "message": f"not allowed: {w}"} for w in bad],
            )
        given = tuple(float(w) for w in weights)
        if sum(given) <= 0:
            raise InvalidInput(
                "At least one weight must be above zero.",
                [{"field": "weights", "message": "all zero"}],
            )
    return chosen, given, is_default


def dfe_overlap(
    matrix: Matrix,
    dfe: Mapping[str, Sequence[str]],
    indicators: Sequence[str] | None = None,
    weights: Sequence[float] | None = None,
) -> float:
    """Mean share of each LA's DfE neighbours found among its 10 nearest by indicators."""
    overlaps = []
    for code, published in dfe.items():
        if code not in matrix.row or not published:
            continue
        found = nearest(matrix, code, indicators, weights, k=len(published))
        ours = {n.area.code for n in found.neighbours}
        overlaps.append(len(ours & set(published)) / len(published))
    return float(np.mean(overlaps)) if overlaps else 0.0


def rank_values(values: Mapping[str, float], polarity: str) -> dict[str, int]:
    """Competition ranks ('1224'): 1 is best by polarity (highest when neutral)."""
    ascending = polarity == "lower_is_better"
    ordered = sorted(values.values(), reverse=not ascending)
    ranks: dict[str, int] = {}
    for code, value in values.items():
        # 1 + how many are strictly better; ties share the better rank.
        better = sum(1 for v in ordered if (v < value if ascending else v > value))
        ranks[code] = better + 1
    return ranks


def quartile(rank: int, ranked: int) -> int:
    """Quartile band 1-4 of a rank among ``ranked`` (1 = the best quarter)."""
    if ranked <= 0:
        raise ValueError("nothing ranked")
    return min(4, 1 + (4 * (rank - 1)) // ranked)


def _float_or_none(value: Any) -> float | None:
    number = float(value)
    return None if math.isnan(number) else number
