"""Similar local authorities: DfE statistical neighbours, a tunable similarity, gap analysis.

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

Gap analysis then asks what an LA's comparators have, by partnership theme and kind, that the
LA itself lacks. The standardised matrix is built from one query and cached per data version.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from app import queries
from app.codes import ENGLAND, GSS_CODE
from app.errors import InvalidInput, NotFound
from app.queries.vocab import load_vocabulary
from app.services.currency import is_complete, network_phrase
from app.services.versions import data_version

MIN_K = 1
MAX_K = 50
DEFAULT_K = 10
CLOSENESS_LABELS = {
    "extremely_close": "Extremely close",
    "very_close": "Very close",
    "close": "Close",
    "somewhat_close": "Somewhat close",
    "not_close": "Not close",
}
LEVEL_NAMES = {
    "country": "the country",
    "region": "a region",
    "combined_authority": "a combined authority",
    "local_authority": "an upper-tier local authority",
    "district": "a district",
}
DFE_SOURCE = "DfE children's services statistical neighbours"
METHOD_SUMMARY = (
    "Each indicator is standardised across England's 153 upper-tier local authorities (z-score:"
    " the value minus the mean of the LAs that have one, divided by their standard deviation)."
    " The distance between two LAs is the weighted Euclidean distance between their z-scores,"
    " with the weights scaled to sum to 1, so a distance of 1 means the LAs differ by one"
    " standard deviation on a typical chosen indicator. An indicator missing for either LA is"
    " left out of that pair's distance and the other weights are scaled back up; such gaps are"
    " listed. Ties are broken by LA code, so results are repeatable. Each indicator's"
    " contribution is its share of the squared distance."
)

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


# Data ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorInfo:
    """An indicator's metadata: what it measures, its unit, polarity, source and period."""

    code: str
    label: str
    description: str
    unit: str
    polarity: str
    topic: str
    source: str
    period: str
    in_default_similarity: bool

    def as_json(self) -> dict[str, Any]:
        """The metadata as a JSON object."""
        return {
            "code": self.code,
            "label": self.label,
            "description": self.description,
            "unit": self.unit,
            "polarity": self.polarity,
            "topic": self.topic,
            "source": self.source,
            "period": self.period,
            "in_default_similarity": self.in_default_similarity,
        }


@dataclass(frozen=True)
class LocalAuthority:
    """An upper-tier local authority (county or unitary) with its region."""

    code: str
    name: str
    la_number: int | None
    region_code: str | None
    region_name: str | None

    def as_json(self) -> dict[str, Any]:
        """Code, name and region as a JSON object."""
        return {
            "code": self.code,
            "name": self.name,
            "la_number": self.la_number,
            "region": {"code": self.region_code, "name": self.region_name},
        }


@dataclass(frozen=True, eq=False)
class Matrix:
    """Every LA's value of every indicator, raw and standardised, for one data version."""

    version: int
    las: tuple[LocalAuthority, ...]
    indicators: tuple[IndicatorInfo, ...]
    values: FloatArray  # (LAs, indicators), NaN where the LA has no value
    z: FloatArray
    mean: FloatArray
    sd: FloatArray
    row: Mapping[str, int] = field(repr=False)
    column: Mapping[str, int] = field(repr=False)

    def la(self, code: str) -> LocalAuthority:
        """The LA with this code (KeyError when it is not one)."""
        return self.las[self.row[code]]

    def indicator(self, code: str) -> IndicatorInfo:
        """The indicator with this code (KeyError when unknown)."""
        return self.indicators[self.column[code]]

    def value(self, la_code: str, indicator_code: str) -> float | None:
        """One LA's value of one indicator, or None."""
        value = float(self.values[self.row[la_code], self.column[indicator_code]])
        return None if math.isnan(value) else value

    @property
    def default_indicators(self) -> tuple[str, ...]:
        """The indicators marked for the default similarity set."""
        return tuple(i.code for i in self.indicators if i.in_default_similarity)

    def las_with_value(self, indicator_code: str) -> int:
        """How many LAs have a value of the indicator."""
        return int(np.count_nonzero(~np.isnan(self.values[:, self.column[indicator_code]])))


