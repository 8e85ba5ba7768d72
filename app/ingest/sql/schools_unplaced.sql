-- schools_unplaced: schools whose postcode is not an English Code-Point Open postcode (or who
-- have none), with the postcode as the list gives it.
-- Params: none. Run by: the schools importer (school_summary.py), for the summary.
SELECT s.urn, s.postcode_as_given FROM school_in s
WHERE NOT EXISTS (SELECT 1 FROM school_point p WHERE p.key = s.urn)
