-- schools_trust_names: each trust name of the whole census file (by name key): its first
-- spelling, whether it matched one group, several equally, only a sponsor, and whether any
-- GIAS group has that name at all.
-- Params: none; reads census_in, trust_match and trust_name_key.
-- Run by: the schools importer (school_summary.py), for the summary.
SELECT c.trust_key, min(c.trust_name), bool_or(m.candidates = 1),
       bool_or(m.candidates > 1), bool_or(m.candidates = 1 AND m.tier = 1),
       EXISTS (SELECT 1 FROM trust_name_key t WHERE t.trust_key = c.trust_key)
FROM census_in c
LEFT JOIN trust_match m ON m.trust_key = c.trust_key AND m.school_kind = c.school_kind
WHERE c.trust_key IS NOT NULL
GROUP BY c.trust_key ORDER BY 1
