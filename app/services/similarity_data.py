"""Loading the standardised LA x indicator matrix from the database, with its per-version cache."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable

import numpy as np
from sqlalchemy import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from app import queries
from app.services.similarity_maths import standardise
from app.services.similarity_shapes import IndicatorInfo, LocalAuthority, Matrix
from app.services.versions import data_version

# Loading ------------------------------------------------------------------------------------

_MATRICES: OrderedDict[tuple[str, int], Matrix] = OrderedDict()
MAX_MATRICES = 4
"""How many matrices (and DfE overlaps) are kept, one per (database, data version)."""
OVERLAPS: dict[tuple[str, int], float] = {}
"""The DfE-neighbour overlap of each cached matrix, by (database, data version)."""


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


def database_key(session: AsyncSession) -> str:
    """The database a session reads (its URL without the password), keying the caches."""
    return session.get_bind().engine.url.render_as_string(hide_password=True)


async def load_matrix(session: AsyncSession, version: int | None = None) -> Matrix:
    """The standardised LA x indicator matrix for the current data version (cached)."""
    if version is None:
        version = await data_version(session)
    key = (database_key(session), version)
    matrix = _MATRICES.get(key)
    if matrix is not None:
        _MATRICES.move_to_end(key)
        return matrix
    la_rows = await queries.rows(session, queries.sql("similar_matrix"))
    indicator_rows = await queries.rows(session, queries.sql("similar_indicators"))
    matrix = build_matrix(version, la_rows, indicator_rows)
    _MATRICES[key] = matrix
    while len(_MATRICES) > MAX_MATRICES:
        _MATRICES.popitem(last=False)
    return matrix
