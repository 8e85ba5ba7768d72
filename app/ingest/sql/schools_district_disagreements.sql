-- schools_district_disagreements: schools whose point-in-polygon district is not their
-- postcode's Code-Point district.
-- Params: none. Run by: the schools importer (school_summary.py), for the summary.
SELECT urn, pip_district, codepoint_district FROM school_out
WHERE pip_district <> codepoint_district
