"""Gap analysis: what an LA's comparators have, by partnership theme and kind, that it lacks.

A gap is a local choice (a kind of local partnership today; the council's role and forms of
collaboration can join as more facts of the same shape) that similar areas have made and the
area has no record of. National designations and networks (EIA, PEIA, Opportunity Area, hubs)
are not choices a council makes: they are shown as context, with how complete our list of each
network is, and never as something the area "lacks". Missing records are never "none".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.queries.vocab import load_vocabulary
from app.services.currency import is_complete, network_phrase
from app.services.similarity import (
    count_partnerships,
    dfe_neighbour_codes,
    resolve_la,
    resolve_las,
    served_partnerships,
    vocabulary,
)
from app.services.similarity_data import load_matrix
from app.services.similarity_shapes import (
    LocalAuthority,
    Matrix,
    PartnershipCounts,
    ServedPartnership,
)


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