@dataclass(frozen=True)
class PartnershipCounts:
    """Current partnerships serving an area: local ones and national programmes, counted apart."""

    local: int = 0
    national: int = 0

    @property
    def total(self) -> int:
        """Local and national together."""
        return self.local + self.national

    def as_json(self) -> dict[str, int]:
        """The counts as a JSON object."""
        return {"local": self.local, "national": self.national, "total": self.total}


@dataclass(frozen=True)
class ServedPartnership:
    """A current partnership that serves an LA (directly or through one of its districts)."""

    id: int
    slug: str
    name: str
    kind: str
    kind_label: str
    is_national: bool
    status: str
    themes: tuple[str, ...]
    currency: str = "current"

    def as_json(self) -> dict[str, Any]:
        """The partnership as a JSON object, with its page's path."""
        return {
            "slug": self.slug,
            "name": self.name,
            "kind": self.kind,
            "kind_label": self.kind_label,
            "is_national": self.is_national,
            "status": self.status,
            "currency": self.currency,
            "themes": list(self.themes),
            "url": f"/partnerships/{self.slug}",
        }


@dataclass(frozen=True)
class DfeNeighbour:
    """One of an LA's DfE statistical neighbours."""

    rank: int
    area: LocalAuthority
    closeness: str
    counts: PartnershipCounts

    @property
    def closeness_label(self) -> str:
        """'Very close' for 'very_close'."""
        return CLOSENESS_LABELS.get(self.closeness, self.closeness.replace("_", " ").capitalize())


@dataclass(frozen=True)
class DfeNeighbours:
    """An LA's DfE statistical neighbours in rank order, with partnership counts."""

    area: LocalAuthority
    counts: PartnershipCounts
    neighbours: tuple[DfeNeighbour, ...]
    source: str
    vintage: str
    same_region: bool = False

    @property
    def average_counts(self) -> tuple[float, float, float] | None:
        """Mean local, national and total partnership counts over the neighbours."""
        if not self.neighbours:
            return None
        n = len(self.neighbours)
        local = sum(x.counts.local for x in self.neighbours) / n
        national = sum(x.counts.national for x in self.neighbours) / n
        return local, national, local + national

    @property
    def compare_codes(self) -> tuple[str, ...]:
        """The LA and its five closest neighbours: the most the compare page takes."""
        return (self.area.code, *(n.area.code for n in self.neighbours[:5]))

    def as_json(self) -> dict[str, Any]:
        """The API answer for ``method=dfe``."""
        return {
            "area": {"code": self.area.code, "name": self.area.name},
            "method": "dfe",
            "source": f"{self.source} ({self.vintage})" if self.vintage else self.source,
            "same_region": self.same_region,
            "partnership_counts": self.counts.as_json(),
            "neighbours": [
                {
                    "code": n.area.code,
                    "name": n.area.name,
                    "rank": n.rank,
                    "closeness": n.closeness,
                    "closeness_label": n.closeness_label,
                    "region": n.area.region_name,
                    "partnership_count": n.counts.total,
                    "partnership_counts": n.counts.as_json(),
                }
                for n in self.neighbours
            ],
        }


@dataclass(frozen=True)
class Contribution:
    """How much one indicator adds to the distance between an LA and a similar LA."""

    indicator: str
    area_value: float | None
    value: float | None
    z_difference: float | None
    share: float | None  # of the squared distance; None when either LA lacks the indicator

    def as_json(self) -> dict[str, Any]:
        """The contribution as a JSON object."""
        return {
            "indicator": self.indicator,
            "area_value": self.area_value,
            "value": self.value,
            "z_difference": _round(self.z_difference),
            "share": _round(self.share),
        }


