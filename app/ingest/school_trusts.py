"""Which trust a school is in: census trust names matched to GIAS groups, and why not.

The census names trusts in upper case; a name is matched to a GIAS group after upper-casing
and collapsing spaces, preferring academy trusts (or foundation trusts for maintained
schools) that were not already closed on census day, and open ones among those. An academy
whose trust is not recorded carries the reason in its provenance, and the summary labels
about academies' trusts are named here.
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


# One spelling of a trust name for matching: upper case, single spaces, trimmed. The same
# expression is applied to both sides, so the census and GIAS spellings meet exactly.
NAME_KEY = "upper(btrim(regexp_replace({}, '\\s+', ' ', 'g')))"

ACADEMIES_IN_A_TRUST = "academies in a multi- or single-academy trust"
ACADEMIES_TRUST_UNKNOWN = "academies whose trust is not recorded"
ACADEMIES_TRUST_UNKNOWN_WHY = "academies whose trust is not recorded, by reason"
ACADEMIES_WITH_TRUST_BEFORE = "academies with a trust, previous import"

# Each census trust name (per kind of school) against the GIAS groups of the same name.
# Tier 0: an academy trust for an academy, a foundation trust for a maintained school.
# Tier 1: failing that, a school sponsor of exactly that name (the same body, recorded by
# GIAS under its sponsor role). Groups closed before census day cannot be the census's trust.
# Among the best tier, open groups win over closed ones; a tie leaves the name unmatched.
TRUST_MATCH_SQL = f"""
CREATE TEMP TABLE trust_match ON COMMIT DROP AS
WITH names AS (
    SELECT DISTINCT trust_key, school_kind FROM census_in WHERE trust_key IS NOT NULL
), candidate AS (
    SELECT n.trust_key, n.school_kind, t.uid,
           CASE WHEN (n.school_kind = 'academy' AND t.group_type = ANY(%(academy_types)s))
                  OR (n.school_kind = 'maintained' AND t.group_type = 'Trust') THEN 0
                ELSE 1 END AS tier,
           CASE t.status WHEN 'Open' THEN 0 WHEN 'Proposed to open' THEN 1 ELSE 2 END AS state
    FROM names n
    JOIN trust t ON {NAME_KEY.format("t.name")} = n.trust_key
    WHERE (t.closed_date IS NULL OR t.closed_date >= %(census_day)s)
      AND (t.group_type = ANY(%(academy_types)s) OR t.group_type IN ('Trust', 'School sponsor'))
), ranked AS (
    SELECT *, rank() OVER (PARTITION BY trust_key, school_kind ORDER BY tier, state) AS r
    FROM candidate
)
SELECT trust_key, school_kind, min(uid) AS uid, count(*) AS candidates, min(tier) AS tier
FROM ranked WHERE r = 1
GROUP BY trust_key, school_kind
"""
