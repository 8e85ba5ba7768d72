-- schools_trust_match: each census trust name (per kind of school) against the GIAS groups of
-- the same name key (schools_prepare.sql). Tier 0: an academy trust for an academy, a foundation
-- trust for a maintained school. Tier 1: failing that, a school sponsor of exactly that name
-- (the same body, recorded by GIAS under its sponsor role). Groups closed before census day
-- cannot be the census's trust. Among the best tier, open groups win over closed ones; a tie
-- leaves the name unmatched (candidates > 1).
-- Params: academy_types (the GIAS academy trust types), census_day.
-- Run by: the schools importer (schools.py).
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
    JOIN trust_name_key k ON k.trust_key = n.trust_key
    JOIN trust t ON t.uid = k.uid
    WHERE (t.closed_date IS NULL OR t.closed_date >= %(census_day)s)
      AND (t.group_type = ANY(%(academy_types)s) OR t.group_type IN ('Trust', 'School sponsor'))
), ranked AS (
    SELECT *, rank() OVER (PARTITION BY trust_key, school_kind ORDER BY tier, state) AS r
    FROM candidate
)
SELECT trust_key, school_kind, min(uid) AS uid, count(*) AS candidates, min(tier) AS tier
FROM ranked WHERE r = 1
GROUP BY trust_key, school_kind