@dataclass(frozen=True)
class SimilarArea:
    """An LA found similar by indicators: its rank, distance and why."""

    rank: int
    area: LocalAuthority
    distance: float
    contributions: tuple[Contribution, ...]
    missing: tuple[str, ...]
    counts: PartnershipCounts

    @property
    def most_different(self) -> Contribution | None:
        """The indicator adding most to the distance."""
        known = [c for c in self.contributions if c.share is not None]
        return max(known, key=lambda c: (c.share or 0.0, c.indicator), default=None)


@dataclass(frozen=True)
class IndicatorSimilarity:
    """The k LAs nearest an LA by the chosen indicators, and how the answer was reached."""

    area: LocalAuthority
    indicators: tuple[IndicatorInfo, ...]
    weights: tuple[float, ...]  # as given (relative)
    normalised_weights: tuple[float, ...]
    means: tuple[float, ...]
    sds: tuple[float, ...]
    las_with_value: tuple[int, ...]
    k: int
    same_region: bool
    is_default: bool
    neighbours: tuple[SimilarArea, ...]
    area_missing: tuple[str, ...]
    excluded: tuple[LocalAuthority, ...]
    candidates: int
    total_las: int

    @property
    def compare_codes(self) -> tuple[str, ...]:
        """The LA and its five nearest: the most the compare page takes."""
        return (self.area.code, *(n.area.code for n in self.neighbours[:5]))

    def as_json(self) -> dict[str, Any]:
        """The API answer for ``method=indicators``."""
        return {
            "area": {"code": self.area.code, "name": self.area.name},
            "method": "indicators",
            "k": self.k,
            "same_region": self.same_region,
            "default_indicators": self.is_default,
            "method_note": METHOD_SUMMARY,
            "indicators_used": [
                {
                    "code": ind.code,
                    "label": ind.label,
                    "unit": ind.unit,
                    "source": ind.source,
                    "period": ind.period,
                    "weight": weight,
                    "normalised_weight": _round(norm),
                    "mean": _round(mean),
                    "sd": _round(sd),
                    "las_with_value": n,
                }
                for ind, weight, norm, mean, sd, n in zip(
                    self.indicators,
                    self.weights,
                    self.normalised_weights,
                    self.means,
                    self.sds,
                    self.las_with_value,
                    strict=True,
                )
            ],
            "missing": {
                "area": list(self.area_missing),
                "neighbours": {n.area.code: list(n.missing) for n in self.neighbours if n.missing},
                "excluded": [la.code for la in self.excluded],
                "las_without_value": {
                    ind.code: self.total_las - n
                    for ind, n in zip(self.indicators, self.las_with_value, strict=True)
                    if n < self.total_las
                },
            },
            "candidates": self.candidates,
            "neighbours": [
                {
                    "code": n.area.code,
                    "name": n.area.name,
                    "rank": n.rank,
                    "region": n.area.region_name,
                    "distance": _round(n.distance),
                    "contributions": [c.as_json() for c in n.contributions],
                    "missing": list(n.missing),
                    "partnership_count": n.counts.total,
                    "partnership_counts": n.counts.as_json(),
                }
                for n in self.neighbours
            ],
        }


@dataclass(frozen=True)
class BenchmarkRow:
    """One indicator for an LA, LAIT style: beside its neighbours, region and England."""

    indicator: IndicatorInfo
    value: float | None
    neighbour_average: float | None
    neighbours_with_value: int
    region: float | None
    england: float | None
    rank: int | None
    ranked: int
    quartile: int | None

    @property
    def polarity_label(self) -> str:
        """'higher is better', 'lower is better', or '' when neither direction is better."""
        return {
            "higher_is_better": "higher is better",
            "lower_is_better": "lower is better",
        }.get(self.indicator.polarity, "")


@dataclass(frozen=True)
class Benchmark:
    """An LA's indicators against its DfE neighbours' average, its region and England."""

    area: LocalAuthority
    neighbours: tuple[str, ...]
    rows: tuple[BenchmarkRow, ...]


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


def _round(value: float | None, digits: int = 6) -> float | None:
    return None if value is None or math.isnan(value) else round(value, digits)


# Loading ------------------------------------------------------------------------------------

_MATRICES: OrderedDict[tuple[str, int], Matrix] = OrderedDict()
_MAX_MATRICES = 4
_OVERLAPS: dict[tuple[str, int], float] = {}


