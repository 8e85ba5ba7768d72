"""Side-by-side comparison of 2-6 local authorities, its CSV, and choosing the areas.

A comparison lays the chosen LAs' indicators beside their regions' and England's values (each
with its source and period), places a small bar chart per indicator (``compare_chart``), and
counts the current partnerships serving each LA by theme (local partnerships and national
programmes apart).
"""

from __future__ import annotations

import csv
import difflib
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.codes import ENGLAND, RECODED_2025
from app.csvsafe import safe_cell
from app.errors import InvalidInput
from app.queries import similarity as similarity_q
from app.services.compare_chart import BarChart, bar_chart
from app.services.similarity import (
    count_partnerships,
    dfe_neighbour_codes,
    resolve_las,
    served_partnerships,
    vocabulary,
)
from app.services.similarity_data import load_matrix
from app.services.similarity_shapes import (
    IndicatorInfo,
    LocalAuthority,
    Matrix,
    PartnershipCounts,
    ServedPartnership,
)

MIN_AREAS = 2
MAX_AREAS = 6
MAX_SEARCH_MATCHES = 8

# Parsing ------------------------------------------------------------------------------------


def parse_codes(values: Iterable[str | None]) -> list[str]:
    """Area codes from query values ('a,b' or repeated), upper-cased, in order, without repeats;
    a 2025 code (Barnsley, Sheffield) becomes the code the boundaries hold."""
    codes: list[str] = []
    for value in values:
        for part in (value or "").split(","):
            code = part.strip().upper()
            code = RECODED_2025.get(code, code)
            if code and code not in codes:
                codes.append(code)
    return codes


def check_count(codes: Sequence[str]) -> None:
    """Refuse fewer than 2 or more than 6 areas."""
    if not MIN_AREAS <= len(codes) <= MAX_AREAS:
        raise InvalidInput(
            f"Choose between {MIN_AREAS} and {MAX_AREAS} local authorities to compare"
            f" (got {len(codes)}).",
            [{"field": "areas", "message": f"{MIN_AREAS} to {MAX_AREAS} area codes"}],
        )


def compare_path(codes: Sequence[str], suffix: str = "") -> str:
    """The permalink of a comparison: ``/compare?areas=E08000012,E08000003``."""
    return f"/compare{suffix}?areas={','.join(codes)}"


# Comparison ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ComparedIndicator:
    """One indicator across the compared LAs, their regions and England."""

    indicator: IndicatorInfo
    areas: tuple[float | None, ...]
    regions: tuple[float | None, ...]
    england: float | None
    chart: BarChart


@dataclass(frozen=True)
class Region:
    """A region (or England) shown beside the compared LAs."""

    code: str
    name: str


@dataclass(frozen=True)
class GroupCount:
    """Current partnerships with one theme (or of one kind) serving each compared LA."""

    code: str
    label: str
    counts: tuple[PartnershipCounts, ...]


