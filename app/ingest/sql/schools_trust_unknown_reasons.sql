-- schools_trust_unknown_reasons: academies whose trust is not recorded, counted by the reason
-- their provenance gives.
-- Params: none. Run by: the schools importer (school_summary.py), for the summary.
SELECT provenance->>'trust_unknown', count(*) FROM school
WHERE provenance ? 'trust_unknown' GROUP BY 1 ORDER BY 2 DESC