def build_matrix(
    version: int, la_rows: Iterable[RowMapping], indicator_rows: Iterable[RowMapping]
) -> Matrix:
    """The matrix from the rows of ``similar_matrix.sql`` and ``similar_indicators.sql``."""
    indicators = tuple(
        IndicatorInfo(
            code=r["code"],
            label=r["label"],
            description=r["description"] or "",
            unit=r["unit"],
            polarity=r["polarity"],
            topic=r["topic"] or "",
            source=r["source"],
            period=r["period"],
            in_default_similarity=bool(r["in_default_similarity"]),
        )
        for r in indicator_rows
    )
    column = {ind.code: j for j, ind in enumerate(indicators)}
    las: dict[str, LocalAuthority] = {}
    cells: list[tuple[str, str, float]] = []
    for r in la_rows:
        if r["code"] not in las:
            las[r["code"]] = LocalAuthority(
                code=r["code"],
                name=r["name"],
                la_number=r["la_number"],
                region_code=r["region_code"],
                region_name=r["region_name"],
            )
        if r["indicator_code"] is not None and r["value"] is not None:
            cells.append((r["code"], r["indicator_code"], float(r["value"])))
    ordered = tuple(sorted(las.values(), key=lambda la: la.code))
    row = {la.code: i for i, la in enumerate(ordered)}
    values = np.full((len(ordered), len(indicators)), np.nan, dtype=np.float64)
    for la_code, indicator_code, value in cells:
        j = column.get(indicator_code)
        if j is not None:
            values[row[la_code], j] = value
    z, mean, sd = standardise(values)
    for array in (values, z, mean, sd):
        array.setflags(write=False)
    return Matrix(version, ordered, indicators, values, z, mean, sd, row, column)


def _database_key(session: AsyncSession) -> str:
    return session.get_bind().engine.url.render_as_string(hide_password=True)


