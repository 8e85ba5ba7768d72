"""Pure pieces of the statistics importer: indicator rows, series, published values and periods."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from app.text import paragraphs

COVERAGE_THRESHOLD = 0.9

# Cell texts that mean "no value" in DfE/ONS tables (suppressed, not applicable, not available).
SUPPRESSION_MARKS = frozenset(
    {"", "-", "c", "x", "z", "u", "..", ".", ":", "~", "low", "n/a", "na", "nan", "supp"}
)
DICTIONARY_POLARITY = {"high": "higher_is_better", "low": "lower_is_better"}


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


def label_from_title(title: object) -> str:
    """A LAIT chart title without its trailing unit: '... meals (%)' -> '... meals'."""
    return re.sub(r"\s*\((%|num|number|rate)\)\s*$", "", paragraphs(title), flags=re.I)


def excel_date(serial: object) -> dt.date | None:
    """An Excel day serial ('45809') as a date; None when it is not one."""
    try:
        days = float(str(serial).strip())
    except ValueError:
        return None
    if not 20000 < days < 80000:
        return None
    return dt.date(1899, 12, 30) + dt.timedelta(days=int(days))
