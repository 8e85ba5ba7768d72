"""The small horizontal bar charts of the compare page: one per indicator across the compared
LAs, with England's value marked, placed here in SVG user units so the template only draws them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.services.similarity_shapes import IndicatorInfo, LocalAuthority

# Bar chart geometry, in SVG user units (CSS pixels).
CHART_WIDTH = 320
CHART_LABEL_HEIGHT = 14
CHART_BAR_HEIGHT = 12
CHART_ROW = 34
CHART_BAR_SPACE = 230  # the value text sits to the right of the longest bar
CHART_FOOT = 22


@dataclass(frozen=True)
class Bar:
    """One bar of a chart, already placed."""

    label: str
    value: float | None
    x: float
    width: float
    y: float


@dataclass(frozen=True)
class BarChart:
    """A small horizontal bar chart of one indicator across the compared areas, England marked."""

    id: str
    title: str
    unit: str
    width: int
    height: int
    bars: tuple[Bar, ...]
    bar_height: int
    plot_bottom: int  # where the bars end and England's label begins
    zero_x: float
    reference: float | None
    reference_x: float | None

    @property
    def reference_anchor(self) -> str:
        """Which way England's label runs from its line, to stay inside the chart."""
        return "end" if (self.reference_x or 0.0) > self.width / 2 else "start"


def bar_chart(
    chart_id: str,
    indicator: IndicatorInfo,
    areas: Sequence[LocalAuthority],
    values: Sequence[float | None],
    england: float | None,
) -> BarChart:
    """Place the bars (and England's reference line) of one indicator's chart."""
    known = [v for v in values if v is not None]
    if england is not None:
        known.append(england)
    low = min([0.0, *known])
    high = max([0.0, *known])
    if high == low:
        high = low + 1.0
    scale = CHART_BAR_SPACE / (high - low)

    def x(value: float) -> float:
        return round((value - low) * scale, 2)

    zero = x(0.0)
    bars = []
    for i, (area, value) in enumerate(zip(areas, values, strict=True)):
        y = i * CHART_ROW + CHART_LABEL_HEIGHT
        if value is None:
            bars.append(Bar(area.name, None, zero, 0.0, y))
            continue
        start, end = sorted((zero, x(value)))
        bars.append(Bar(area.name, value, start, end - start, y))
    period = f" ({indicator.period})" if indicator.period else ""
    return BarChart(
        id=chart_id,
        title=f"{indicator.label}{period}",
        unit=indicator.unit,
        width=CHART_WIDTH,
        height=len(areas) * CHART_ROW + CHART_FOOT,
        bars=tuple(bars),
        bar_height=CHART_BAR_HEIGHT,
        plot_bottom=len(areas) * CHART_ROW + 4,
        zero_x=zero,
        reference=england,
        reference_x=x(england) if england is not None else None,
    )