async def load_matrix(session: AsyncSession, version: int | None = None) -> Matrix:
    """The standardised LA x indicator matrix for the current data version (cached)."""
    if version is None:
        version = await data_version(session)
    key = (_database_key(session), version)
    matrix = _MATRICES.get(key)
    if matrix is not None:
        _MATRICES.move_to_end(key)
        return matrix
    la_rows = await queries.rows(session, queries.sql("similar_matrix"))
    indicator_rows = await queries.rows(session, queries.sql("similar_indicators"))
    matrix = build_matrix(version, la_rows, indicator_rows)
    _MATRICES[key] = matrix
    while len(_MATRICES) > _MAX_MATRICES:
        _MATRICES.popitem(last=False)
    return matrix


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
        known = {
            r["code"]: r
            for r in await queries.rows(session, queries.sql("similar_areas"), codes=others)
        }
        unknown = [c for c in others if c not in known]
        if unknown:
            raise NotFound(
                f"No area with code {', '.join(unknown)}.",
                [{"field": "code", "message": f"unknown: {c}"} for c in unknown],
            )
        reasons = []
        for c in others:
            r = known[c]
            reason = f"{c} ({r['name']}) is {LEVEL_NAMES.get(r['level'], r['level'])}"
            if r["level"] == "district" and r["parent_code"]:
                reason += f"; its county is {r['parent_code']} ({r['parent_name']})"
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
    for r in await queries.rows(session, queries.sql("similar_partnerships"), codes=list(codes)):
        served.setdefault(r["la_code"], []).append(
            ServedPartnership(
                id=r["id"],
                slug=r["slug"],
                name=r["name"],
                kind=r["kind"],
                kind_label=r["kind_label"],
                is_national=bool(r["is_national"]),
                status=r["status"],
                themes=tuple(r["themes"] or ()),
                currency=r["currency"],
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
    params = {"codes": list(codes) if codes is not None else None}
    for r in await queries.rows(session, queries.sql("similar_dfe"), **params):
        result.setdefault(r["area_code"], []).append(r["neighbour_code"])
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
    rows = await queries.rows(session, queries.sql("similar_dfe"), codes=[area.code])
    picked = [
        r
        for r in rows
        if r["neighbour_code"] in matrix.row
        and (not same_region or matrix.la(r["neighbour_code"]).region_code == area.region_code)
    ][:k]
    counts = await partnership_counts(session, [area.code, *(r["neighbour_code"] for r in picked)])
    return DfeNeighbours(
        area=area,
        counts=counts[area.code],
        neighbours=tuple(
            DfeNeighbour(
                rank=int(r["rank"]),
                area=matrix.la(r["neighbour_code"]),
                closeness=r["closeness"],
                counts=counts[r["neighbour_code"]],
            )
            for r in picked
        ),
        source=rows[0]["dataset_source"] if rows else DFE_SOURCE,
        vintage=rows[0]["dataset_vintage"] if rows else "",
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
        (r["area_code"], r["indicator_code"]): float(r["value"])
        for r in await queries.rows(session, queries.sql("compare_values"), codes=aggregates)
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
    key = (_database_key(session), matrix.version)
    if key not in _OVERLAPS:
        _OVERLAPS[key] = dfe_overlap(matrix, await dfe_neighbour_codes(session))
        while len(_OVERLAPS) > _MAX_MATRICES:
            _OVERLAPS.pop(next(iter(_OVERLAPS)))
    return _OVERLAPS[key]


async def vocabulary(session: AsyncSession) -> dict[str, dict[str, str]]:
    """Theme labels by code in label order; kind labels by code, local kinds first."""
    known = await load_vocabulary(session)
    return {"theme": known.theme_labels, "kind": known.kind_labels}


# Gap analysis -------------------------------------------------------------------------------
#
# A gap is a local choice (a kind of local partnership today; the council's role and forms of
# collaboration can join as more facts of the same shape) that similar areas have made and the
# area has no record of. National designations and networks (EIA, PEIA, Opportunity Area, hubs)
# are not choices a council makes: they are shown as context, with how complete our list of each
# network is, and never as something the area "lacks". Missing records are never "none".


@dataclass(frozen=True)
class GapPartnership:
    """A record serving some of the similar areas (but not the area itself), with its currency."""

    slug: str
    name: str
    kind_label: str
    is_national: bool
    serves: tuple[str, ...]  # names of the similar areas it serves
    currency: str = "current"

    @property
    def url(self) -> str:
        """The partnership's page."""
        return f"/partnerships/{self.slug}"


@dataclass(frozen=True)
class GapRow:
    """One fact (a theme, a kind, a designation): the area's own records against the similar areas'."""

    group: str  # 'theme', 'kind' (of local partnership), 'national'; later a landscape fact
    code: str
    label: str
    own: PartnershipCounts
    neighbours: PartnershipCounts  # distinct records across all the similar areas
    neighbours_with: int  # how many similar areas have at least one
    missing: tuple[GapPartnership, ...]  # the similar areas' records the area does not have
    with_names: tuple[str, ...] = ()  # the similar areas that have one
    own_states: tuple[tuple[str, int], ...] = ()  # the area's own records by currency
    network: str | None = None  # '37 of 40 Maths Hubs recorded' for a network of known size
    network_complete: bool = True

    @property
    def is_gap(self) -> bool:
        """A local choice the similar areas have made and the area has no record of."""
        return self.group != "national" and self.own.total == 0 and self.neighbours.total > 0


@dataclass(frozen=True)
class GapAnalysis:
    """What an LA's similar areas have that it has no record of: local choices, then context."""

    area: LocalAuthority
    neighbours: tuple[LocalAuthority, ...]
    basis: str
    themes: tuple[GapRow, ...]
    kinds: tuple[GapRow, ...]  # kinds of local partnership
    national: tuple[GapRow, ...] = ()  # national designations and networks, as context
    # More local choices (the council's school-improvement role, forms of collaboration), as rows
    # of the same shape with their own group; they join the gap list like the kinds do.
    other_choices: tuple[GapRow, ...] = ()

    @property
    def local_choices(self) -> tuple[GapRow, ...]:
        """Every local-choice fact: the kinds of local partnership, then any other choices."""
        return (*self.kinds, *self.other_choices)

    @property
    def gaps(self) -> tuple[GapRow, ...]:
        """Local choices similar areas have and the area has no record of, most common first.

        Only local choices count, each record once (a record has one kind), so no partnership
        appears under two gaps.
        """
        rows = [r for r in self.local_choices if r.is_gap]
        return tuple(sorted(rows, key=lambda r: (-r.neighbours_with, r.label)))

    def sentence(self, row: GapRow) -> str:
        """'4 of Stockport's 10 similar areas (Bury, …) have a Headteacher association; none is
        recorded for Stockport yet.'"""
        n = len(self.neighbours)
        names = ", ".join(row.with_names)
        a_label = f"an {row.label}" if row.label[:1].lower() in "aeiou" else f"a {row.label}"
        head = f"{row.neighbours_with} of {self.area.name}'s {_plural(n, 'similar area')}"
        if row.group == "national":
            own = (
                f"{self.area.name} has {row.own.total} recorded"
                if row.own.total
                else f"none is recorded for {self.area.name}"
            )
            context = "a national designation or network, not a local choice"
            network = ""
            if row.network:
                network = f"; {row.network}"
                if not row.network_complete:
                    network += ", so our list is incomplete"
            return f"{row.label} ({context}): {head} ({names}) have one; {own}{network}."
        if row.own.total:
            own = f"{self.area.name} has {row.own.total} recorded" + _states(row.own_states)
        else:
            own = (
                f"none is recorded for {self.area.name} yet (not recorded is not the same as none)"
            )
        what = f"a local partnership working on {row.label}" if row.group == "theme" else a_label
        return f"{head} ({names}) have {what}; {own}."

    def as_json(self) -> dict[str, Any]:
        """The analysis as JSON."""

        def row_json(r: GapRow) -> dict[str, Any]:
            return {
                "code": r.code,
                "label": r.label,
                "group": r.group,
                "own": r.own.as_json(),
                "own_by_currency": dict(r.own_states),
                "neighbours": r.neighbours.as_json(),
                "neighbours_with": r.neighbours_with,
                "neighbours_with_names": list(r.with_names),
                "is_gap": r.is_gap,
                "network": r.network,
                "network_complete": r.network_complete,
                "sentence": self.sentence(r),
                "missing": [
                    {
                        "slug": p.slug,
                        "name": p.name,
                        "url": p.url,
                        "serves": list(p.serves),
                        "currency": p.currency,
                    }
                    for p in r.missing
                ],
            }

        return {
            "area": {"code": self.area.code, "name": self.area.name},
            "basis": self.basis,
            "neighbours": [{"code": a.code, "name": a.name} for a in self.neighbours],
            "gaps": [row_json(r) for r in self.gaps],
            "themes": [row_json(r) for r in self.themes],
            "kinds": [row_json(r) for r in self.kinds],
            "other_choices": [row_json(r) for r in self.other_choices],
            "national": [row_json(r) for r in self.national],
        }


def _plural(n: int, noun: str) -> str:
    if n == 1:
        return f"1 {noun}"
    plural = noun if noun.endswith("s") else f"{noun}s"
    return f"{n} {plural}"


def _states(states: Iterable[tuple[str, int]]) -> str:
    parts = [f"{n} {state}" for state, n in states if n]
    return f" ({', '.join(parts)})" if parts else ""


@dataclass(frozen=True)
class _KindInfo:
    label: str
    is_national: bool
    network_size: int | None
    network_size_approx: bool
    recorded: int


async def _kind_info(session: AsyncSession) -> dict[str, _KindInfo]:
    known = await load_vocabulary(session)
    return {
        k.code: _KindInfo(k.label, k.is_national, k.network_size, k.network_size_approx, k.recorded)
        for k in known.kinds
    }


def _fact_rows(
    group: str,
    facts: Mapping[str, str],
    has: Callable[[ServedPartnership, str], bool],
    own: Sequence[ServedPartnership],
    neighbours: Sequence[LocalAuthority],
    served: Mapping[str, Sequence[ServedPartnership]],
) -> list[GapRow]:
    """One row per fact: the area's own records, the similar areas' records, who has one."""
    own_ids = {p.id for p in own}
    result = []
    for key, label in facts.items():
        theirs: dict[int, ServedPartnership] = {}
        serves: dict[int, list[str]] = {}
        with_names: list[str] = []
        for n in neighbours:
            matching = [p for p in served.get(n.code, []) if has(p, key)]
            if matching:
                with_names.append(n.name)
            for p in matching:
                theirs[p.id] = p
                serves.setdefault(p.id, []).append(n.name)
        mine = [p for p in own if has(p, key)]
        if not theirs and not mine:
            continue
        missing = sorted(
            (p for pid, p in theirs.items() if pid not in own_ids),
            key=lambda p: (p.currency != "current", -len(serves[p.id]), p.name),
        )
        states = tuple(
            (state, sum(p.currency == state for p in mine)) for state in ("current", "unconfirmed")
        )
        result.append(
            GapRow(
                group=group,
                code=key,
                label=label,
                own=count_partnerships(mine),
                neighbours=count_partnerships(theirs.values()),
                neighbours_with=len(with_names),
                missing=tuple(
                    GapPartnership(
                        p.slug, p.name, p.kind_label, p.is_national, tuple(serves[p.id]), p.currency
                    )
                    for p in missing
                ),
                with_names=tuple(with_names),
                own_states=states,
            )
        )
    result.sort(key=lambda r: (not r.is_gap, -r.neighbours_with, r.label))
    return result


async def gap_analysis(
    session: AsyncSession,
    code: str,
    neighbour_codes: Sequence[str] | None = None,
    matrix: Matrix | None = None,
    basis: str | None = None,
) -> GapAnalysis:
    """What the LA's similar areas have that the LA has no record of.

    The similar set is the one the reader chose (``neighbour_codes``, e.g. the tuned similarity's
    areas); DfE's statistical neighbours when none is given. Records that ended serve no area.
    """
    matrix = matrix or await load_matrix(session)
    area = await resolve_la(session, matrix, code)
    if neighbour_codes is None:
        basis = basis or "DfE statistical neighbours"
        neighbour_codes = (await dfe_neighbour_codes(session, [area.code])).get(area.code, [])
    else:
        basis = basis or "chosen comparators"
    neighbours = [
        la
        for la in await resolve_las(session, matrix, list(dict.fromkeys(neighbour_codes)))
        if la.code != area.code
    ]
    served = await served_partnerships(session, [area.code, *(n.code for n in neighbours)])
    labels = await vocabulary(session)
    kinds = await _kind_info(session)
    own = served.get(area.code, [])
    local_own = [p for p in own if not p.is_national]
    local_served = {c: [p for p in ps if not p.is_national] for c, ps in served.items()}

    def has_theme(p: ServedPartnership, key: str) -> bool:
        return key in p.themes

    def has_kind(p: ServedPartnership, key: str) -> bool:
        return p.kind == key

    local_kinds = {c: k.label for c, k in kinds.items() if not k.is_national}
    national_kinds = {c: k.label for c, k in kinds.items() if k.is_national}
    national_rows = []
    for row in _fact_rows("national", national_kinds, has_kind, own, neighbours, served):
        info = kinds[row.code]
        phrase = network_phrase(
            info.label, info.recorded, info.network_size, info.network_size_approx
        )
        complete = is_complete(info.recorded, info.network_size, info.network_size_approx)
        national_rows.append(replace(row, network=phrase, network_complete=complete))
    return GapAnalysis(
        area=area,
        neighbours=tuple(neighbours),
        basis=basis,
        themes=tuple(
            _fact_rows("theme", labels["theme"], has_theme, local_own, neighbours, local_served)
        ),
        kinds=tuple(_fact_rows("kind", local_kinds, has_kind, local_own, neighbours, local_served)),
        national=tuple(national_rows),
    )
