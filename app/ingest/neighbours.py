"""Import DfE children's services statistical neighbours (May 2025): ten ranked neighbours per LA.

The workbook is keyed by DfE 3-digit LA numbers, joined to areas through ``area.la_number``
(filled by the boundaries importer). Below the 153 current LAs it keeps five pre-reorganisation
rows (Dorset, Poole and Bournemouth before 2019, Cumbria, Northamptonshire) under an "Old SNs:"
marker; those are reported, not stored. A neighbour that is not a current LA fails the import:
a partial list of ten would silently misstate the DfE model, so a person must look at the file.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import openpyxl

from app.ingest.base import Context, Importer, ImportFailed, copy_rows
from app.ingest.common import statement
from app.models import CLOSENESS_BANDS

SOURCE_FILE = "lait/sn_may_2025.xlsx"
SHEET = "LA SN Groups"
HEADER_ROW = 3  # 1-based sheet row of the column names (pandas ``header=2``)
NEIGHBOURS_PER_LA = 10
LEGACY_MARKER = "old sns"

# Every band the DfE workbooks use, normalised. The May 2025 model adds "Extremely close" for
# some rank-1 neighbours, a band the schema does not have yet; it is stored as the nearest band
# the schema knows until the schema grows one (see FOLDED_BANDS).
KNOWN_BANDS = ("extremely_close", "very_close", "close", "somewhat_close", "not_close")
FOLDED_BANDS = {"extremely_close": "very_close"}


@dataclass(frozen=True)
class Neighbour:
    """One ranked neighbour of an LA as the workbook gives it."""

    rank: int
    la_number: int
    band: str


@dataclass(frozen=True)
class Group:
    """One row of the workbook: an LA, where it sits in the sheet and its ten neighbours."""

    row: int
    la_number: int
    name: str
    neighbours: tuple[Neighbour, ...]


@dataclass(frozen=True)
class Groups:
    """The workbook's current LAs and the legacy (pre-reorganisation) rows below the marker."""

    current: tuple[Group, ...]
    legacy: tuple[Group, ...]


def normalise_band(text: object) -> str:
    """'Very Close', 'Somewhat close ' -> 'very_close', 'somewhat_close'; '' for a blank cell."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    return re.sub(r"[\s_-]+", "_", str(text).strip().lower())


def stored_band(band: str, allowed: Sequence[str] = CLOSENESS_BANDS) -> str:
    """The band as the schema can hold it: folded to the nearest allowed band when needed."""
    if band in allowed:
        return band
    folded = FOLDED_BANDS.get(band)
    if folded is None or folded not in allowed:
        raise ValueError(f"closeness band {band!r} has no stored equivalent")
    return folded


def _la_number(value: object) -> int | None:
    """A DfE LA number from a cell (int, float or text); None for a blank cell."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return None
        if not re.fullmatch(r"\d{3}(\.0+)?", value):
            raise ValueError(f"not a DfE LA number: {value!r}")
    number = float(value)  # type: ignore[arg-type]
    if not number.is_integer() or not 100 <= number <= 999:
        raise ValueError(f"not a DfE LA number: {value!r}")
    return int(number)


def _columns(header: Sequence[object], source: str) -> tuple[int, int, list[tuple[int, int]]]:
    """Positions of the LA number, the LA name and each (SNk, closeness) pair in the header."""
    names = [str(h).strip() if h is not None else "" for h in header]
    try:
        number_col = names.index("LA num")
        name_col = names.index("LA Name")
        pairs = []
        for k in range(1, NEIGHBOURS_PER_LA + 1):
            col = names.index(f"SN{k}")
            if col + 1 >= len(names) or not names[col + 1].startswith("SNP"):
                raise ValueError(f"SN{k} is not followed by its SNP closeness column")
            pairs.append((col, col + 1))
    except ValueError as exc:
        raise ImportFailed(f"{source} row {HEADER_ROW}: unexpected header ({exc})") from exc
    return number_col, name_col, pairs


