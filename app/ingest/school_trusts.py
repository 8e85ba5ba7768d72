"""Which trust a school is in: census trust names matched to GIAS groups, and why not.

The census names trusts in upper case; a name is matched to a GIAS group after upper-casing
and collapsing spaces (``schools_prepare.sql``), preferring academy trusts (or foundation trusts
for maintained schools) that were not already closed on census day, and open ones among those
(``schools_trust_match.sql``). An academy whose trust is not recorded carries the reason in its
provenance, and the summary labels about academies' trusts are named here.
"""

from __future__ import annotations

# Why an academy's trust is not recorded (provenance key ``trust_unknown``): pages say so
# rather than count the academy as outside a trust.
TRUST_UNKNOWN_OPENED_AFTER = (
    "trust not recorded: opened after January 2023 (the trust list is the January 2023 census)"
)
TRUST_UNKNOWN_UNMATCHED = (
    "trust not recorded: the January 2023 census names a trust that matches no single GIAS group"
)
TRUST_UNKNOWN_UNNAMED = "trust not recorded: the January 2023 census names no trust"
TRUST_UNKNOWN_NOT_IN_CENSUS = "trust not recorded: the school is not in the January 2023 census"
TRUST_UNKNOWN_REASONS = (
    TRUST_UNKNOWN_OPENED_AFTER,
    TRUST_UNKNOWN_UNMATCHED,
    TRUST_UNKNOWN_UNNAMED,
    TRUST_UNKNOWN_NOT_IN_CENSUS,
)


ACADEMIES_IN_A_TRUST = "academies in a multi- or single-academy trust"
ACADEMIES_TRUST_UNKNOWN = "academies whose trust is not recorded"
ACADEMIES_TRUST_UNKNOWN_WHY = "academies whose trust is not recorded, by reason"
ACADEMIES_WITH_TRUST_BEFORE = "academies with a trust, previous import"