@dataclass(frozen=True)
class Comparison:
    """Two to six LAs side by side: indicators, partnership counts and partnerships."""

    areas: tuple[LocalAuthority, ...]
    regions: tuple[Region, ...]
    indicators: tuple[ComparedIndicator, ...]
    totals: tuple[PartnershipCounts, ...]
    themes: tuple[GroupCount, ...]
    partnerships: tuple[tuple[ServedPartnership, ...], ...]
    theme_labels: Mapping[str, str]
    suggestions: tuple[LocalAuthority, ...]
    version: int

    @property
    def codes(self) -> tuple[str, ...]:
        """The compared LAs' codes, in the order chosen."""
        return tuple(a.code for a in self.areas)

    @property
    def path(self) -> str:
        """This comparison's permalink."""
        return compare_path(self.codes)

    @property
    def csv_path(self) -> str:
        """The CSV download of the indicator table."""
        return compare_path(self.codes, ".csv")

    def without(self, code: str) -> str:
        """The permalink with one LA removed (the chooser when fewer than two remain)."""
        rest = [c for c in self.codes if c != code]
        return compare_path(rest) if rest else "/compare"

    def with_area(self, code: str) -> str:
        """The permalink with one more LA."""
        return compare_path([*self.codes, code])

    @property
    def can_add(self) -> bool:
        """Whether another LA may be added."""
        return len(self.areas) < MAX_AREAS

    def as_json(self) -> dict[str, Any]:
        """The API answer of ``/api/v1/compare``."""
        return {
            "areas": [a.as_json() for a in self.areas],
            "regions": [{"code": r.code, "name": r.name} for r in self.regions],
            "england": {"code": ENGLAND, "name": "England"},
            "indicators": [
                {
                    **row.indicator.as_json(),
                    "values": dict(zip(self.codes, row.areas, strict=True)),
                    "regions": {r.code: v for r, v in zip(self.regions, row.regions, strict=True)},
                    "england": row.england,
                }
                for row in self.indicators
            ],
            "partnership_counts": {
                a.code: {
                    **total.as_json(),
                    "by_theme": {
                        g.code: g.counts[i].as_json() for g in self.themes if g.counts[i].total
                    },
                }
                for i, (a, total) in enumerate(zip(self.areas, self.totals, strict=True))
            },
            "partnerships": {
                a.code: [p.as_json() for p in ps]
                for a, ps in zip(self.areas, self.partnerships, strict=True)
            },
            "permalink": self.path,
            "csv": self.csv_path,
        }


async def compare(
    session: AsyncSession, codes: Sequence[str], matrix: Matrix | None = None
) -> Comparison:
    """Compare 2-6 upper-tier LAs (codes in the order given)."""
    codes = parse_codes(codes)
    check_count(codes)
    matrix = matrix or await load_matrix(session)
    areas = await resolve_las(session, matrix, codes)
    regions: list[Region] = []
    for a in areas:
        if a.region_code and a.region_code not in {r.code for r in regions}:
            regions.append(Region(a.region_code, a.region_name or a.region_code))
    aggregates = {
        (r.area_code, r.indicator_code): float(r.value)
        for r in await similarity_q.indicator_values(session, [*(r.code for r in regions), ENGLAND])
    }
    rows = []
    for ind in matrix.indicators:
        values = [matrix.value(a.code, ind.code) for a in areas]
        england = aggregates.get((ENGLAND, ind.code))
        rows.append(
            ComparedIndicator(
                indicator=ind,
                areas=tuple(values),
                regions=tuple(aggregates.get((r.code, ind.code)) for r in regions),
                england=england,
                chart=bar_chart(f"chart-{ind.code}", ind, areas, values, england),
            )
        )
    served = await served_partnerships(session, [a.code for a in areas])
    per_area = [tuple(served.get(a.code, [])) for a in areas]
    labels = await vocabulary(session)
    themes = tuple(
        GroupCount(
            code,
            label,
            tuple(count_partnerships(p for p in ps if code in p.themes) for ps in per_area),
        )
        for code, label in labels["theme"].items()
    )
    suggestions = await _suggestions(session, matrix, [a.code for a in areas])
    return Comparison(
        areas=tuple(areas),
        regions=tuple(regions),
        indicators=tuple(rows),
        totals=tuple(count_partnerships(ps) for ps in per_area),
        themes=themes,
        partnerships=tuple(per_area),
        theme_labels=labels["theme"],
        suggestions=suggestions,
        version=matrix.version,
    )


async def _suggestions(
    session: AsyncSession, matrix: Matrix, codes: Sequence[str]
) -> tuple[LocalAuthority, ...]:
    """The first LA's DfE neighbours that are not compared yet, in rank order."""
    if not codes:
        return ()
    neighbours = (await dfe_neighbour_codes(session, [codes[0]])).get(codes[0], [])
    return tuple(matrix.la(c) for c in neighbours if c in matrix.row and c not in codes)


