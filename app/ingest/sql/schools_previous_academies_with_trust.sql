-- schools_previous_academies_with_trust: the count of academies with a trust in the previous
-- schools import's summary, to show how this import moved it.
-- Params: id (this import's dataset id). Run by: the schools importer (school_summary.py).
SELECT summary->'facts'->>'academies with a trust' FROM dataset
WHERE name = 'schools' AND id < %(id)s AND summary ? 'facts' ORDER BY id DESC LIMIT 1
