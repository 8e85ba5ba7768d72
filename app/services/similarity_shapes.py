"""Response shapes of the similar-LA services: the matrix, neighbours, benchmark rows (as_json)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

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
DFE_SOURCE = "DfE children's services statistical neighbours"

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


def _round(value: float | None, digits: int = 6) -> float | None:
    return None if value is None or math.isnan(value) else round(value, digits)
