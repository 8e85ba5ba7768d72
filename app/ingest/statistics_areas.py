"""The areas LA statistics attach to, read from ``area``, and the old codes sources use for them.

Old codes are reconciled here, never in queries: Barnsley/Sheffield's 2025 codes to the
boundary files' ones, and 2019 counties to unitary successors covering the same area.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.codes import RECODED_2025_EITHER_WAY
from app.ingest.base import Context, ImportFailed
from app.ingest.common import statement

# Codes a source may use for an area that ``area`` holds under another code.
CODE_ALIASES: dict[str, str] = {
    **RECODED_2025_EITHER_WAY,  # Barnsley and Sheffield, recoded 2025
    "E10000002": "E06000060",  # Buckinghamshire county (2019) -> unitary (2020), same area
    "E10000023": "E06000065",  # North Yorkshire county (2019) -> unitary (2023), same area
    "E10000027": "E06000066",  # Somerset county (2019) -> unitary (2023), same area
}


@dataclass(frozen=True)
class Areas:
    """The areas statistics attach to, as the boundaries importer left them."""

    la_by_number: dict[int, str]
    la_names: dict[str, str]
    la_region: dict[str, str | None]
    names: dict[str, str]

    def resolve(self, code: str) -> str | None:
        """The ``area`` code a source's code stands for (itself or a known alias), else None."""
        if code in self.names:
            return code
        alias = CODE_ALIASES.get(code)
        return alias if alias in self.names else None

    def la_label(self, code: str) -> str:
        """'E09000001 City of London', for summaries."""
        return f"{code} {self.la_names.get(code, '?')}"


def read_areas(ctx: Context) -> Areas:
    """Current LAs (with DfE numbers and regions), regions and England from ``area``."""
    rows = ctx.conn.execute(statement("statistics_areas")).fetchall()
    las = [r for r in rows if r[2] == "local_authority"]
    if not las:
        raise ImportFailed("no local authorities in `area`: import boundaries first")
    return Areas(
        la_by_number={r[3]: r[0] for r in las if r[3] is not None},
        la_names={r[0]: r[1] for r in las},
        la_region={r[0]: r[4] for r in las},
        names={r[0]: r[1] for r in rows},
    )
