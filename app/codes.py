"""Official area codes (and register code lists) the project relies on, each defined once.

ONS GSS codes identify areas; England's own code keys national aggregates. Barnsley and Sheffield
were given new codes in 2025 (E08000038, E08000039); the boundary files of 2023-24 use the old
ones (E08000016, E08000019), while Code-Point Open and some registers use the new.
"""

from __future__ import annotations

import re
from collections.abc import Container

ENGLAND = "E92000001"

# GIAS group types that make an academy "in a trust": a multi-academy or single-academy trust,
# never a foundation trust, federation or sponsor. Queries bind this tuple (``:trust_types``).
ACADEMY_TRUST_TYPES = (
    "Multi-academy trust",
    "Single-academy trust",
    "Secure single-academy trust",
)

# An English ONS GSS code: "E" and eight digits (ASCII digits only).
GSS_CODE = re.compile(r"^E[0-9]{8}$")

# The 2025 codes -> the codes the boundaries (and so the ``area`` table) hold.
RECODED_2025: dict[str, str] = {"E08000038": "E08000016", "E08000039": "E08000019"}

# Either vintage -> the other, for sources that may use one and the data the other.
RECODED_2025_EITHER_WAY: dict[str, str] = {
    **RECODED_2025,
    **{old: new for new, old in RECODED_2025.items()},
}


def stored_code(code: str, known: Container[str]) -> str:
    """The code as the data holds it: a source may use either 2025 vintage of Barnsley's and
    Sheffield's codes (the boundaries use one); any other code as given."""
    other = RECODED_2025_EITHER_WAY.get(code)
    return other if code not in known and other is not None and other in known else code
