"""What each school fact's provenance says: the source and vintage labels the insert writes.

The statements that join the staged sources into one row per school are in
``app/ingest/sql/``: ``schools_predecessor.sql`` (predecessor links reach census facts for
schools that opened under a new URN), ``schools_out.sql`` (every fact with where it came from)
and ``schools_insert.sql`` (every school with the source and vintage of each of its facts).
"""

from __future__ import annotations

from app.ingest.placing import NEAREST_WITHIN_M

# What each fact's provenance says. Pages show these, so they name source and vintage.
SOURCE_CODEPOINT = "OS Code-Point Open 2025.4 (Oct 2025)"
SOURCE_AREAS = "ONS boundaries (LAD May 2024, CTYUA Dec 2023)"
INSIDE = ", school point in boundary"
NEAREST = f", nearest boundary within {NEAREST_WITHIN_M / 1000:g} km of the school point"
SOURCE_CENSUS = "DfE SPC 2022/23 (Jan 2023)"
SOURCE_GIAS_2024 = "GIAS establishments (Jun 2024)"
SOURCE_LINKS = "GIAS establishment links (Jul 2025)"
SOURCE_TRUST = "DfE SPC 2022/23 trust name (Jan 2023) matched to GIAS groups (2025)"
VIA_PREDECESSOR = ", predecessor URN "