def to_csv(comparison: Comparison) -> str:
    """The indicator table as CSV: one row per indicator, one column per area, region, England."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        [
            "indicator_code",
            "indicator",
            "unit",
            "period",
            "source",
            *(f"{a.name} ({a.code})" for a in comparison.areas),
            *(f"{r.name} region ({r.code})" for r in comparison.regions),
            f"England ({ENGLAND})",
        ]
    )
    for row in comparison.indicators:
        ind = row.indicator
        writer.writerow(
            [
                *(safe_cell(v) for v in (ind.code, ind.label, ind.unit, ind.period, ind.source)),
                *(_csv_number(v) for v in row.areas),
                *(_csv_number(v) for v in row.regions),
                _csv_number(row.england),
            ]
        )
    return out.getvalue()


def _csv_number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:.10g}"


# Choosing areas -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RegionGroup:
    """A region's LAs, for the chooser."""

    code: str
    name: str
    las: tuple[LocalAuthority, ...]


@dataclass(frozen=True)
class Chooser:
    """What the empty compare page offers: every LA by region, and the current selection."""

    groups: tuple[RegionGroup, ...]
    selected: tuple[LocalAuthority, ...]
    suggestions: tuple[LocalAuthority, ...]
    matches: tuple[LocalAuthority, ...]

    @property
    def selected_codes(self) -> frozenset[str]:
        """Codes of the LAs already chosen."""
        return frozenset(a.code for a in self.selected)

    def with_area(self, code: str) -> str:
        """The compare link with the selection plus one more LA."""
        return compare_path([*(a.code for a in self.selected), code])


async def chooser(
    session: AsyncSession,
    selected: Sequence[str] = (),
    query: str = "",
    matrix: Matrix | None = None,
) -> Chooser:
    """LAs grouped by region, the valid part of a selection, and matches of a name search."""
    matrix = matrix or await load_matrix(session)
    chosen = [matrix.la(c) for c in parse_codes(selected) if c in matrix.row]
    groups: dict[str, list[LocalAuthority]] = {}
    names: dict[str, str] = {}
    for la in sorted(matrix.las, key=lambda a: a.name):
        key = la.region_code or ""
        groups.setdefault(key, []).append(la)
        names[key] = la.region_name or "Other"
    return Chooser(
        groups=tuple(
            RegionGroup(code, names[code], tuple(las))
            for code, las in sorted(groups.items(), key=lambda item: names[item[0]])
        ),
        selected=tuple(chosen),
        suggestions=await _suggestions(session, matrix, [a.code for a in chosen]),
        matches=tuple(find_las(matrix, query)) if query.strip() else (),
    )


def all_las(matrix: Matrix) -> tuple[LocalAuthority, ...]:
    """Every upper-tier LA by name (for the search box's suggestions)."""
    return tuple(sorted(matrix.las, key=lambda a: a.name))


def find_las(matrix: Matrix, query: str) -> list[LocalAuthority]:
    """LAs matching a name or code typed in a search box, best first.

    An exact code or name (any case) gives that LA alone; otherwise names containing the text,
    then close spellings.
    """
    text = " ".join(query.split()).casefold()
    if not text:
        return []
    by_name = {la.name.casefold(): la for la in matrix.las}
    if text.upper() in matrix.row:
        return [matrix.la(text.upper())]
    if text in by_name:
        return [by_name[text]]
    found = [la for la in sorted(matrix.las, key=lambda a: a.name) if text in la.name.casefold()]
    found.sort(key=lambda la: (not la.name.casefold().startswith(text), la.name))
    for name in difflib.get_close_matches(text, list(by_name), n=MAX_SEARCH_MATCHES, cutoff=0.6):
        if by_name[name] not in found:
            found.append(by_name[name])
    return found[:MAX_SEARCH_MATCHES]