def parse_groups(
    rows: Iterable[Sequence[object]], source: str, first_row: int = HEADER_ROW
) -> Groups:
    """Parse the sheet from its header row down; errors name the file and the sheet row."""
    iterator = iter(rows)
    try:
        header = next(iterator)
    except StopIteration:
        raise ImportFailed(f"{source}: the sheet is empty") from None
    number_col, name_col, pairs = _columns(header, source)
    current: list[Group] = []
    legacy: list[Group] = []
    in_legacy = False
    for offset, cells in enumerate(iterator, start=1):
        row = first_row + offset
        cells = list(cells) + [None] * (len(header) - len(cells))
        name = "" if cells[name_col] is None else str(cells[name_col]).strip()
        try:
            number = _la_number(cells[number_col])
        except ValueError as exc:
            raise ImportFailed(f"{source} row {row}: {exc}") from exc
        if number is None:
            if name.rstrip(":").strip().lower() == LEGACY_MARKER:
                in_legacy = True
            elif name:
                raise ImportFailed(f"{source} row {row}: {name!r} has no LA number")
            continue
        neighbours = []
        for rank, (sn_col, band_col) in enumerate(pairs, start=1):
            try:
                neighbour = _la_number(cells[sn_col])
            except ValueError as exc:
                raise ImportFailed(f"{source} row {row} ({name}) SN{rank}: {exc}") from exc
            band = normalise_band(cells[band_col])
            if neighbour is None or not band:
                raise ImportFailed(
                    f"{source} row {row} ({name}): SN{rank} or its closeness is blank"
                )
            if band not in KNOWN_BANDS:
                raise ImportFailed(
                    f"{source} row {row} ({name}) SN{rank}: unknown closeness {cells[band_col]!r}"
                )
            neighbours.append(Neighbour(rank, neighbour, band))
        numbers = [n.la_number for n in neighbours]
        if number in numbers or len(set(numbers)) != len(numbers):
            raise ImportFailed(
                f"{source} row {row} ({name}): an LA listed twice or as its own neighbour"
            )
        group = Group(row, number, name, tuple(neighbours))
        (legacy if in_legacy else current).append(group)
    seen = Counter(g.la_number for g in current)
    repeated = sorted(n for n, c in seen.items() if c > 1)
    if repeated:
        raise ImportFailed(f"{source}: LA numbers listed more than once: {repeated}")
    return Groups(tuple(current), tuple(legacy))


def read_groups(path: Path, source: str) -> Groups:
    """Read the statistical neighbour sheet of the workbook at ``path``."""
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        if SHEET not in workbook.sheetnames:
            raise ImportFailed(f"{source}: no sheet {SHEET!r} (sheets: {workbook.sheetnames})")
        rows = workbook[SHEET].iter_rows(min_row=HEADER_ROW, values_only=True)
        return parse_groups(rows, source)
    finally:
        workbook.close()


def load(ctx: Context) -> None:
    """Replace every statistical neighbour row with the workbook's, joined on DfE LA numbers."""
    groups = read_groups(ctx.path(SOURCE_FILE), SOURCE_FILE)
    la_by_number: dict[int, str] = dict(
        ctx.conn.execute(statement("neighbours_la_numbers")).fetchall()
    )
    if not la_by_number:
        raise ImportFailed(
            "no local authorities with DfE numbers in `area`: import boundaries first"
        )

    rows: list[tuple[str, int, str, str, int]] = []
    folded: list[str] = []
    bands: Counter[str] = Counter()
    stored: Counter[str] = Counter()
    for group in groups.current:
        code = la_by_number.get(group.la_number)
        if code is None:
            raise ImportFailed(
                f"{SOURCE_FILE} row {group.row}: LA {group.la_number} ({group.name}) is not a current LA"
            )
        for n in group.neighbours:
            neighbour_code = la_by_number.get(n.la_number)
            if neighbour_code is None:
                raise ImportFailed(
                    f"{SOURCE_FILE} row {group.row} ({group.name}): neighbour SN{n.rank} ="
                    f" {n.la_number} is a legacy or unknown LA, not a current one"
                )
            band = stored_band(n.band)
            if band != n.band:
                folded.append(f"{group.la_number} {group.name} SN{n.rank}")
            bands[n.band] += 1
            stored[band] += 1
            rows.append((code, n.rank, neighbour_code, band, ctx.dataset_id))

    listed = {g.la_number for g in groups.current}
    without = sorted(f"{n} {code}" for n, code in la_by_number.items() if n not in listed)
    if without:
        raise ImportFailed(f"{SOURCE_FILE}: no neighbour group for current LAs {without}")

    ctx.conn.execute("DELETE FROM statistical_neighbour")
    copy_rows(
        ctx.conn,
        "statistical_neighbour",
        ["area_code", "rank", "neighbour_code", "closeness", "dataset_id"],
        ctx.track(rows, "neighbours", total=len(rows)),
    )
    ctx.count_rows("statistical_neighbour")
    ctx.summary.fact("LAs with neighbours", len(groups.current))
    ctx.summary.fact("closeness bands in the source", dict(sorted(bands.items())))
    ctx.summary.fact("closeness bands stored", dict(sorted(stored.items())))
    if folded:
        ctx.summary.miss("closeness folded to the nearest schema band", folded)
    ctx.summary.miss(
        "legacy pre-reorganisation rows (not stored)",
        [f"{g.la_number} {g.name} (row {g.row})" for g in groups.legacy],
    )


IMPORTER = Importer(
    name="neighbours",
    title="DfE children's services statistical neighbours, May 2025",
    vintage="2025-05",
    licence="OGL v3. Contains public sector information licensed under the Open Government "
    "Licence v3.0 (Department for Education)",
    files=(SOURCE_FILE,),
    load=load,
    depends=("boundaries",),
    version=2,
)
